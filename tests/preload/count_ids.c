/* Preloaded before libehshim.so in tests: counts the calls of getpid and of
 * syscall(SYS_gettid) (and gettid) that reach libc from the program and the
 * libraries after this one (the shim calls them through its PLT), and
 * writes "getpid calls: N" and "gettid calls: M" to the file named by
 * COUNT_IDS_OUT when the process exits. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "count_report.h"

static unsigned long getpid_calls, gettid_calls;

pid_t getpid(void)
{
    __atomic_fetch_add(&getpid_calls, 1, __ATOMIC_RELAXED);
    return (pid_t)syscall(SYS_getpid);
}

pid_t gettid(void)
{
    __atomic_fetch_add(&gettid_calls, 1, __ATOMIC_RELAXED);
    return (pid_t)syscall(SYS_gettid);
}

/* Six arguments pass through whatever the number: the kernel reads no more. */
long syscall(long number, ...)
{
    static long (*real)(long, ...);
    if (real == NULL)
        real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
    va_list args;
    va_start(args, number);
    long a[6];
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(args, long);
    va_end(args);
    if (number == SYS_gettid)
        __atomic_fetch_add(&gettid_calls, 1, __ATOMIC_RELAXED);
    return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

__attribute__((destructor(101))) static void report(void)
{
    static const char *const labels[] = { "getpid calls", "gettid calls" };
    unsigned long counts[] = { __atomic_load_n(&getpid_calls, __ATOMIC_RELAXED),
                               __atomic_load_n(&gettid_calls, __ATOMIC_RELAXED) };
    count_report("COUNT_IDS_OUT", labels, counts, 2);
}
