/*
 * glibc's error() and error_at_line(). There is no v-variant to forward a
 * va_list to, so the message is formatted here (with the caller's errno, for
 * %m) and the real function is called with "%s" and that text: it then
 * prints the very same bytes, since the text is what it would have formatted
 * itself. That one formatting is paid even when nobody listens.
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

static void report(const error_call *call, int caller_errno, const char *format, va_list args)
{
    shim_real_error_fn *real_error = SHIM_REAL(error);
    shim_real_error_at_line_fn *real_at_line = SHIM_REAL(error_at_line);
    if ((call->at_line ? (void *)real_at_line : (void *)real_error) == NULL)
        return;
    char local[1024];
    char *message = format_message(local, sizeof(local), caller_errno, format, args);

    int ignored;
    bool capture = shim_io_begin_stream(stderr, &ignored);
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
