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

#include "count_report.h"

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
    static const char *const labels[] = { "clock_gettime calls" };
    unsigned long counts[] = { __atomic_load_n(&calls, __ATOMIC_RELAXED) };
    count_report("COUNT_CLOCK_OUT", labels, counts, 1);
}
