/* After dup2(2, 1) stdout is stderr: printf, puts and putchar lines on it
 * are stderr lines. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    fflush(stdout);
    if (dup2(STDERR_FILENO, STDOUT_FILENO) != STDOUT_FILENO)
        return 1;
    printf("printf onto stderr %d\n", 42);
    puts("puts onto stderr");
    for (const char *c = "putchar onto stderr\n"; *c != '\0'; c++)
        putchar(*c);
    return fflush(stdout) == 0 ? 0 : 1;
}
