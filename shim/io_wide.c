/*
 * Wide-character stdio on stderr: fwprintf, vfwprintf and their fortified
 * forms, fputws, fputwc, putwc and the _unlocked variants. The event gets
 * the bytes the stream writes: the wide text converted to the multibyte
 * encoding of the locale the stream took when it became wide-oriented, as
 * stdio converts it. A stream that is
 * byte-oriented refuses wide output (the real call fails), and a failed
 * call adds nothing.
 */
#undef _FORTIFY_SOURCE /* fortified headers would define inline wrappers of what we define */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "io.h"
#include "real.h"

#define NOT_CHECKED INT_MIN

/* glibc's fortified vswprintf; declared by <wchar.h> only under
 * _FORTIFY_SOURCE. */
extern int __vswprintf_chk(wchar_t *s, size_t n, int flag, size_t s_len, const wchar_t *format,
                           va_list args);

/*
 * The LC_CTYPE a wide stream converts with. glibc fixes it when the stream
 * becomes wide-oriented (the calling thread's locale at that moment), and
 * keeps it whatever setlocale does later: the event must convert the same
 * way. Remembered for the first few streams oriented under our eyes
 * (stderr, its copies); any other converts with the current locale.
 */
enum { ORIENTED_MAX = 4 };
static FILE *oriented_streams[ORIENTED_MAX];
static locale_t oriented_locales[ORIENTED_MAX];

void shim_wide_oriented(FILE *stream, bool just_now)
{
    if (!just_now)
        return;
    locale_t copy = duplocale(uselocale((locale_t)0));
    if (copy == (locale_t)0)
        return;
    for (int i = 0; i < ORIENTED_MAX; i++) {
        FILE *expected = NULL;
        FILE *slot = __atomic_load_n(&oriented_streams[i], __ATOMIC_ACQUIRE);
        if (slot == stream ||
            (slot == NULL && __atomic_compare_exchange_n(&oriented_streams[i], &expected, stream,
                                                         false, __ATOMIC_ACQ_REL,
                                                         __ATOMIC_ACQUIRE))) {
            locale_t old = __atomic_exchange_n(&oriented_locales[i], copy, __ATOMIC_ACQ_REL);
            /* A stream oriented again was closed and reopened at the same
             * address; the old copy may still be in use by a reader of
             * that slot, so it is kept rather than freed. */
            (void)old;
            return;
        }
    }
    freelocale(copy);
}

static locale_t stream_locale(FILE *stream)
{
    for (int i = 0; i < ORIENTED_MAX; i++) {
        if (__atomic_load_n(&oriented_streams[i], __ATOMIC_ACQUIRE) == stream)
            return __atomic_load_n(&oriented_locales[i], __ATOMIC_ACQUIRE);
    }
    return (locale_t)0;
}

/* Feeds `count` wide characters as the multibyte text `stream` writes for
 * them; characters its locale cannot encode are left out (stdio would have
 * failed on them). */
static void feed_wide(FILE *stream, const wchar_t *text, size_t count)
{
    locale_t locale = stream_locale(stream);
    locale_t previous = locale != (locale_t)0 ? uselocale(locale) : (locale_t)0;
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
    if (locale != (locale_t)0)
        uselocale(previous);
    shim_stderr_feed(bytes, used);
}

static wint_t put_wide_char(shim_real_fputwc_fn *real, wchar_t c, FILE *stream)
{
    if (real == NULL) {
        errno = ENOSYS;
        return WEOF;
    }
    int caller_errno;
    if (!shim_io_begin_stderr(stream, &caller_errno))
        return real(c, stream);
    bool was_unoriented = fwide(stream, 0) == 0;
    wint_t result = real(c, stream);
    int real_errno = errno;
    if (result != WEOF) {
        shim_wide_oriented(stream, was_unoriented);
        feed_wide(stream, &c, 1);
    }
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
    if (!shim_io_begin_stderr(stream, &caller_errno))
        return real(text, stream);
    bool was_unoriented = fwide(stream, 0) == 0;
    int result = real(text, stream);
    int real_errno = errno;
    if (result >= 0) {
        shim_wide_oriented(stream, was_unoriented);
        feed_wide(stream, text, wcslen(text));
    }
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

/*
 * vfwprintf to stderr, formatted once: into this thread's scratch space,
 * then handed to the stream with the real fputws (which converts and
 * writes it as vfwprintf would have), and fed as written. Text that does
 * not fit the scratch space (max_message_bytes), or holds a NUL, which
 * fputws would stop at, is left to the real vfwprintf instead; such text
 * is not in an event (counted as truncated).
 */
static int stream_wprintf(FILE *stream, int flag, const wchar_t *format, va_list args)
{
    int caller_errno;
    if (!shim_io_begin_stderr(stream, &caller_errno))
        return call_vfwprintf(stream, flag, format, args);
    shim_thread *thread = shim_thread_get();
    shim_real_fputws_unlocked_fn *real_fputws = SHIM_REAL(fputws_unlocked);
    int result = -1;
    bool printed = false;
    if (thread != NULL && real_fputws != NULL && fwide(stream, 0) >= 0) {
        size_t capacity;
        wchar_t *text = (wchar_t *)(void *)shim_thread_scratch(thread, &capacity);
        capacity /= sizeof(wchar_t);
        va_list copy;
        va_copy(copy, args);
        errno = caller_errno;
        int n = flag == NOT_CHECKED
                    ? vswprintf(text, capacity, format, copy)
                    : __vswprintf_chk(text, capacity, flag, capacity, format, copy);
        va_end(copy);
        if (n >= 0 && wmemchr(text, L'\0', (size_t)n) == NULL) {
            flockfile(stream);
            bool was_unoriented = fwide(stream, 0) == 0;
            int put = real_fputws(text, stream);
            if (put >= 0) {
                shim_wide_oriented(stream, was_unoriented);
                feed_wide(stream, text, (size_t)n);
                result = n;
            }
            int put_errno = errno;
            funlockfile(stream);
            errno = put_errno;
            printed = true;
        }
    }
    if (!printed) {
        errno = caller_errno;
        result = call_vfwprintf(stream, flag, format, args);
        if (result > 0)
            shim_count(EHS_SOURCE_STDERR, SHIM_COUNT_TRUNCATED, 1);
    }
    shim_io_end(errno);
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

/* fwide(stream, 1) orients a stream without printing: its locale is fixed
 * then too. */
SHIM_EXPORT int fwide(FILE *stream, int mode)
{
    shim_real_fwide_fn *real = SHIM_REAL(fwide);
    if (real == NULL)
        return 0;
    if (mode <= 0 || !shim_tracking_fds())
        return real(stream, mode);
    int caller_errno = errno;
    bool was_unoriented = real(stream, 0) == 0;
    errno = caller_errno;
    int result = real(stream, mode);
    if (was_unoriented && result > 0) {
        int real_errno = errno;
        shim_wide_oriented(stream, true);
        errno = real_errno;
    }
    return result;
}
