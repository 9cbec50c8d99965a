/* syslog in a fortified build (__syslog_chk), LOG_NOTICE. */
#include <syslog.h>

int main(void)
{
    syslog(LOG_NOTICE, "__syslog_chk works %d", 42);
    return 0;
}
