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
 *    referred to when it became one: that catches every reassignment the
 *    interposers cannot see (fclose, freopen, daemon(), close_range, libc's
 *    internal dup2), because libc calls itself without going through us;
 *  - descriptors that merely shared fd 2's (fd 1's) file when the program
 *    started (a parent's `2>&1`) are not stderr (stdout).
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
    __atomic_store_n(&shim_fd_kinds[fd], (uint8_t)kind, __ATOMIC_RELEASE);
}

static void unmark(int fd)
{
    /* Only a marked one is written: the bytes of unmarked descriptors stay
     * untouched (and shared clean between cores). */
    if (shim_fd_marked(fd) != EHS_SOURCE_ANY)
        __atomic_store_n(&shim_fd_kinds[fd], 0, __ATOMIC_RELEASE);
}

void shim_fd_track_init(bool with_stdout)
{
    uint64_t dev, ino;
    if (file_of(2, &dev, &ino))
        mark(2, EHS_SOURCE_STDERR, dev, ino);
    if (with_stdout && file_of(1, &dev, &ino))
        mark(1, EHS_SOURCE_STDOUT, dev, ino);
}

ehs_source shim_fd_source(int fd)
{
    ehs_source kind = shim_fd_marked(fd);
    if (kind == EHS_SOURCE_ANY)
        return EHS_SOURCE_ANY;
    uint64_t dev, ino;
    if (!file_of(fd, &dev, &ino))
        return EHS_SOURCE_ANY;
    if (dev != __atomic_load_n(&marked_dev[fd], __ATOMIC_RELAXED) ||
        ino != __atomic_load_n(&marked_ino[fd], __ATOMIC_RELAXED))
        return EHS_SOURCE_ANY;
    return kind;
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
    ehs_source kind = shim_fd_source(from);
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
