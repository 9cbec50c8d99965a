/* One line to stderr one character at a time through fputc: the shim
 * assembles the line. */
#include <stdio.h>

int main(void)
{
    for (const char *c = "fputc works\n"; *c != '\0'; c++)
        if (fputc(*c, stderr) == EOF)
            return 1;
    return 0;
}
