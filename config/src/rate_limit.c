/*
 * Rate-limit windows (rate_limit.h). Two packed words carry what must change
 * together:
 *
 *   window.word   start of the window (ms) << COUNT_BITS | events passed in it
 *   next          earliest report due (ms) << EPOCH_BITS | epoch
 *
 * The epoch counts windows that began holding suppressed events. A sweep
 * that found nothing due raises `next` to the earliest pending window only
 * if no window began suppressing since the sweep started (the epoch is
 * unchanged), so a report is never left waiting for the exit.
 */
#include <stdlib.h>
#include <time.h>

#include "rate_limit.h"

enum { COUNT_BITS = 24, EPOCH_BITS = 24, TIME_BITS = 40 };
#define COUNT_MASK ((UINT64_C(1) << COUNT_BITS) - 1)
#define EPOCH_MASK ((UINT64_C(1) << EPOCH_BITS) - 1)
#define TIME_MASK ((UINT64_C(1) << TIME_BITS) - 1)
/* `next` when no report is pending. */
#define NEVER TIME_MASK

/* One producer's window, padded to a cache line's size, as threads hammer
 * them (calloc'd, not aligned_alloc'd: the shim wraps only malloc's family). */
typedef struct window {
    uint64_t word;          /* start << COUNT_BITS | passed */
    uint64_t suppressed;    /* not reported yet */
    uint64_t report_due;    /* ms: end of the window the first of them fell in */
    uint64_t keyword;       /* of the first of them */
    uint64_t total;         /* suppressed over the window's life */
    ehs_rate_limit limit;
    char pad[64 - 5 * sizeof(uint64_t) - sizeof(ehs_rate_limit)];
} window;
_Static_assert(sizeof(window) == 64, "a window fills one cache line");

struct ehs_rate_windows {
    uint64_t next;          /* due << EPOCH_BITS | epoch */
    size_t count;
    window *windows;
};

static inline uint64_t pack_next(uint64_t due, uint64_t epoch)
{
    return (due & TIME_MASK) << EPOCH_BITS | (epoch & EPOCH_MASK);
}

ehs_rate_windows *ehs_rate_windows_new(const ehs_rate_limit *limits, size_t count)
{
    ehs_rate_windows *windows = calloc(1, sizeof(*windows));
    if (windows == NULL)
        return NULL;
    if (count != 0) {
        windows->windows = calloc(count, sizeof(window));
        if (windows->windows == NULL) {
            free(windows);
            return NULL;
        }
        for (size_t i = 0; i < count; i++)
            windows->windows[i].limit = limits[i];
    }
    windows->count = count;
    windows->next = pack_next(NEVER, 0);
    return windows;
}

void ehs_rate_windows_free(ehs_rate_windows *windows)
{
    if (windows == NULL)
        return;
    free(windows->windows);
    free(windows);
}

uint64_t ehs_rate_clock_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return ((uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000) & TIME_MASK;
}

/* Lowers `next` to `due` and counts a window that began suppressing. */
static void note_pending(ehs_rate_windows *windows, uint64_t due)
{
    uint64_t next = __atomic_load_n(&windows->next, __ATOMIC_ACQUIRE);
    for (;;) {
        uint64_t earliest = next >> EPOCH_BITS;
        uint64_t wanted = pack_next(due < earliest ? due : earliest, (next & EPOCH_MASK) + 1);
        if (__atomic_compare_exchange_n(&windows->next, &next, wanted, true, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return;
    }
}

bool ehs_rate_admit(ehs_rate_windows *windows, size_t slot, uint8_t level, uint64_t keyword,
                    uint64_t now_ms)
{
    if (windows == NULL || slot >= windows->count)
        return true;
    window *w = &windows->windows[slot];
    const ehs_rate_limit *limit = &w->limit;
    if (limit->burst == 0 || (level != 0 && level <= 2 && !limit->errors))
        return true;
    now_ms &= TIME_MASK;
    uint64_t word = __atomic_load_n(&w->word, __ATOMIC_ACQUIRE);
    uint64_t start;
    for (;;) {
        start = word >> COUNT_BITS;
        uint64_t wanted;
        /* A clock read before another thread rolled the window is older
         * than its start: it counts in the window it finds. */
        if (now_ms >= start && now_ms - start >= limit->interval_ms)
            wanted = now_ms << COUNT_BITS | 1;
        else if ((word & COUNT_MASK) < limit->burst)
            wanted = word + 1;
        else
            break;
        if (__atomic_compare_exchange_n(&w->word, &word, wanted, true, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return true;
    }
    __atomic_fetch_add(&w->total, 1, __ATOMIC_RELAXED);
    if (__atomic_fetch_add(&w->suppressed, 1, __ATOMIC_ACQ_REL) == 0) {
        uint64_t due = (start + limit->interval_ms) & TIME_MASK;
        __atomic_store_n(&w->keyword, keyword, __ATOMIC_RELAXED);
        __atomic_store_n(&w->report_due, due, __ATOMIC_RELEASE);
        note_pending(windows, due);
    }
    return false;
}

bool ehs_rate_take_report(ehs_rate_windows *windows, uint64_t now_ms, bool everything,
                          ehs_rate_report *out)
{
    if (windows == NULL)
        return false;
    now_ms &= TIME_MASK;
    uint64_t next = __atomic_load_n(&windows->next, __ATOMIC_ACQUIRE);
    if (!everything && now_ms < next >> EPOCH_BITS)
        return false;
    uint64_t earliest = NEVER;
    for (size_t i = 0; i < windows->count; i++) {
        window *w = &windows->windows[i];
        if (__atomic_load_n(&w->suppressed, __ATOMIC_ACQUIRE) == 0)
            continue;
        uint64_t due = __atomic_load_n(&w->report_due, __ATOMIC_ACQUIRE);
        if (everything || now_ms >= due) {
            uint64_t count = __atomic_exchange_n(&w->suppressed, 0, __ATOMIC_ACQ_REL);
            if (count == 0)
                continue; /* another thread took it */
            *out = (ehs_rate_report){
                .slot = i,
                .count = count,
                .keyword = __atomic_load_n(&w->keyword, __ATOMIC_RELAXED),
                .interval_ms = w->limit.interval_ms,
            };
            /* `next` stays where it is: the next build sweeps again and
             * takes the next report or raises it. */
            return true;
        }
        if (due < earliest)
            earliest = due;
    }
    if (!everything)
        __atomic_compare_exchange_n(&windows->next, &next, pack_next(earliest, next & EPOCH_MASK),
                                    false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
    return false;
}

void ehs_rate_windows_forget(ehs_rate_windows *windows)
{
    for (size_t i = 0; windows != NULL && i < windows->count; i++) {
        __atomic_store_n(&windows->windows[i].suppressed, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&windows->windows[i].total, 0, __ATOMIC_RELAXED);
    }
    if (windows != NULL)
        __atomic_store_n(&windows->next, pack_next(NEVER, 0), __ATOMIC_RELEASE);
}

uint64_t ehs_rate_suppressed_total(const ehs_rate_windows *windows)
{
    uint64_t total = 0;
    for (size_t i = 0; windows != NULL && i < windows->count; i++)
        total += __atomic_load_n(&windows->windows[i].total, __ATOMIC_RELAXED);
    return total;
}
