/*
 * Unformatted stdio output: fwrite, fputs, fputc, putc and their _unlocked
 * variants (and _IO_putc, which old binaries call for putc), and __overflow.
 * glibc's stdio writes with internal calls the write interposer never sees,
 * so the text is captured here, as it is written: at the call on an
 * unbuffered stream, as it leaves the buffer on a buffered one
 * (io_buffered.c). Any FILE whose descriptor is stderr counts.
 *
 * __overflow is where putc_unlocked and fputc_unlocked end up when <stdio.h>
 * inlines them (at -O2): the character goes straight into the FILE buffer,
 * and only a full buffer calls __overflow with the character that did not
 * fit. An unbuffered stream (stderr's default) is always full, so every
 * character arrives here. On a buffered stderr, inlined characters that fit
 * the buffer are not seen going in, but are in the buffer when it is next
 * written. glibc calls its own __overflow without the PLT, so nothing
 * arrives here twice.
 */
#undef _FORTIFY_SOURCE /* fortified headers would define inline wrappers of what we define */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "io.h"
#include "real.h"

/* <bits/stdio.h> may define fwrite_unlocked as a macro (with optimisation):
 * the definition below puts the name in parentheses to define the function. */

static size_t write_items(shim_real_fwrite_fn *real, const void *items, size_t size,
                          size_t count, FILE *stream)
{
    if (real == NULL) {
        errno = ENOSYS;
        return 0;
    }
    int caller_errno;
    ehs_source source = shim_io_begin_stream(stream, &caller_errno);
    if (source == EHS_SOURCE_ANY)
        return real(items, size, count, stream);
    size_t bytes;
    if (__builtin_mul_overflow(size, count, &bytes)) {
        shim_io_end(caller_errno);
        return real(items, size, count, stream);
    }
    shim_stream_call call;
    shim_stream_enter(&call, stream, source);
    errno = caller_errno;
    size_t done = real(items, size, count, stream);
    int real_errno = errno;
    /* fwrite counts whole items; a short one may have written part of the
     * next, which glibc does not report either. */
    shim_stream_leave(&call, &(shim_stream_piece){ items, bytes }, 1, done * size);
    shim_io_end(real_errno);
    return done;
}

static int put_string(shim_real_fputs_fn *real, const char *text, FILE *stream)
{
    if (real == NULL) {
        errno = ENOSYS;
        return EOF;
    }
    int caller_errno;
    ehs_source source = shim_io_begin_stream(stream, &caller_errno);
    if (source == EHS_SOURCE_ANY)
        return real(text, stream);
    size_t len = strlen(text);
    shim_stream_call call;
    shim_stream_enter(&call, stream, source);
    errno = caller_errno;
    int result = real(text, stream);
    int real_errno = errno;
    shim_stream_leave(&call, &(shim_stream_piece){ text, len }, 1, result >= 0 ? len : 0);
    shim_io_end(real_errno);
    return result;
}

static int put_char(shim_real_fputc_fn *real, int c, FILE *stream)
{
    if (real == NULL) {
        errno = ENOSYS;
        return EOF;
    }
    int caller_errno;
    ehs_source source = shim_io_begin_stream(stream, &caller_errno);
    if (source == EHS_SOURCE_ANY)
        return real(c, stream);
    char byte = (char)(unsigned char)c;
    shim_stream_call call;
    shim_stream_enter(&call, stream, source);
    errno = caller_errno;
    int result = real(c, stream);
    int real_errno = errno;
    shim_stream_leave(&call, &(shim_stream_piece){ &byte, 1 }, 1, result != EOF ? 1 : 0);
    shim_io_end(real_errno);
    return result;
}

SHIM_EXPORT size_t fwrite(const void *items, size_t size, size_t count, FILE *stream)
{
    return write_items(SHIM_REAL(fwrite), items, size, count, stream);
}

SHIM_EXPORT size_t (fwrite_unlocked)(const void *items, size_t size, size_t count, FILE *stream)
{
    return write_items(SHIM_REAL(fwrite_unlocked), items, size, count, stream);
}

SHIM_EXPORT int fputs(const char *text, FILE *stream)
{
    return put_string(SHIM_REAL(fputs), text, stream);
}

SHIM_EXPORT int fputs_unlocked(const char *text, FILE *stream)
{
    return put_string(SHIM_REAL(fputs_unlocked), text, stream);
}

SHIM_EXPORT int fputc(int c, FILE *stream)
{
    return put_char(SHIM_REAL(fputc), c, stream);
}

SHIM_EXPORT int fputc_unlocked(int c, FILE *stream)
{
    return put_char(SHIM_REAL(fputc_unlocked), c, stream);
}

SHIM_EXPORT int putc(int c, FILE *stream)
{
    return put_char(SHIM_REAL(putc), c, stream);
}

SHIM_EXPORT int putc_unlocked(int c, FILE *stream)
{
    return put_char(SHIM_REAL(putc_unlocked), c, stream);
}

SHIM_EXPORT int _IO_putc(int c, FILE *stream)
{
    return put_char(SHIM_REAL(_IO_putc), c, stream);
}

SHIM_EXPORT int __overflow(FILE *stream, int c)
{
    shim_real___overflow_fn *real = SHIM_REAL(__overflow);
    if (real == NULL) {
        errno = ENOSYS;
        return EOF;
    }
    int caller_errno;
    ehs_source source = shim_io_begin_stream(stream, &caller_errno);
    if (source == EHS_SOURCE_ANY)
        return real(stream, c);
    /* EOF asks for a flush only: no new character, but waiting text goes. */
    char byte = (char)(unsigned char)c;
    shim_stream_call call;
    shim_stream_enter(&call, stream, source);
    errno = caller_errno;
    int result = real(stream, c);
    int real_errno = errno;
    shim_stream_leave(&call, &(shim_stream_piece){ &byte, c == EOF ? 0 : 1 }, 1,
                      c != EOF && result != EOF ? 1 : 0);
    shim_io_end(real_errno);
    return result;
}
