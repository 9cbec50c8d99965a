/*
 * From a message to an event: the rules engine builds it into this thread's
 * builder, the set for its (level, keyword) carries it. Also the output side
 * of the line assemblers: bytes of stderr or stdout in, one event per
 * completed line, each source in lines of its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lines.h"
#include "shim.h"
#include "writer_ids.h"

/* Writes the event in `builder` to the set of `outcome`, counted for
 * `source`. */
static inline __attribute__((always_inline)) void
write_built(ehd_builder *builder, const ehs_outcome *outcome, ehs_source source)
{
    shim_count(source, SHIM_COUNT_CONVERSION, outcome->conversion_failures);
    if (outcome->truncated)
        shim_count(source, SHIM_COUNT_TRUNCATED, 1);
    ehd_event_set *set = shim_sets_get(outcome->level, outcome->keyword);
    if (!ehd_event_set_enabled(set)) {
        shim_count(source, SHIM_COUNT_DISABLED, 1);
        return;
    }
    int err = shim_builder_write(builder, set);
    /* EBADF: the listener went away between the check and the write, or
     * the program closed the shim's descriptor behind its back. */
    if (err == EBADF)
        shim_own_fd_check_closed();
    shim_count(source,
               err == 0       ? SHIM_COUNT_WRITTEN
               : err == EBADF ? SHIM_COUNT_DISABLED
                              : SHIM_COUNT_WRITE_ERROR,
               1);
}

/* `message` as its source's event; its exe is filled in here. Inline in
 * both callers: on the common one (shim_emit_message) it is the whole of
 * the call. */
static inline __attribute__((always_inline)) void emit_now(shim_thread *thread, ehs_message *message)
{
    int saved_errno = errno;
    ehs_source source = message->source;
    shim_count(source, SHIM_COUNT_LINES, 1);
    /* Disarmed after set-up: the shim gave its descriptor up (ownfd.c), and
     * the number may be one of the program's files by now. */
    if (__atomic_load_n(&shim_armed, __ATOMIC_ACQUIRE) == 0) {
        shim_count(source, SHIM_COUNT_DISABLED, 1);
        errno = saved_errno;
        return;
    }
    /* Without reloads the config never changes: nothing to pin. */
    const ehs_config *config;
    bool pinned = shim_reload_enabled();
    uint64_t now = 0;
    if (__builtin_expect(pinned, 0)) {
        /* The one clock reading of the message: the reload check's, and
         * its rate limits'. */
        now = shim_clock_ms();
        shim_reload_check(thread, now);
        config = shim_thread_pin_config(thread);
    } else {
        config = shim_config_current();
    }
    ehs_thread_state *state;
    ehd_builder *builder;
    if (!shim_thread_engine(thread, config, &state, &builder)) {
        shim_count(source, SHIM_COUNT_WRITE_ERROR, 1);
        if (pinned)
            shim_thread_unpin_config(thread);
        errno = saved_errno;
        return;
    }
    if (pinned)
        shim_thread_set_clock(thread, now);
    message->exe = shim_exe_name(&message->exe_len);
    ehs_outcome outcome;
    memset(&outcome, 0, sizeof(outcome));
    int result;
    /* A rate limit's report of events it held back comes before the
     * message that found it due. */
    while ((result = ehs_engine_build(config, state, message, builder, &outcome)) == EHS_REPORT) {
        shim_count_report();
        write_built(builder, &outcome, source);
    }
    if (result == EHS_BUILT)
        write_built(builder, &outcome, source);
    else
        shim_count(source, result == EHS_SUPPRESSED ? SHIM_COUNT_SUPPRESSED : SHIM_COUNT_RULE_DROP,
                   1);
    if (pinned)
        shim_thread_unpin_config(thread);
    errno = saved_errno;
}

void shim_emit_final_reports(shim_thread *thread)
{
    int saved_errno = errno;
    shim_reload_final_reports(thread);
    const ehs_config *config = shim_config_current();
    ehs_thread_state *state;
    ehd_builder *builder;
    if (config == NULL || config->rate_windows == NULL ||
        !shim_thread_engine(thread, NULL, &state, &builder)) {
        errno = saved_errno;
        return;
    }
    ehs_outcome outcome;
    while (ehs_engine_build_final_report(config, state, builder, &outcome) == EHS_REPORT) {
        shim_count_report();
        write_built(builder, &outcome, EHS_SOURCE_STDERR);
    }
    errno = saved_errno;
}

/* One shim_emit_message call, carried onto the work stack. */
typedef struct emit_call {
    shim_thread *thread;
    ehs_message *message;
} emit_call;

static void emit_on_work_stack(void *context)
{
    const emit_call *call = context;
    emit_now(call->thread, call->message);
}

/* shim_emit_message, inline in the line sinks: a line's way to its event
 * is one call from the write that completed it. */
static inline __attribute__((always_inline)) void emit_message(shim_thread *thread,
                                                              ehs_message *message)
{
    /* A handler on the alternate stack: the rules engine and the builder
     * need more stack than such a handler may have left. */
    if (__builtin_expect(shim_on_alternate_stack(), 0) && shim_stack_switch_supported()) {
        void *top = shim_thread_work_stack(thread);
        if (top != NULL) {
            emit_call call = { thread, message };
            shim_call_on_stack(emit_on_work_stack, &call, top);
            return;
        }
    }
    emit_now(thread, message);
}

void shim_emit_message(shim_thread *thread, ehs_message *message)
{
    emit_message(thread, message);
}

static inline __attribute__((always_inline)) void
emit_with_ident(shim_thread *thread, ehs_source source, const char *ident, size_t ident_len,
                int priority, const char *text, size_t len)
{
    ehs_message message = {
        .source = source,
        .ident = ident,
        .ident_len = ident_len,
        .priority = priority,
        .text = text,
        .len = len,
    };
    emit_message(thread, &message);
}

void shim_emit(shim_thread *thread, ehs_source source, const char *ident, int priority,
               const char *text, size_t len)
{
    if (ident == NULL)
        ident = "";
    emit_with_ident(thread, source, ident, strlen(ident), priority, text, len);
}

/* One completed line of `thread`: into its record when the source is
 * grouped, else an event of its own. */
static inline __attribute__((always_inline)) void line_done(shim_thread *thread, ehs_source source,
                                                         const char *text, size_t len)
{
    uintptr_t *lock;
    if (__builtin_expect(shim_source_grouped(source), 0) &&
        shim_thread_grouper(thread, source, &lock) != NULL) {
        shim_group_line(thread, thread, source, text, len);
    } else {
        size_t ident_len;
        const char *ident = shim_program_name_len(&ident_len);
        emit_with_ident(thread, source, ident, ident_len, 0, text, len);
    }
}

static inline __attribute__((always_inline)) void stderr_line(void *thread, const char *text,
                                                              size_t len)
{
    line_done(thread, EHS_SOURCE_STDERR, text, len);
}

static inline __attribute__((always_inline)) void stdout_line(void *thread, const char *text,
                                                              size_t len)
{
    line_done(thread, EHS_SOURCE_STDOUT, text, len);
}

void shim_stderr_line_done(void *thread, const char *text, size_t len)
{
    stderr_line(thread, text, len);
}

void shim_stdout_line_done(void *thread, const char *text, size_t len)
{
    stdout_line(thread, text, len);
}

/* Feeds `count` bytes of `source` to the line assembler of `thread`. */
static inline __attribute__((always_inline)) void feed(shim_thread *thread, ehs_source source,
                                                       const char *bytes, size_t count)
{
    shim_line *line = shim_thread_line(thread, source);
    if (line == NULL)
        return;
    /* A vfork child runs on its parent's memory: its text must neither
     * join the parent's unfinished line nor leave one behind for it. Only
     * then is it worth a system call to ask which process this is. */
    if (shim_line_pending(line) || bytes[count - 1] != '\n') {
        int saved_errno = errno;
        pid_t pid = getpid();
        errno = saved_errno;
        if (pid != shim_pid)
            line = shim_thread_vfork_line(thread, pid, source);
    }
    shim_group_check_held(thread);
    uintptr_t *lock;
    ehs_grouper *grouper;
    if (__builtin_expect(shim_source_grouped(source), 0) &&
        (grouper = shim_thread_grouper(thread, source, &lock)) != NULL) {
        shim_group_feed(thread, source, grouper, lock, line, bytes, count);
        return;
    }
    /* Each sink a constant, so the assembler and the sink are inlined. */
    if (source == EHS_SOURCE_STDOUT)
        shim_line_feed(line, bytes, count, stdout_line, thread);
    else
        shim_line_feed(line, bytes, count, stderr_line, thread);
}

void shim_thread_feed(shim_thread *thread, ehs_source source, const char *bytes, size_t count)
{
    if (count == 0)
        return;
    /* The caller found `thread` earlier in the same call; a fork since
     * (a printf handler's) is still noticed before its state is touched. */
    shim_fork_check();
    feed(thread, source, bytes, count);
}

void shim_output_feed(ehs_source source, const char *bytes, size_t count)
{
    if (count == 0)
        return;
    shim_thread *thread = shim_thread_get();
    if (thread != NULL)
        shim_thread_feed(thread, source, bytes, count);
}

void shim_stderr_feed_str(const char *text)
{
    if (text != NULL)
        shim_stderr_feed(text, strlen(text));
}

void shim_output_feed_vformat(ehs_source source, int caller_errno, const char *format,
                              va_list args)
{
    shim_thread *thread = shim_thread_get();
    if (thread == NULL)
        return;
    size_t capacity;
    char *text = shim_thread_scratch(thread, &capacity);
    errno = caller_errno;
    int n = vsnprintf(text, capacity, format, args);
    if (n <= 0)
        return;
    /* Memory stays bounded by the config: a longer text is cut (the tee,
     * io_tee.c, is the path that sees all of it). */
    size_t len = (size_t)n < capacity ? (size_t)n : capacity - 1;
    shim_thread_feed(thread, source, text, len);
}
