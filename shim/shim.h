/*
 * Internal interfaces of libehshim.so, the preloaded library. Nothing here is
 * exported: the build hides every symbol but the interposed libc names
 * (libehshim.map).
 *
 * Lifecycle: shim_state goes UNINIT -> STARTING -> READY or PASSIVE once, in
 * the constructor or in the first interposer that may initialise (see
 * init.c). Interposers read shim_armed (one acquire load) to learn whether
 * their source is captured at all, then the per-thread busy guard and the
 * provider's any-enabled word (one bit per registered event set, kept by
 * the kernel).
 */
#ifndef SHIM_H
#define SHIM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "ehd/ehd.h"
#include "ehs/ehs_config.h"
#include "ehs/ehs_group.h"
#include "ehs/ehs_engine.h"
#include "lines.h"

/* The only symbols the library exports: the interposed libc names. */
#define SHIM_EXPORT __attribute__((visibility("default")))

/* Per-thread variables of the shim. A global-dynamic TLS access may call
 * malloc on first use (LTTng-UST 49400d96); initial-exec never does. The
 * library is preloaded, so its TLS always fits the static block. */
#define SHIM_TLS __attribute__((tls_model("initial-exec")))

/* ---- lifecycle (init.c) ------------------------------------------------ */

enum shim_state {
    SHIM_UNINIT = 0,   /* nothing done yet */
    SHIM_STARTING = 1, /* one thread is setting up; everyone else passes through */
    SHIM_READY = 2,    /* capturing what the config asks for */
    SHIM_PASSIVE = 3,  /* set-up failed or was refused: pure passthrough forever */
};
extern int shim_state;

/* Sources being captured (SHIM_ARM_*); 0 until READY, published last. */
enum { SHIM_ARM_STDERR = 1, SHIM_ARM_SYSLOG = 2, SHIM_ARM_JOURNAL = 4, SHIM_ARM_STDOUT = 8 };
/* The sources written to descriptors, assembled into lines (emit.c). */
#define SHIM_ARM_OUTPUT (SHIM_ARM_STDERR | SHIM_ARM_STDOUT)
extern int shim_armed;

/* Set up now unless this thread is already inside the shim or inside dlsym.
 * Only entry points that are not async-signal-safe call this: write, writev
 * and the descriptor calls never initialise (they may run in a signal
 * handler, or in a vfork child). */
void shim_init_lazy(void);

/* pid of this process as the shim last saw it; differs from getpid() in a
 * vfork child, which shares our memory and must not change any of it. */
extern pid_t shim_pid;

/* The config in force (replaced whole by a reload, reload.c; each one is
 * immutable but for its rate-limit windows) and the provider; valid once
 * READY. A build pins it (shim_thread_pin_config) instead of reading it. */
extern const ehs_config *shim_config;
extern ehd_provider shim_provider;

static inline const ehs_config *shim_config_current(void)
{
    return __atomic_load_n(&shim_config, __ATOMIC_ACQUIRE);
}

/* ms of CLOCK_MONOTONIC_COARSE (a vDSO read; async-signal-safe). */
uint64_t shim_clock_ms(void);

/* ---- reentrancy guard ---------------------------------------------------- */

/* Nonzero while this thread runs shim code or a real function called from
 * an interposer: nested interposer calls (glibc calling itself through the
 * PLT, the core's own writev, a signal handler) then pass straight through,
 * so nothing is captured twice and per-thread buffers are never re-entered. */
extern __thread unsigned shim_tls_busy SHIM_TLS;

static inline void shim_busy_enter(void)
{
    shim_tls_busy++;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void shim_busy_leave(void)
{
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    /* Never below zero: a guard given back by shim_busy_recover. */
    if (__builtin_expect(shim_tls_busy != 0, 1))
        shim_tls_busy--;
}

/* The busy guard is held, but perhaps by shim code a signal handler left
 * with siglongjmp (signals.c): puts the guard back where the live frames
 * say it is. True when it is free now. */
bool shim_busy_recover(void);

/* Handlers of the program this thread has entered and perhaps not left
 * (signals.c): 0 outside any, which the two questions below answer inline. */
extern __thread unsigned shim_tls_signal_depth SHIM_TLS;

/* The two questions when a handler was entered: which are still running
 * (one may have left with siglongjmp) is worked out from the stack. */
bool shim_in_signal_handler_slow(void);
bool shim_on_alternate_stack_slow(void);

/* True while this thread runs a signal handler of the program (signals.c):
 * malloc is off limits. */
static inline bool shim_in_signal_handler(void)
{
    if (__builtin_expect(shim_tls_signal_depth == 0, 1))
        return false;
    return shim_in_signal_handler_slow();
}

/* True while this thread runs a signal handler on the alternate stack
 * (signals.c): little stack to spare. */
static inline bool shim_on_alternate_stack(void)
{
    if (__builtin_expect(shim_tls_signal_depth == 0, 1))
        return false;
    return shim_on_alternate_stack_slow();
}

/* Running on the shim's own stack (stack.c): whether this architecture can,
 * and the call itself (plain call where it cannot). */
bool shim_stack_switch_supported(void);
void shim_call_on_stack(void (*fn)(void *), void *arg, void *top);

/* ---- one shim per process (instance.c) ---------------------------------- */

/* False when another copy of the library was loaded before this one (it
 * captures; this one must only pass calls through). */
bool shim_is_first_copy(void);

/* ---- heap (alloc.c) ------------------------------------------------------ */

/* From now on the shim's malloc, calloc, realloc and free are served by mmap
 * (async-signal-safe). Call once in set-up, after the config is loaded. */
void shim_alloc_use_mmap(void);

/* Between these (nested), this thread's allocations come from libc's heap
 * again: for loading a config outside any signal handler. */
void shim_alloc_libc_begin(void);
void shim_alloc_libc_end(void);

/* ---- event sets (sets.c) ----------------------------------------------- */

/* Registers every set the config can write to. Returns 0 or an errno. */
int shim_sets_setup(void);

/* The same for `config` (a reloaded one), before it is put in force; sets
 * already registered stay. Thread-safe. Returns 0 or an errno. */
int shim_sets_register(const ehs_config *config);

/* True when some registered set has a listener: capture is worth doing.
 * One relaxed load of the word the kernel keeps for all of the shim's sets
 * (ehd_provider_any_enabled), the cost of every interposed call while
 * nobody listens. */
static inline bool shim_sets_any_enabled(void)
{
    return ehd_provider_any_enabled(&shim_provider);
}

/* The set for (level, keyword), registered now (under the registration
 * lock) if the config did not list it. NULL for level 0 or when no set can
 * be made; ehd_event_set_enabled() is false for NULL and for a set whose
 * registration failed, so callers need not check. */
static inline ehd_event_set *shim_sets_get(uint8_t level, uint64_t keyword);

/* One entry of the sets' table by (level, keyword) (sets.c): written once
 * before it is published, never changed or removed after. */
typedef struct shim_cached_set {
    uint64_t keyword;
    uint8_t level;
    ehd_event_set *set;
} shim_cached_set;

/* The entry this thread found last: a program's lines nearly all go to one
 * set, and an entry never changes, so asking it first is always right. */
extern __thread const shim_cached_set *shim_tls_last_set SHIM_TLS;

/* shim_sets_get when the last entry is another (level, keyword). */
ehd_event_set *shim_sets_get_slow(uint8_t level, uint64_t keyword);

static inline ehd_event_set *shim_sets_get(uint8_t level, uint64_t keyword)
{
    const shim_cached_set *last = shim_tls_last_set;
    if (__builtin_expect(last != NULL && last->level == level && last->keyword == keyword, 1))
        return last->set;
    return shim_sets_get_slow(level, keyword);
}

/* fork: hold the registration lock across fork so the child never inherits it
 * taken (it also guards the core provider's lock, only taken under ours). */
void shim_sets_lock(void);
void shim_sets_unlock(void);
void shim_sets_reset_in_child(void);

/* The rare cases of shim_capturing (init.c): not set up yet, or the busy
 * guard held (perhaps by shim code a signal handler left). */
bool shim_capturing_slow(int source_bit, bool may_init) __attribute__((cold));

/* Should an interposer of `source_bit` capture this call? (Several
 * SHIM_ARM_* bits: is any of them armed.) May initialise
 * when `may_init` (entry points that are not async-signal-safe). The common
 * case is inline: one load of the armed sources, the busy guard and the
 * provider's enabled word. */
static inline bool shim_capturing(int source_bit, bool may_init)
{
    int armed = __atomic_load_n(&shim_armed, __ATOMIC_ACQUIRE);
    if (__builtin_expect(!(armed & source_bit), 0)) {
        /* Passive, or not this source: no call at all. */
        if (!may_init || __atomic_load_n(&shim_state, __ATOMIC_RELAXED) != SHIM_UNINIT)
            return false;
        return shim_capturing_slow(source_bit, may_init);
    }
    if (__builtin_expect(shim_tls_busy != 0, 0))
        return shim_capturing_slow(source_bit, may_init);
    return shim_sets_any_enabled();
}

/* Descriptors must be followed whenever stderr, stdout, syslog or the
 * journal (their sockets) is captured at all, whether or not anyone
 * listens right now. */
static inline bool shim_tracking_fds(void)
{
    return __atomic_load_n(&shim_armed, __ATOMIC_ACQUIRE) &
           (SHIM_ARM_STDERR | SHIM_ARM_STDOUT | SHIM_ARM_SYSLOG | SHIM_ARM_JOURNAL);
}

/* ---- per-thread state (thread.c) ----------------------------------------- */

typedef struct shim_thread shim_thread;

/* Sizes every later thread context (with line assemblers for stdout only
 * when `with_stdout`: stdout is captured); creates the thread-exit key.
 * Returns 0 or an errno. */
int shim_thread_setup(size_t max_message_bytes, bool with_stdout);

/* This thread's context, created on first use (or a context a finished
 * thread gave back); NULL if it cannot be made (out of memory, or this is a
 * vfork child). Never calls libc's malloc: contexts are mmap'ed, so it is
 * safe in a signal handler. */
static inline shim_thread *shim_thread_get(void);

/* This thread's context (thread.c), NULL until shim_thread_get made it. */
extern __thread shim_thread *shim_tls_thread SHIM_TLS;

/* shim_thread_get for a thread without a context yet. */
shim_thread *shim_thread_make(void);

/* Engine state and builder of `thread`, created on its first message
 * (from the shim's mmap heap, alloc.c), the state made anew when it was
 * made for another config than `config` (NULL: any state will do, as for
 * the grouper's patterns). Returns false when out of memory. */
static inline bool shim_thread_engine(shim_thread *thread, const ehs_config *config,
                                      ehs_thread_state **state, ehd_builder **builder);

/* The sources a context assembles lines of: stderr, stdout. */
enum { SHIM_OUTPUTS = 2 };

/* A thread's printf formatting stream (io_tee.c). */
typedef struct shim_tee shim_tee;

/* The part of a context every message reads, at its start (thread.c), so
 * that shim_thread_engine answers inline once both are made. */
typedef struct shim_thread_hot {
    ehs_thread_state *engine;  /* NULL until the thread's first message */
    const ehs_config *engine_config; /* the config `engine` was made for */
    uint64_t now_ms;           /* the message's clock reading (emit.c), for rate
                                  limits; 0: none taken */
    ehd_builder *builder;      /* NULL until the first event; kept with the context */
    shim_tee *tee;             /* printf formatting stream, NULL until used */
    shim_line lines[SHIM_OUTPUTS]; /* bytes not yet ending in '\n': stderr's,
                                      stdout's (no storage unless captured) */
} shim_thread_hot;

/* shim_thread_line of a source other than stderr (thread.c). */
shim_line *shim_thread_line_other(shim_thread *thread, ehs_source source);

/* shim_thread_engine when something is to be made first. */
bool shim_thread_engine_slow(shim_thread *thread, const ehs_config *config,
                             ehs_thread_state **state, ehd_builder **builder);

static inline bool shim_thread_engine(shim_thread *thread, const ehs_config *config,
                                      ehs_thread_state **state, ehd_builder **builder)
{
    shim_thread_hot *hot = (shim_thread_hot *)thread;
    if (__builtin_expect(hot->builder == NULL || hot->engine == NULL ||
                             (config != NULL &&
                              __atomic_load_n(&hot->engine_config, __ATOMIC_ACQUIRE) != config),
                         0))
        return shim_thread_engine_slow(thread, config, state, builder);
    /* A new message: no clock reading yet. */
    hot->now_ms = 0;
    *state = hot->engine;
    *builder = hot->builder;
    return true;
}

/* The current config, pinned for a build of `thread` until
 * shim_thread_unpin_config: no reload frees it meanwhile. One pin per
 * thread at a time (the busy guard keeps builds from nesting). */
const ehs_config *shim_thread_pin_config(shim_thread *thread);
void shim_thread_unpin_config(shim_thread *thread);

/* The clock reading (ms of CLOCK_MONOTONIC_COARSE) taken for the message
 * being built: its rate limits read no other. Call after
 * shim_thread_engine, which clears it for each message. */
void shim_thread_set_clock(shim_thread *thread, uint64_t now_ms);

/* Does any thread pin `config` now? (reload.c, before freeing it) */
bool shim_threads_pin(const ehs_config *config);

/* `config` is about to be freed: every thread whose engine state was made
 * for it makes a new one on its next message, even if a later config
 * comes to live at the same address. */
void shim_threads_forget_config(const ehs_config *config);

/* ---- reloading the config (reload.c) ------------------------------------- */

/* Loads the config at `path` into *out. Returns 0, or an errno with *out
 * NULL, the first problem in `why` (FILE:LINE:COL: ..., as ehshim check
 * words it) and how many there are in *problems. */
int shim_config_read(const char *path, ehs_config **out, char *why, size_t why_size,
                     size_t *problems);

/* At set-up, with the config loaded from `path` (NULL: the built-in one).
 * Returns 0 or an errno. */
int shim_reload_setup(const char *path, const ehs_config *config);

/* The config in force's reload_check_ms; 0: no reloads (any more). */
extern uint32_t shim_reload_check_ms;

/* Whether the config in force asks for reloads: one load. Acquire: a thread
 * that sees reloads end (a config without "reload" put in force) sees that
 * config too, and no config is freed after. */
static inline bool shim_reload_enabled(void)
{
    return __atomic_load_n(&shim_reload_check_ms, __ATOMIC_ACQUIRE) != 0;
}

/* On the message path, before the build pins the config: looks at the
 * file when its check is due at `now_ms` (shim_clock_ms), and loads it if
 * it changed. Never in a signal handler; one thread at a time. */
void shim_reload_check(shim_thread *thread, uint64_t now_ms);

/* At exit: reports of what replaced configs' rate limits still hold back. */
void shim_reload_final_reports(shim_thread *thread);

/* In a fork child. */
void shim_reload_after_fork(void);

/* In a fork child: forgets what the replaced configs' rate limits held back
 * (the parent reports it). */
void shim_reload_forget_suppressed(void);

/* EHSHIM_DEBUG=1: the reload counters. */
void shim_reload_report(void);

/* The line assembler of `thread` for `source` (EHS_SOURCE_STDERR, or
 * EHS_SOURCE_STDOUT while stdout is captured; NULL for anything else): one
 * per source, so that a stdout line never joins a stderr line. Its
 * capacity is max_message_bytes + 6 (lines.h). Only `thread` itself feeds
 * it; whoever ends the process reads and empties it
 * (shim_thread_exit_process). A vfork child must use
 * shim_thread_vfork_line instead. */
static inline shim_line *shim_thread_line(shim_thread *thread, ehs_source source)
{
    if (__builtin_expect(source == EHS_SOURCE_STDERR, 1))
        return &((shim_thread_hot *)thread)->lines[0];
    return shim_thread_line_other(thread, source);
}

/* The line assembler for `source` of the vfork child `child` of `thread`
 * (which shares the parent's memory while the parent waits); NULL as for
 * shim_thread_line. Both sources' are emptied when the child is not the
 * one that used them last. */
shim_line *shim_thread_vfork_line(shim_thread *thread, pid_t child, ehs_source source);

/* Scratch space of `thread` for formatting (printf-style and wide messages,
 * another thread's line copied at exit), never NULL; stores its size in
 * *capacity: max_message_bytes + 7 (a whole line of shim_thread_line and a
 * NUL), at least 1024, 16-byte aligned. One user at a time: what it holds
 * lasts until the next use on this thread. */
char *shim_thread_scratch(shim_thread *thread, size_t *capacity);

/* The top of this thread's work stack (made now if need be, mmap only);
 * NULL without memory. */
void *shim_thread_work_stack(shim_thread *thread);

/* A thread's copy spaces: one per user that may hold one at the same
 * time (fflush(NULL) watches stderr and stdout at once). */
enum { SHIM_COPY_STREAM = 0, SHIM_COPY_SECOND_STREAM = 1, SHIM_COPY_JOURNAL = 2,
       SHIM_COPY_SLOTS = 3 };

/* At least `size` bytes of copy space `slot` (SHIM_COPY_*) of this thread
 * (grown as needed; what it held is kept only up to its old size); NULL
 * without memory. */
char *shim_thread_copy_space(shim_thread *thread, int slot, size_t size);

/* Where this thread keeps its tee (io_tee.c); NULL in the slot until made. */
static inline shim_tee **shim_thread_tee_slot(shim_thread *thread)
{
    return &((shim_thread_hot *)thread)->tee;
}

/* Before exec replaces this process image: emits the calling thread's
 * unfinished lines (in a vfork child, the child's own), unless inside the
 * shim. Keeps errno. */
void shim_flush_calling_thread(void);

/* True when the calling thread has unfinished stderr or stdout text (its
 * own, or a vfork child's). */
bool shim_thread_line_waiting(void);

/* At process exit: emits the calling thread's unfinished lines, then every
 * other thread's (they end with the process). Call with the busy guard. */
void shim_thread_exit_process(void);

/* Before _exit, _Exit or abort ends the process: shim_thread_exit_process
 * unless inside the shim; in a vfork child, only the child's lines. */
void shim_flush_before_process_end(void);

/* In a fork child: forgets the unfinished lines inherited from the parent
 * (the parent will finish and emit them) and frees the contexts of the
 * threads that did not come along. */
void shim_thread_after_fork(void);

/* The grouper of `thread` for `source` and its lock word (group.c), or NULL
 * when the config groups no lines of that source ("multiline"). */
ehs_grouper *shim_thread_grouper(shim_thread *thread, ehs_source source, uintptr_t **lock);

/* The contexts threads are using now, for walking them all: the first, and
 * the one after `thread` (NULL at the end). Another thread may take or give
 * one back meanwhile: a walker may see a context just given back. */
shim_thread *shim_thread_first(void);
shim_thread *shim_thread_next(shim_thread *thread);

/* ---- multi-line records (group.c) ------------------------------------------ */

/* Milliseconds of the coarse monotonic clock (no system call): hold time. */
uint64_t shim_group_clock(void);

/* Feeds `count` bytes written in one call to `line`, the assembler of
 * grouped `source` of `thread` (the calling thread); its completed lines go
 * through `grouper`, the thread's for the source (lock word `word`:
 * shim_thread_grouper), knowing which came in this one write. */
void shim_group_feed(shim_thread *thread, ehs_source source, ehs_grouper *grouper, uintptr_t *word,
                     shim_line *line, const char *bytes, size_t count);

/* One completed line of `owner`'s grouped `source`, built by `emitter`
 * (the calling thread; another thread's lines only at process exit): into
 * `owner`'s record, or an event of its own when another thread is at work
 * on that grouper. */
void shim_group_line(shim_thread *owner, shim_thread *emitter, ehs_source source,
                     const char *text, size_t len);

/* Ends `owner`'s open record of `source`, if any, as an event built by
 * `emitter` (skipped when another thread is at work on it). */
void shim_group_flush(shim_thread *owner, shim_thread *emitter, ehs_source source);

/* Which sources the config groups (set up once, read-only after). */
extern bool shim_grouped_sources[EHS_SOURCE_COUNT];
static inline bool shim_source_grouped(ehs_source source)
{
    return shim_grouped_sources[source];
}

/* Records open in all threads (group.c). */
extern unsigned shim_open_records;

void shim_group_check_held_now(shim_thread *self);

/* At a write of `self`: ends every thread's record whose hold time has
 * passed (looking at most every 50 ms, and only while one is open). */
static inline void shim_group_check_held(shim_thread *self)
{
    if (__builtin_expect(__atomic_load_n(&shim_open_records, __ATOMIC_RELAXED) != 0, 0))
        shim_group_check_held_now(self);
}

/* In a fork child, after shim_thread_after_fork: no record is open here. */
void shim_group_after_fork(void);

/* ---- messages (emit.c) ----------------------------------------------------- */

/* Turns one message into an event of its set, counting what happened
 * (shim_count): `text` is `len` bytes without the newline, `ident` NULL
 * means "". Writes nothing once the shim disarmed (shim_armed 0). On a
 * signal's alternate stack it builds on the thread's work stack when it
 * can. Keeps errno. */
void shim_emit(shim_thread *thread, ehs_source source, const char *ident, int priority,
               const char *text, size_t len);

/* shim_emit of a message the caller filled in (ident and all; exe is
 * filled in here): a journal entry with its fields. */
void shim_emit_message(shim_thread *thread, ehs_message *message);

/* At process exit, after every line was emitted: a "Suppressed" event for
 * each rate limit still holding back events no report counted. */
void shim_emit_final_reports(shim_thread *thread);

/* The line sinks of stderr and stdout: one completed line of `thread`
 * becomes an event of that source. */
void shim_stderr_line_done(void *thread, const char *text, size_t len);
void shim_stdout_line_done(void *thread, const char *text, size_t len);

/* Adds bytes written to `source` (EHS_SOURCE_STDERR or EHS_SOURCE_STDOUT)
 * to this thread's line assembler of that source; every completed line
 * becomes one event. Call with the busy guard held. */
void shim_output_feed(ehs_source source, const char *bytes, size_t count);

/* shim_output_feed for a caller that holds `thread`, this thread's
 * context, found earlier in the same call (the printf tee). */
void shim_thread_feed(shim_thread *thread, ehs_source source, const char *bytes, size_t count);

/* shim_output_feed to stderr: what glibc's reporters print. */
static inline void shim_stderr_feed(const char *bytes, size_t count)
{
    shim_output_feed(EHS_SOURCE_STDERR, bytes, count);
}
/* shim_stderr_feed of a NUL-terminated `text`; NULL feeds nothing. */
void shim_stderr_feed_str(const char *text);

/* Formats `format` with `args` (with errno set to `caller_errno`, for %m)
 * into the thread's scratch space and feeds the result to `source`, cut to
 * that space. Only where glibc prints by itself (a wide stderr, a thread
 * without its tee); elsewhere the tee formats once. */
void shim_output_feed_vformat(ehs_source source, int caller_errno, const char *format,
                              va_list args);

/* ---- buffered streams (io_buffered.c) ------------------------------------ */

/* At exit, before glibc's own flush: feeds what waits in the buffers of
 * stderr and stdout, as what their descriptors are (stderr, stdout). Call
 * with the busy guard. */
void shim_stream_feed_waiting_at_exit(void);

/* ---- wide streams (io_wide.c) ------------------------------------------- */

/* `stream` printed wide text; `just_now`: it was unoriented before, so it
 * took the calling thread's locale for its conversions now. */
void shim_wide_oriented(FILE *stream, bool just_now);

/* ---- formatting once (io_tee.c) ------------------------------------------- */

/*
 * The real vfprintf (or __vfprintf_chk with `flag` when `checked`) of
 * `format` and `args` onto `stream`, formatted once: what the stream takes
 * is fed as bytes of `source` (EHS_SOURCE_STDERR, EHS_SOURCE_STDOUT).
 * Holds the stream's lock for the call. Returns
 * false, with `args` untouched, when this thread has no tee (no memory, a
 * wide stream): call the real function then. Otherwise *result is what
 * the real call returns (with errno). Call with the busy guard held.
 */
bool shim_tee_vfprintf(ehs_source source, FILE *stream, int checked, int flag,
                       const char *format, va_list args, int *result);

/* The same for dprintf's descriptor `fd`. */
bool shim_tee_vdprintf(ehs_source source, int fd, int checked, int flag, const char *format,
                       va_list args, int *result);

/* fprintf/vfprintf to stderr through the tee, result ignored (the glibc
 * reporters return nothing). Only after shim_tee_available(). */
void shim_tee_stderr_printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
void shim_tee_stderr_vprintf(const char *format, va_list args);

/* Quiet: the tee prints without feeding anything (for a call made while
 * nobody listens). Per thread; set and cleared around one call. */
void shim_tee_quiet(bool quiet);

/* True when this thread has its tee (made now if need be). */
bool shim_tee_available(void);

/* ---- descriptors that are stderr or stdout (fdtrack.c) ---------------------- */

/* Descriptors followed: 0 .. SHIM_FD_LIMIT - 1. */
#define SHIM_FD_LIMIT 1024

/* Per descriptor, what it was marked as: EHS_SOURCE_STDERR,
 * EHS_SOURCE_STDOUT, or 0 (neither). Written by fdtrack.c only. */
extern uint8_t shim_fd_kinds[SHIM_FD_LIMIT];

/* Starts following descriptors: fd 2 is stderr, as it is now, and with
 * `with_stdout` (stdout is captured) fd 1 is stdout. */
void shim_fd_track_init(bool with_stdout);

/* Cheap pre-check (one load, no system call): what `fd` was marked as,
 * EHS_SOURCE_STDERR or EHS_SOURCE_STDOUT; EHS_SOURCE_ANY (0) for neither.
 * Async-signal-safe. */
static inline ehs_source shim_fd_marked(int fd)
{
    if (fd < 0 || fd >= SHIM_FD_LIMIT)
        return EHS_SOURCE_ANY;
    return (ehs_source)__atomic_load_n(&shim_fd_kinds[fd], __ATOMIC_ACQUIRE);
}

/* Cheap pre-check (no system call): could `fd` be stderr? */
static inline bool shim_fd_maybe_stderr(int fd)
{
    return shim_fd_marked(fd) == EHS_SOURCE_STDERR;
}

/* Every SHIM_FD_RECHECK_EVERY-th captured write of a thread checks every
 * marked descriptor against its file (fdtrack.c). */
#define SHIM_FD_RECHECK_EVERY 64

/* What `fd` is right now: its mark as the interposers keep it, every
 * SHIM_FD_RECHECK_EVERY-th call of a thread checked with fstat (of each
 * marked descriptor); EHS_SOURCE_ANY (0) for neither. errno kept. */
static inline ehs_source shim_fd_source(int fd);

/* Captured writes of this thread since it last checked (fdtrack.c). */
extern __thread unsigned shim_tls_fd_writes_unchecked SHIM_TLS;

/* shim_fd_source of the write that checks: every marked descriptor
 * against its file, then `fd`'s mark. */
ehs_source shim_fd_source_checked(int fd);

static inline ehs_source shim_fd_source(int fd)
{
    ehs_source kind = shim_fd_marked(fd);
    if (kind == EHS_SOURCE_ANY)
        return EHS_SOURCE_ANY;
    if (__builtin_expect(++shim_tls_fd_writes_unchecked < SHIM_FD_RECHECK_EVERY, 1))
        return kind;
    return shim_fd_source_checked(fd);
}

/* Is `fd` stderr right now (shim_fd_source)? */
bool shim_fd_is_stderr(int fd);

/* After a successful dup, dup2, dup3 or F_DUPFD of `from` onto `to`: `to`
 * is what `from` is now (stderr, stdout: same file, asked with one fstat),
 * else it stops being either. Descriptors from SHIM_FD_LIMIT up are not
 * followed. Lock-free and async-signal-safe. */
void shim_fd_copied(int from, int to);

/* After the program closed `fd` (even a failed close releases it) or
 * opened a new file on its number: `fd` is neither stderr nor stdout any
 * more. Lock-free and async-signal-safe, no system call. */
void shim_fd_closed(int fd);

/* shim_fd_closed for every descriptor from `first` to `last` (inclusive;
 * close_range, closefrom). */
void shim_fd_closed_range(unsigned first, unsigned last);

/* After libc changed descriptors `first` .. `last` through its internal
 * calls (daemon, login_tty): each marked one is checked with fstat now and
 * unmarked unless it still refers to the file it was marked on. errno
 * kept; async-signal-safe. */
void shim_fd_recheck(int first, int last);

/* The SHIM_ARM_* bit of `source`; 0 for EHS_SOURCE_ANY. */
static inline int shim_arm_bit(ehs_source source)
{
    switch (source) {
    case EHS_SOURCE_STDERR: return SHIM_ARM_STDERR;
    case EHS_SOURCE_SYSLOG: return SHIM_ARM_SYSLOG;
    case EHS_SOURCE_JOURNAL: return SHIM_ARM_JOURNAL;
    case EHS_SOURCE_STDOUT: return SHIM_ARM_STDOUT;
    default: return 0;
    }
}

/* `source` when it is among `sources` (SHIM_ARM_* bits) and armed, else
 * EHS_SOURCE_ANY. */
static inline ehs_source shim_source_if_armed(ehs_source source, int sources)
{
    int armed = __atomic_load_n(&shim_armed, __ATOMIC_ACQUIRE);
    return (shim_arm_bit(source) & sources & armed) != 0 ? source : EHS_SOURCE_ANY;
}

/* What `fd` is right now (shim_fd_source) when that source is one of
 * `sources` (SHIM_ARM_* bits) and armed; EHS_SOURCE_ANY (0) otherwise.
 * errno kept. */
static inline ehs_source shim_fd_captured(int fd, int sources)
{
    return shim_source_if_armed(shim_fd_source(fd), sources);
}

/* ---- descriptors that send to the syslog socket (fdsock.c) --------------- */

enum {
    SHIM_SOCK_NONE = 0,
    SHIM_SOCK_SYSLOG = 1,        /* a datagram socket sending to /dev/log */
    SHIM_SOCK_SYSLOG_STREAM = 2, /* a stream socket connected to /dev/log */
    SHIM_SOCK_JOURNAL = 3,       /* a datagram socket sending to the journal's
                                    native socket */
    SHIM_SOCK_LIMIT = 1024,      /* descriptors followed: 0 .. SHIM_SOCK_LIMIT - 1 */
};

extern uint8_t shim_sock_kinds[SHIM_SOCK_LIMIT];

/* Cheap pre-check (one load, no system call): could `fd` be a syslog
 * socket connected by the program? Async-signal-safe. */
static inline bool shim_sock_maybe(int fd)
{
    return fd >= 0 && fd < SHIM_SOCK_LIMIT &&
           __builtin_expect(__atomic_load_n(&shim_sock_kinds[fd], __ATOMIC_RELAXED) != 0, 0);
}

/* `kind` when its source (syslog or the journal) is armed, else
 * SHIM_SOCK_NONE. */
static inline int shim_sock_armed_kind(int kind)
{
    int arm = kind == SHIM_SOCK_JOURNAL ? SHIM_ARM_JOURNAL : SHIM_ARM_SYSLOG;
    return __atomic_load_n(&shim_armed, __ATOMIC_ACQUIRE) & arm ? kind : SHIM_SOCK_NONE;
}

/* The kind of `fd` (SHIM_SOCK_*), checked against the socket it was marked
 * on (one fstat when marked). Async-signal-safe; errno kept. */
int shim_sock_kind(int fd);

/* The kind of a send on `fd` to `address` (NULL or length 0: where `fd` is
 * connected). Costs stat calls only when the address differs from the
 * previous one sent to on `fd`. Async-signal-safe; errno kept. */
int shim_sock_kind_to(int fd, const struct sockaddr *address, socklen_t length);

/* After a successful connect of `fd` to `address`: marks or unmarks it.
 * errno kept. */
void shim_sock_connected(int fd, const struct sockaddr *address, socklen_t length);

/* Descriptor bookkeeping, called by shim_fd_copied and shim_fd_closed. */
void shim_sock_copied(int from, int to);
void shim_sock_closed(int fd);

/* A send of kind `kind` on `fd` returned `sent` (negative: failed, nothing
 * is emitted): a datagram, the first `sent` bytes of `iov`, becomes a
 * syslog event; on a stream those bytes go to its assembler
 * (sock_stream.c), and every message they complete becomes one. Call with
 * the busy guard held; errno kept. */
void shim_sock_sent(int fd, int kind, const struct iovec *iov, size_t iovcnt, ssize_t sent);

/* Ends a captured send that returned `sent`: shim_sock_sent, then leaves
 * the busy guard (entered before the send); returns `sent` with the send's
 * errno. */
ssize_t shim_sock_send_done(int fd, int kind, const struct iovec *iov, size_t iovcnt,
                            ssize_t sent);

/* A send to the journal's socket returned `sent` (negative: failed, nothing
 * is emitted): the entry in the first `sent` bytes of `iov`, or in the
 * memfd `message` passes when the datagram is empty (`message` may be NULL),
 * becomes one journal event (io_journal.c). Call with the busy guard held;
 * errno kept. */
void shim_journal_sent(const struct msghdr *message, const struct iovec *iov, size_t iovcnt,
                       ssize_t sent);

/* Receives one message of a syslog stream (header included, framing not);
 * `bytes` is valid only during the call. */
typedef void shim_sock_message_fn(const char *bytes, size_t len);

/* The assembler of stream socket `fd` (sock_stream.c): made (or emptied)
 * when the program connects it; fed by shim_sock_sent; at close, the
 * unfinished message is passed to `emit` (NULL: dropped) and the assembler
 * emptied. Thread-safe for one descriptor; allocation only in _open. */
void shim_sock_stream_open(int fd, size_t max_message_bytes);
void shim_sock_stream_sent(int fd, const struct iovec *iov, size_t iovcnt, size_t sent,
                           shim_sock_message_fn *emit);
void shim_sock_stream_closed(int fd, shim_sock_message_fn *emit);

/* A stream syslog socket is being closed: its unfinished message, if any,
 * becomes an event (when syslog is captured). errno kept. */
void shim_sock_stream_flush(int fd);

/* ---- the shim's own descriptor (ownfd.c) ----------------------------------- */

/* Moves the provider's descriptor out of the way of fixed numbers. */
void shim_own_fd_setup(void);

/* Is `fd` the shim's own descriptor? False for negative numbers and once the
 * shim gave its descriptor up. One atomic load: safe anywhere. */
bool shim_is_own_fd(int fd);

/* The shim's own descriptor, -1 when none. */
int shim_own_fd(void);

/* The program is about to dup2/dup3 onto `fd`: if it is ours, move it;
 * with no number left to move to, give it up and stop capturing. */
void shim_own_fd_make_way(int fd);

/* A write failed with EBADF: if the shim's descriptor is closed (a raw
 * close_range), give it up and stop capturing before the program reuses
 * the number. */
void shim_own_fd_check_closed(void);

/* ---- counters (stats.c) ----------------------------------------------------- */

typedef enum shim_counter {
    SHIM_COUNT_LINES,       /* messages seen (syslog calls, stderr lines) */
    SHIM_COUNT_WRITTEN,     /* events written */
    SHIM_COUNT_DISABLED,    /* built but nobody listened to its set */
    SHIM_COUNT_RULE_DROP,   /* dropped by a rule or the default */
    SHIM_COUNT_CONVERSION,  /* captures that did not convert (became null) */
    SHIM_COUNT_WRITE_ERROR, /* the backend write failed, or no memory */
    SHIM_COUNT_TRUNCATED,   /* messages cut to max_message_bytes */
    SHIM_COUNT_SUPPRESSED,  /* held back by a rate limit (reported in "Suppressed") */
    SHIM_COUNTER_KINDS
} shim_counter;

/* The counters are read by the EHSHIM_DEBUG=1 report only, so only then are
 * they kept: debugging is turned on at set-up, before anything can be
 * counted, and never off (diag.c). The adds are shared atomic ones; every
 * captured line would pay for two. */
extern bool shim_debug_enabled;
void shim_count_add(ehs_source source, shim_counter counter, unsigned long n);
void shim_count_abandoned_add(void);
void shim_count_report_add(void);

/* Adds `n` to `counter` of `source` (EHS_SOURCE_ANY counts, but is never
 * reported); a source out of range is ignored. Relaxed atomic add:
 * thread- and signal-safe. */
static inline void shim_count(ehs_source source, shim_counter counter, unsigned long n)
{
    if (__builtin_expect(shim_debug_enabled, 0))
        shim_count_add(source, counter, n);
}
/* An intercepted call was left by a signal handler's siglongjmp before its
 * text was captured (signals.c found its busy guard abandoned). */
static inline void shim_count_abandoned(void)
{
    if (shim_debug_enabled)
        shim_count_abandoned_add();
}
/* A rate limit's "Suppressed" event was built (its write is counted with
 * the source of the message that found it due, or stderr at exit). */
static inline void shim_count_report(void)
{
    if (shim_debug_enabled)
        shim_count_report_add();
}
/* Zeroes every counter, the abandoned calls too; the fork child handler
 * calls it, so that a child reports only its own work. */
void shim_stats_reset(void);
/* Writes the counters to fd 2 (EHSHIM_DEBUG=1 only). */
void shim_stats_report(void);

/* ---- before libc is set up (startup.c) ------------------------------------ */

/* getenv, also before libc's constructor has set `environ`. */
const char *shim_getenv(const char *name);

/* program_invocation_short_name as it is now, also before libc has set it:
 * what glibc itself prints (warn, err) at this moment. */
const char *shim_program_name_now(void);

/* Copies the program's short name and its executable's file name; call once
 * at set-up, before anything may rewrite argv. */
void shim_identity_setup(void);

/* The program's short name as it was at set-up: the ident of stderr lines
 * (and of syslog without openlog). Never NULL. */
const char *shim_program_name(void);
/* What shim_identity_setup copied (startup.c), read by the two below,
 * which every line asks: inline. */
extern char shim_program_name_copy[256];
extern size_t shim_program_name_length;
extern char shim_exe_name_copy[256];
extern size_t shim_exe_name_length; /* 0: unknown */
extern bool shim_identity_ready;

/* shim_program_name with its length in *len (per line: no strlen). */
static inline const char *shim_program_name_len(size_t *len)
{
    if (__atomic_load_n(&shim_identity_ready, __ATOMIC_ACQUIRE)) {
        *len = shim_program_name_length;
        return shim_program_name_copy;
    }
    const char *name = shim_program_name_now();
    *len = strlen(name);
    return name;
}

/* The file name of the executable as it was at set-up, with its length in
 * *len; NULL (and 0) when unknown. */
static inline const char *shim_exe_name(size_t *len)
{
    if (!__atomic_load_n(&shim_identity_ready, __ATOMIC_ACQUIRE) || shim_exe_name_length == 0) {
        *len = 0;
        return NULL;
    }
    *len = shim_exe_name_length;
    return shim_exe_name_copy;
}

/* ---- diagnostics (diag.c) --------------------------------------------------- */

/* EHSHIM_DEBUG=1 was set (and the process is not secure-execution). */
extern bool shim_debug_enabled;

/* Turns debugging on and notes which file fd 2 is now: the shim's messages
 * go to fd 2 only while it still refers to that file, never into whatever
 * the program puts there later (a data file, a socket). */
void shim_debug_enable(void);

/* Writes "ehshim: <message>\n" to fd 2 with the real write, when debugging
 * and fd 2 is still the stderr of shim_debug_enable. */
void shim_debug(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* ---- exec (exec_env.c) ------------------------------------------------------ */

/* Config said inherit: false: exec'd programs lose our LD_PRELOAD entry. */
extern bool shim_exec_strip_preload;

/* Remembers which file this library is, to find it in LD_PRELOAD later. */
void shim_exec_setup(void);

/* ---- fork (fork.c) ------------------------------------------------------------ */

/* Installs the pthread_atfork handlers and the fork marker. Returns 0 or an
 * errno. */
int shim_fork_setup(void);

/* Zero in a child forked without atfork handlers (_Fork, raw system
 * calls); NULL when the kernel cannot tell. */
extern volatile unsigned char *shim_fork_marker;

/* Such a child was detected: do what the atfork child handler does. */
void shim_fork_detected(void);

/* Cheap: one load. Call before touching per-thread state. */
static inline void shim_fork_check(void)
{
    volatile unsigned char *marker = shim_fork_marker;
    if (__builtin_expect(marker != NULL && *marker == 0, 0))
        shim_fork_detected();
}

static inline shim_thread *shim_thread_get(void)
{
    shim_fork_check();
    shim_thread *thread = shim_tls_thread;
    if (__builtin_expect(thread != NULL, 1))
        return thread;
    return shim_thread_make();
}

#endif /* SHIM_H */
