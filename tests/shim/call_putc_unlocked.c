/* One line to stderr one character at a time through the putc_unlocked
 * function (through a pointer, for the reason given in
 * call_fputc_unlocked.c). */
#include <stdio.h>

int main(void)
{
    int (*volatile put)(int, FILE *) = putc_unlocked;
    for (const char *c = "putc_unlocked works\n"; *c != '\0'; c++)
        if (put(*c, stderr) == EOF)
            return 1;
    return 0;
}
