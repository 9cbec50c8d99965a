/*
 * Multi-line records in the shim: each thread's completed lines of a
 * grouped source go through that thread's grouper (ehs/ehs_group.h), so
 * lines of other threads never land in a record, and the lines one write()
 * completes are known to belong together ("write": true).
 *
 * A record waits in its thread's context until a line ends it, or until
 * its hold time has passed, which any thread checks when it writes: the
 * shim takes no thread, timer or signal of the program's. So a checker may
 * touch another thread's grouper; each grouper has a lock word holding the
 * context of whoever works on it. Checkers only ever try it once; the
 * owner waits for a checker a bounded time, then passes its lines on one
 * event each rather than wait on: a checker ended by a siglongjmp out of
 * a signal handler could hold it forever. A word naming the owner itself
 * (its own siglongjmp) is taken back.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

/* Records open in all threads: while none is, writers check nothing. */
unsigned shim_open_records;
/* Milliseconds at which writers next look at other threads' records. */
static uint64_t next_check_ms;
/* How often they look: a tenth of the hold time would also do, but the
 * config's shortest hold is what it is, and a scan is cheap. */
enum { CHECK_EVERY_MS = 50 };
/* Spins an owner waits for a checker that holds its grouper (about a
 * millisecond): a checker holds it for one event. */
enum { OWNER_SPINS = 1 << 15 };
/* Spins whoever ends the process waits for a thread still at work on its
 * grouper. */
enum { EXIT_SPINS = 1 << 17 };

uint64_t shim_group_clock(void)
{
    struct timespec now;
    /* The coarse clock is read from the vDSO without a system call; a few
     * milliseconds of resolution are plenty for a hold time. */
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &now) != 0)
        return 0;
    return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

/*
 * Takes the lock word for `self`, spinning at most `spins` times. A word
 * that names `self` already is taken back: `self` left it held (a
 * siglongjmp out of a signal handler), or held the same context before
 * (contexts are reused). A word another live thread holds is never taken
 * from it: two threads in one grouper would double or tear a record. The
 * caller does without the grouper instead.
 */
static bool lock_within(shim_thread *self, uintptr_t *word, unsigned spins)
{
    uintptr_t me = (uintptr_t)self;
    for (unsigned i = 0;; i++) {
        uintptr_t expected = 0;
        if (__atomic_compare_exchange_n(word, &expected, me, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED) ||
            expected == me)
            return true;
        if (i >= spins)
            return false;
        __builtin_ia32_pause();
    }
}

static void unlock(uintptr_t *word)
{
    __atomic_store_n(word, 0, __ATOMIC_RELEASE);
}

/* Keeps shim_open_records right across one operation on `grouper`. A
 * decrement never goes below zero: a fork from a signal handler may have
 * reset the count under an interrupted operation. */
static void count_change(bool was_open, const ehs_grouper *grouper)
{
    bool is_open = ehs_grouper_open(grouper);
    if (is_open && !was_open) {
        __atomic_add_fetch(&shim_open_records, 1, __ATOMIC_RELAXED);
    } else if (was_open && !is_open) {
        unsigned n = __atomic_load_n(&shim_open_records, __ATOMIC_RELAXED);
        while (n > 0 && !__atomic_compare_exchange_n(&shim_open_records, &n, n - 1, true,
                                                     __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            ;
    }
}

/* A thread at work on another thread's grouper must not be cancelled
 * there: the lock word would name a thread that is gone. */
static int hold_off_cancel(void)
{
    int old = PTHREAD_CANCEL_ENABLE;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    return old;
}

static void allow_cancel(int old)
{
    pthread_setcancelstate(old, NULL);
}

/* What one batch of lines (one write, or a flush) shares. */
typedef struct group_feed {
    shim_thread *emitter;   /* whose engine builds the events */
    ehs_source source;
    ehs_grouper *grouper;
    const char *next;       /* "write": the bytes of the write after the last
                               line passed on; NULL outside a write */
    const char *end;
    unsigned lines;         /* lines of this write so far */
} group_feed;

static void record_done(void *context, const ehs_record *record)
{
    const group_feed *feed = context;
    const char *ident = shim_program_name();
    ehs_message message = {
        .source = feed->source,
        .ident = ident,
        .ident_len = strlen(ident),
        .text = record->text,
        .len = record->len,
        .record_lines = record->lines,
        .record_detector = record->detector,
        .record_cut = record->cut,
        .record_cr_removed = record->cr_removed,
    };
    shim_emit_message(feed->emitter, &message);
}

/* The engine state for the grouper's patterns; NULL when it has none (or
 * no memory: then the patterns match nothing). */
static ehs_thread_state *pattern_state(const group_feed *feed)
{
    const ehs_multiline *spec = feed->grouper->spec;
    if (spec->start == NULL && spec->more == NULL && spec->end == NULL)
        return NULL;
    ehs_thread_state *state;
    ehd_builder *builder;
    return shim_thread_engine(feed->emitter, NULL, &state, &builder) ? state : NULL;
}

/* Whether this is a vfork child, which runs on its parent's memory: it
 * must neither join nor leave a record there. Asked only when a record is
 * or would be open, so single lines pay no system call. */
static bool in_vfork_child(void)
{
    int saved_errno = errno;
    bool child = getpid() != shim_pid;
    errno = saved_errno;
    return child;
}

static void group_line(group_feed *feed, const char *text, size_t len, unsigned flags)
{
    ehs_grouper *grouper = feed->grouper;
    bool was_open = ehs_grouper_open(grouper);
    if (was_open && in_vfork_child()) {
        record_done(feed, &(ehs_record){ .text = text, .len = len, .lines = 1 });
        return;
    }
    ehs_grouper_line(grouper, pattern_state(feed), text, len, flags, record_done, feed);
    if (!was_open && ehs_grouper_open(grouper) && in_vfork_child())
        ehs_grouper_flush(grouper, record_done, feed);
    count_change(was_open, grouper);
}

/* The line sink of a grouped write: works out the EHS_LINE_* flags. */
static void line_of_write(void *context, const char *text, size_t len)
{
    group_feed *feed = context;
    unsigned flags = 0;
    if (feed->next != NULL) {
        flags |= EHS_LINE_WRITES_KNOWN;
        if (feed->lines++ > 0)
            flags |= EHS_LINE_SAME_WRITE;
        /* A line passed straight from the write's bytes ends where it says;
         * one assembled from earlier pieces ends at the write's first '\n'. */
        const char *newline = text >= feed->next && text + len < feed->end && text[len] == '\n'
                                  ? text + len
                                  : memchr(feed->next, '\n', (size_t)(feed->end - feed->next));
        if (newline != NULL) {
            feed->next = newline + 1;
            if (memchr(feed->next, '\n', (size_t)(feed->end - feed->next)) != NULL)
                flags |= EHS_LINE_MORE_IN_WRITE;
        }
    }
    group_line(feed, text, len, flags);
}

/* The line sink while a checker keeps the grouper: one event per line. */
static void line_alone(void *context, const char *text, size_t len)
{
    const group_feed *feed = context;
    shim_emit(feed->emitter, feed->source, shim_program_name(), 0, text, len);
}

void shim_group_feed(shim_thread *thread, ehs_source source, ehs_grouper *grouper, uintptr_t *word,
                     shim_line *line, const char *bytes, size_t count)
{
    if (!lock_within(thread, word, OWNER_SPINS)) {
        group_feed alone = { .emitter = thread, .source = source, .grouper = grouper };
        shim_line_feed(line, bytes, count, line_alone, &alone);
        return;
    }
    group_feed feed = {
        .emitter = thread,
        .source = source,
        .grouper = grouper,
        .next = grouper->spec->write_bounds ? bytes : NULL,
        .end = bytes + count,
    };
    shim_line_feed(line, bytes, count, line_of_write, &feed);
    unlock(word);
}

void shim_group_line(shim_thread *owner, shim_thread *emitter, ehs_source source,
                     const char *text, size_t len)
{
    uintptr_t *word;
    ehs_grouper *grouper = shim_thread_grouper(owner, source, &word);
    int cancel = owner != emitter ? hold_off_cancel() : 0;
    if (lock_within(emitter, word, owner == emitter ? OWNER_SPINS : EXIT_SPINS)) {
        group_feed feed = { .emitter = emitter, .source = source, .grouper = grouper };
        group_line(&feed, text, len, 0);
        unlock(word);
    } else {
        shim_emit(emitter, source, shim_program_name(), 0, text, len);
    }
    if (owner != emitter)
        allow_cancel(cancel);
}

void shim_group_flush(shim_thread *owner, shim_thread *emitter, ehs_source source)
{
    uintptr_t *word;
    ehs_grouper *grouper = shim_thread_grouper(owner, source, &word);
    if (grouper == NULL || !ehs_grouper_open(grouper))
        return;
    int cancel = owner != emitter ? hold_off_cancel() : 0;
    /* Another thread ending the process waits a while for the owner: the
     * record is lost only if the owner stays in the middle of a write. */
    if (lock_within(emitter, word, owner == emitter ? OWNER_SPINS : EXIT_SPINS)) {
        group_feed feed = { .emitter = emitter, .source = source, .grouper = grouper };
        bool was_open = ehs_grouper_open(grouper); /* a checker may have ended it */
        ehs_grouper_flush(grouper, record_done, &feed);
        count_change(was_open, grouper);
        unlock(word);
    }
    if (owner != emitter)
        allow_cancel(cancel);
}

/* Ends `owner`'s record of `source` if its hold time has passed. */
static void expire(shim_thread *owner, shim_thread *emitter, ehs_source source)
{
    uintptr_t *word;
    ehs_grouper *grouper = shim_thread_grouper(owner, source, &word);
    if (grouper == NULL || !ehs_grouper_open(grouper))
        return;
    int cancel = hold_off_cancel();
    if (lock_within(emitter, word, 0)) {
        group_feed feed = { .emitter = emitter, .source = source, .grouper = grouper };
        bool was_open = ehs_grouper_open(grouper);
        ehs_grouper_expire(grouper, record_done, &feed);
        count_change(was_open, grouper);
        unlock(word);
    }
    allow_cancel(cancel);
}

void shim_group_check_held_now(shim_thread *self)
{
    uint64_t now = shim_group_clock();
    if (now < __atomic_load_n(&next_check_ms, __ATOMIC_RELAXED))
        return;
    __atomic_store_n(&next_check_ms, now + CHECK_EVERY_MS, __ATOMIC_RELAXED);
    /* A vfork child runs on its parent's memory: the records there are the
     * parent's to end, under the parent's pid. */
    int saved_errno = errno;
    bool child = getpid() != shim_pid;
    errno = saved_errno;
    if (child)
        return;
    for (shim_thread *t = shim_thread_first(); t != NULL; t = shim_thread_next(t)) {
        expire(t, self, EHS_SOURCE_STDERR);
        expire(t, self, EHS_SOURCE_STDOUT);
    }
}

void shim_group_after_fork(void)
{
    /* The child's contexts were emptied (shim_thread_after_fork): the
     * parent's records stay the parent's to emit. */
    __atomic_store_n(&shim_open_records, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&next_check_ms, 0, __ATOMIC_RELAXED);
}
