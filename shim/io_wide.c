/*
 * Wide-character stdio on stderr: fwprintf, vfwprintf and their fortified
 * forms, fputws, fputwc, putwc and the _unlocked variants. The event gets
 * the bytes the stream writes: the wide text converted to the multibyte
 * encoding of the current locale, as stdio converts it. A stream that is
 * byte-oriented refuses wide output (the real call fails), and a failed
 * call adds nothing.
 */
#undef _FORTIFY_SOURCE /* fortified headers would define inline wrappers of what we define */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "io.h"
#include "real.h"

#define NOT_CHECKED INT_MIN

/* Feeds `count` wide characters as multibyte text; characters the locale
 * cannot encode are left out (stdio would have failed on them). */
static void feed_wide(const wchar_t *text, size_t count)
{
    char bytes[256];
    size_t used = 0;
    mbstate_t state;
    memset(&state, 0, sizeof(state));
    for (size_t i = 0; i < count; i++) {
        if (used + MB_LEN_MAX > sizeof(bytes)) {
            shim_stderr_feed(bytes, used);
            used = 0;
        }
        size_t n = wcrtomb(bytes + used, text[i], &state);
        if (n == (size_t)-1)
            memset(&state, 0, sizeof(state));
        else
            used += n;
    }
    shim_stderr_feed(bytes, used);
}

static wint_t put_wide_char(shim_real_fputwc_fn *real, wchar_t c, FILE *stream)
{
    if (real == NULL) {
        errno = ENOSYS;
        return WEOF;
    }
    int caller_errno;
    if (!shim_io_begin_stream(stream, &caller_errno))
        return real(c, stream);
    wint_t result = real(c, stream);
    int real_errno = errno;
    if (result != WEOF)
        feed_wide(&c, 1);
    shim_io_end(real_errno);
    return result;
}

static int put_wide_string(shim_real_fputws_fn *real, const wchar_t *text, FILE *stream)
{
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    int caller_errno;
    if (!shim_io_begin_stream(stream, &caller_errno))
        return real(text, stream);
    int result = real(text, stream);
    int real_errno = errno;
    if (result >= 0)
        feed_wide(text, wcslen(text));
    shim_io_end(real_errno);
    return result;
}

static int call_vfwprintf(FILE *stream, int flag, const wchar_t *format, va_list args)
{
    if (flag == NOT_CHECKED) {
        shim_real_vfwprintf_fn *real = SHIM_REAL(vfwprintf);
        if (real != NULL)
            return real(stream, format, args);
    } else {
        shim_real___vfwprintf_chk_fn *real = SHIM_REAL(__vfwprintf_chk);
        if (real != NULL)
            return real(stream, flag, format, args);
    }
    errno = ENOSYS;
    return -1;
}

/* Formats the `count` wide characters the real call printed, again. */
static void feed_wide_format(size_t count, int caller_errno, const wchar_t *format,
                             va_list args)
{
    shim_thread *thread = shim_thread_get();
    if (thread == NULL || count >= SIZE_MAX / sizeof(wchar_t) - 1)
        return;
    size_t capacity;
    wchar_t *text = (wchar_t *)(void *)shim_thread_scratch(thread, &capacity);
    capacity /= sizeof(wchar_t);
    wchar_t *heap = NULL;
    /* vswprintf fails outright when the text does not fit. */
    if (count + 1 > capacity) {
        heap = malloc((count + 1) * sizeof(wchar_t));
        if (heap == NULL)
            return;
        text = heap;
        capacity = count + 1;
    }
    errno = caller_errno;
    int n = vswprintf(text, capacity, format, args);
    if (n > 0)
        feed_wide(text, (size_t)n);
    free(heap);
}

static int stream_wprintf(FILE *stream, int flag, const wchar_t *format, va_list args)
{
    int caller_errno;
    if (!shim_io_begin_stream(stream, &caller_errno))
        return call_vfwprintf(stream, flag, format, args);
    va_list for_event;
    va_copy(for_event, args);
    int result = call_vfwprintf(stream, flag, format, args);
    int real_errno = errno;
    if (result > 0)
        feed_wide_format((size_t)result, caller_errno, format, for_event);
    va_end(for_event);
    shim_io_end(real_errno);
    return result;
}

SHIM_EXPORT wint_t fputwc(wchar_t c, FILE *stream)
{
    return put_wide_char(SHIM_REAL(fputwc), c, stream);
}

SHIM_EXPORT wint_t fputwc_unlocked(wchar_t c, FILE *stream)
{
    return put_wide_char(SHIM_REAL(fputwc_unlocked), c, stream);
}

SHIM_EXPORT wint_t putwc(wchar_t c, FILE *stream)
{
    return put_wide_char(SHIM_REAL(putwc), c, stream);
}

SHIM_EXPORT wint_t putwc_unlocked(wchar_t c, FILE *stream)
{
    return put_wide_char(SHIM_REAL(putwc_unlocked), c, stream);
}

SHIM_EXPORT int fputws(const wchar_t *text, FILE *stream)
{
    return put_wide_string(SHIM_REAL(fputws), text, stream);
}

SHIM_EXPORT int fputws_unlocked(const wchar_t *text, FILE *stream)
{
    return put_wide_string(SHIM_REAL(fputws_unlocked), text, stream);
}

SHIM_EXPORT int fwprintf(FILE *stream, const wchar_t *format, ...)
{
    va_list args;
    va_start(args, format);
    int result = stream_wprintf(stream, NOT_CHECKED, format, args);
    va_end(args);
    return result;
}

SHIM_EXPORT int vfwprintf(FILE *stream, const wchar_t *format, va_list args)
{
    return stream_wprintf(stream, NOT_CHECKED, format, args);
}

SHIM_EXPORT int __fwprintf_chk(FILE *stream, int flag, const wchar_t *format, ...)
{
    va_list args;
    va_start(args, format);
    int result = stream_wprintf(stream, flag, format, args);
    va_end(args);
    return result;
}

SHIM_EXPORT int __vfwprintf_chk(FILE *stream, int flag, const wchar_t *format, va_list args)
{
    return stream_wprintf(stream, flag, format, args);
}
