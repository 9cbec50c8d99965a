/*
 * Which descriptors are stderr, and (when captured) which are stdout. fd 2
 * is not always stderr and stderr is not always fd 2 (PITFALLS): programs
 * close fd 2 and reopen something else there, daemon() points it at
 * /dev/null, and shells run `echo x >&2` by dup2(2, 1) and writing to fd 1.
 * The rule, the same for both:
 *
 *  - at start-up fd 2 is stderr and fd 1 stdout, whatever files they are;
 *  - a descriptor the program makes a copy of a stderr (stdout) descriptor
 *    (dup, dup2, dup3, fcntl F_DUPFD / F_DUPFD_CLOEXEC, an open of its name)
 *    is stderr (stdout) too: so fd 1 is stderr after the program's own
 *    dup2(2, 1), and stays stdout after a parent's `1>&2`;
 *  - a descriptor stops being one when the program closes it or copies
 *    something else onto it, or when it no longer refers to the file it
 *    referred to when it became one;
 *  - descriptors that merely shared fd 2's (fd 1's) file when the program
 *    started (a parent's `2>&1`) are not stderr (stdout).
 *
 * The table is kept true by the interposers, so a write asks no system
 * call. Every call the shim can see that changes a descriptor updates it
 * (io_fd.c, io_open.c), and so does every libc entry point that changes
 * descriptors through libc's internal calls, which bypass our dup2 and
 * close: fclose (io_buffered.c), freopen (io_open.c), daemon (io_exit.c),
 * login_tty and forkpty (io_tty.c), close_range and closefrom (io_fd.c).
 * The last clause of the rule, checked with fstat against the file a
 * descriptor was marked on, covers what nobody can see (a raw
 * syscall(SYS_dup2), io_uring, another library's own system calls, libc's
 * internal closes not listed above: closedir, pclose): each thread checks
 * every marked descriptor at every SHIM_FD_RECHECK_EVERY-th captured write,
 * and a descriptor found closed or on another file is unmarked. So after such an
 * unseen change at most SHIM_FD_RECHECK_EVERY - 1 writes of each thread
 * are still taken for stderr (stdout). A count, not a clock: reading a
 * clock per write would cost what the fstat did in part, and the issue of
 * config reload allows no clock reading per message without reload or rate
 * limits.
 *
 * A descriptor is one kind or the other, never both: one byte per
 * descriptor says which. fd 1 is marked only while stdout is captured, so
 * with stdout off no descriptor is ever stdout and nothing costs more.
 *
 * Only descriptors below SHIM_FD_LIMIT are followed. Everything here is
 * lock-free and async-signal-safe: atomic bytes and words, and fstat for
 * the file check.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>

#include "shim.h"

uint8_t shim_fd_kinds[SHIM_FD_LIMIT];
/* The file (device, inode) each marked descriptor referred to when it was
 * marked; written before its kind is stored, read after the kind is seen. */
static uint64_t marked_dev[SHIM_FD_LIMIT];
static uint64_t marked_ino[SHIM_FD_LIMIT];
/* One more than the highest descriptor ever marked: the recheck looks
 * below it only (usually at 0..2). Only grows. */
static int marked_end;
/* Captured writes of this thread since it last rechecked the table. A
 * signal handler's write may bump it in the middle of ours: a count off by
 * one moves one recheck by one write. */
__thread unsigned shim_tls_fd_writes_unchecked SHIM_TLS;

static bool in_range(int fd)
{
    return fd >= 0 && fd < SHIM_FD_LIMIT;
}

/* Reads the identity of the file `fd` refers to now; false if it is closed. */
static bool file_of(int fd, uint64_t *dev, uint64_t *ino)
{
    int saved_errno = errno;
    struct stat st;
    bool ok = fstat(fd, &st) == 0;
    errno = saved_errno;
    if (ok) {
        *dev = (uint64_t)st.st_dev;
        *ino = (uint64_t)st.st_ino;
    }
    return ok;
}

static void mark(int fd, ehs_source kind, uint64_t dev, uint64_t ino)
{
    __atomic_store_n(&marked_dev[fd], dev, __ATOMIC_RELAXED);
    __atomic_store_n(&marked_ino[fd], ino, __ATOMIC_RELAXED);
    int end = __atomic_load_n(&marked_end, __ATOMIC_RELAXED);
    while (end <= fd && !__atomic_compare_exchange_n(&marked_end, &end, fd + 1, true,
                                                     __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
    __atomic_store_n(&shim_fd_kinds[fd], (uint8_t)kind, __ATOMIC_RELEASE);
}

static void unmark(int fd)
{
    /* Only a marked one is written: the bytes of unmarked descriptors stay
     * untouched (and shared clean between cores). */
    if (shim_fd_marked(fd) != EHS_SOURCE_ANY)
        __atomic_store_n(&shim_fd_kinds[fd], 0, __ATOMIC_RELEASE);
}

/* The last clause of the rule, asked of the kernel: `fd`'s mark when it
 * still refers to the file it was marked on, else EHS_SOURCE_ANY, and then
 * it is unmarked (closed, or another file: whatever put it there, the
 * program's own copy of stderr would have been seen and marked anew).
 * Another thread's dup2 of stderr onto `fd` between the fstat and the
 * unmark is lost: its writes are missed, never taken for stderr. */
static ehs_source checked_source(int fd)
{
    ehs_source kind = shim_fd_marked(fd);
    if (kind == EHS_SOURCE_ANY)
        return EHS_SOURCE_ANY;
    uint64_t dev, ino;
    if (file_of(fd, &dev, &ino) && dev == __atomic_load_n(&marked_dev[fd], __ATOMIC_RELAXED) &&
        ino == __atomic_load_n(&marked_ino[fd], __ATOMIC_RELAXED))
        return kind;
    unmark(fd);
    return EHS_SOURCE_ANY;
}

void shim_fd_track_init(bool with_stdout)
{
    uint64_t dev, ino;
    if (file_of(2, &dev, &ino))
        mark(2, EHS_SOURCE_STDERR, dev, ino);
    if (with_stdout && file_of(1, &dev, &ino))
        mark(1, EHS_SOURCE_STDOUT, dev, ino);
}

void shim_fd_recheck(int first, int last)
{
    int end = __atomic_load_n(&marked_end, __ATOMIC_RELAXED);
    if (first < 0)
        first = 0;
    for (int fd = first; fd <= last && fd < end; fd++)
        (void)checked_source(fd);
}

ehs_source shim_fd_source_checked(int fd)
{
    shim_tls_fd_writes_unchecked = 0;
    shim_fd_recheck(0, SHIM_FD_LIMIT - 1);
    return shim_fd_marked(fd);
}

bool shim_fd_is_stderr(int fd)
{
    return shim_fd_source(fd) == EHS_SOURCE_STDERR;
}

void shim_fd_copied(int from, int to)
{
    shim_sock_copied(from, to);
    if (!in_range(to) || from == to)
        return;
    /* A copy is rare: ask the kernel, so that a mark never spreads from a
     * descriptor an unseen change left stale. */
    ehs_source kind = in_range(from) ? checked_source(from) : EHS_SOURCE_ANY;
    if (kind != EHS_SOURCE_ANY)
        mark(to, kind, __atomic_load_n(&marked_dev[from], __ATOMIC_RELAXED),
             __atomic_load_n(&marked_ino[from], __ATOMIC_RELAXED));
    else
        unmark(to);
}

void shim_fd_closed(int fd)
{
    shim_sock_closed(fd);
    if (in_range(fd))
        unmark(fd);
}

void shim_fd_closed_range(unsigned first, unsigned last)
{
    for (unsigned fd = first; fd <= last && fd < SHIM_FD_LIMIT; fd++)
        shim_fd_closed((int)fd);
}
