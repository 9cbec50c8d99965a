/*
 * The randomized event generator of the round-trip tests. It drives a real
 * ehd_builder and records, item by item, what the decoder must report for
 * the event it built. The same seed gives the same events everywhere, so the
 * unit test (builder -> decoder) and the kernel test (builder -> user_events
 * -> perf -> decoder) check the very same events.
 *
 * No test framework here: problems are recorded in `problem` for the caller
 * to assert on.
 */
#ifndef TESTS_LIB_ROUNDTRIP_GEN_H
#define TESTS_LIB_ROUNDTRIP_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ehd/ehd.h"
#include "ehd/ehd_decode.h"

enum {
    RT_MAX_EXPECTED = 2048, /* items one event may produce */
    RT_MAX_DEPTH = 3,       /* struct nesting the generator goes to */
    RT_VALUE_MAX = 512,     /* bytes of one expected value */
};

/* The seed both round-trip tests start from unless told otherwise. */
#define RT_DEFAULT_SEED 0x9E3779B97F4A7C15ULL

/* Provider name of every generated event's tracepoint. */
#define RT_PROVIDER "RoundTrip"

/* One item the decoder must report. */
typedef struct rt_expected_item {
    ehd_item_kind kind;
    char name[24];
    uint8_t encoding;
    uint8_t array_flags;
    uint8_t format;
    uint16_t tag;
    uint16_t array_count;
    uint16_t array_index;
    uint8_t depth;
    size_t value_size;
    uint8_t value[RT_VALUE_MAX];
} rt_expected_item;

/* Header values of one generated event: what the builder was given. */
typedef struct rt_event {
    char name[32];
    uint16_t tag;
    uint16_t id;
    uint8_t version;
    uint8_t opcode;
    uint8_t level;
    uint64_t keyword;
    uint8_t activity[16];
    uint8_t related[16];
    unsigned activity_kind;  /* 0 none, 1 activity id, 2 activity and related ids */
    char tracepoint[EHD_NAME_MAX]; /* RT_PROVIDER with this level and keyword */
} rt_event;

/* Generator state; large (the expected items), keep it static or on the heap. */
typedef struct rt_generator {
    uint64_t state;                 /* xorshift64* state, never 0 */
    ehd_builder *builder;           /* holds the last generated event */
    rt_expected_item items[RT_MAX_EXPECTED]; /* what the decoder must report, in order */
    size_t count;                   /* entries of `items` for the last event */
    unsigned field_serial;          /* numbers the field names f0, f1, ... */
    const char *problem;            /* NULL, or why the last event is not usable */
    rt_expected_item spill;         /* written instead of `items` once they are full */
} rt_generator;

/* Starts `g` at `seed` (0 becomes 1). Returns 0 or ENOMEM. */
int rt_generator_init(rt_generator *g, uint64_t seed);

/* Frees the builder's buffers. */
void rt_generator_destroy(rt_generator *g);

/*
 * Builds the next event into g->builder (header values in `event`, the
 * expected items in g->items[0..g->count)). Write it with the event's
 * level, activity and related ids (ehd_builder_copy_event or _write).
 * Returns false with g->problem set when the event could not be generated
 * as intended.
 */
bool rt_generate(rt_generator *g, rt_event *event);

/* The ids to pass when writing `event`: NULL when it has none. */
const void *rt_event_activity(const rt_event *event);
const void *rt_event_related(const rt_event *event);

#endif /* TESTS_LIB_ROUNDTRIP_GEN_H */
