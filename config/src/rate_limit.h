/*
 * Rate limits at run time: one window per rate-limited producer (a rule, or
 * one source's default event), shared by every thread that builds with the
 * config.
 *
 * Everything is a lock-free atomic: the shim builds events in signal
 * handlers too, and a handler interrupting its own thread inside a locked
 * window would deadlock. A window's start and the events let through in it
 * are one 64-bit word, so a window rolls over and counts in one
 * compare-and-swap and never lets more than its burst through.
 */
#ifndef EHS_RATE_LIMIT_H
#define EHS_RATE_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ehs/ehs_config.h"
#include "ehs/ehs_engine.h"

/* The largest burst: the count shares a word with the window's start. */
#define EHS_RATE_BURST_MAX 10000000u
/* The longest window, one day. */
#define EHS_RATE_INTERVAL_MAX 86400000u

typedef struct ehs_rate_windows ehs_rate_windows;

/* Windows for `count` producers, each limited by limits[i] (burst 0: that
 * producer is unlimited). Returns NULL when out of memory. */
ehs_rate_windows *ehs_rate_windows_new(const ehs_rate_limit *limits, size_t count);

/* Frees what ehs_rate_windows_new made; NULL is fine. No build may use it. */
void ehs_rate_windows_free(ehs_rate_windows *windows);

/* Milliseconds of CLOCK_MONOTONIC_COARSE: a vDSO read, async-signal-safe. */
uint64_t ehs_rate_clock_ms(void);

/* Does the event of producer `slot`, at `level`, go out at `now_ms`? False:
 * it is suppressed and counted, to be reported with `keyword` (the first
 * suppressed event's keyword in a report). Unlimited producers, and levels
 * 1 and 2 unless the limit says `errors`, always pass. Thread-safe. */
bool ehs_rate_admit(ehs_rate_windows *windows, size_t slot, uint8_t level, uint64_t keyword,
                    uint64_t now_ms);

/* One report of suppressed events. */
typedef struct ehs_rate_report {
    size_t slot;            /* the producer */
    uint64_t count;         /* events suppressed since its last report */
    uint64_t keyword;       /* of the first of them */
    uint32_t interval_ms;   /* the producer's window */
} ehs_rate_report;

/* Takes one report that is due at `now_ms` (a window with suppressed
 * events has ended), or with `everything`, any window's pending count (at
 * exit). Each suppressed event is reported exactly once. False when there
 * is none. Cheap when nothing is due: one load. Thread-safe. */
bool ehs_rate_take_report(ehs_rate_windows *windows, uint64_t now_ms, bool everything,
                          ehs_rate_report *out);

/* Forgets every count of suppressed events (ehs_config_forget_suppressed). */
void ehs_rate_windows_forget(ehs_rate_windows *windows);

/* Events suppressed over the windows' life, reported or not. Thread-safe. */
uint64_t ehs_rate_suppressed_total(const ehs_rate_windows *windows);

/* Builds the "Suppressed" event of `report` (ehs_engine.h) into `builder`
 * and fills `outcome`. Returns EHS_REPORT. (engine_rate_report.c) */
int ehs_build_rate_report(const ehs_config *config, const ehs_rate_report *report,
                          ehd_builder *builder, ehs_outcome *outcome);

#endif /* EHS_RATE_LIMIT_H */
