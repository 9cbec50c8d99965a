/*
 * Grouping lines into records: what the "multiline" key of a config says
 * for a source, applied to one stream of lines (the shim keeps one grouper
 * per thread and source; `ehshim parse` one per source of its input).
 *
 * A grouper is a data structure over caller-provided storage. It allocates
 * nothing and makes no system call of its own (the clock, when given, is
 * the caller's), so the shim can run it in the write path. It is not
 * thread-safe: one thread at a time per grouper; the caller serialises.
 *
 * Lines come without their '\n'. A line outside any record that cannot
 * start one is passed to the sink at once, from the caller's bytes, without
 * a copy: that is the path every single-line message takes.
 */
#ifndef EHS_GROUP_H
#define EHS_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ehs/ehs_config.h"
#include "ehs/ehs_engine.h"

/* One finished message: a record of one or more lines. */
typedef struct ehs_record {
    const char *text;     /* its lines joined with '\n', no final '\n'; valid only
                             during the sink call */
    size_t len;
    uint32_t lines;       /* lines in it, >= 1 (lines cut for max_bytes count too) */
    uint8_t detector;     /* 0: no built-in detector grouped it; else 1 + the
                             detector's index (ehs_message.record_detector) */
    bool cut;             /* bytes of it were left out for max_bytes */
    bool cr_removed;      /* each line's final '\r' was removed already (strip_cr):
                             the engine must not remove another */
} ehs_record;

/* Receives each finished record, in order. May not call back into the
 * grouper that called it. */
typedef void ehs_record_sink(void *context, const ehs_record *record);

/* Milliseconds of a monotonic clock, for hold_ms; called only while a
 * record is open. */
typedef uint64_t ehs_group_clock(void);

/* Flags of ehs_grouper_line. */
enum {
    EHS_LINE_SAME_WRITE = 1u,    /* an earlier line came in the same write() or
                                    stdio call */
    EHS_LINE_MORE_IN_WRITE = 2u, /* a later complete line comes in the same call */
    EHS_LINE_WRITES_KNOWN = 4u,  /* the caller knows where writes end: without
                                    EHS_LINE_MORE_IN_WRITE, this line ends its write */
};

typedef struct ehs_grouper {
    const ehs_multiline *spec;
    ehs_group_clock *clock;   /* NULL: no hold time (records end by their lines,
                                 their caps, or ehs_grouper_flush) */
    char *storage;            /* `capacity` bytes, the caller's */
    size_t capacity;
    size_t len;               /* bytes of the record's lines */
    size_t held;              /* bytes of tentative lines after them, each with its
                                 '\n' in front */
    uint32_t lines;
    uint32_t held_lines;
    size_t write_held;        /* "write": bytes of `held` before the first line of
                                 the current write, when that line is held */
    uint32_t write_held_lines; /* lines of `held` before it; UINT32_MAX: no line
                                 of the current write is held */
    uint32_t state;           /* the owning detector's */
    int owner;                /* who grouped the open record (group.c); -1: none */
    bool cut;
    uint64_t last_ms;         /* clock reading at the record's last line */
} ehs_grouper;

/* Bytes of storage a grouper of `spec` wants: spec->max_bytes. */
size_t ehs_grouper_storage_size(const ehs_multiline *spec);

/* Prepares `grouper`; `storage` holds `capacity` (>= 1) bytes; `clock` may
 * be NULL. `spec` must outlive it. */
void ehs_grouper_init(ehs_grouper *grouper, const ehs_multiline *spec, char *storage,
                      size_t capacity, ehs_group_clock *clock);

/*
 * Adds one line (`flags`: EHS_LINE_*). Passes every record it finishes to
 * `sink` (none, one or several: an open record, its tentative lines as
 * messages of their own, then this line alone). `state` is the calling
 * thread's engine state, for the "start", "continue" and "end" patterns;
 * it may be NULL only when the spec has none of them.
 */
void ehs_grouper_line(ehs_grouper *grouper, ehs_thread_state *state, const char *line,
                      size_t len, unsigned flags, ehs_record_sink *sink, void *context);

/* Passes the open record, if any, to `sink` and empties the grouper. */
void ehs_grouper_flush(ehs_grouper *grouper, ehs_record_sink *sink, void *context);

/* Ends the open record if it has waited hold_ms since its last line (by
 * the grouper's clock); true when it did. */
bool ehs_grouper_expire(ehs_grouper *grouper, ehs_record_sink *sink, void *context);

/* True while a record is open. */
static inline bool ehs_grouper_open(const ehs_grouper *grouper)
{
    return grouper->owner >= 0;
}

/* Forgets the open record without passing it on. */
void ehs_grouper_discard(ehs_grouper *grouper);

#endif /* EHS_GROUP_H */
