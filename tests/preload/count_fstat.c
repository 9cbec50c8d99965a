/* Preloaded before libehshim.so in tests: counts the calls of fstat and
 * fstatat (under every name glibc gives them) that reach libc from the
 * program and the libraries after this one (the shim calls them through
 * its PLT), and writes "fstat calls: N" to the file named by
 * COUNT_FSTAT_OUT when the process exits. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long calls;

#define COUNTED(name, params, args)                                                            \
    int name params                                                                            \
    {                                                                                          \
        static int(*real) params;                                                              \
        if (real == NULL)                                                                      \
            real = (int(*) params)dlsym(RTLD_NEXT, #name);                                     \
        __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);                                       \
        return real args;                                                                      \
    }

COUNTED(fstat, (int fd, struct stat *st), (fd, st))
COUNTED(fstat64, (int fd, struct stat64 *st), (fd, st))
COUNTED(fstatat, (int dir, const char *path, struct stat *st, int flags), (dir, path, st, flags))
COUNTED(fstatat64, (int dir, const char *path, struct stat64 *st, int flags),
        (dir, path, st, flags))

__attribute__((destructor(101))) static void report(void)
{
    const char *path = getenv("COUNT_FSTAT_OUT");
    if (path == NULL)
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    char line[64];
    int n = snprintf(line, sizeof line, "fstat calls: %lu\n",
                     __atomic_load_n(&calls, __ATOMIC_RELAXED));
    if (n > 0)
        (void)!write(fd, line, (size_t)n);
    close(fd);
}
