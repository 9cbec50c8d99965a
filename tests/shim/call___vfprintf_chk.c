/* One line to stderr through vfprintf in a fortified build
 * (__vfprintf_chk). */
#include <stdarg.h>
#include <stdio.h>

static int say(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vfprintf(stderr, format, args);
    va_end(args);
    return n;
}

int main(void)
{
    return say("__vfprintf_chk works %d\n", 42) > 0 ? 0 : 1;
}
