/*
 * When stdio text reaches stderr or stdout. An unbuffered stream (stderr's
 * default) writes during the call, so what the call took is what was
 * written. A buffered one (stdout, a setvbuf stderr) keeps text in its
 * buffer and writes it later, in some call that fills the buffer or ends a
 * line, in fflush, at exit: text fed at the call would join the wrong line
 * when the program also writes to the descriptor directly.
 *
 * So around each call on a buffered stream the buffer is looked at (glibc's
 * FILE keeps its write pointers in the public struct): the bytes waiting
 * before the call are copied, and after it, the bytes that left the buffer
 * (waiting before + taken - waiting after) are fed, oldest first. A flush
 * that failed feeds nothing: glibc empties the buffer whether or not the
 * write worked. (To see a failure in this very call, the stream's error
 * flag is lowered for it, under the stream's lock, and raised again after
 * if it was up.) Text that leaves the buffer in a
 * call the shim does not see (fclose, a flush inside exit) is fed from the
 * destructor, just before exit flushes it.
 */
#undef _FORTIFY_SOURCE /* fortified headers would define inline wrappers of what we define */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "io.h"
#include "real.h"

static size_t waiting(const FILE *stream)
{
    if (stream->_IO_write_base == NULL || stream->_IO_write_ptr < stream->_IO_write_base)
        return 0;
    return (size_t)(stream->_IO_write_ptr - stream->_IO_write_base);
}

/* shim_stream_begin with the copy in copy space `copy_slot`. */
static void stream_begin_slot(shim_stream_call *call, FILE *stream, ehs_source source,
                              int copy_slot)
{
    call->copy_slot = copy_slot;
    call->stream = stream;
    call->source = source;
    call->buffered = !(stream->_flags & GLIBC_IO_UNBUFFERED);
    call->had_error = (stream->_flags & GLIBC_IO_ERR_SEEN) != 0;
    call->locked = false;
    call->waiting = 0;
    call->saved = NULL;
    if (!call->buffered)
        return;
    /* Down for the call (the stream is locked), so that a failure in it
     * shows; shim_stream_end puts it back. */
    stream->_flags &= ~GLIBC_IO_ERR_SEEN;
    size_t count = waiting(stream);
    if (count == 0)
        return;
    shim_thread *thread = shim_thread_get();
    char *copy = thread != NULL ? shim_thread_copy_space(thread, call->copy_slot, count) : NULL;
    if (copy == NULL)
        return;
    memcpy(copy, stream->_IO_write_base, count);
    call->waiting = count;
    call->saved = copy;
}

void shim_stream_begin(shim_stream_call *call, FILE *stream, ehs_source source)
{
    stream_begin_slot(call, stream, source, SHIM_COPY_STREAM);
}

/* Feeds the first `count` bytes of `pieces` to `source`. */
static void feed_pieces(ehs_source source, const shim_stream_piece *pieces, int piece_count,
                        size_t count)
{
    for (int i = 0; i < piece_count && count > 0; i++) {
        size_t n = pieces[i].len < count ? pieces[i].len : count;
        shim_output_feed(source, pieces[i].bytes, n);
        count -= n;
    }
}

void shim_stream_end(shim_stream_call *call, const shim_stream_piece *pieces, int piece_count,
                     size_t taken)
{
    if (!call->buffered) {
        feed_pieces(call->source, pieces, piece_count, taken);
        return;
    }
    bool failed = (call->stream->_flags & GLIBC_IO_ERR_SEEN) != 0;
    if (call->had_error)
        call->stream->_flags |= GLIBC_IO_ERR_SEEN;
    size_t after = waiting(call->stream);
    size_t before = call->waiting + taken;
    if (failed || after >= before)
        return;
    /* Text left the buffer: for the source the descriptor still is. */
    int saved_errno = errno;
    bool still = shim_fd_source(fileno_unlocked(call->stream)) == call->source;
    errno = saved_errno;
    if (!still)
        return;
    size_t out = before - after;
    size_t old = out < call->waiting ? out : call->waiting;
    if (old > 0)
        shim_output_feed(call->source, call->saved, old);
    feed_pieces(call->source, pieces, piece_count, out - old);
}

void shim_stream_enter_slot(shim_stream_call *call, FILE *stream, ehs_source source,
                            int copy_slot)
{
    bool lock = !(stream->_flags & GLIBC_IO_UNBUFFERED);
    if (lock)
        flockfile(stream);
    stream_begin_slot(call, stream, source, copy_slot);
    call->locked = lock;
}

void shim_stream_enter(shim_stream_call *call, FILE *stream, ehs_source source)
{
    shim_stream_enter_slot(call, stream, source, SHIM_COPY_STREAM);
}

void shim_stream_leave(shim_stream_call *call, const shim_stream_piece *pieces, int piece_count,
                       size_t taken)
{
    shim_stream_end(call, pieces, piece_count, taken);
    if (call->locked)
        funlockfile(call->stream);
}

/* At exit, before glibc flushes `stream`: feeds the text waiting in its
 * buffer to `source`, if it is buffered and its error flag is down. */
static void feed_waiting(FILE *stream, ehs_source source)
{
    if (stream == NULL || (stream->_flags & GLIBC_IO_UNBUFFERED) ||
        (stream->_flags & GLIBC_IO_ERR_SEEN))
        return;
    size_t count = waiting(stream);
    if (count > 0)
        shim_output_feed(source, stream->_IO_write_base, count);
}

/* The source `stream` writes to, when captured; EHS_SOURCE_ANY for a NULL
 * stream and one that is neither stderr nor stdout. errno kept. */
static ehs_source stream_source(FILE *stream)
{
    int fd = stream != NULL ? fileno_unlocked(stream) : -1;
    return fd >= 0 ? shim_fd_captured(fd, SHIM_ARM_OUTPUT) : EHS_SOURCE_ANY;
}

/* fflush of one stream, or of all (NULL): stderr and stdout are the ones
 * that can be stderr or stdout. */
static int flush_common(shim_real_fflush_fn *real, FILE *stream)
{
    if (real == NULL) {
        errno = ENOSYS;
        return EOF;
    }
    if (!shim_capturing(SHIM_ARM_OUTPUT, true))
        return real(stream);
    int caller_errno = errno;
    FILE *candidates[2] = { stream, NULL };
    if (stream == NULL) {
        candidates[0] = stderr;
        candidates[1] = stdout;
    }
    shim_stream_call calls[2];
    ehs_source watched[2];
    for (int i = 0; i < 2; i++)
        watched[i] = stream_source(candidates[i]);
    errno = caller_errno;
    if (!watched[0] && !watched[1])
        return real(stream);
    shim_busy_enter();
    for (int i = 0; i < 2; i++) {
        if (watched[i])
            shim_stream_enter_slot(&calls[i], candidates[i], watched[i],
                                   i == 0 ? SHIM_COPY_STREAM : SHIM_COPY_SECOND_STREAM);
    }
    errno = caller_errno;
    int result = real(stream);
    int real_errno = errno;
    for (int i = 0; i < 2; i++) {
        if (watched[i])
            shim_stream_leave(&calls[i], NULL, 0, 0);
    }
    shim_io_end(real_errno);
    return result;
}

SHIM_EXPORT int fflush(FILE *stream)
{
    return flush_common(SHIM_REAL(fflush), stream);
}

SHIM_EXPORT int fflush_unlocked(FILE *stream)
{
    return flush_common(SHIM_REAL(fflush_unlocked), stream);
}

void shim_stream_feed_waiting_at_exit(void)
{
    FILE *streams[2] = { stderr, stdout };
    for (int i = 0; i < 2; i++) {
        ehs_source source = stream_source(streams[i]);
        if (source != EHS_SOURCE_ANY)
            feed_waiting(streams[i], source);
    }
}

/* The text waiting in `stream` (a buffered stderr or stdout) is copied
 * before a call that closes or reopens it, and fed once that call says it
 * flushed. */
typedef struct closing {
    ehs_source watched; /* EHS_SOURCE_ANY: not watched */
    size_t waiting;
    const char *saved;
} closing;

static void closing_begin(closing *c, FILE *stream)
{
    c->watched = EHS_SOURCE_ANY;
    if (stream == NULL || !shim_capturing(SHIM_ARM_OUTPUT, true))
        return;
    int caller_errno = errno;
    ehs_source source = stream_source(stream);
    if (source != EHS_SOURCE_ANY) {
        shim_busy_enter();
        shim_stream_call call;
        flockfile(stream);
        shim_stream_begin(&call, stream, source);
        funlockfile(stream);
        c->watched = source;
        /* Whether the closing flush works the call's result tells. */
        if (call.had_error)
            stream->_flags |= GLIBC_IO_ERR_SEEN;
        c->waiting = call.waiting;
        c->saved = call.saved;
    }
    errno = caller_errno;
}

static void closing_end(closing *c, bool flushed)
{
    if (c->watched == EHS_SOURCE_ANY)
        return;
    int real_errno = errno;
    if (flushed && c->waiting > 0)
        shim_output_feed(c->watched, c->saved, c->waiting);
    shim_io_end(real_errno);
}

SHIM_EXPORT int fclose(FILE *stream)
{
    shim_real_fclose_fn *real = SHIM_REAL(fclose);
    if (real == NULL) {
        errno = ENOSYS;
        return EOF;
    }
    closing c;
    closing_begin(&c, stream);
    /* libc closes the descriptor with its internal close: whatever the
     * result, it is released (as close's is). */
    int caller_errno = errno;
    int fd = fileno_unlocked(stream);
    errno = caller_errno;
    int result = real(stream);
    int real_errno = errno;
    if (fd >= 0 && shim_tracking_fds())
        shim_fd_closed(fd);
    errno = real_errno;
    closing_end(&c, result == 0);
    return result;
}

FILE *shim_stream_reopen(FILE *(*reopen)(const char *, const char *, FILE *), const char *path,
                         const char *mode, FILE *stream)
{
    closing c;
    /* freopen(NULL, ...) changes the mode only: nothing is flushed away. */
    if (path != NULL)
        closing_begin(&c, stream);
    else
        c.watched = EHS_SOURCE_ANY;
    FILE *result = reopen(path, mode, stream);
    closing_end(&c, result != NULL);
    return result;
}
