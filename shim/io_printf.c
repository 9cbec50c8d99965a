/*
 * Formatted output to stderr and stdout: fprintf, vfprintf, dprintf,
 * vdprintf and the fortified __*_chk forms that _FORTIFY_SOURCE builds call
 * instead (most of Debian). Each forwards to the real v-variant with the
 * caller's va_list; when someone listens and the target is stderr (or
 * stdout, while captured), the real v-variant formats
 * into the tee (io_tee.c), which passes the text on and feeds the event:
 * the caller's format is formatted exactly once, and message text is never
 * used as a format.
 */
#undef _FORTIFY_SOURCE /* fortified headers would define inline wrappers of what we define */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "io.h"
#include "real.h"

/* Which entry point was called: the plain one, or its fortified __*_chk
 * form, whose `flag` is passed on. Always a constant, so each interposer
 * inlines the one real function it calls. */
enum { PLAIN = 0, CHECKED = 1 };

/* Every interposer here inlines its whole path to the real function: while
 * nobody listens that path is the call the program made plus a few loads
 * (bench/stderr_loop counts it). Capturing is out of line. */
#define SHIM_INLINE static inline __attribute__((always_inline))
#define SHIM_OUT_OF_LINE static __attribute__((noinline))

SHIM_INLINE int call_vfprintf(FILE *stream, int checked, int flag, const char *format,
                              va_list args)
{
    if (!checked) {
        shim_real_vfprintf_fn *real = SHIM_REAL(vfprintf);
        if (real != NULL)
            return real(stream, format, args);
    } else {
        shim_real___vfprintf_chk_fn *real = SHIM_REAL(__vfprintf_chk);
        if (real != NULL)
            return real(stream, flag, format, args);
    }
    errno = ENOSYS;
    return -1;
}

SHIM_INLINE int call_vdprintf(int fd, int checked, int flag, const char *format,
                              va_list args)
{
    if (!checked) {
        shim_real_vdprintf_fn *real = SHIM_REAL(vdprintf);
        if (real != NULL)
            return real(fd, format, args);
    } else {
        shim_real___vdprintf_chk_fn *real = SHIM_REAL(__vdprintf_chk);
        if (real != NULL)
            return real(fd, flag, format, args);
    }
    errno = ENOSYS;
    return -1;
}

/* No tee (a thread's first printf inside a signal handler, or no memory):
 * the real call on `stream` (or, when NULL, `fd`), then the text formatted
 * again for the event of `source`, cut to the scratch space. */
static int print_without_tee(ehs_source source, FILE *stream, int fd, int checked, int flag,
                             int caller_errno, const char *format, va_list args)
{
    va_list for_event;
    va_copy(for_event, args);
    int result = stream != NULL ? call_vfprintf(stream, checked, flag, format, args)
                                : call_vdprintf(fd, checked, flag, format, args);
    int real_errno = errno;
    if (result > 0)
        shim_output_feed_vformat(source, caller_errno, format, for_event);
    va_end(for_event);
    errno = real_errno;
    return result;
}

/* Someone listens: the real call, through the tee if it is stderr or
 * stdout. */
SHIM_OUT_OF_LINE int stream_printf_captured(FILE *stream, int checked, int flag,
                                            const char *format, va_list args)
{
    int caller_errno;
    ehs_source source = shim_io_claim_stream(stream, SHIM_ARM_OUTPUT, &caller_errno);
    if (source == EHS_SOURCE_ANY)
        return call_vfprintf(stream, checked, flag, format, args);
    int result;
    if (!shim_tee_vfprintf(source, stream, checked, flag, format, args, &result))
        result = print_without_tee(source, stream, -1, checked, flag, caller_errno, format,
                                   args);
    shim_io_end(errno);
    return result;
}

SHIM_INLINE int stream_printf(FILE *stream, int checked, int flag, const char *format,
                              va_list args)
{
    if (__builtin_expect(shim_capturing(SHIM_ARM_OUTPUT, true), 0))
        return stream_printf_captured(stream, checked, flag, format, args);
    return call_vfprintf(stream, checked, flag, format, args);
}

SHIM_OUT_OF_LINE int fd_printf_captured(int fd, int checked, int flag, const char *format,
                                        va_list args)
{
    int caller_errno;
    ehs_source source = shim_io_claim_fd(fd, SHIM_ARM_OUTPUT, &caller_errno);
    if (source == EHS_SOURCE_ANY)
        return call_vdprintf(fd, checked, flag, format, args);
    int result;
    if (!shim_tee_vdprintf(source, fd, checked, flag, format, args, &result))
        result = print_without_tee(source, NULL, fd, checked, flag, caller_errno, format, args);
    shim_io_end(errno);
    return result;
}

SHIM_INLINE int fd_printf(int fd, int checked, int flag, const char *format, va_list args)
{
    if (__builtin_expect(shim_fd_marked(fd) != EHS_SOURCE_ANY &&
                             shim_capturing(SHIM_ARM_OUTPUT, true),
                         0))
        return fd_printf_captured(fd, checked, flag, format, args);
    return call_vdprintf(fd, checked, flag, format, args);
}

SHIM_EXPORT int fprintf(FILE *stream, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int result = stream_printf(stream, PLAIN, 0, format, args);
    va_end(args);
    return result;
}

SHIM_EXPORT int vfprintf(FILE *stream, const char *format, va_list args)
{
    return stream_printf(stream, PLAIN, 0, format, args);
}

SHIM_EXPORT int __fprintf_chk(FILE *stream, int flag, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int result = stream_printf(stream, CHECKED, flag, format, args);
    va_end(args);
    return result;
}

SHIM_EXPORT int __vfprintf_chk(FILE *stream, int flag, const char *format, va_list args)
{
    return stream_printf(stream, CHECKED, flag, format, args);
}

SHIM_EXPORT int dprintf(int fd, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int result = fd_printf(fd, PLAIN, 0, format, args);
    va_end(args);
    return result;
}

SHIM_EXPORT int vdprintf(int fd, const char *format, va_list args)
{
    return fd_printf(fd, PLAIN, 0, format, args);
}

SHIM_EXPORT int __dprintf_chk(int fd, int flag, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int result = fd_printf(fd, CHECKED, flag, format, args);
    va_end(args);
    return result;
}

SHIM_EXPORT int __vdprintf_chk(int fd, int flag, const char *format, va_list args)
{
    return fd_printf(fd, CHECKED, flag, format, args);
}
