/*
 * What the counting preload libraries (count_*.c) share: at exit, their
 * counts written as "LABEL: N" lines to the file an environment variable
 * names, so a test reads them whatever the program did with its stdout.
 */
#ifndef COUNT_REPORT_H
#define COUNT_REPORT_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Writes "labels[i]: counts[i]" for each of the `n` counts to the file
 * named by $`env_name`; nothing when it is unset or cannot be opened. */
static inline void count_report(const char *env_name, const char *const *labels,
                                const unsigned long *counts, int n)
{
    const char *path = getenv(env_name);
    if (path == NULL)
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    for (int i = 0; i < n; i++) {
        char line[96];
        int len = snprintf(line, sizeof line, "%s: %lu\n", labels[i], counts[i]);
        if (len > 0)
            (void)!write(fd, line, (size_t)len);
    }
    close(fd);
}

#endif /* COUNT_REPORT_H */
