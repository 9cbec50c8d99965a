/* vwarn with errno ENOENT. */
#include <err.h>
#include <errno.h>
#include <stdarg.h>

static void complain(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vwarn(format, args);
    va_end(args);
}

int main(void)
{
    errno = ENOENT;
    complain("vwarn works %d", 42);
    return 0;
}
