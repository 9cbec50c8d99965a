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

#include "count_report.h"

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
    static const char *const labels[] = { "fstat calls" };
    unsigned long counts[] = { __atomic_load_n(&calls, __ATOMIC_RELAXED) };
    count_report("COUNT_FSTAT_OUT", labels, counts, 1);
}
