/*
 * Which descriptors are stderr. fd 2 is not always stderr and stderr is not
 * always fd 2 (PITFALLS): programs close fd 2 and reopen something else
 * there, daemon() points it at /dev/null, and shells run `echo x >&2` by
 * dup2(2, 1) and writing to fd 1. The rule:
 *
 *  - at start-up fd 2 is stderr, whatever file it is;
 *  - a descriptor the program makes a copy of a stderr descriptor (dup, dup2,
 *    dup3, fcntl F_DUPFD / F_DUPFD_CLOEXEC) is stderr too;
 *  - a descriptor stops being stderr when the program closes it or copies
 *    something else onto it, or when it no longer refers to the file it
 *    referred to when it became stderr: that catches every reassignment the
 *    interposers cannot see (fclose, freopen, daemon(), close_range, libc's
 *    internal dup2), because libc calls itself without going through us;
 *  - descriptors that merely shared fd 2's file when the program started (a
 *    parent's `2>&1`) are not stderr.
 *
 * Only descriptors below SHIM_FD_LIMIT are followed. Everything here is
 * lock-free and async-signal-safe: bit words with atomic operations, and
 * fstat for the file check.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>

#include "shim.h"

#define SHIM_FD_LIMIT 1024

static uint64_t stderr_bits[SHIM_FD_LIMIT / 64];
/* The file (device, inode) each stderr descriptor referred to when it became
 * stderr; written before its bit is set, read after the bit is seen. */
static uint64_t stderr_dev[SHIM_FD_LIMIT];
static uint64_t stderr_ino[SHIM_FD_LIMIT];

static bool in_range(int fd)
{
    return fd >= 0 && fd < SHIM_FD_LIMIT;
}

bool shim_fd_maybe_stderr(int fd)
{
    if (!in_range(fd))
        return false;
    uint64_t word = __atomic_load_n(&stderr_bits[fd / 64], __ATOMIC_ACQUIRE);
    return (word >> (fd % 64)) & 1;
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

static void mark(int fd, uint64_t dev, uint64_t ino)
{
    __atomic_store_n(&stderr_dev[fd], dev, __ATOMIC_RELAXED);
    __atomic_store_n(&stderr_ino[fd], ino, __ATOMIC_RELAXED);
    __atomic_fetch_or(&stderr_bits[fd / 64], UINT64_C(1) << (fd % 64), __ATOMIC_RELEASE);
}

static void unmark(int fd)
{
    if (shim_fd_maybe_stderr(fd))
        __atomic_fetch_and(&stderr_bits[fd / 64], ~(UINT64_C(1) << (fd % 64)),
                           __ATOMIC_RELEASE);
}

void shim_fd_track_init(void)
{
    uint64_t dev, ino;
    if (file_of(2, &dev, &ino))
        mark(2, dev, ino);
}

bool shim_fd_is_stderr(int fd)
{
    if (!shim_fd_maybe_stderr(fd))
        return false;
    uint64_t dev, ino;
    if (!file_of(fd, &dev, &ino))
        return false;
    return dev == __atomic_load_n(&stderr_dev[fd], __ATOMIC_RELAXED) &&
           ino == __atomic_load_n(&stderr_ino[fd], __ATOMIC_RELAXED);
}

void shim_fd_copied(int from, int to)
{
    shim_sock_copied(from, to);
    if (!in_range(to) || from == to)
        return;
    if (shim_fd_is_stderr(from))
        mark(to, __atomic_load_n(&stderr_dev[from], __ATOMIC_RELAXED),
             __atomic_load_n(&stderr_ino[from], __ATOMIC_RELAXED));
    else
        unmark(to);
}

void shim_fd_closed(int fd)
{
    shim_sock_closed(fd);
    if (in_range(fd))
        unmark(fd);
}
