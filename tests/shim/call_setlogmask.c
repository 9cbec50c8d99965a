/* setlogmask(LOG_UPTO(LOG_WARNING)): the LOG_INFO message is masked, so libc
 * logs nothing for it and neither may the shim; the LOG_ERR one goes out. */
#include <syslog.h>

int main(void)
{
    setlogmask(LOG_UPTO(LOG_WARNING));
    syslog(LOG_INFO, "masked message must not appear");
    syslog(LOG_ERR, "setlogmask works %d", 42);
    return 0;
}
