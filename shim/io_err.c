/*
 * BSD and libc error reporters that print to stderr: perror, psignal,
 * psiginfo, warn, warnx, vwarn, vwarnx, err, errx, verr, verrx. glibc prints
 * them through internal calls that reach no other interposer, so each is
 * caught here, once. perror, psignal and the warn family are printed here,
 * as glibc 2.36 prints them (the same pieces, in the same writes), through
 * the tee (io_tee.c): the caller's format is formatted once and an event
 * holds only what was written. On a wide-oriented stderr (glibc converts
 * inside) and for psiginfo (glibc writes to descriptor 2 itself) the real
 * function prints and the event text is rebuilt from the same parts.
 *
 * err and friends are vwarn/vwarnx followed by exit(status), exactly as in
 * glibc, so that exit runs outside the busy guard: atexit handlers and our
 * destructor still see and flush everything.
 */
#undef _FORTIFY_SOURCE /* fortified headers would define inline wrappers of what we define */
#include <err.h>
#include <libintl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "real.h"

/* Feeds strerror(errnum) as glibc prints it (localised the same way). */
static void feed_strerror(int errnum)
{
    char buffer[1024];
    shim_stderr_feed_str(strerror_r(errnum, buffer, sizeof(buffer)));
}

/* printf through the tee onto descriptor `fd`, leaving the stderr stream
 * alone. */
static void tee_fd_printf(int fd, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void tee_fd_printf(int fd, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int ignored;
    shim_tee_vdprintf(EHS_SOURCE_STDERR, fd, 0, 0, format, args, &ignored);
    va_end(args);
}

/* Whether the glibc reporters' text can go through the tee: a narrow or
 * unoriented stderr (a wide one is converted inside glibc). */
static bool tee_usable(void)
{
    return fwide(stderr, 0) <= 0 && shim_tee_available();
}

/* perror, as glibc 2.36 prints it: "prefix: strerror\n". glibc must not
 * orient an unoriented stderr, so it then tries fdopen(dup(fd), "w+"),
 * which works only on a descriptor open for reading too (a terminal); on
 * any other it prints on stderr, orienting it. */
static void perror_teed(const char *prefix, int caller_errno)
{
    const char *colon = ": ";
    if (prefix == NULL || prefix[0] == '\0')
        prefix = colon = "";
    char buffer[1024];
    const char *text = strerror_r(caller_errno, buffer, sizeof(buffer));
    int fd = fileno_unlocked(stderr);
    bool own_stream = false;
    if (fwide(stderr, 0) == 0 && fd >= 0) {
        int flags = fcntl(fd, F_GETFL);
        own_stream = flags >= 0 && (flags & O_ACCMODE) == O_RDWR;
    }
    if (own_stream)
        tee_fd_printf(fd, "%s%s%s\n", prefix, colon, text);
    else
        shim_tee_stderr_printf("%s%s%s\n", prefix, colon, text);
}

SHIM_EXPORT void perror(const char *prefix)
{
    shim_real_perror_fn *real = SHIM_REAL(perror);
    if (real == NULL)
        return;
    int caller_errno;
    if (!shim_io_begin_stderr(stderr, &caller_errno)) {
        real(prefix);
        return;
    }
    if (tee_usable()) {
        perror_teed(prefix, caller_errno);
        shim_io_end(errno);
        return;
    }
    real(prefix);
    int real_errno = errno;
    if (prefix != NULL && prefix[0] != '\0') {
        shim_stderr_feed_str(prefix);
        shim_stderr_feed(": ", 2);
    }
    feed_strerror(caller_errno);
    shim_stderr_feed("\n", 1);
    shim_io_end(real_errno);
}

/* psignal's description of `sig`: it knows the classic signals only;
 * real-time ones are "Unknown" there, where strsignal would say
 * "Real-time signal N". */
static const char *psignal_text(int sig, char *unknown, size_t capacity)
{
    if (sigdescr_np(sig) != NULL)
        return strsignal(sig);
    snprintf(unknown, capacity, "Unknown signal %d", sig);
    return unknown;
}

SHIM_EXPORT void psignal(int sig, const char *prefix)
{
    shim_real_psignal_fn *real = SHIM_REAL(psignal);
    if (real == NULL)
        return;
    int caller_errno;
    if (!shim_io_begin_stderr(stderr, &caller_errno)) {
        real(sig, prefix);
        return;
    }
    char unknown[64];
    const char *text = psignal_text(sig, unknown, sizeof(unknown));
    bool prefixed = prefix != NULL && prefix[0] != '\0';
    if (tee_usable()) {
        shim_tee_stderr_printf("%s%s%s\n", prefixed ? prefix : "", prefixed ? ": " : "", text);
        shim_io_end(errno);
        return;
    }
    real(sig, prefix);
    int real_errno = errno;
    if (prefixed) {
        shim_stderr_feed_str(prefix);
        shim_stderr_feed(": ", 2);
    }
    shim_stderr_feed_str(text);
    shim_stderr_feed("\n", 1);
    shim_io_end(real_errno);
}

/* si_code texts of psiginfo, per signal, as glibc has them (including its
 * "Floating-poing" typo: the event must say what was printed). */
static const char *const ill_codes[] = { "Illegal opcode", "Illegal operand",
    "Illegal addressing mode", "Illegal trap", "Privileged opcode", "Privileged register",
    "Coprocessor error", "Internal stack error" };
static const char *const fpe_codes[] = { "Integer divide by zero", "Integer overflow",
    "Floating-point divide by zero", "Floating-point overflow", "Floating-point underflow",
    "Floating-poing inexact result", "Invalid floating-point operation",
    "Subscript out of range" };
static const char *const segv_codes[] = { "Address not mapped to object",
    "Invalid permissions for mapped object" };
static const char *const bus_codes[] = { "Invalid address alignment",
    "Nonexisting physical address", "Object-specific hardware error" };
static const char *const trap_codes[] = { "Process breakpoint", "Process trace trap" };
static const char *const chld_codes[] = { "Child has exited",
    "Child has terminated abnormally and did not create a core file",
    "Child has terminated abnormally and created a core file", "Traced child has trapped",
    "Child has stopped", "Stopped child has continued" };
static const char *const poll_codes[] = { "Data input available", "Output buffers available",
    "Input message available", "I/O error", "High priority input available",
    "Device disconnected" };

static const char *signal_code_text(const siginfo_t *info)
{
    const char *const *table = NULL;
    size_t count = 0;
    switch (info->si_signo) {
    case SIGILL: table = ill_codes; count = sizeof(ill_codes) / sizeof(ill_codes[0]); break;
    case SIGFPE: table = fpe_codes; count = sizeof(fpe_codes) / sizeof(fpe_codes[0]); break;
    case SIGSEGV: table = segv_codes; count = sizeof(segv_codes) / sizeof(segv_codes[0]); break;
    case SIGBUS: table = bus_codes; count = sizeof(bus_codes) / sizeof(bus_codes[0]); break;
    case SIGTRAP: table = trap_codes; count = sizeof(trap_codes) / sizeof(trap_codes[0]); break;
    case SIGCHLD: table = chld_codes; count = sizeof(chld_codes) / sizeof(chld_codes[0]); break;
    case SIGPOLL: table = poll_codes; count = sizeof(poll_codes) / sizeof(poll_codes[0]); break;
    }
    if (table != NULL && info->si_code >= 1 && (size_t)info->si_code <= count)
        return table[info->si_code - 1];
    switch (info->si_code) {
    case SI_USER: return "Signal sent by kill()";
    case SI_QUEUE: return "Signal sent by sigqueue()";
    case SI_TIMER: return "Signal generated by the expiration of a timer";
    case SI_ASYNCIO:
        return "Signal generated by the completion of an asynchronous I/O request";
    case SI_MESGQ:
        return "Signal generated by the arrival of a message on an empty message queue";
    case SI_TKILL: return "Signal sent by tkill()";
    case SI_ASYNCNL:
        return "Signal generated by the completion of an asynchronous name lookup request";
    case SI_SIGIO: return "Signal generated by the completion of an I/O request";
    case SI_KERNEL: return "Signal sent by the kernel";
    }
    return NULL;
}

/* psiginfo's line, built as glibc builds it (stdio-common/psiginfo.c) into
 * a 512-byte buffer, so a longer line is cut the same way. */
static void format_siginfo(char *out, size_t capacity, const siginfo_t *info, const char *prefix)
{
    size_t used = 0;
#define APPEND(...)                                                                            \
    do {                                                                                       \
        if (used < capacity) {                                                                 \
            int n_ = snprintf(out + used, capacity - used, __VA_ARGS__);                       \
            if (n_ > 0)                                                                        \
                used += (size_t)n_;                                                            \
        }                                                                                      \
    } while (0)
    out[0] = '\0';
    if (prefix != NULL && prefix[0] != '\0')
        APPEND("%s: ", prefix);
    int sig = info->si_signo;
    const char *description = sig >= 0 && sig < NSIG ? sigdescr_np(sig) : NULL;
    if (description == NULL && !(sig >= SIGRTMIN && sig < SIGRTMAX)) {
        APPEND("Unknown signal %d\n", sig);
        return;
    }
    if (description != NULL)
        APPEND("%s (", dgettext("libc", description));
    else if (sig - SIGRTMIN < SIGRTMAX - sig && sig == SIGRTMIN)
        APPEND("SIGRTMIN (");
    else if (sig - SIGRTMIN < SIGRTMAX - sig)
        APPEND("SIGRTMIN+%d (", sig - SIGRTMIN);
    else if (sig == SIGRTMAX)
        APPEND("SIGRTMAX (");
    else
        APPEND("SIGRTMAX-%d (", SIGRTMAX - sig);
    const char *code = signal_code_text(info);
    if (code != NULL)
        APPEND("%s ", dgettext("libc", code));
    else
        APPEND("%d ", info->si_code);
    if (sig == SIGILL || sig == SIGFPE || sig == SIGSEGV || sig == SIGBUS)
        APPEND("[%p])\n", info->si_addr);
    else if (sig == SIGCHLD)
        APPEND("%ld %d %ld)\n", (long)info->si_pid, info->si_status, (long)info->si_uid);
    else if (sig == SIGPOLL)
        APPEND("%ld)\n", (long)info->si_band);
    else
        APPEND("%ld %ld)\n", (long)info->si_pid, (long)info->si_uid);
#undef APPEND
}

/* psiginfo writes its line to descriptor 2 itself, not to the stderr FILE. */
SHIM_EXPORT void psiginfo(const siginfo_t *info, const char *prefix)
{
    shim_real_psiginfo_fn *real = SHIM_REAL(psiginfo);
    if (real == NULL)
        return;
    if (!shim_capturing(SHIM_ARM_STDERR, true)) {
        real(info, prefix);
        return;
    }
    int caller_errno = errno;
    bool to_stderr = shim_fd_is_stderr(2);
    errno = caller_errno;
    if (!to_stderr) {
        real(info, prefix);
        return;
    }
    shim_busy_enter();
    real(info, prefix);
    int real_errno = errno;
    char line[512];
    format_siginfo(line, sizeof(line), info, prefix);
    shim_stderr_feed_str(line);
    shim_io_end(real_errno);
}

/* vwarn and vwarnx as glibc 2.36 prints them, piece by piece under the
 * stream's lock: "prog: ", the message, then ": strerror\n" or "\n". */
static void warn_teed(bool with_errno, int caller_errno, const char *format, va_list args)
{
    const char *name = shim_program_name_now();
    flockfile(stderr);
    if (with_errno && format == NULL) {
        errno = caller_errno;
        shim_tee_stderr_printf("%s: %m\n", name);
    } else {
        shim_tee_stderr_printf("%s: ", name);
        if (format != NULL) {
            errno = caller_errno;
            shim_tee_stderr_vprintf(format, args);
        }
        errno = caller_errno;
        if (with_errno)
            shim_tee_stderr_printf(": %m\n");
        else
            shim_tee_stderr_printf("\n");
    }
    int saved_errno = errno;
    funlockfile(stderr);
    errno = saved_errno;
}

/* vwarn (with_errno) or vwarnx: "prog: [message][: strerror]\n". */
static void warn_common(bool with_errno, const char *format, va_list args)
{
    shim_real_vwarn_fn *real = with_errno ? SHIM_REAL(vwarn) : SHIM_REAL(vwarnx);
    if (real == NULL)
        return;
    int caller_errno;
    if (!shim_io_begin_stderr(stderr, &caller_errno)) {
        real(format, args);
        return;
    }
    if (tee_usable()) {
        warn_teed(with_errno, caller_errno, format, args);
        shim_io_end(errno);
        return;
    }
    /* A wide stderr: glibc converts; the event is rebuilt from the parts. */
    va_list for_event;
    va_copy(for_event, args);
    real(format, args);
    int real_errno = errno;
    shim_stderr_feed_str(shim_program_name_now());
    shim_stderr_feed(": ", 2);
    if (format != NULL) {
        shim_output_feed_vformat(EHS_SOURCE_STDERR, caller_errno, format, for_event);
        if (with_errno)
            shim_stderr_feed(": ", 2);
    }
    if (with_errno)
        feed_strerror(caller_errno);
    shim_stderr_feed("\n", 1);
    va_end(for_event);
    shim_io_end(real_errno);
}

SHIM_EXPORT void vwarn(const char *format, va_list args)
{
    warn_common(true, format, args);
}

SHIM_EXPORT void vwarnx(const char *format, va_list args)
{
    warn_common(false, format, args);
}

SHIM_EXPORT void warn(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    warn_common(true, format, args);
    va_end(args);
}

SHIM_EXPORT void warnx(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    warn_common(false, format, args);
    va_end(args);
}

SHIM_EXPORT void verr(int status, const char *format, va_list args)
{
    warn_common(true, format, args);
    exit(status);
}

SHIM_EXPORT void verrx(int status, const char *format, va_list args)
{
    warn_common(false, format, args);
    exit(status);
}

SHIM_EXPORT void err(int status, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    warn_common(true, format, args);
    va_end(args);
    exit(status);
}

SHIM_EXPORT void errx(int status, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    warn_common(false, format, args);
    va_end(args);
    exit(status);
}
