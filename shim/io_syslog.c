/*
 * syslog: every call is one message (one trailing newline stripped), not a
 * line of a stream. When someone listens, the message is formatted once,
 * here, with the caller's errno (for %m), into this thread's scratch space
 * (max_message_bytes and a little more, so the engine sees a longer one was
 * cut), and the real function is given "%s" and that text; a message that
 * does not fit is formatted by the real function from the caller's
 * arguments, so what the program sends is never cut.
 *
 * What glibc keeps (ident, options, facility, priority mask) is mirrored
 * from openlog, closelog and setlogmask. A masked priority emits nothing.
 * LOG_PERROR copies reach fd 2 through glibc's internal write, which no
 * interposer sees: while syslog is captured the message is one Syslog
 * event; while only stderr is, the copy ("TAG: message") becomes stderr
 * bytes, rebuilt from the same text (glibc's own write of it is not seen,
 * so a failed copy still counts as written).
 *
 * No lock of ours is held here: glibc's vsyslog blocks in send() while the
 * log daemon is stalled and is a cancellation point, so a lock held across
 * it would turn a slow daemon into a fork deadlock and a cancelled thread
 * into a lock held forever. What is mirrored is kept in atomics instead.
 * (glibc itself does not reset its syslog lock in a fork child: a child
 * forked while another thread is inside syslog() can hang in its own first
 * syslog call. That is the program's behaviour with or without the shim.)
 */
#undef _FORTIFY_SOURCE /* fortified headers would define inline wrappers of what we define */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "real.h"
#include "shim.h"

/* openlog's ident as glibc keeps it: the caller's pointer, NULL for none. */
static const char *syslog_ident;
/* openlog's facility, applied to priorities that carry none. */
static int syslog_facility = LOG_USER;
/* openlog's options (LOG_PID, LOG_PERROR, ...). */
static int syslog_options;
/* setlogmask's mask: priorities outside it are not logged. */
static int syslog_mask = 0xff;

#define NOT_CHECKED INT_MIN

static void call_vsyslog(int priority, int flag, const char *format, va_list args)
{
    if (flag == NOT_CHECKED) {
        shim_real_vsyslog_fn *real = SHIM_REAL(vsyslog);
        if (real != NULL)
            real(priority, format, args);
    } else {
        shim_real___vsyslog_chk_fn *real = SHIM_REAL(__vsyslog_chk);
        if (real != NULL)
            real(priority, flag, format, args);
    }
}

/* Calls the real function with a va_list for "%s" and `text`. */
static void call_syslog_text(int priority, int flag, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    call_vsyslog(priority, flag, format, args);
    va_end(args);
}

/* Formats the message into `text` (capacity bytes) with the caller's errno
 * (for %m), as the _chk form checks it when `flag` asks. Returns the full
 * length, or -1. */
static int format_message(char *text, size_t capacity, int flag, int caller_errno,
                          const char *format, va_list args)
{
    errno = caller_errno;
    if (flag == NOT_CHECKED)
        return vsnprintf(text, capacity, format, args);
    return __vsnprintf_chk(text, capacity, flag > 0 ? flag : 0, capacity, format, args);
}

/* What LOG_PERROR copies to stderr: "TAG: message\n" ("TAG[PID]: " with
 * LOG_PID; the newline only when the message lacks one), fed as stderr
 * bytes when syslog itself is not captured. */
static void feed_perror_copy(const char *ident, const char *text, size_t len)
{
    shim_stderr_feed_str(ident);
    if (__atomic_load_n(&syslog_options, __ATOMIC_RELAXED) & LOG_PID) {
        char pid[24];
        snprintf(pid, sizeof(pid), "[%d]", (int)getpid());
        shim_stderr_feed_str(pid);
    }
    shim_stderr_feed(": ", 2);
    shim_stderr_feed(text, len);
    if (len == 0 || text[len - 1] != '\n')
        shim_stderr_feed("\n", 1);
}

/*
 * One syslog call while syslog is captured (`as_syslog`) or its LOG_PERROR
 * copy is (stderr captured, syslog not). The message is formatted once,
 * here, into this thread's scratch space, and the real function gets "%s"
 * and that text: the program's printf handlers run once. A message longer
 * than the scratch space (max_message_bytes) goes to the real function
 * formatted by it instead, so the program sends it whole.
 */
static void syslog_captured(bool as_syslog, int priority, int flag, const char *format,
                            va_list args)
{
    int caller_errno = errno;
    shim_busy_enter();
    /* As glibc: stray bits are cleared, then the mask, then the facility. */
    int full = priority & (LOG_PRIMASK | LOG_FACMASK);
    shim_thread *thread = NULL;
    if ((LOG_MASK(LOG_PRI(full)) & __atomic_load_n(&syslog_mask, __ATOMIC_RELAXED)) != 0)
        thread = shim_thread_get();
    if (thread == NULL) {
        errno = caller_errno;
        call_vsyslog(priority, flag, format, args);
        shim_busy_leave();
        return;
    }
    if ((full & LOG_FACMASK) == 0)
        full |= __atomic_load_n(&syslog_facility, __ATOMIC_RELAXED);
    size_t capacity;
    char *text = shim_thread_scratch(thread, &capacity);
    va_list for_event;
    va_copy(for_event, args);
    int n = format_message(text, capacity, flag, caller_errno, format, for_event);
    va_end(for_event);
    errno = caller_errno;
    if (n >= 0 && (size_t)n < capacity)
        call_syslog_text(priority, flag, "%s", text);
    else
        call_vsyslog(priority, flag, format, args);
    int real_errno = errno;
    if (n >= 0) {
        size_t len = (size_t)n < capacity ? (size_t)n : capacity - 1;
        const char *ident = __atomic_load_n(&syslog_ident, __ATOMIC_ACQUIRE);
        if (as_syslog) {
            if (ident == NULL)
                ident = shim_program_name();
            if (len == (size_t)n && len > 0 && text[len - 1] == '\n')
                len--;
            shim_emit(thread, EHS_SOURCE_SYSLOG, ident, full, text, len);
        } else {
            /* glibc's tag: the program's name as it is now. */
            feed_perror_copy(ident != NULL ? ident : shim_program_name_now(), text, len);
        }
    }
    shim_busy_leave();
    errno = real_errno;
}

/* Is this call's LOG_PERROR copy to be captured as stderr? */
static bool perror_copy_captured(void)
{
    if (!(__atomic_load_n(&syslog_options, __ATOMIC_RELAXED) & LOG_PERROR) ||
        !shim_capturing(SHIM_ARM_STDERR, true))
        return false;
    int caller_errno = errno;
    bool to_stderr = shim_fd_is_stderr(2);
    errno = caller_errno;
    return to_stderr;
}

static void syslog_common(int priority, int flag, const char *format, va_list args)
{
    if (shim_capturing(SHIM_ARM_SYSLOG, true))
        syslog_captured(true, priority, flag, format, args);
    else if (!(__atomic_load_n(&shim_armed, __ATOMIC_ACQUIRE) & SHIM_ARM_SYSLOG) &&
             perror_copy_captured())
        syslog_captured(false, priority, flag, format, args);
    else
        call_vsyslog(priority, flag, format, args);
}

SHIM_EXPORT void syslog(int priority, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    syslog_common(priority, NOT_CHECKED, format, args);
    va_end(args);
}

SHIM_EXPORT void vsyslog(int priority, const char *format, va_list args)
{
    syslog_common(priority, NOT_CHECKED, format, args);
}

SHIM_EXPORT void __syslog_chk(int priority, int flag, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    syslog_common(priority, flag, format, args);
    va_end(args);
}

SHIM_EXPORT void __vsyslog_chk(int priority, int flag, const char *format, va_list args)
{
    syslog_common(priority, flag, format, args);
}

SHIM_EXPORT void openlog(const char *ident, int option, int facility)
{
    shim_real_openlog_fn *real = SHIM_REAL(openlog);
    if (real != NULL)
        real(ident, option, facility);
    /* glibc's rules: a NULL ident keeps the old one; any valid facility,
     * 0 (LOG_KERN) included, replaces the default. */
    if (ident != NULL)
        __atomic_store_n(&syslog_ident, ident, __ATOMIC_RELEASE);
    __atomic_store_n(&syslog_options, option, __ATOMIC_RELAXED);
    if ((facility & ~LOG_FACMASK) == 0)
        __atomic_store_n(&syslog_facility, facility, __ATOMIC_RELAXED);
}

SHIM_EXPORT void closelog(void)
{
    shim_real_closelog_fn *real = SHIM_REAL(closelog);
    if (real != NULL)
        real();
    /* glibc forgets the ident (back to the program name), keeps the facility. */
    __atomic_store_n(&syslog_ident, NULL, __ATOMIC_RELEASE);
}

SHIM_EXPORT int setlogmask(int mask)
{
    shim_real_setlogmask_fn *real = SHIM_REAL(setlogmask);
    if (real == NULL)
        return __atomic_load_n(&syslog_mask, __ATOMIC_RELAXED);
    int previous = real(mask);
    /* setlogmask(0) only asks. */
    if (mask != 0)
        __atomic_store_n(&syslog_mask, mask, __ATOMIC_RELAXED);
    return previous;
}
