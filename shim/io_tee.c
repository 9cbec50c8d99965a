/*
 * Formatting once. A printf-family call to stderr (or stdout) is formatted
 * by the real vfprintf exactly once, with the program's own printf
 * handlers, into this thread's tee: a cookie stream over a buffer of fixed
 * size whose write function hands each chunk to the program's stream (real
 * fwrite) or descriptor (real write) and feeds the line assembler of the
 * call's source with exactly the bytes that were taken. So an event holds only text the call wrote, a
 * failed write ends the call the way glibc's own failure would (-1, the
 * stream's error flag, errno), and memory per call is the buffer, whatever
 * the call prints.
 *
 * Chunks go out as glibc's own would: an unbuffered stream gets pieces of
 * at most BUFSIZ bytes (glibc formats into a BUFSIZ helper first); a
 * descriptor gets pieces of its st_blksize, line by line on a terminal (the
 * buffer glibc's dprintf gives its temporary stream). A buffered stream
 * gets the same pieces through fwrite; its own buffering decides when they
 * are written, as with glibc, and its text is fed as it is written
 * (io_buffered.c).
 *
 * The cookie stream is made with fopencookie, which allocates with libc's
 * malloc, on a thread's first formatted call, never inside a signal handler
 * (signals.c knows): there the caller formats into its scratch space
 * instead. A thread's tee stays with its context, which is reused, never
 * freed (thread.c).
 */
#undef _FORTIFY_SOURCE /* fortified headers would define inline wrappers of what we define */
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "real.h"

struct shim_tee {
    FILE *file;      /* the cookie stream over `buffer` */
    shim_thread *thread; /* the context it belongs to: the thread printing */
    char buffer[BUFSIZ];
    FILE *stream;    /* where chunks go: this stream, */
    int fd;          /* or, when `stream` is NULL, this descriptor */
    ehs_source source; /* what they are fed as: stderr, stdout */
    size_t piece;    /* largest piece handed on at once */
    bool by_line;    /* hand on one line at a time (a terminal) */
    bool failed;     /* a chunk was not taken whole */
    int error;       /* errno of that failure */
};

/* Set while the tee prints for the program with nobody listening
 * (error(), which has no v-variant to call): nothing is fed then. */
static __thread bool tls_quiet SHIM_TLS;

void shim_tee_quiet(bool quiet)
{
    tls_quiet = quiet;
}

/* Hands `size` bytes to the descriptor as glibc's file streams do: again
 * after a short write, stopping at the first error. */
static size_t write_out(int fd, const char *bytes, size_t size)
{
    shim_real_write_fn *real = SHIM_REAL(write);
    size_t done = 0;
    while (done < size) {
        ssize_t n = real != NULL ? real(fd, bytes + done, size - done)
                                 : shim_raw_write(fd, bytes + done, size - done);
        if (n < 0)
            break;
        done += (size_t)n;
    }
    return done;
}

/* The tee this thread is printing through right now, NULL between calls. */
static __thread shim_tee *tls_active SHIM_TLS;

/* Hands `size` bytes of the tee's buffer on and feeds them; -1 with
 * tee->failed set when a piece was not taken whole. */
static inline __attribute__((always_inline)) ssize_t hand_on(shim_tee *tee, const char *bytes,
                                                             size_t size)
{
    shim_real_fwrite_unlocked_fn *real_fwrite = SHIM_REAL(fwrite_unlocked);
    size_t done = 0;
    while (done < size) {
        size_t piece = size - done < tee->piece ? size - done : tee->piece;
        if (tee->by_line) {
            const char *newline = memchr(bytes + done, '\n', piece);
            if (newline != NULL)
                piece = (size_t)(newline - (bytes + done)) + 1;
        }
        size_t taken;
        int taken_errno;
        if (tls_quiet) {
            taken = tee->stream != NULL
                        ? (real_fwrite != NULL ? real_fwrite(bytes + done, 1, piece, tee->stream) : 0)
                        : write_out(tee->fd, bytes + done, piece);
            taken_errno = errno;
        } else if (tee->stream != NULL && (tee->stream->_flags & GLIBC_IO_UNBUFFERED)) {
            /* Unbuffered (stderr's default): what fwrite took is written,
             * so it is fed at once, as shim_stream_end would. */
            taken = real_fwrite != NULL ? real_fwrite(bytes + done, 1, piece, tee->stream) : 0;
            taken_errno = errno;
            shim_thread_feed(tee->thread, tee->source, bytes + done, taken);
        } else if (tee->stream != NULL) {
            /* The stream is locked for the whole call (shim_tee_vfprintf). */
            shim_stream_call call;
            shim_stream_begin(&call, tee->stream, tee->source);
            taken = real_fwrite != NULL ? real_fwrite(bytes + done, 1, piece, tee->stream) : 0;
            taken_errno = errno;
            shim_stream_piece written = { bytes + done, piece };
            shim_stream_end(&call, &written, 1, taken);
        } else {
            taken = write_out(tee->fd, bytes + done, piece);
            taken_errno = errno;
            shim_thread_feed(tee->thread, tee->source, bytes + done, taken);
        }
        done += taken;
        if (taken < piece) {
            tee->failed = true;
            tee->error = taken_errno != 0 ? taken_errno : EIO;
            errno = tee->error;
            return -1;
        }
    }
    return (ssize_t)size;
}

/* The cookie stream's write: glibc calls it when a call's text fills the
 * buffer, and when it flushes every stream. */
static ssize_t tee_write(void *cookie, const char *bytes, size_t size)
{
    shim_tee *tee = cookie;
    /* glibc's exit flushes every stream, the tees too: in a fork child, a
     * tee another thread of the parent was filling holds part of that
     * thread's message, and at exit a tee may hold a running thread's.
     * Neither is this thread's to write. */
    if (tls_active != tee)
        return (ssize_t)size;
    return hand_on(tee, bytes, size);
}

/* Makes the tee of `thread` and puts it in `slot`: the rare part of
 * get_tee. */
static __attribute__((noinline)) shim_tee *make_tee(shim_thread *thread, shim_tee **slot)
{
    if (shim_in_signal_handler())
        return NULL;
    shim_tee *tee = calloc(1, sizeof(*tee));
    if (tee == NULL)
        return NULL;
    cookie_io_functions_t functions = { .write = tee_write };
    tee->file = fopencookie(tee, "w", functions);
    if (tee->file == NULL) {
        free(tee);
        return NULL;
    }
    /* Set once: glibc's setvbuf on a stream that has written leaves it
     * unable to buffer. */
    setvbuf(tee->file, tee->buffer, _IOFBF, sizeof(tee->buffer));
    /* A tee stays with its context (thread.c), so whoever prints through
     * it is that context's thread: its text is fed there without asking. */
    tee->thread = thread;
    /* The tee keeps glibc's locking, although only its thread prints to it:
     * another thread's fflush(NULL) (and exit's flush) takes every stream's
     * lock, and finding this one unlocked would empty a line half made. */
    *slot = tee;
    return tee;
}

/* This thread's tee, made on first use; NULL without memory, and inside a
 * signal handler until made (fopencookie allocates with libc's malloc,
 * which the handler may have interrupted). */
static inline __attribute__((always_inline)) shim_tee *get_tee(void)
{
    shim_thread *thread = shim_thread_get();
    if (thread == NULL)
        return NULL;
    shim_tee **slot = shim_thread_tee_slot(thread);
    if (__builtin_expect(*slot != NULL, 1))
        return *slot;
    return make_tee(thread, slot);
}

bool shim_tee_available(void)
{
    return get_tee() != NULL;
}

/* Formats into the tee, which hands everything on; returns like vfprintf. */
static inline __attribute__((always_inline)) int run(shim_tee *tee, int checked, int flag,
                                                     const char *format, va_list args)
{
    FILE *file = tee->file;
    /* Held from before formatting until the text is handed on: another
     * thread's fflush(NULL) takes every stream's lock, and if it got this
     * one in between (vfprintf gives its own up when it returns) it would
     * empty the buffer, not this thread's to write, before the text was
     * handed on. glibc's stream locks are recursive: vfprintf's own nests. */
    flockfile(file);
    /* Anything left in the buffer is left over from a printf handler that
     * jumped out of an earlier call: dropped, as __fpurge would. The
     * buffer's pointers are glibc's public FILE fields; a write-only
     * stream has nothing to read. */
    file->_IO_write_ptr = file->_IO_write_base;
    file->_flags &= ~(GLIBC_IO_ERR_SEEN | GLIBC_IO_EOF_SEEN);
    tee->failed = false;
    tls_active = tee;
    int result;
    if (checked) {
        shim_real___vfprintf_chk_fn *real = SHIM_REAL(__vfprintf_chk);
        result = real != NULL ? real(file, flag, format, args) : -1;
    } else {
        shim_real_vfprintf_fn *real = SHIM_REAL(vfprintf);
        result = real != NULL ? real(file, format, args) : -1;
    }
    int format_errno = errno;
    /* What the call left in the buffer, handed on here rather than through
     * fflush and the cookie layers, which would hand on the same bytes in
     * one call of tee_write. The buffer is emptied either way, as glibc's
     * flush does whether or not the write succeeds. */
    size_t pending = (size_t)(file->_IO_write_ptr - file->_IO_write_base);
    if (pending > 0) {
        file->_IO_write_ptr = file->_IO_write_base;
        hand_on(tee, file->_IO_write_base, pending);
    }
    tls_active = NULL;
    funlockfile(file);
    if (tee->failed) {
        errno = tee->error;
        return -1;
    }
    errno = format_errno;
    return result;
}

bool shim_tee_vfprintf(ehs_source source, FILE *stream, int checked, int flag,
                       const char *format, va_list args, int *result)
{
    int caller_errno = errno; /* for %m */
    /* glibc refuses a wide stream (and makes an unoriented one narrow)
     * before it formats anything. Once a stream is oriented, its FILE says
     * which way (glibc's fwide returns that very field): only an
     * unoriented one needs the call. */
    if (stream->_mode > 0 || (stream->_mode == 0 && fwide(stream, -1) > 0))
        return false;
    shim_tee *tee = get_tee();
    if (tee == NULL)
        return false;
    tee->stream = stream;
    tee->fd = -1;
    tee->source = source;
    tee->piece = BUFSIZ;
    tee->by_line = false;
    /* One call's text goes out whole, as with glibc's own lock held over it. */
    flockfile(stream);
    errno = caller_errno;
    *result = run(tee, checked, flag, format, args);
    int saved_errno = errno;
    funlockfile(stream);
    errno = saved_errno;
    return true;
}

bool shim_tee_vdprintf(ehs_source source, int fd, int checked, int flag, const char *format,
                       va_list args, int *result)
{
    int caller_errno = errno; /* for %m */
    shim_tee *tee = get_tee();
    if (tee == NULL)
        return false;
    size_t size = BUFSIZ;
    bool by_line = false;
    struct stat st;
    if (fstat(fd, &st) == 0) {
        if (st.st_blksize > 0 && st.st_blksize < BUFSIZ)
            size = (size_t)st.st_blksize;
        by_line = S_ISCHR(st.st_mode) && isatty(fd);
    }
    tee->stream = NULL;
    tee->fd = fd;
    tee->source = source;
    tee->piece = size;
    tee->by_line = by_line;
    errno = caller_errno;
    *result = run(tee, checked, flag, format, args);
    return true;
}

void shim_tee_stderr_vprintf(const char *format, va_list args)
{
    int ignored;
    shim_tee_vfprintf(EHS_SOURCE_STDERR, stderr, 0, 0, format, args, &ignored);
}

void shim_tee_stderr_printf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    shim_tee_stderr_vprintf(format, args);
    va_end(args);
}
