/* warn with errno EACCES. */
#include <err.h>
#include <errno.h>

int main(void)
{
    errno = EACCES;
    warn("warn works %d", 42);
    return 0;
}
