/* A facility in the priority argument wins over openlog's default:
 * LOG_LOCAL3 (19) | LOG_CRIT. */
#include <syslog.h>

int main(void)
{
    openlog("facility-ident", 0, LOG_DAEMON);
    syslog(LOG_LOCAL3 | LOG_CRIT, "facility works %d", 42);
    return 0;
}
