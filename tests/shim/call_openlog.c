/* openlog sets ident and default facility: ident "custom-ident", facility
 * LOG_AUTH (4), severity LOG_ERR. LOG_PID must not change the ident. */
#include <syslog.h>

int main(void)
{
    openlog("custom-ident", LOG_PID | LOG_NDELAY, LOG_AUTH);
    syslog(LOG_ERR, "openlog works %d", 42);
    closelog();
    return 0;
}
