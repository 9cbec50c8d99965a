/* warnx. */
#include <err.h>

int main(void)
{
    warnx("warnx works %d", 42);
    return 0;
}
