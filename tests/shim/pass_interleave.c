/* stdout and stderr lines alternating, every stdout line flushed, for a
 * run with 2>&1: the combined output must keep its order, and only the
 * stderr lines may become events. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char line[64];
    for (int i = 0; i < 100; i++) {
        printf("out printf %d\n", i);
        fflush(stdout);
        fprintf(stderr, "err fprintf %d\n", i);
        int n = snprintf(line, sizeof line, "out write %d\n", i);
        if (write(STDOUT_FILENO, line, (size_t)n) != n)
            return 1;
        n = snprintf(line, sizeof line, "err write %d\n", i);
        if (write(STDERR_FILENO, line, (size_t)n) != n)
            return 1;
    }
    return 0;
}
