/* error() with a non-zero status exits with it (7) after printing. */
#include <errno.h>
#include <error.h>

int main(void)
{
    error(7, EINVAL, "error exits %d", 42);
    return 0;
}
