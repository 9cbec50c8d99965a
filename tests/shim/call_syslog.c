/* Plain syslog (fortification off) without openlog: ident is the program's
 * short name, facility LOG_USER, severity LOG_WARNING. */
#undef _FORTIFY_SOURCE
#include <syslog.h>

int main(void)
{
    syslog(LOG_WARNING, "syslog works %d", 42);
    return 0;
}
