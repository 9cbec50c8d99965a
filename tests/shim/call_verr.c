/* verr with errno EACCES; exits with status 5. */
#include <err.h>
#include <errno.h>
#include <stdarg.h>

static _Noreturn void fail(int status, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    verr(status, format, args);
}

int main(void)
{
    errno = EACCES;
    fail(5, "verr works %d", 42);
}
