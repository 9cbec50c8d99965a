/*
 * ktest_stdin_lines: writes each line it reads on stdin to stderr
 * (fprintf), then "done N" on stdout, flushed: a test feeding it through a
 * FIFO knows when line N has gone through the shim, and can look at the
 * system in between (the reload test: which tracepoints exist).
 */
#include <stdio.h>

int main(void)
{
    char line[4096];
    unsigned long n = 0;
    while (fgets(line, sizeof line, stdin) != NULL) {
        fputs(line, stderr);
        printf("done %lu\n", ++n);
        fflush(stdout);
    }
    return 0;
}
