/* One line to stderr through fprintf as a fortified build compiles it:
 * with _FORTIFY_SOURCE=2 and -O2 the call goes to __fprintf_chk (the test
 * checks with nm). */
#include <stdio.h>

int main(void)
{
    return fprintf(stderr, "__fprintf_chk works %d\n", 42) > 0 ? 0 : 1;
}
