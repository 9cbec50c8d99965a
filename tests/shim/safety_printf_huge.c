/*
 * One fprintf of a 64 MiB line to stderr (which the test sends to
 * /dev/null): glibc prints it in BUFSIZ pieces without copying it, and the
 * shim must not copy it either. Peak memory (ru_maxrss) may grow by far
 * less than the line. Prints "bounded" or how much it grew.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static long peak_kib(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

int main(void)
{
    size_t size = (size_t)64 << 20;
    char *line = malloc(size + 1);
    if (line == NULL)
        return 1;
    memset(line, 'x', size);
    line[size] = '\0';
    long before = peak_kib();
    fprintf(stderr, "huge %s\n", line);
    long grew = peak_kib() - before;
    if (grew < 16 * 1024)
        printf("bounded\n");
    else
        printf("peak memory grew by %ld MiB\n", grew / 1024);
    return 0;
}
