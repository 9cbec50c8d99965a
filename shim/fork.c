/*
 * fork in a multi-threaded program copies only the forking thread; a lock
 * another thread held stays held forever in the child (gperftools 178,
 * LTTng-UST c1be081a). The shim's one lock, set registration (held only
 * for a registration, never across the program's I/O), is taken before
 * fork, released in the parent and made anew in the child. The child also
 * learns its pid (shim_pid tells vfork children apart), drops the
 * unfinished lines it inherited (the parent emits them) and starts its own
 * counters.
 *
 * _Fork() and a raw fork or clone system call run no atfork handlers: a
 * page marked MADV_WIPEONFORK, which the kernel gives every such child
 * zeroed, tells the child it was forked; the first capture there does what
 * the atfork handler would have done.
 *
 * vfork runs no atfork handlers either, and its child shares our memory
 * (the page too): it is told apart by getpid() != shim_pid, and changes
 * nothing of its parent's (thread.c, emit.c).
 */
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shim.h"

static void before_fork(void)
{
    shim_sets_lock();
}

static void after_fork_in_parent(void)
{
    shim_sets_unlock();
}

/* Nonzero in this process; zero in a child the kernel made by fork without
 * glibc's atfork handlers (NULL: the kernel has no MADV_WIPEONFORK). */
volatile unsigned char *shim_fork_marker;

static void after_fork_in_child(void)
{
    shim_sets_reset_in_child();
    shim_pid = getpid();
    shim_thread_after_fork();
    shim_stats_reset();
    /* What rate limits held back before the fork is the parent's to report. */
    ehs_config_forget_suppressed(shim_config);
    shim_reload_forget_suppressed();
    shim_reload_after_fork();
    if (shim_fork_marker != NULL)
        *shim_fork_marker = 1;
}

void shim_fork_detected(void)
{
    unsigned char expected = 0;
    /* One thread does it; a child has one thread when it starts. */
    if (__atomic_compare_exchange_n(shim_fork_marker, &expected, 2, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_RELAXED))
        after_fork_in_child();
}

int shim_fork_setup(void)
{
    long page_size = sysconf(_SC_PAGESIZE);
    size_t page = page_size > 0 ? (size_t)page_size : 4096;
    void *marker = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (marker != MAP_FAILED) {
        if (madvise(marker, page, MADV_WIPEONFORK) == 0) {
            *(volatile unsigned char *)marker = 1;
            shim_fork_marker = marker;
        } else {
            munmap(marker, page);
        }
    }
    return pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
}
