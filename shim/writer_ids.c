/*
 * The process and thread ids a capture record's stamp carries. Asked of the
 * kernel (getpid, gettid) they cost two system calls an event, about as much
 * as the record's own write; each thread keeps them instead. Kept ids are
 * right only while the thread is still the process it kept them in:
 *
 *   - fork, _Fork, a raw fork-like clone: the child starts with a copy of
 *     the kept ids. The tid is kept with the shim_pid it was asked under,
 *     and a child learns its own shim_pid (fork.c: the atfork handler, or
 *     the MADV_WIPEONFORK marker checked here first) before it writes, so
 *     the two differ there and the tid is asked again. Without the marker
 *     a child made without atfork handlers could not tell: nothing is kept.
 *   - vfork: the child runs on its parent's memory, this thread's TLS
 *     included, and looks exactly like its parent's thread. The vfork
 *     interposer (vfork.c, x86_64 only) raises the thread's vfork depth
 *     for the length of the call: the child finds it raised and asks.
 *   - clone() sharing memory (CLONE_VM) through libc's wrapper: a process
 *     or thread on our memory, maybe on our TLS, that cannot be followed:
 *     kept ids are off for good (vfork.c).
 *
 * Not covered, so such a child's events carry its parent's ids: a vfork
 * that bypasses libc's vfork symbol (syscall(SYS_vfork), inline assembly,
 * libc's vfork reached past the shim with dlsym) or a clone/clone3 system
 * call sharing memory made without libc's clone, when the child then writes
 * an event before exec. Other architectures ask the kernel every time.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ehd_builder_write.h"
#include "shim.h"
#include "writer_ids.h"

__thread unsigned shim_vfork_depth SHIM_TLS;

/* The calling thread's tid, asked while shim_pid was `pid` (0: not asked). */
static __thread struct {
    pid_t pid;
    pid_t tid;
} kept SHIM_TLS;

#if defined(__x86_64__)
static int ids_off;
#else
/* No vfork interposer: a vfork child could not be told apart. */
static int ids_off = 1;
#endif

void shim_writer_ids_off(void)
{
    __atomic_store_n(&ids_off, 1, __ATOMIC_RELAXED);
}

/* Asks the kernel for this thread's tid, once per thread and process:
 * apart, so that the common path takes no stack frame. */
static __attribute__((noinline)) void keep_tid(pid_t process)
{
    int saved_errno = errno;
    kept.tid = (pid_t)syscall(SYS_gettid);
    errno = saved_errno;
    /* A signal handler in between must not find the new pid with the old
     * tid. */
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    kept.pid = process;
}

static inline __attribute__((always_inline)) bool writer_ids(uint32_t *pid, uint32_t *tid)
{
    shim_fork_check();
    if (__atomic_load_n(&ids_off, __ATOMIC_RELAXED) || shim_vfork_depth != 0 ||
        shim_fork_marker == NULL)
        return false;
    pid_t process = __atomic_load_n(&shim_pid, __ATOMIC_RELAXED);
    if (process == 0)
        return false;
    if (__builtin_expect(kept.pid != process, 0))
        keep_tid(process);
    *pid = (uint32_t)process;
    *tid = (uint32_t)kept.tid;
    return true;
}

bool shim_writer_ids(uint32_t *pid, uint32_t *tid)
{
    return writer_ids(pid, tid);
}

int shim_builder_write(const ehd_builder *builder, const ehd_event_set *set)
{
    uint32_t pid, tid;
    if (!writer_ids(&pid, &tid))
        return ehd_builder_write(builder, set, NULL, NULL);
    return ehd__builder_write_ids(builder, set, pid, tid);
}
