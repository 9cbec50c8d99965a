/* One line to stderr through fputs. Built with -fno-builtin, or the
 * compiler would turn a constant fputs into fwrite. */
#include <stdio.h>

int main(void)
{
    return fputs("fputs works\n", stderr) >= 0 ? 0 : 1;
}
