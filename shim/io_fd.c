/*
 * Descriptor calls that change which descriptors are stderr (rule in
 * fdtrack.c): dup, dup2, dup3, fcntl F_DUPFD / F_DUPFD_CLOEXEC (fcntl64 is
 * what _FILE_OFFSET_BITS=64 programs call), close, close_range, closefrom.
 * Each does the real call and then updates the table; none changes the
 * result or errno. They, and
 * close_range and closefrom, also keep the program off the shim's own
 * descriptor (ownfd.c). Like write, these may run in signal handlers and
 * vfork children, so they never initialise the shim.
 */
#undef _FORTIFY_SOURCE /* fortified headers would define inline wrappers of what we define */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include "real.h"
#include "shim.h"

SHIM_EXPORT int dup(int fd)
{
    shim_real_dup_fn *real = SHIM_REAL(dup);
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    int copy = real(fd);
    if (copy >= 0 && shim_tracking_fds())
        shim_fd_copied(fd, copy);
    return copy;
}

SHIM_EXPORT int dup2(int fd, int target)
{
    shim_real_dup2_fn *real = SHIM_REAL(dup2);
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    shim_own_fd_make_way(target);
    int result = real(fd, target);
    if (result >= 0 && shim_tracking_fds())
        shim_fd_copied(fd, target);
    return result;
}

SHIM_EXPORT int dup3(int fd, int target, int flags)
{
    shim_real_dup3_fn *real = SHIM_REAL(dup3);
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    shim_own_fd_make_way(target);
    int result = real(fd, target, flags);
    if (result >= 0 && shim_tracking_fds())
        shim_fd_copied(fd, target);
    return result;
}

/* fcntl's third argument is an int or a pointer by command; like glibc's own
 * fcntl, read it as a pointer-sized word and pass it on unchanged. */
static int fcntl_common(shim_real_fcntl_fn *real, int fd, int command, void *argument)
{
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    int result = real(fd, command, argument);
    if (result >= 0 && (command == F_DUPFD || command == F_DUPFD_CLOEXEC) &&
        shim_tracking_fds())
        shim_fd_copied(fd, result);
    return result;
}

SHIM_EXPORT int fcntl(int fd, int command, ...)
{
    va_list args;
    va_start(args, command);
    void *argument = va_arg(args, void *);
    va_end(args);
    return fcntl_common(SHIM_REAL(fcntl), fd, command, argument);
}

SHIM_EXPORT int fcntl64(int fd, int command, ...)
{
    va_list args;
    va_start(args, command);
    void *argument = va_arg(args, void *);
    va_end(args);
    return fcntl_common(SHIM_REAL(fcntl64), fd, command, argument);
}

SHIM_EXPORT int close(int fd)
{
    shim_real_close_fn *real = SHIM_REAL(close);
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    if (shim_is_own_fd(fd)) {
        errno = EBADF;
        return -1;
    }
    int result = real(fd);
    /* Even a failed close releases the descriptor on Linux (EINTR, EIO). */
    if (shim_tracking_fds())
        shim_fd_closed(fd);
    return result;
}

/* close_range(first, last) without the shim's descriptor: the two ranges on
 * either side of it. CLOSE_RANGE_CLOEXEC closes nothing; ours has it set. */
static int close_range_but_own(shim_real_close_range_fn *real, unsigned int first,
                               unsigned int last, int flags)
{
    int own = shim_own_fd();
    if (own < 0 || (flags & CLOSE_RANGE_CLOEXEC) || (unsigned)own < first ||
        (unsigned)own > last)
        return real(first, last, flags);
    int result = 0;
    if ((unsigned)own > first)
        result = real(first, (unsigned)own - 1, flags);
    if (result == 0 && (unsigned)own < last)
        result = real((unsigned)own + 1, last, flags);
    return result;
}

/* A successful close_range without CLOSE_RANGE_CLOEXEC closed the range
 * (libc's is the system call: nothing of it reaches our close). */
SHIM_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
    shim_real_close_range_fn *real = SHIM_REAL(close_range);
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    int result = close_range_but_own(real, first, last, flags);
    if (result == 0 && !(flags & CLOSE_RANGE_CLOEXEC) && shim_tracking_fds())
        shim_fd_closed_range(first, last);
    return result;
}

SHIM_EXPORT void closefrom(int lowest)
{
    shim_real_closefrom_fn *real = SHIM_REAL(closefrom);
    shim_real_close_range_fn *real_range = SHIM_REAL(close_range);
    if (real == NULL)
        return;
    int own = shim_own_fd();
    if (own < 0 || own < lowest || real_range == NULL) {
        real(lowest);
    } else {
        int saved_errno = errno;
        if (own > lowest && lowest >= 0)
            real_range((unsigned)lowest, (unsigned)own - 1, 0);
        errno = saved_errno;
        real(own + 1);
    }
    /* glibc's closefrom closes everything or aborts the process. */
    if (shim_tracking_fds())
        shim_fd_closed_range(lowest > 0 ? (unsigned)lowest : 0, ~0U);
}
