/*
 * syslog: every call is one message (one trailing newline stripped), not a
 * line of a stream. The real function does its work first; then, if someone
 * listens, the message is formatted a second time from a va_copy with the
 * caller's errno (for %m) into this thread's scratch space, cut one byte
 * past max_message_bytes so the engine sees it was longer.
 *
 * What glibc keeps (ident, facility, priority mask) is mirrored from
 * openlog, closelog and setlogmask. A masked priority emits nothing.
 * LOG_PERROR copies reach fd 2 through glibc's internal writev, which no
 * interposer sees, and the busy guard held over the real call would pass
 * them through anyway: one event per message.
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

#include "real.h"
#include "shim.h"

/* openlog's ident as glibc keeps it: the caller's pointer, NULL for none. */
static const char *syslog_ident;
/* openlog's facility, applied to priorities that carry none. */
static int syslog_facility = LOG_USER;
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

/* Called with the busy guard held, after the real call. */
static void capture(int priority, int caller_errno, const char *format, va_list args)
{
    /* As glibc: stray bits are cleared, then the mask, then the facility. */
    priority &= LOG_PRIMASK | LOG_FACMASK;
    if ((LOG_MASK(LOG_PRI(priority)) & __atomic_load_n(&syslog_mask, __ATOMIC_RELAXED)) == 0)
        return;
    if ((priority & LOG_FACMASK) == 0)
        priority |= __atomic_load_n(&syslog_facility, __ATOMIC_RELAXED);

    shim_thread *thread = shim_thread_get();
    if (thread == NULL)
        return;
    size_t capacity;
    char *text = shim_thread_scratch(thread, &capacity);
    errno = caller_errno;
    int n = vsnprintf(text, capacity, format, args);
    if (n < 0)
        return;
    size_t len = (size_t)n < capacity ? (size_t)n : capacity - 1;
    if (len == (size_t)n && len > 0 && text[len - 1] == '\n')
        len--;
    const char *ident = __atomic_load_n(&syslog_ident, __ATOMIC_ACQUIRE);
    if (ident == NULL)
        ident = shim_program_name();
    shim_emit(thread, EHS_SOURCE_SYSLOG, ident, priority, text, len);
}

static void syslog_common(int priority, int flag, const char *format, va_list args)
{
    if (!shim_capturing(SHIM_ARM_SYSLOG, true)) {
        call_vsyslog(priority, flag, format, args);
        return;
    }
    int caller_errno = errno;
    shim_busy_enter();
    va_list for_event;
    va_copy(for_event, args);
    call_vsyslog(priority, flag, format, args);
    int real_errno = errno;
    capture(priority, caller_errno, format, for_event);
    va_end(for_event);
    shim_busy_leave();
    errno = real_errno;
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
