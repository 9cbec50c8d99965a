/* Writes only to stdout. Run with 2>&1 from outside, stdout shares the
 * stderr file, yet it is not stderr: no event may come out. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    static const char line[] = "stdout write, not stderr\n";
    printf("stdout printf, not stderr %d\n", 42);
    fflush(stdout);
    fprintf(stdout, "stdout fprintf, not stderr\n");
    fflush(stdout);
    return write(STDOUT_FILENO, line, strlen(line)) == (ssize_t)strlen(line) ? 0 : 1;
}
