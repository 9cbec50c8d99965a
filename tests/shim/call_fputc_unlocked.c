/* One line to stderr one character at a time through the fputc_unlocked
 * function. At -O2 glibc's headers inline it into a buffer store; calling
 * through a pointer reaches the exported function, which is what programs
 * built without those inlines call. */
#include <stdio.h>

int main(void)
{
    int (*volatile put)(int, FILE *) = fputc_unlocked;
    for (const char *c = "fputc_unlocked works\n"; *c != '\0'; c++)
        if (put(*c, stderr) == EOF)
            return 1;
    return 0;
}
