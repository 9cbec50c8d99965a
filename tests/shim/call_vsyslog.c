/* Plain vsyslog (fortification off), LOG_ERR. */
#undef _FORTIFY_SOURCE
#include <stdarg.h>
#include <syslog.h>

static void log_it(int priority, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsyslog(priority, format, args);
    va_end(args);
}

int main(void)
{
    log_it(LOG_ERR, "vsyslog works %d", 42);
    return 0;
}
