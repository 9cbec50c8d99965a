/* One line to fd 2 through vdprintf in a fortified build (__vdprintf_chk). */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static int say(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vdprintf(STDERR_FILENO, format, args);
    va_end(args);
    return n;
}

int main(void)
{
    return say("__vdprintf_chk works %d\n", 42) > 0 ? 0 : 1;
}
