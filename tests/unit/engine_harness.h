/*
 * Test harness of the rules engine: load a config from text, feed it
 * messages, and get each event as the JSON line a collector would see
 * (built with the real builder, decoded with the real decoder).
 *
 * Configs in tests are written with single quotes for readability:
 * harness_load turns every ' into " before loading.
 */
#ifndef TESTS_ENGINE_HARNESS_H
#define TESTS_ENGINE_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ehd/ehd.h"
#include "ehd/ehd_decode.h"
#include "ehs/ehs_config.h"
#include "ehs/ehs_engine.h"

typedef struct harness {
    ehs_config *config;
    ehs_thread_state *state;
    ehd_builder *builder;
    ehs_outcome outcome;
    int result;             /* of the last ehs_engine_build */
    ehd_text json;          /* the last event's JSON line */
    uint8_t event[70000];   /* the last event's bytes */
    size_t event_size;
} harness;

static inline char *harness_quotes(const char *text)
{
    char *copy = strdup(text);
    assert_non_null(copy);
    for (char *p = copy; *p; p++)
        if (*p == '\'')
            *p = '"';
    return copy;
}

/* Loads `config_text` (single quotes allowed) into a new harness. */
static inline harness *harness_new(const char *config_text)
{
    harness *h = calloc(1, sizeof *h);
    assert_non_null(h);
    char *text = harness_quotes(config_text);
    ehs_errors errors = { 0 };
    int rc = ehs_config_load_text("test.json", text, strlen(text), &h->config, &errors);
    for (size_t i = 0; i < errors.count; i++)
        fprintf(stderr, "%s\n", errors.lines[i]);
    ehs_errors_free(&errors);
    free(text);
    assert_int_equal(rc, 0);
    h->state = ehs_thread_state_new(h->config);
    assert_non_null(h->state);
    h->builder = ehd_builder_new(NULL);
    assert_non_null(h->builder);
    ehd_text_init(&h->json);
    return h;
}

static inline void harness_free(harness *h)
{
    ehs_thread_state_free(h->state);
    ehs_config_free(h->config);
    ehd_builder_free(h->builder);
    ehd_text_free(&h->json);
    free(h);
}

/* The tracepoint name of an event with this outcome. */
static inline void harness_tracepoint(const harness *h, char name[EHD_NAME_MAX])
{
    char options[300] = "";
    if (h->config->group != NULL)
        snprintf(options, sizeof options, "G%s", h->config->group);
    assert_int_equal(ehd_format_tracepoint_name(name, h->config->provider, h->outcome.level,
                                                h->outcome.keyword, options),
                     0);
}

/* Builds the event of `message`; returns its JSON line, or "DROPPED". */
static inline const char *harness_build(harness *h, const ehs_message *message)
{
    h->result = ehs_engine_build(h->config, h->state, message, h->builder, &h->outcome);
    if (h->result == EHS_DROPPED)
        return "DROPPED";
    assert_int_equal(h->result, EHS_BUILT);
    int rc = ehd_builder_copy_event(h->builder, h->outcome.level, NULL, NULL, h->event,
                                    sizeof h->event, &h->event_size);
    assert_int_equal(rc, 0);
    char name[EHD_NAME_MAX];
    harness_tracepoint(h, name);
    ehd_text_clear(&h->json);
    ehd_decode_error error;
    rc = ehd_decode_json(&h->json, name, strlen(name), h->event, h->event_size, &error);
    if (rc != 0)
        fail_msg("decoding failed: %s", error.message);
    return h->json.chars;
}

/* Builds the event of one message (`len` bytes of `text`); returns its
 * JSON line, or "DROPPED". */
static inline const char *harness_message(harness *h, ehs_source source, const char *ident,
                                          int priority, const char *text, size_t len)
{
    ehs_message message = {
        .source = source,
        .ident = ident,
        .ident_len = ident != NULL ? strlen(ident) : 0,
        .priority = priority,
        .text = text,
        .len = len,
    };
    return harness_build(h, &message);
}

/* A syslog message (priority as passed to syslog()). */
static inline const char *harness_syslog(harness *h, const char *ident, int priority,
                                         const char *text)
{
    return harness_message(h, EHS_SOURCE_SYSLOG, ident, priority, text, strlen(text));
}

/* A stderr line. */
static inline const char *harness_stderr(harness *h, const char *ident, const char *text)
{
    return harness_message(h, EHS_SOURCE_STDERR, ident, 0, text, strlen(text));
}

/* Asserts two strings are equal, showing both in full when not. */
#define assert_json(actual, expected)                                                    \
    do {                                                                                 \
        const char *actual_ = (actual), *expected_ = (expected);                         \
        if (strcmp(actual_, expected_) != 0)                                             \
            fail_msg("\n  got:      %s\n  expected: %s", actual_, expected_);            \
    } while (0)

#endif /* TESTS_ENGINE_HARNESS_H */
