/*
 * What the libFuzzer harnesses share: a check that aborts (so libFuzzer
 * records the input as a crash even when no sanitizer fires), and building
 * one message with the real engine and decoding the event with the real
 * decoder, which must always work: a build the decoder refuses is a bug in
 * the engine or the builder, not a property of the input.
 *
 * Header-only so that each harness is one translation unit; how they are
 * built and run: README.md (Fuzzing), Makefile (fuzz), fuzz/run.sh.
 */
#ifndef EHSHIM_FUZZ_H
#define EHSHIM_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ehd/ehd.h"
#include "ehd/ehd_decode.h"
#include "ehs/ehs_config.h"
#include "ehs/ehs_engine.h"
#include "json_message.h"

/* The source tree, for harnesses that read the example configs; the
 * Makefile passes the absolute path so a harness runs from anywhere. */
#ifndef FUZZ_SOURCE_DIR
#define FUZZ_SOURCE_DIR "."
#endif

#define FUZZ_CHECK(cond, ...)                                                             \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "fuzz check failed at %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                                 \
            fputc('\n', stderr);                                                          \
            abort();                                                                      \
        }                                                                                 \
    } while (0)

/* ---- configs ---- */

/* A loaded config with its thread state and the idents its rules ask for. */
typedef struct fuzz_config {
    const char *label;
    ehs_config *config;
    ehs_thread_state *state;
    const char *idents[8];    /* distinct rule idents and exe names (pointing into config or
                                 exe_names), then "fuzz"; a message's exe is its ident */
    char exe_names[4][64];    /* exe globs cut at their first glob character */
    size_t ident_count;
    ehs_set_key keys[1024];   /* ehs_config_set_keys: the event sets the shim registers */
    size_t key_count;         /* of them; above 1024 (a fuzzed config) the check is skipped */
} fuzz_config;

static inline void fuzz_config_prepare(fuzz_config *fc, const char *label, ehs_config *config)
{
    fc->label = label;
    fc->config = config;
    fc->state = ehs_thread_state_new(config);
    FUZZ_CHECK(fc->state != NULL, "%s: no thread state", label);
    fc->ident_count = 0;
    for (size_t i = 0; i < config->rule_count && fc->ident_count < 7; i++) {
        const ehs_names *names = &config->rules[i].ident;
        /* A glob is no ident a program has: the fuzzer finds its own. */
        const char *ident = names->count != 0 && !names->items[0].glob ? names->items[0].text : NULL;
        bool seen = false;
        for (size_t j = 0; ident != NULL && j < fc->ident_count; j++)
            seen |= strcmp(fc->idents[j], ident) == 0;
        if (ident != NULL && !seen)
            fc->idents[fc->ident_count++] = ident;
    }
    /* A name that satisfies a rule's first exe: the glob's literal start
     * ("python3*" -> "python3"), so exe rules fire too. */
    size_t exe_count = 0;
    for (size_t i = 0; i < config->rule_count && fc->ident_count < 7 && exe_count < 4; i++) {
        const ehs_names *exe = &config->rules[i].exe;
        if (exe->count == 0)
            continue;
        size_t literal = strcspn(exe->items[0].text, "*?[\\");
        if (literal == 0 || literal >= sizeof fc->exe_names[0])
            continue;
        memcpy(fc->exe_names[exe_count], exe->items[0].text, literal);
        fc->exe_names[exe_count][literal] = '\0';
        bool seen = false;
        for (size_t j = 0; j < fc->ident_count; j++)
            seen |= strcmp(fc->idents[j], fc->exe_names[exe_count]) == 0;
        if (!seen)
            fc->idents[fc->ident_count++] = fc->exe_names[exe_count++];
    }
    fc->idents[fc->ident_count++] = "fuzz";
    fc->key_count = ehs_config_set_keys(config, fc->keys, sizeof fc->keys / sizeof fc->keys[0]);
}

/* Loads a config from text (`label` names it in messages); aborts when it
 * does not load, since the harness would otherwise fuzz less than it says. */
static inline void fuzz_config_load_text(fuzz_config *fc, const char *label, const char *text,
                                         size_t len)
{
    ehs_config *config = NULL;
    ehs_errors errors = { 0 };
    int rc = ehs_config_load_text(label, text, len, &config, &errors);
    for (size_t i = 0; i < errors.count; i++)
        fprintf(stderr, "%s\n", errors.lines[i]);
    ehs_errors_free(&errors);
    FUZZ_CHECK(rc == 0, "%s does not load", label);
    fuzz_config_prepare(fc, label, config);
}

/* Loads FUZZ_SOURCE_DIR/relative_path. */
static inline void fuzz_config_load_file(fuzz_config *fc, const char *relative_path)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", FUZZ_SOURCE_DIR, relative_path);
    ehs_config *config = NULL;
    ehs_errors errors = { 0 };
    int rc = ehs_config_load_file(path, &config, &errors);
    for (size_t i = 0; i < errors.count; i++)
        fprintf(stderr, "%s\n", errors.lines[i]);
    ehs_errors_free(&errors);
    FUZZ_CHECK(rc == 0, "%s does not load", path);
    fuzz_config_prepare(fc, relative_path, config);
}

/* ---- one message through the engine ---- */

/* The last event fuzz_build made. */
static uint8_t fuzz_event[EHD_EVENT_MAX + 1];
static size_t fuzz_event_size;

/* True when the config's set keys include (level, keyword): the shim
 * registers exactly those event sets, so an event outside them is lost. */
static inline bool fuzz_set_listed(const fuzz_config *fc, uint8_t level, uint64_t keyword)
{
    if (fc->key_count > sizeof fc->keys / sizeof fc->keys[0])
        return true; /* more than we kept */
    for (size_t i = 0; i < fc->key_count; i++)
        if (fc->keys[i].level == level && fc->keys[i].keyword == keyword)
            return true;
    return false;
}

/*
 * Checks the event in `builder` that a build of a message of `source`
 * (`len` bytes) made: it fits, has a level, goes to an event set the config
 * lists, and decodes. `report`: it is a rate limit's "Suppressed" event,
 * not the message's.
 */
static inline void fuzz_check_built(fuzz_config *fc, ehd_builder *builder,
                                    const ehs_outcome *outcome_arg, ehs_source source, size_t len,
                                    bool report)
{
    static ehd_text json = EHD_TEXT_INIT;
    ehs_outcome outcome = *outcome_arg;
    FUZZ_CHECK(outcome.level != 0, "%s: event with level 0", fc->label);
    /* Syslog text is the message as is (no "<N>" prefix to strip): when it
     * is longer than the maximum it is cut, and flagged. (A shorter one is
     * flagged too when a field was cut.) */
    if (!report && source == EHS_SOURCE_SYSLOG && fc->config->message_field != NULL &&
        len > fc->config->max_message_bytes)
        FUZZ_CHECK(outcome.truncated, "%s: not flagged truncated for %zu bytes, max %zu",
                   fc->label, len, fc->config->max_message_bytes);
    if (ehs_config_captures(fc->config, source))
        FUZZ_CHECK(fuzz_set_listed(fc, outcome.level, outcome.keyword),
                   "%s: event set L%xK%llx is not among the config's set keys", fc->label,
                   outcome.level, (unsigned long long)outcome.keyword);

    size_t size = 0;
    int rc = ehd_builder_copy_event(builder, outcome.level, NULL, NULL, fuzz_event,
                                    sizeof fuzz_event, &size);
    fuzz_event_size = size;
    FUZZ_CHECK(rc == 0, "%s: the built event does not copy (errno %d, %zu bytes)", fc->label,
               rc, size);
    FUZZ_CHECK(size <= ehs_thread_state_event_max(fc->state),
               "%s: a %zu-byte event is past the state's event_max %zu", fc->label, size,
               ehs_thread_state_event_max(fc->state));

    char options[EHD_NAME_MAX] = "";
    if (fc->config->group != NULL)
        snprintf(options, sizeof options, "G%s", fc->config->group);
    char name[EHD_NAME_MAX];
    rc = ehd_format_tracepoint_name(name, fc->config->provider, outcome.level, outcome.keyword,
                                    options);
    FUZZ_CHECK(rc == 0, "%s: no tracepoint name (errno %d)", fc->label, rc);

    ehd_decode_error error;
    ehd_text_clear(&json);
    rc = ehd_decode_json(&json, name, strlen(name), fuzz_event, size, &error);
    FUZZ_CHECK(rc == 0, "%s: the built event does not decode (errno %d): %s", fc->label, rc,
               error.message);
    /* Collectors read one JSON object per line. */
    FUZZ_CHECK(memchr(json.chars, '\n', json.len) == NULL, "%s: newline in the JSON line",
               fc->label);
    FUZZ_CHECK(ehs_json_is_object(json.chars, json.len), "%s: not a JSON object: %s", fc->label,
               json.chars);
}

/*
 * Builds `message` with `fc`'s config and checks its event, and every rate
 * limit report that comes before it, with fuzz_check_built. Returns what
 * the last ehs_engine_build returned (EHS_BUILT, EHS_DROPPED or
 * EHS_SUPPRESSED) and its outcome in `*outcome_out` (may be NULL).
 */
static inline int fuzz_build_message(fuzz_config *fc, const ehs_message *message,
                                     ehs_outcome *outcome_out)
{
    static ehd_builder *builder;
    if (builder == NULL)
        builder = ehd_builder_new(NULL);
    FUZZ_CHECK(builder != NULL, "%s: no builder", fc->label);

    ehs_outcome outcome;
    int result;
    /* Each report is made once: a build that keeps reporting is a bug. */
    unsigned reports = 0;
    while ((result = ehs_engine_build(fc->config, fc->state, message, builder, &outcome)) ==
           EHS_REPORT) {
        FUZZ_CHECK(fc->config->rate_windows != NULL && ++reports <= fc->config->rule_count + 8,
                   "%s: %u reports for one message", fc->label, reports);
        fuzz_check_built(fc, builder, &outcome, message->source, message->len, true);
    }
    FUZZ_CHECK(result == EHS_BUILT || result == EHS_DROPPED ||
                   (result == EHS_SUPPRESSED && fc->config->rate_windows != NULL),
               "%s: build returned %d", fc->label, result);
    if (outcome_out != NULL)
        *outcome_out = outcome;
    if (result == EHS_BUILT)
        fuzz_check_built(fc, builder, &outcome, message->source, message->len, false);
    return result;
}

/* fuzz_build_message of a message of `source` without entry fields; its
 * exe is its ident. */
static inline int fuzz_build(fuzz_config *fc, ehs_source source, const char *ident,
                             size_t ident_len, int priority, const char *text, size_t len,
                             ehs_outcome *outcome_out)
{
    ehs_message message = {
        .source = source,
        .ident = ident,
        .ident_len = ident_len,
        .exe = ident,
        .exe_len = ident_len,
        .priority = priority,
        .text = text,
        .len = len,
    };
    return fuzz_build_message(fc, &message, outcome_out);
}

/* Runs `text` through every ident of `fc` for both sources, and once with
 * the input itself as the ident (long, binary idents are cut). */
static inline void fuzz_build_all(fuzz_config *fc, const char *text, size_t len, int priority)
{
    static uint8_t first[sizeof fuzz_event];
    size_t first_size = 0;
    const char *ident0 = fc->idents[0];
    int first_result =
        fuzz_build(fc, EHS_SOURCE_STDERR, ident0, strlen(ident0), priority, text, len, NULL);
    if (first_result == EHS_BUILT) {
        first_size = fuzz_event_size;
        memcpy(first, fuzz_event, first_size);
    }
    for (size_t i = 0; i < fc->ident_count; i++) {
        const char *ident = fc->idents[i];
        fuzz_build(fc, EHS_SOURCE_SYSLOG, ident, strlen(ident), priority, text, len, NULL);
        fuzz_build(fc, EHS_SOURCE_STDERR, ident, strlen(ident), priority, text, len, NULL);
    }
    fuzz_build(fc, EHS_SOURCE_SYSLOG, text, len, priority, text, len, NULL);
    /* The thread state is reused from message to message: nothing of the
     * builds in between may show in the same message built again. */
    int again = fuzz_build(fc, EHS_SOURCE_STDERR, ident0, strlen(ident0), priority, text, len, NULL);
    /* (A rate limit may hold either build back: only the events compare.) */
    FUZZ_CHECK(again == first_result ||
                   (fc->config->rate_windows != NULL &&
                    (again == EHS_SUPPRESSED || first_result == EHS_SUPPRESSED)),
               "%s: the same message built differently", fc->label);
    FUZZ_CHECK(again != EHS_BUILT || first_result != EHS_BUILT ||
                   (fuzz_event_size == first_size && memcmp(fuzz_event, first, first_size) == 0),
               "%s: the same message gave different event bytes", fc->label);
}

#endif /* EHSHIM_FUZZ_H */
