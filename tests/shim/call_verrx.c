/* verrx; exits with status 6. */
#include <err.h>
#include <stdarg.h>

static _Noreturn void fail(int status, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    verrx(status, format, args);
}

int main(void)
{
    fail(6, "verrx works %d", 42);
}
