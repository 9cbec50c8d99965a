/* One line to stderr one character at a time through putc. */
#include <stdio.h>

int main(void)
{
    for (const char *c = "putc works\n"; *c != '\0'; c++)
        if (putc(*c, stderr) == EOF)
            return 1;
    return 0;
}
