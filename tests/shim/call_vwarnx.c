/* vwarnx. */
#include <err.h>
#include <stdarg.h>

static void complain(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vwarnx(format, args);
    va_end(args);
}

int main(void)
{
    complain("vwarnx works %d", 42);
    return 0;
}
