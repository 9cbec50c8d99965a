/* One line to stderr through putc_unlocked as glibc's headers inline it at
 * -O2: a store into the FILE buffer, and __overflow when the buffer is
 * full, which for unbuffered stderr is every character. Optimised programs
 * that print with putc_unlocked look like this. */
#include <stdio.h>

int main(void)
{
    for (const char *c = "putc_unlocked inline works\n"; *c != '\0'; c++)
        if (putc_unlocked(*c, stderr) == EOF)
            return 1;
    return 0;
}
