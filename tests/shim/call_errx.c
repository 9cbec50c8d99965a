/* errx; exits with status 4. */
#include <err.h>

int main(void)
{
    errx(4, "errx works %d", 42);
}
