/*
 * fork in a multi-threaded program copies only the forking thread; a lock
 * another thread held stays held forever in the child (gperftools 178,
 * LTTng-UST c1be081a). The shim's one lock, set registration (held only
 * for a registration, never across the program's I/O), is taken before
 * fork, released in the parent and made anew in the child. The child also learns its pid
 * (shim_pid tells vfork children apart), drops the unfinished line it
 * inherited (the parent emits it) and starts its own counters.
 *
 * vfork runs no atfork handlers; its child shares our memory and is handled
 * by never changing anything when getpid() != shim_pid.
 */
#include <pthread.h>
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

static void after_fork_in_child(void)
{
    shim_sets_reset_in_child();
    shim_pid = getpid();
    shim_thread_after_fork();
    shim_stats_reset();
}

int shim_fork_setup(void)
{
    return pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
}
