/* One line to fd 2 through plain dprintf (fortification off). */
#undef _FORTIFY_SOURCE
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    return dprintf(STDERR_FILENO, "dprintf works %d\n", 42) > 0 ? 0 : 1;
}
