/* Preloaded before libehshim.so in tests: counts the calls of clock_gettime
 * that reach libc from the program and the libraries after this one (the
 * shim calls it through its PLT), and writes "clock_gettime calls: N" to
 * the file named by COUNT_CLOCK_OUT when the process exits. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static unsigned long calls;

int clock_gettime(clockid_t clock, struct timespec *now)
{
    static int (*real)(clockid_t, struct timespec *);
    if (real == NULL)
        real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
    __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);
    return real(clock, now);
}

__attribute__((destructor(101))) static void report(void)
{
    const char *path = getenv("COUNT_CLOCK_OUT");
    if (path == NULL)
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    char line[64];
    int n = snprintf(line, sizeof line, "clock_gettime calls: %lu\n",
                     __atomic_load_n(&calls, __ATOMIC_RELAXED));
    if (n > 0)
        (void)!write(fd, line, (size_t)n);
    close(fd);
}
