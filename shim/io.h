/*
 * Helpers shared by the stdio-level interposers: decide whether a call on a
 * FILE (or descriptor) is a call on stderr, and bracket the real call with
 * the busy guard so that nothing it does internally is captured again.
 */
#ifndef SHIM_IO_H
#define SHIM_IO_H

#include <errno.h>
#include <stdio.h>

#include "shim.h"

/*
 * The second half of shim_io_begin_stream, for a caller that asked
 * shim_capturing(SHIM_ARM_STDERR, true) itself and got true (the printf
 * family, which keeps that question inline and the rest out of line).
 */
static inline bool shim_io_claim_stream(FILE *stream, int *caller_errno)
{
    *caller_errno = errno;
    /* The caller uses `stream` for this very call, so it is a valid FILE. */
    int fd = fileno_unlocked(stream);
    bool to_stderr = fd >= 0 && shim_fd_is_stderr(fd);
    errno = *caller_errno;
    if (to_stderr)
        shim_busy_enter();
    return to_stderr;
}

/*
 * Before the real call on `stream`: true when it writes to stderr and
 * someone listens. Then the busy guard is held and errno is the caller's
 * (saved in *caller_errno); finish with shim_io_end. False: call the real
 * function and return, nothing else. May initialise the shim.
 */
static inline bool shim_io_begin_stream(FILE *stream, int *caller_errno)
{
    return shim_capturing(SHIM_ARM_STDERR, true) && shim_io_claim_stream(stream, caller_errno);
}

/* shim_io_claim_stream for a descriptor. */
static inline bool shim_io_claim_fd(int fd, int *caller_errno)
{
    *caller_errno = errno;
    bool to_stderr = shim_fd_is_stderr(fd);
    errno = *caller_errno;
    if (to_stderr)
        shim_busy_enter();
    return to_stderr;
}

/* Like shim_io_begin_stream for a descriptor (dprintf). */
static inline bool shim_io_begin_fd(int fd, int *caller_errno)
{
    return shim_fd_maybe_stderr(fd) && shim_capturing(SHIM_ARM_STDERR, true) &&
           shim_io_claim_fd(fd, caller_errno);
}

/* After the real call and the capture: leaves the guard and puts back the
 * errno the real call left. */
static inline void shim_io_end(int real_errno)
{
    shim_busy_leave();
    errno = real_errno;
}

#endif /* SHIM_IO_H */
