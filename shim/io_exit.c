/*
 * The end of a process, and glibc's assert messages.
 *
 * _exit, _Exit and abort end the process without the destructors that
 * emit unfinished stderr (and stdout) lines; daemon's parent ends in
 * glibc's internal _exit. The text of such lines was written, so it is
 * emitted first, every thread's: all of them end with the process. (The
 * daemon itself then has /dev/null on 0, 1 and 2: fdtrack.c is told.)
 *
 * assert() failures are printed by glibc through internal calls no other
 * interposer sees, then glibc aborts (keeping the message for core dumps).
 * The message is fed here, as glibc formats it (its translated format,
 * assert/assert.c), before the real function prints it and aborts: the
 * process never returns to tell whether that write worked, so this event is
 * made from the text glibc is about to write.
 */
#undef _FORTIFY_SOURCE /* the translated formats end in %n, as glibc's do */
#include <errno.h>
#include <libintl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "io.h"
#include "real.h"

/* _exit and _Exit: the lines first, then the real function (or the system
 * call, before it is resolved). */
__attribute__((noreturn)) static void end_process(void (*real)(int), int status)
{
    shim_flush_before_process_end();
    if (real != NULL)
        real(status);
    syscall(SYS_exit_group, status);
    __builtin_unreachable();
}

SHIM_EXPORT void _exit(int status)
{
    end_process(SHIM_REAL(_exit), status);
}

SHIM_EXPORT void _Exit(int status)
{
    end_process(SHIM_REAL(_Exit), status);
}

SHIM_EXPORT void abort(void)
{
    shim_flush_before_process_end();
    shim_real_abort_fn *real = SHIM_REAL(abort);
    if (real != NULL)
        real();
    __builtin_trap();
}

SHIM_EXPORT int daemon(int nochdir, int noclose)
{
    shim_flush_before_process_end();
    shim_real_daemon_fn *real = SHIM_REAL(daemon);
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    int result = real(nochdir, noclose);
    /* In the daemon: libc put /dev/null on 0, 1 and 2 with its internal
     * dup2 (unless `noclose`): stderr only if it was /dev/null already. */
    if (result == 0 && !noclose && shim_tracking_fds()) {
        int real_errno = errno;
        shim_fd_recheck(0, 2);
        errno = real_errno;
    }
    return result;
}

/* Feeds glibc's assert message: `format` (translated as glibc translates
 * it) with glibc's arguments; `detail` is the assertion or the error text. */
static void feed_assert(const char *format, const char *detail, const char *file,
                        unsigned int line, const char *function)
{
    int caller_errno;
    if (!shim_io_begin_stderr(stderr, &caller_errno))
        return;
    shim_thread *thread = shim_thread_get();
    if (thread != NULL) {
        size_t capacity;
        char *text = shim_thread_scratch(thread, &capacity);
        const char *name = shim_program_name_now();
        int total = 0;
        int n = snprintf(text, capacity, dgettext("libc", format), name, name[0] ? ": " : "",
                         file, line, function != NULL ? function : "",
                         function != NULL ? ": " : "", detail, &total);
        if (n > 0)
            shim_stderr_feed(text, (size_t)n < capacity ? (size_t)n : capacity - 1);
        /* A cut message still ends its line, as the printed one does. */
        if (n > 0 && (size_t)n >= capacity)
            shim_stderr_feed("\n", 1);
    }
    shim_io_end(caller_errno);
}

SHIM_EXPORT void __assert_fail(const char *assertion, const char *file, unsigned int line,
                               const char *function)
{
    feed_assert("%s%s%s:%u: %s%sAssertion `%s' failed.\n%n", assertion, file, line, function);
    shim_real___assert_fail_fn *real = SHIM_REAL(__assert_fail);
    if (real != NULL)
        real(assertion, file, line, function);
    __builtin_trap();
}

SHIM_EXPORT void __assert_perror_fail(int errnum, const char *file, unsigned int line,
                                      const char *function)
{
    char buffer[1024];
    const char *text = strerror_r(errnum, buffer, sizeof(buffer));
    feed_assert("%s%s%s:%u: %s%sUnexpected error: %s.\n", text, file, line, function);
    shim_real___assert_perror_fail_fn *real = SHIM_REAL(__assert_perror_fail);
    if (real != NULL)
        real(errnum, file, line, function);
    __builtin_trap();
}

SHIM_EXPORT void __assert(const char *assertion, const char *file, int line)
{
    feed_assert("%s%s%s:%u: %s%sAssertion `%s' failed.\n%n", assertion, file,
                (unsigned int)line, NULL);
    shim_real___assert_fn *real = SHIM_REAL(__assert);
    if (real != NULL)
        real(assertion, file, line);
    __builtin_trap();
}
