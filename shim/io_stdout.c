/*
 * Output to the stdout FILE, captured as what its descriptor is: stdout
 * (while stdout is captured), or stderr. The latter happens inside the
 * program itself: a shell runs `echo x >&2` for a builtin by dup2(2, 1) and
 * printing to stdout (bash's echo is printf plus putchar on the stdout
 * FILE), and some programs do it on purpose. Otherwise these cost the same
 * few loads as every other interposer and pass through. stdout is usually
 * buffered: its text is fed as it is written (io_buffered.c), at the latest
 * from fflush or at exit.
 * fwrite/fputs/fputc on stdout need nothing extra: they name the stream.
 */
#undef _FORTIFY_SOURCE /* fortified headers would define inline wrappers of what we define */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "io.h"
#include "real.h"

#define NOT_CHECKED INT_MIN

static int call_vprintf(int flag, const char *format, va_list args)
{
    if (flag == NOT_CHECKED) {
        shim_real_vprintf_fn *real = SHIM_REAL(vprintf);
        if (real != NULL)
            return real(format, args);
    } else {
        shim_real___vprintf_chk_fn *real = SHIM_REAL(__vprintf_chk);
        if (real != NULL)
            return real(flag, format, args);
    }
    errno = ENOSYS;
    return -1;
}

static int stdout_printf(int flag, const char *format, va_list args)
{
    int caller_errno;
    ehs_source source = shim_io_begin_stream(stdout, &caller_errno);
    if (source == EHS_SOURCE_ANY)
        return call_vprintf(flag, format, args);
    int result;
    bool checked = flag != NOT_CHECKED;
    if (!shim_tee_vfprintf(source, stdout, checked, checked ? flag : 0, format, args, &result))
        result = call_vprintf(flag, format, args);
    shim_io_end(errno);
    return result;
}

SHIM_EXPORT int printf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int result = stdout_printf(NOT_CHECKED, format, args);
    va_end(args);
    return result;
}

SHIM_EXPORT int vprintf(const char *format, va_list args)
{
    return stdout_printf(NOT_CHECKED, format, args);
}

SHIM_EXPORT int __printf_chk(int flag, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int result = stdout_printf(flag, format, args);
    va_end(args);
    return result;
}

SHIM_EXPORT int __vprintf_chk(int flag, const char *format, va_list args)
{
    return stdout_printf(flag, format, args);
}

SHIM_EXPORT int puts(const char *text)
{
    shim_real_puts_fn *real = SHIM_REAL(puts);
    if (real == NULL) {
        errno = ENOSYS;
        return EOF;
    }
    int caller_errno;
    ehs_source source = shim_io_begin_stream(stdout, &caller_errno);
    if (source == EHS_SOURCE_ANY)
        return real(text);
    size_t len = strlen(text);
    shim_stream_piece pieces[2] = { { text, len }, { "\n", 1 } };
    shim_stream_call call;
    shim_stream_enter(&call, stdout, source);
    errno = caller_errno;
    int result = real(text);
    int real_errno = errno;
    shim_stream_leave(&call, pieces, 2, result >= 0 ? len + 1 : 0);
    shim_io_end(real_errno);
    return result;
}

static int put_stdout_char(shim_real_putchar_fn *real, int c)
{
    if (real == NULL) {
        errno = ENOSYS;
        return EOF;
    }
    int caller_errno;
    ehs_source source = shim_io_begin_stream(stdout, &caller_errno);
    if (source == EHS_SOURCE_ANY)
        return real(c);
    shim_stream_piece piece = { &(char){ (char)(unsigned char)c }, 1 };
    shim_stream_call call;
    shim_stream_enter(&call, stdout, source);
    errno = caller_errno;
    int result = real(c);
    int real_errno = errno;
    shim_stream_leave(&call, &piece, 1, result != EOF ? 1 : 0);
    shim_io_end(real_errno);
    return result;
}

SHIM_EXPORT int putchar(int c)
{
    return put_stdout_char(SHIM_REAL(putchar), c);
}

SHIM_EXPORT int putchar_unlocked(int c)
{
    return put_stdout_char(SHIM_REAL(putchar_unlocked), c);
}
