/* One line to stderr through plain fprintf: fortification off, so the
 * call is to fprintf itself rather than __fprintf_chk. */
#undef _FORTIFY_SOURCE
#include <stdio.h>

int main(void)
{
    return fprintf(stderr, "fprintf works %d\n", 42) > 0 ? 0 : 1;
}
