/*
 * Helpers shared by the stdio-level interposers: decide whether a call on a
 * FILE (or descriptor) is a call on stderr or stdout, and bracket the real
 * call with the busy guard so that nothing it does internally is captured
 * again.
 */
#ifndef SHIM_IO_H
#define SHIM_IO_H

#include <errno.h>
#include <stdio.h>

#include "shim.h"

/* glibc's FILE flags (libio.h; fixed in its ABI). */
enum { GLIBC_IO_UNBUFFERED = 0x0002, GLIBC_IO_EOF_SEEN = 0x0010, GLIBC_IO_ERR_SEEN = 0x0020,
       GLIBC_IO_IS_FILEBUF = 0x2000 };

/*
 * The second half of shim_io_begin_stream, for a caller that asked
 * shim_capturing(SHIM_ARM_OUTPUT, true) itself and got true (the printf
 * family, which keeps that question inline and the rest out of line).
 * `sources`: the SHIM_ARM_* bits of the sources the caller captures.
 */
static inline ehs_source shim_io_claim_stream(FILE *stream, int sources, int *caller_errno)
{
    *caller_errno = errno;
    /* The caller uses `stream` for this very call, so it is a valid FILE.
     * Its descriptor as glibc's fileno_unlocked gives it, read here rather
     * than through a call: -1 unless it is a file stream (errno is put
     * back below either way). */
    int fd = (stream->_flags & GLIBC_IO_IS_FILEBUF) ? stream->_fileno : -1;
    ehs_source source = EHS_SOURCE_ANY;
    if (fd >= 0 && (stream->_flags & GLIBC_IO_UNBUFFERED)) {
        source = shim_fd_captured(fd, sources);
    } else if (fd >= 0) {
        /* A buffered stream writes only now and then: whether its
         * descriptor is still the file it was marked on is asked when text
         * leaves the buffer (shim_stream_end), not at every call. */
        source = shim_source_if_armed(shim_fd_marked(fd), sources);
    }
    errno = *caller_errno;
    if (source != EHS_SOURCE_ANY)
        shim_busy_enter();
    return source;
}

/*
 * Before the real call on `stream`: the source it writes to
 * (EHS_SOURCE_STDERR or EHS_SOURCE_STDOUT, as its descriptor is) when that
 * source is captured and someone listens. Then the busy guard is held and
 * errno is the caller's (saved in *caller_errno); finish with shim_io_end.
 * EHS_SOURCE_ANY (0): call the real function and return, nothing else. May
 * initialise the shim.
 */
static inline ehs_source shim_io_begin_stream(FILE *stream, int *caller_errno)
{
    if (!shim_capturing(SHIM_ARM_OUTPUT, true))
        return EHS_SOURCE_ANY;
    return shim_io_claim_stream(stream, SHIM_ARM_OUTPUT, caller_errno);
}

/* shim_io_begin_stream for what prints to stderr by definition (glibc's
 * reporters, wide output): true only when `stream` writes to stderr. */
static inline bool shim_io_begin_stderr(FILE *stream, int *caller_errno)
{
    return shim_capturing(SHIM_ARM_STDERR, true) &&
           shim_io_claim_stream(stream, SHIM_ARM_STDERR, caller_errno) != EHS_SOURCE_ANY;
}

/* shim_io_claim_stream for a descriptor. */
static inline ehs_source shim_io_claim_fd(int fd, int sources, int *caller_errno)
{
    *caller_errno = errno;
    ehs_source source = shim_fd_captured(fd, sources);
    errno = *caller_errno;
    if (source != EHS_SOURCE_ANY)
        shim_busy_enter();
    return source;
}

/* After the real call and the capture: leaves the guard and puts back the
 * errno the real call left. */
static inline void shim_io_end(int real_errno)
{
    shim_busy_leave();
    errno = real_errno;
}

/* ---- when buffered text is written (io_buffered.c) ---- */

/* The new text of one call, in up to a few pieces (puts: text, "\n"). */
typedef struct shim_stream_piece {
    const char *bytes;
    size_t len;
} shim_stream_piece;

/* What shim_stream_begin saw of a stream before the real call. */
typedef struct shim_stream_call {
    FILE *stream;
    ehs_source source;  /* what its text is fed as: stderr, stdout */
    bool buffered;      /* not unbuffered: text may wait in the buffer */
    bool locked;        /* shim_stream_enter took the stream's lock */
    bool had_error;     /* the error flag was up already */
    size_t waiting;     /* bytes waiting in the buffer, copied to `saved` */
    const char *saved;
    int copy_slot;      /* the thread's copy space `saved` is in (SHIM_COPY_*) */
} shim_stream_call;

/*
 * Around a real call that gives `stream` new text of `source` (stderr,
 * stdout: what shim_io_begin_stream said): enter before it,
 * leave after it with the call's pieces and how many bytes of them the
 * stream took. leave feeds the bytes that were written during the call: on
 * an unbuffered stream what it took, on a buffered one what left the
 * buffer. A buffered stream is locked from enter to leave, so that no
 * other thread's text comes between. Call with the busy guard held.
 */
void shim_stream_enter(shim_stream_call *call, FILE *stream, ehs_source source);
/* shim_stream_enter with its copy of the waiting bytes in copy space
 * `copy_slot`: for a second stream watched during the same call. */
void shim_stream_enter_slot(shim_stream_call *call, FILE *stream, ehs_source source,
                            int copy_slot);
void shim_stream_leave(shim_stream_call *call, const shim_stream_piece *pieces, int piece_count,
                       size_t taken);

/* The same without the locking, for a caller that holds the stream's lock
 * already (the tee, io_tee.c). */
void shim_stream_begin(shim_stream_call *call, FILE *stream, ehs_source source);
void shim_stream_end(shim_stream_call *call, const shim_stream_piece *pieces, int piece_count,
                     size_t taken);

/* freopen through `reopen` (the real freopen or freopen64): text waiting in
 * a buffered stderr or stdout is fed once the old file was flushed. */
FILE *shim_stream_reopen(FILE *(*reopen)(const char *, const char *, FILE *), const char *path,
                         const char *mode, FILE *stream);

#endif /* SHIM_IO_H */
