/*
 * Rate limits: the "rate_limit" keys and their errors, the windows on a
 * clock the test steps (bursts, roll-overs, reports before the message that
 * finds them due, levels 1 and 2, per-rule and per-source windows, the final
 * reports, a fork child forgetting its parent's counts), the event sets a
 * limit adds, and eight threads sharing the windows: every message either
 * built once or suppressed and reported once.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/config_text.h"

#include "ehd/ehd.h"
#include "ehd/ehd_decode.h"
#include "ehs/ehs_config.h"
#include "ehs/ehs_engine.h"

static void test_keys(void **unused)
{
    (void)unused;
    ehs_config *config = test_config_load(
        "{\"rate_limit\": {\"burst\": 10},\n"
        " \"default\": {\"rate_limit\": {\"burst\": 2, \"interval_ms\": 5, "
        "\"errors\": true}},\n"
        " \"rules\": [{\"name\": \"A\", \"kv\": true},\n"
        "  {\"name\": \"B\", \"kv\": true, \"rate_limit\": null},\n"
        "  {\"name\": \"C\", \"kv\": true, \"rate_limit\": {\"burst\": 7, "
        "\"interval_ms\": 100}}]}");
    assert_int_equal(config->rules[0].rate_limit.burst, 10);
    assert_int_equal(config->rules[0].rate_limit.interval_ms, 30000);
    assert_false(config->rules[0].rate_limit.errors);
    assert_int_equal(config->rules[1].rate_limit.burst, 0);
    assert_int_equal(config->rules[2].rate_limit.burst, 7);
    assert_int_equal(config->rules[2].rate_limit.interval_ms, 100);
    assert_int_equal(config->default_event.rate_limit.burst, 2);
    assert_int_equal(config->default_event.rate_limit.interval_ms, 5);
    assert_true(config->default_event.rate_limit.errors);
    assert_non_null(config->rate_windows);
    ehs_config_free(config);

    /* No limit anywhere: no windows, so builds never read the clock. */
    config = test_config_load("{\"rules\": [{\"name\": \"A\", \"kv\": true}]}");
    assert_null(config->rate_windows);
    ehs_config_free(config);
    /* A top-level limit reaches the default event too. */
    config = test_config_load("{\"rate_limit\": {\"burst\": 3}}");
    assert_int_equal(config->default_event.rate_limit.burst, 3);
    assert_non_null(config->rate_windows);
    ehs_config_free(config);

    test_config_refused("{\"rate_limit\": {}}",
                        "t.json:1:16: 'rate_limit' needs a 'burst' (events let "
                        "through per interval)");
    test_config_refused("{\"rate_limit\": {\"burst\": 0}}",
                        "t.json:1:26: 'burst' must be an integer 1..10000000");
    test_config_refused("{\"rate_limit\": {\"burst\": 1, \"interval_ms\": 0}}",
                        "t.json:1:44: 'interval_ms' must be an integer 1..86400000");
    test_config_refused("{\"rate_limit\": {\"burst\": 1, \"errors\": 1}}",
                        "t.json:1:39: 'errors' must be true or false, not a number");
    test_config_refused("{\"rate_limit\": {\"burst\": 1, \"intervall_ms\": 5}}",
                        "t.json:1:29: unknown key 'intervall_ms' in 'rate_limit' (did you mean "
                        "'interval_ms'?)");
    test_config_refused(
        "{\"rate_limit\": 5}",
        "t.json:1:16: 'rate_limit' must be an object with 'burst' (and 'interval_ms', "
        "'errors') or null, not a number");
    test_config_refused(
        "{\"rules\": [{\"name\": \"A\", \"kv\": true, \"rate_limit\": {\"burst\": -1}}]}",
        "t.json:1:62: 'burst' must be an integer 1..10000000");
}

/* ---- builds on a stepped clock ---- */

typedef struct harness {
    ehs_config *config;
    ehs_thread_state *state;
    ehd_builder *builder;
    uint64_t now;          /* ms, what the engine's clock reads */
    unsigned clock_reads;
    ehd_text json;
    uint8_t event[EHD_EVENT_MAX];
} harness;

static uint64_t stepped_clock(void *context)
{
    harness *h = context;
    h->clock_reads++;
    return h->now;
}

static harness *harness_new(const char *config_text)
{
    harness *h = calloc(1, sizeof(*h));
    assert_non_null(h);
    h->config = test_config_load(config_text);
    h->state = ehs_thread_state_new(h->config);
    h->builder = ehd_builder_new(NULL);
    assert_non_null(h->state);
    assert_non_null(h->builder);
    h->now = 1000000;
    h->json = (ehd_text)EHD_TEXT_INIT;
    ehs_thread_state_set_clock(h->state, stepped_clock, h);
    return h;
}

static void harness_free(harness *h)
{
    ehd_builder_free(h->builder);
    ehs_thread_state_free(h->state);
    ehs_config_free(h->config);
    ehd_text_free(&h->json);
    free(h);
}

/* The tracepoint name of provider "P" at `level`, keyword 0x2. */
static void tracepoint(char name[32], uint8_t level)
{
    snprintf(name, 32, "P_L%uK2", level);
}

/* The builder's event as a JSON line (provider "P", keyword 0x2). */
static const char *built_json(harness *h, const ehs_outcome *outcome)
{
    char name[32];
    tracepoint(name, outcome->level);
    size_t size = 0;
    assert_int_equal(ehd_builder_copy_event(h->builder, outcome->level, NULL, NULL, h->event,
                                            sizeof(h->event), &size),
                     0);
    ehd_text_clear(&h->json);
    assert_int_equal(ehd_decode_json(&h->json, name, strlen(name), h->event, size, NULL), 0);
    return h->json.chars;
}

/* One stderr message: the JSON lines it gives (reports first, then its own
 * event), each ending in '\n', "suppressed\n" when held back, "dropped\n"
 * when a rule dropped it. */
static char *send(harness *h, const char *text)
{
    ehs_message message = {
        .source = EHS_SOURCE_STDERR,
        .ident = "prog",
        .ident_len = 4,
        .text = text,
        .len = strlen(text),
    };
    static char out[8192];
    out[0] = '\0';
    ehs_outcome outcome;
    int result;
    while ((result = ehs_engine_build(h->config, h->state, &message, h->builder, &outcome)) ==
           EHS_REPORT) {
        strcat(out, built_json(h, &outcome));
        strcat(out, "\n");
    }
    if (result == EHS_BUILT) {
        strcat(out, built_json(h, &outcome));
        strcat(out, "\n");
    } else {
        strcat(out, result == EHS_SUPPRESSED ? "suppressed\n" : "dropped\n");
    }
    return out;
}

static char *final_reports(harness *h)
{
    static char out[8192];
    out[0] = '\0';
    ehs_outcome outcome;
    while (ehs_engine_build_final_report(h->config, h->state, h->builder, &outcome) ==
           EHS_REPORT) {
        strcat(out, built_json(h, &outcome));
        strcat(out, "\n");
    }
    return out;
}

static const char flood_config[] =
    "{\"rules\": [\n"
    " {\"name\": \"Flood\", \"regex\": \"^flood (?<n>\\\\d+)\", \"fields\": {\"n\": \"u32\"},\n"
    "  \"rate_limit\": {\"burst\": 2, \"interval_ms\": 1000}},\n"
    " {\"name\": \"Noise\", \"regex\": \"^noise\", \"rate_limit\": {\"burst\": 1, "
    "\"interval_ms\": 500}},\n"
    " {\"name\": \"Free\", \"regex\": \"^free\"}]}";

#define FLOOD(n)                                                                           \
    "{ \"n\": \"P:Flood\", \"n\": " #n ", \"msg\": \"flood " #n "\", \"ident\": \"prog\", "   \
    "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }\n"
#define REPORT(rule, count, burst, interval)                                               \
    "{ \"n\": \"P:Suppressed\", \"rule\": \"" rule "\", \"count\": " #count             \
    ", \"burst\": " #burst ", \"interval_ms\": " #interval ", \"msg\": \"Suppressed "      \
    #count " events of " rule " (rate_limit: " #burst " per " #interval " ms)\", "       \
    "\"meta\": { \"level\": 3, \"keyword\": \"0x2\" } }\n"

static void test_windows(void **unused)
{
    (void)unused;
    harness *h = harness_new(flood_config);
    assert_string_equal(send(h, "flood 1"), FLOOD(1));
    assert_string_equal(send(h, "flood 2"), FLOOD(2));
    assert_string_equal(send(h, "flood 3"), "suppressed\n");
    /* Each rule has its own window. */
    assert_string_equal(send(h, "noise"), "{ \"n\": \"P:Noise\", \"msg\": \"noise\", \"ident\": "
                                          "\"prog\", \"meta\": { \"level\": 4, \"keyword\": "
                                          "\"0x2\" } }\n");
    assert_string_equal(send(h, "noise"), "suppressed\n");
    /* Noise's window ended at 500 ms: its report comes with the next
     * message, whatever rule that message goes to, before its outcome. */
    h->now += 999;
    assert_string_equal(send(h, "flood 4"), REPORT("Noise", 1, 1, 500) "suppressed\n");
    /* Unlimited rules pass, and take no report due while nothing is. */
    assert_string_equal(send(h, "free"), "{ \"n\": \"P:Free\", \"msg\": \"free\", \"ident\": "
                                         "\"prog\", \"meta\": { \"level\": 4, \"keyword\": "
                                         "\"0x2\" } }\n");
    /* Flood's window ended at 1000 ms. */
    h->now += 1;
    assert_string_equal(send(h, "free"),
                        REPORT("Flood", 2, 2, 1000)
                        "{ \"n\": \"P:Free\", \"msg\": \"free\", \"ident\": \"prog\", \"meta\": { "
                        "\"level\": 4, \"keyword\": \"0x2\" } }\n");
    /* A new window. */
    assert_string_equal(send(h, "flood 5"), FLOOD(5));
    assert_string_equal(send(h, "flood 6"), FLOOD(6));
    assert_string_equal(send(h, "flood 7"), "suppressed\n");
    assert_string_equal(send(h, "flood 8"), "suppressed\n");
    assert_string_not_equal(send(h, "noise"), "suppressed\n");
    assert_string_equal(send(h, "noise"), "suppressed\n");
    /* Two reports due at once, in rule order, each once; one clock read
     * for the message however many reports it made. */
    h->now += 1000;
    h->clock_reads = 0;
    assert_string_equal(send(h, "free"),
                        REPORT("Flood", 2, 2, 1000) REPORT("Noise", 1, 1, 500)
                        "{ \"n\": \"P:Free\", \"msg\": \"free\", \"ident\": \"prog\", \"meta\": { "
                        "\"level\": 4, \"keyword\": \"0x2\" } }\n");
    assert_int_equal(h->clock_reads, 1);
    h->clock_reads = 0;
    send(h, "free");
    assert_int_equal(h->clock_reads, 1);
    assert_string_equal(send(h, "flood 9"), FLOOD(9));
    assert_string_equal(send(h, "flood 10"), FLOOD(10));
    assert_string_equal(send(h, "flood 11"), "suppressed\n");
    assert_int_equal(ehs_config_suppressed(h->config), 7);
    /* At the end, what no report counted yet, due or not; then nothing. */
    assert_string_equal(final_reports(h), REPORT("Flood", 1, 2, 1000));
    assert_string_equal(final_reports(h), "");
    harness_free(h);
}

static void test_levels(void **unused)
{
    (void)unused;
    /* Errors are never limited unless the limit says so: a service that
     * floods warnings must not hide its one error. */
    harness *h = harness_new("{\"rate_limit\": {\"burst\": 1}, \"rules\": [\n"
                             " {\"name\": \"E\", \"regex\": \"^E\", \"level\": \"error\"},\n"
                             " {\"name\": \"C\", \"regex\": \"^C\", \"level\": \"critical\"},\n"
                             " {\"name\": \"W\", \"regex\": \"^W\", \"level\": \"warning\"},\n"
                             " {\"name\": \"X\", \"regex\": \"^X\", \"level\": \"error\",\n"
                             "  \"rate_limit\": {\"burst\": 1, \"errors\": true}}]}");
    for (int i = 0; i < 3; i++) {
        assert_string_not_equal(send(h, "E"), "suppressed\n");
        assert_string_not_equal(send(h, "C"), "suppressed\n");
    }
    assert_string_not_equal(send(h, "W"), "suppressed\n");
    assert_string_equal(send(h, "W"), "suppressed\n");
    assert_string_not_equal(send(h, "X"), "suppressed\n");
    assert_string_equal(send(h, "X"), "suppressed\n");
    /* The default event of stderr, by a "<N>" prefix's level. */
    assert_string_not_equal(send(h, "<3>an error"), "suppressed\n");
    assert_string_not_equal(send(h, "<3>an error"), "suppressed\n");
    assert_string_not_equal(send(h, "plain"), "suppressed\n");
    assert_string_equal(send(h, "plain"), "suppressed\n");
    assert_int_equal(ehs_config_suppressed(h->config), 3);
    harness_free(h);
}

static void test_default_and_fork(void **unused)
{
    (void)unused;
    harness *h =
        harness_new("{\"default\": {\"rate_limit\": {\"burst\": 1, \"interval_ms\": 50}}}");
    assert_string_equal(send(h, "a"), "{ \"n\": \"P:Stderr\", \"msg\": \"a\", \"ident\": \"prog\", "
                                      "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }\n");
    assert_string_equal(send(h, "b"), "suppressed\n");
    assert_string_equal(send(h, "c"), "suppressed\n");
    /* What a fork child sees: its parent reports these two. */
    ehs_config_forget_suppressed(h->config);
    assert_string_equal(final_reports(h), "");
    assert_string_equal(send(h, "d"), "suppressed\n");
    h->now += 50;
    assert_string_equal(send(h, "e"), REPORT("Stderr", 1, 1, 50)
                        "{ \"n\": \"P:Stderr\", \"msg\": \"e\", \"ident\": \"prog\", \"meta\": { "
                        "\"level\": 4, \"keyword\": \"0x2\" } }\n");
    harness_free(h);
}

static void test_set_keys(void **unused)
{
    (void)unused;
    /* A fixed-level rule with a limit can also write level 3 (its reports). */
    ehs_config *config =
        test_config_load(
            "{\"capture\": {\"syslog\": false, \"journal\": false}, \"default\": {\"drop\": true},"
            " \"rules\": [{\"name\": \"A\", \"regex\": \"a\", \"level\": \"info\","
            " \"rate_limit\": {\"burst\": 1}}]}");
    ehs_set_key keys[8];
    assert_int_equal(ehs_config_set_keys(config, keys, 8), 2);
    assert_int_equal(keys[0].level, 3);
    assert_int_equal(keys[1].level, 4);
    assert_int_equal(keys[0].keyword, 2);
    ehs_config_free(config);
}

/* ---- threads ---- */

enum { THREADS = 8, PER_THREAD = 20000, BURST = 100 };

typedef struct shared_clock {
    uint64_t ticks; /* one per build: time moves as the threads log */
} shared_clock;

static uint64_t ticking_clock(void *context)
{
    shared_clock *c = context;
    return 1000000 + __atomic_fetch_add(&c->ticks, 1, __ATOMIC_RELAXED) / 64;
}

typedef struct worker {
    const ehs_config *config;
    shared_clock *clock;
    uint64_t built, suppressed, reported;
} worker;

/* The count of the "Suppressed" event in `builder`. */
static uint64_t report_count(ehd_builder *builder, uint8_t level)
{
    static __thread uint8_t event[EHD_EVENT_MAX];
    size_t size = 0;
    if (ehd_builder_copy_event(builder, level, NULL, NULL, event, sizeof(event), &size) != 0)
        return 0;
    ehd_text json = EHD_TEXT_INIT;
    unsigned long long count = 0;
    char name[32];
    tracepoint(name, level);
    if (ehd_decode_json(&json, name, strlen(name), event, size, NULL) == 0) {
        const char *at = strstr(json.chars, "\"count\": ");
        if (at != NULL)
            count = strtoull(at + 9, NULL, 10);
    }
    ehd_text_free(&json);
    return count;
}

static void *work(void *arg)
{
    worker *w = arg;
    ehs_thread_state *state = ehs_thread_state_new(w->config);
    ehd_builder *builder = ehd_builder_new(NULL);
    if (state == NULL || builder == NULL)
        return NULL;
    ehs_thread_state_set_clock(state, ticking_clock, w->clock);
    ehs_message message = {
        .source = EHS_SOURCE_STDERR, .ident = "t", .ident_len = 1, .text = "flood", .len = 5
    };
    for (int i = 0; i < PER_THREAD; i++) {
        ehs_outcome outcome;
        int result;
        while ((result = ehs_engine_build(w->config, state, &message, builder, &outcome)) ==
               EHS_REPORT)
            w->reported += report_count(builder, outcome.level);
        if (result == EHS_BUILT)
            w->built++;
        else if (result == EHS_SUPPRESSED)
            w->suppressed++;
    }
    ehd_builder_free(builder);
    ehs_thread_state_free(state);
    return NULL;
}

static void test_threads(void **unused)
{
    (void)unused;
    char text[256];
    snprintf(text, sizeof text,
             "{\"rules\": [{\"name\": \"F\", \"regex\": \"^flood\", "
             "\"rate_limit\": {\"burst\": %d, \"interval_ms\": 20}}]}",
             BURST);
    ehs_config *config = test_config_load(text);
    shared_clock clock = { 0 };
    worker workers[THREADS];
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (worker){ .config = config, .clock = &clock };
        assert_int_equal(pthread_create(&threads[t], NULL, work, &workers[t]), 0);
    }
    uint64_t built = 0, suppressed = 0, reported = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        built += workers[t].built;
        suppressed += workers[t].suppressed;
        reported += workers[t].reported;
    }
    /* The rest, as at exit. */
    ehs_thread_state *state = ehs_thread_state_new(config);
    ehd_builder *builder = ehd_builder_new(NULL);
    ehs_outcome outcome;
    while (ehs_engine_build_final_report(config, state, builder, &outcome) == EHS_REPORT)
        reported += report_count(builder, outcome.level);
    assert_int_equal(built + suppressed, (uint64_t)THREADS * PER_THREAD);
    assert_int_equal(reported, suppressed);
    assert_int_equal(ehs_config_suppressed(config), suppressed);
    /* 160,000 builds over 2,500 ms of the ticking clock: 125 windows of
     * 20 ms, each letting at most BURST through. */
    uint64_t windows = ((uint64_t)THREADS * PER_THREAD / 64 + 19) / 20 + 1;
    assert_true(built <= windows * BURST);
    assert_true(suppressed > 0);
    ehd_builder_free(builder);
    ehs_thread_state_free(state);
    ehs_config_free(config);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_windows),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_default_and_fork),
        cmocka_unit_test(test_set_keys),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
