/* err with errno ENOENT; exits with status 3. */
#include <err.h>
#include <errno.h>

int main(void)
{
    errno = ENOENT;
    err(3, "err works %d", 42);
}
