/*
 * glibc's error() and error_at_line(). While stderr is captured (and not
 * wide-oriented) they are printed here, as glibc prints them, through the
 * tee (io_tee.c): formatted once, and the event holds only what was
 * written. Otherwise there is no v-variant to forward a va_list to, so the
 * message is formatted here (with the caller's errno, for %m) and the real
 * function is called with "%s" and that text: it then prints the very same
 * bytes, since the text is what it would have formatted itself.
 *
 * The real function is called with status 0 and exit(status) follows here,
 * as glibc does it, so that exit runs outside the busy guard. Whether the
 * real call printed is read from error_message_count (error_at_line prints
 * nothing for a repeated file:line under error_one_per_line, and then does
 * not exit either).
 *
 * What it printed, in glibc's order (misc/error.c): the program's full name
 * and ": " (error_at_line: ":" then "FILE:LINE: " or " "), or instead
 * whatever error_print_progname prints; the message; ": " strerror(errnum)
 * when errnum is not 0; "\n". A hook prints through the ordinary stdio
 * calls, so the busy guard is lifted while it may run and its output reaches
 * the line assembler through those interposers, ahead of the rest.
 */
#undef _FORTIFY_SOURCE /* fortified headers would define inline wrappers of what we define */
#include <errno.h>
#include <error.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "real.h"

/* Formats the caller's message into `local`, or into the heap when longer. */
static char *format_message(char *local, size_t capacity, int caller_errno, const char *format,
                            va_list args)
{
    va_list first;
    va_copy(first, args);
    errno = caller_errno;
    int n = vsnprintf(local, capacity, format, first);
    va_end(first);
    if (n < 0) {
        local[0] = '\0';
        return local;
    }
    if ((size_t)n < capacity)
        return local;
    char *heap = malloc((size_t)n + 1);
    if (heap == NULL)
        return local; /* cut, but still printed and still one message */
    errno = caller_errno;
    vsnprintf(heap, (size_t)n + 1, format, args);
    return heap;
}

typedef struct error_call {
    int status;
    int errnum;
    bool at_line;
    const char *file_name;
    unsigned line_number;
} error_call;

static void feed_event_text(const error_call *call, bool hooked, const char *message)
{
    if (!hooked) {
        shim_stderr_feed_str(program_invocation_name);
        shim_stderr_feed_str(call->at_line ? ":" : ": ");
    }
    if (call->at_line) {
        if (call->file_name != NULL) {
            char line[32];
            snprintf(line, sizeof(line), ":%u: ", call->line_number);
            shim_stderr_feed_str(call->file_name);
            shim_stderr_feed_str(line);
        } else {
            shim_stderr_feed(" ", 1);
        }
    }
    shim_stderr_feed_str(message);
    if (call->errnum != 0) {
        char buffer[1024];
        shim_stderr_feed(": ", 2);
        shim_stderr_feed_str(strerror_r(call->errnum, buffer, sizeof(buffer)));
    }
    shim_stderr_feed("\n", 1);
}

/* error_at_line's memory of the FILE:LINE it printed last, for
 * error_one_per_line (glibc keeps its own; both follow what was printed). */
static const char *last_file;
static unsigned last_line;

static bool repeats_last(const error_call *call)
{
    return last_line == call->line_number &&
           (call->file_name == last_file ||
            (last_file != NULL && call->file_name != NULL &&
             strcmp(last_file, call->file_name) == 0));
}

static void remember_last(const error_call *call)
{
    last_file = call->file_name;
    last_line = call->line_number;
}

/*
 * glibc flushes stdout first, when its descriptor is open. Call with the
 * busy guard held (by this call): fflush's own capture passes through
 * then, so the text leaving stdout's buffer is fed here, as what its
 * descriptor is (stdout, or stderr). `always`: flush even when that text
 * is not captured (the tee path prints instead of glibc); otherwise glibc's
 * own flush is left to do it.
 */
static void flush_stdout(bool always)
{
    int fd = fileno(stdout);
    if (fd < 0 || fcntl(fd, F_GETFL) < 0)
        return;
    ehs_source source = shim_sets_any_enabled() ? shim_fd_captured(fd, SHIM_ARM_OUTPUT)
                                                : EHS_SOURCE_ANY;
    if (source == EHS_SOURCE_ANY) {
        if (always)
            fflush(stdout);
        return;
    }
    shim_stream_call call;
    shim_stream_enter(&call, stdout, source);
    fflush(stdout);
    shim_stream_leave(&call, NULL, 0, 0);
}

/*
 * Prints as glibc 2.36 does (misc/error.c), piece by piece through the
 * tee: the message is formatted once, and the event holds what was
 * written. Returns whether anything was printed (a repeated FILE:LINE
 * under error_one_per_line is not, and does not exit either).
 */
static bool report_teed(const error_call *call, int caller_errno, const char *format,
                        va_list args)
{
    if (call->at_line && error_one_per_line) {
        if (repeats_last(call))
            return false;
        remember_last(call);
    }
    int cancel_state;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
    flush_stdout(true);
    flockfile(stderr);
    void (*hook)(void) = error_print_progname;
    if (hook != NULL) {
        /* It prints through the ordinary stdio calls, captured there. */
        shim_busy_leave();
        hook();
        shim_busy_enter();
    } else {
        shim_tee_stderr_printf(call->at_line ? "%s:" : "%s: ", program_invocation_name);
    }
    if (call->at_line) {
        if (call->file_name != NULL)
            shim_tee_stderr_printf("%s:%u: ", call->file_name, call->line_number);
        else
            shim_tee_stderr_printf(" ");
    }
    errno = caller_errno;
    shim_tee_stderr_vprintf(format, args);
    error_message_count++;
    if (call->errnum != 0) {
        char buffer[1024];
        shim_tee_stderr_printf(": %s", strerror_r(call->errnum, buffer, sizeof(buffer)));
    }
    shim_tee_stderr_printf("\n");
    fflush(stderr);
    int saved_errno = errno;
    funlockfile(stderr);
    pthread_setcancelstate(cancel_state, NULL);
    errno = saved_errno;
    return true;
}

static void report(const error_call *call, int caller_errno, const char *format, va_list args)
{
    shim_real_error_fn *real_error = SHIM_REAL(error);
    shim_real_error_at_line_fn *real_at_line = SHIM_REAL(error_at_line);
    if ((call->at_line ? (void *)real_at_line : (void *)real_error) == NULL)
        return;
    int ignored;
    bool capture = shim_io_begin_stderr(stderr, &ignored);
    /* Through the tee even while nobody listens (quietly then): formatting
     * the message here first would need memory for all of it. */
    if (shim_tracking_fds() && (capture || shim_tls_busy == 0) && fwide(stderr, 0) <= 0 &&
        shim_tee_available()) {
        if (!capture)
            shim_busy_enter();
        shim_tee_quiet(!capture);
        bool printed = report_teed(call, caller_errno, format, args);
        shim_tee_quiet(false);
        shim_io_end(errno);
        if (call->status != 0 && printed)
            exit(call->status);
        return;
    }

    char local[1024];
    char *message = format_message(local, sizeof(local), caller_errno, format, args);
    /* glibc's flush of stdout, made first where its text can be fed (the
     * guard is ours, or free), under glibc's cancellation state. */
    if ((capture || shim_tls_busy == 0) &&
        !(call->at_line && error_one_per_line && repeats_last(call))) {
        int cancel_state;
        pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
        shim_busy_enter();
        flush_stdout(false);
        shim_busy_leave();
        pthread_setcancelstate(cancel_state, NULL);
    }
    void (*hook)(void) = error_print_progname;
    if (capture && hook != NULL)
        shim_busy_leave();
    unsigned count_before = error_message_count;
    errno = caller_errno;
    if (call->at_line)
        real_at_line(0, call->errnum, call->file_name, call->line_number, "%s", message);
    else
        real_error(0, call->errnum, "%s", message);
    int real_errno = errno;
    bool printed = !call->at_line || !error_one_per_line || error_message_count != count_before;
    if (printed && call->at_line && error_one_per_line)
        remember_last(call);
    if (capture && hook != NULL)
        shim_busy_enter();
    if (capture) {
        if (printed)
            feed_event_text(call, hook != NULL, message);
        shim_io_end(real_errno);
    }
    if (message != local)
        free(message);
    errno = real_errno;
    if (call->status != 0 && printed)
        exit(call->status);
}

SHIM_EXPORT void error(int status, int errnum, const char *format, ...)
{
    int caller_errno = errno;
    error_call call = { status, errnum, false, NULL, 0 };
    va_list args;
    va_start(args, format);
    report(&call, caller_errno, format, args);
    va_end(args);
}

SHIM_EXPORT void error_at_line(int status, int errnum, const char *file_name,
                               unsigned int line_number, const char *format, ...)
{
    int caller_errno = errno;
    error_call call = { status, errnum, true, file_name, line_number };
    va_list args;
    va_start(args, format);
    report(&call, caller_errno, format, args);
    va_end(args);
}
