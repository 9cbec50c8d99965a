/* One syslog call is one message, newlines and all. */
#include <syslog.h>

int main(void)
{
    syslog(LOG_ERR, "first line\nsecond line");
    return 0;
}
