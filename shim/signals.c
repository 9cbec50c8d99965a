/*
 * The program's signal handlers, seen from the shim. Every handler the
 * program installs (sigaction, signal and its relatives) is installed
 * behind a trampoline of ours that notes, for the handler's duration, that
 * this thread runs a handler: where its frame is, whether it runs on the
 * alternate signal stack, and the busy guard it interrupted. That tells
 * the shim two things it could not know otherwise:
 *
 * - A handler that leaves by siglongjmp (or longjmp) never returns to the
 *   code it interrupted. If that code was inside the shim, its busy guard
 *   would stay held, and the thread would never make an event again. The
 *   next time the guard is found held, the frames are compared: a handler
 *   whose frame is gone (the stack pointer is above it, or off the
 *   alternate stack it ran on) was left, and the guard goes back to what
 *   it was outside it.
 * - A handler on the alternate signal stack may have very little stack:
 *   the shim then builds its events on a stack of its own (emit.c).
 *
 * What the program asks for is what it gets: the same flags, mask and
 * handler; sigaction and signal report the program's own handler back;
 * SIG_DFL and SIG_IGN are passed through untouched. Handlers installed
 * with raw system calls (some runtimes do) are not seen.
 */
#undef _FORTIFY_SOURCE /* fortified headers would define inline wrappers of what we define */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "real.h"
#include "shim.h"

typedef void plain_handler(int);
typedef void info_handler(int, siginfo_t *, void *);

/* The program's handlers, one slot per kind: changing from one kind to the
 * other leaves the old slot as it was, so a signal that arrives while the
 * change is made runs the old handler through the old trampoline. */
static plain_handler *plain_handlers[_NSIG];
static info_handler *info_handlers[_NSIG];
/* SA_ONSTACK asked for the signal: only then can its handler run on the
 * alternate stack, and the trampoline ask where it runs. */
static int onstack_flags[_NSIG];

/* The handlers this thread runs now, innermost last; deeper nesting than
 * this is counted, not recorded. */
enum { FRAMES_MAX = 8 };
typedef struct handler_frame {
    uintptr_t frame;     /* the trampoline's frame address */
    unsigned busy;       /* the busy guard of the interrupted code */
    bool on_altstack;    /* the handler runs on the alternate stack, */
    uintptr_t alt_low;   /* which spans [alt_low, alt_high) */
    uintptr_t alt_high;
} handler_frame;

__thread unsigned shim_tls_signal_depth SHIM_TLS;
static __thread handler_frame tls_frames[FRAMES_MAX] SHIM_TLS;

/* Is the handler of `f` still running, seen from the frame at `here`? */
static bool frame_live(const handler_frame *f, uintptr_t here)
{
    if (f->on_altstack)
        return here >= f->alt_low && here < f->alt_high;
    return here < f->frame;
}

/*
 * Forgets the handlers that were left by a jump (their frames are gone,
 * seen from `here`). If the outermost of them had interrupted shim code,
 * that code was left too, and its busy guard with it: when the guard is
 * still exactly what it was then (no shim code ran since, which would have
 * come here first), it goes back to what it is outside the shim in the
 * code that remains. Returns whether anything was forgotten.
 */
static bool prune(uintptr_t here)
{
    unsigned depth = shim_tls_signal_depth;
    if (depth > FRAMES_MAX) {
        /* The unrecorded handlers ran inside the innermost recorded one
         * (a signal delivered inside a handler's siglongjmp, as it unblocks
         * the signal, nests): if that one is gone, so are they. */
        if (frame_live(&tls_frames[FRAMES_MAX - 1], here))
            return false;
        depth = FRAMES_MAX;
    }
    unsigned live = depth;
    while (live > 0 && !frame_live(&tls_frames[live - 1], here))
        live--;
    if (live == shim_tls_signal_depth)
        return false;
    unsigned outermost_busy = tls_frames[live].busy;
    unsigned base = live == 0 ? 0 : tls_frames[live - 1].busy;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    shim_tls_signal_depth = live;
    bool abandoned = shim_tls_busy == outermost_busy && outermost_busy > base;
    if (abandoned)
        shim_tls_busy = base;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (abandoned)
        shim_count_abandoned();
    return true;
}

static void enter(int sig)
{
    prune((uintptr_t)__builtin_frame_address(0));
    unsigned depth = shim_tls_signal_depth;
    if (depth < FRAMES_MAX) {
        handler_frame *f = &tls_frames[depth];
        f->frame = (uintptr_t)__builtin_frame_address(0);
        f->busy = shim_tls_busy;
        f->on_altstack = false;
        if (sig > 0 && sig < _NSIG && __atomic_load_n(&onstack_flags[sig], __ATOMIC_RELAXED)) {
            int saved_errno = errno;
            stack_t ss;
            if (sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK)) {
                f->on_altstack = true;
                f->alt_low = (uintptr_t)ss.ss_sp;
                f->alt_high = (uintptr_t)ss.ss_sp + ss.ss_size;
            }
            errno = saved_errno;
        }
    }
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    shim_tls_signal_depth = depth + 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static void leave(void)
{
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (shim_tls_signal_depth > 0)
        shim_tls_signal_depth--;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static void trampoline_plain(int sig)
{
    plain_handler *handler = __atomic_load_n(&plain_handlers[sig], __ATOMIC_ACQUIRE);
    enter(sig);
    if (handler != NULL)
        handler(sig);
    leave();
}

static void trampoline_info(int sig, siginfo_t *info, void *context)
{
    info_handler *handler = __atomic_load_n(&info_handlers[sig], __ATOMIC_ACQUIRE);
    enter(sig);
    if (handler != NULL)
        handler(sig, info, context);
    leave();
}

bool shim_busy_recover(void)
{
    if (shim_tls_signal_depth == 0)
        return false;
    prune((uintptr_t)__builtin_frame_address(0));
    return shim_tls_busy == 0;
}

bool shim_on_alternate_stack_slow(void)
{
    prune((uintptr_t)__builtin_frame_address(0));
    unsigned depth = shim_tls_signal_depth;
    if (depth == 0)
        return false;
    if (depth > FRAMES_MAX)
        return true; /* unknown: assume the least room */
    return tls_frames[depth - 1].on_altstack;
}

/* ---- installing ---- */

static bool is_special(void *handler)
{
    return handler == (void *)SIG_DFL || handler == (void *)SIG_IGN ||
           handler == (void *)SIG_ERR || handler == (void *)SIG_HOLD;
}

/* The program's handler behind `installed`, when it is a trampoline. */
static void *unwrap(void *installed, plain_handler *old_plain, info_handler *old_info)
{
    if (installed == (void *)trampoline_plain)
        return (void *)old_plain;
    if (installed == (void *)trampoline_info)
        return (void *)old_info;
    return installed;
}

static int sigaction_common(shim_real_sigaction_fn *real, int sig, const struct sigaction *act,
                            struct sigaction *old)
{
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    if (sig <= 0 || sig >= _NSIG)
        return real(sig, act, old);
    plain_handler *old_plain = __atomic_load_n(&plain_handlers[sig], __ATOMIC_ACQUIRE);
    info_handler *old_info = __atomic_load_n(&info_handlers[sig], __ATOMIC_ACQUIRE);
    int old_onstack = __atomic_load_n(&onstack_flags[sig], __ATOMIC_RELAXED);
    struct sigaction mine;
    const struct sigaction *installing = act;
    bool info = act != NULL && (act->sa_flags & SA_SIGINFO);
    void *given = act == NULL ? NULL : info ? (void *)act->sa_sigaction : (void *)act->sa_handler;
    if (act != NULL && !is_special(given)) {
        mine = *act;
        if (info) {
            __atomic_store_n(&info_handlers[sig], act->sa_sigaction, __ATOMIC_RELEASE);
            mine.sa_sigaction = trampoline_info;
        } else {
            __atomic_store_n(&plain_handlers[sig], act->sa_handler, __ATOMIC_RELEASE);
            mine.sa_handler = trampoline_plain;
        }
        __atomic_store_n(&onstack_flags[sig], (act->sa_flags & SA_ONSTACK) != 0,
                         __ATOMIC_RELAXED);
        installing = &mine;
    }
    int result = real(sig, installing, old);
    if (result != 0 && installing == &mine) {
        /* Refused (SIGKILL, SIGSTOP): nothing changed. */
        int saved_errno = errno;
        __atomic_store_n(&plain_handlers[sig], old_plain, __ATOMIC_RELEASE);
        __atomic_store_n(&info_handlers[sig], old_info, __ATOMIC_RELEASE);
        __atomic_store_n(&onstack_flags[sig], old_onstack, __ATOMIC_RELAXED);
        errno = saved_errno;
    }
    if (result == 0 && old != NULL) {
        void *was = (old->sa_flags & SA_SIGINFO) ? (void *)old->sa_sigaction
                                                 : (void *)old->sa_handler;
        void *program = unwrap(was, old_plain, old_info);
        if (was == (void *)trampoline_plain) {
            old->sa_handler = (plain_handler *)program;
            old->sa_flags &= ~SA_SIGINFO;
        } else if (was == (void *)trampoline_info) {
            old->sa_sigaction = (info_handler *)program;
        }
    }
    return result;
}

SHIM_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    return sigaction_common(SHIM_REAL(sigaction), sig, act, old);
}

SHIM_EXPORT int __sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    return sigaction_common(SHIM_REAL(__sigaction), sig, act, old);
}

/* signal() and its relatives keep their own semantics (BSD or System V
 * flags, siginterrupt's choices, sigset's mask): the real function installs
 * the plain trampoline in place of the program's handler. */
typedef plain_handler *signal_fn(int, plain_handler *);

static plain_handler *signal_common(signal_fn *real, int sig, plain_handler *handler)
{
    if (real == NULL) {
        errno = ENOSYS;
        return SIG_ERR;
    }
    if (sig <= 0 || sig >= _NSIG || is_special((void *)handler))
        return (plain_handler *)unwrap((void *)real(sig, handler),
                                       sig > 0 && sig < _NSIG ? plain_handlers[sig] : NULL,
                                       sig > 0 && sig < _NSIG ? info_handlers[sig] : NULL);
    plain_handler *old_plain = __atomic_load_n(&plain_handlers[sig], __ATOMIC_ACQUIRE);
    info_handler *old_info = __atomic_load_n(&info_handlers[sig], __ATOMIC_ACQUIRE);
    int old_onstack = __atomic_load_n(&onstack_flags[sig], __ATOMIC_RELAXED);
    __atomic_store_n(&plain_handlers[sig], handler, __ATOMIC_RELEASE);
    __atomic_store_n(&onstack_flags[sig], 0, __ATOMIC_RELAXED);
    plain_handler *was = real(sig, trampoline_plain);
    if (was == SIG_ERR) {
        int saved_errno = errno;
        __atomic_store_n(&plain_handlers[sig], old_plain, __ATOMIC_RELEASE);
        __atomic_store_n(&onstack_flags[sig], old_onstack, __ATOMIC_RELAXED);
        errno = saved_errno;
        return SIG_ERR;
    }
    return (plain_handler *)unwrap((void *)was, old_plain, old_info);
}

SHIM_EXPORT plain_handler *signal(int sig, plain_handler *handler)
{
    return signal_common(SHIM_REAL(signal), sig, handler);
}

SHIM_EXPORT plain_handler *bsd_signal(int sig, plain_handler *handler)
{
    return signal_common(SHIM_REAL(bsd_signal), sig, handler);
}

SHIM_EXPORT plain_handler *sysv_signal(int sig, plain_handler *handler)
{
    return signal_common(SHIM_REAL(sysv_signal), sig, handler);
}

SHIM_EXPORT plain_handler *__sysv_signal(int sig, plain_handler *handler)
{
    return signal_common(SHIM_REAL(__sysv_signal), sig, handler);
}

SHIM_EXPORT plain_handler *ssignal(int sig, plain_handler *handler)
{
    return signal_common(SHIM_REAL(ssignal), sig, handler);
}

SHIM_EXPORT plain_handler *sigset(int sig, plain_handler *handler)
{
    return signal_common(SHIM_REAL(sigset), sig, handler);
}

bool shim_in_signal_handler_slow(void)
{
    prune((uintptr_t)__builtin_frame_address(0));
    return shim_tls_signal_depth != 0;
}
