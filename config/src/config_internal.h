/*
 * What the config loader's files share: the state of one load and the
 * helpers that read JSON values while reporting what is wrong with them.
 */
#ifndef EHS_CONFIG_INTERNAL_H
#define EHS_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config_diag.h"
#include "ehs/ehs_config.h"
#include "grok.h"
#include "json_pos.h"

/* Marks the functions of the public API; the build hides every other symbol. */
#ifndef EHS_API
#define EHS_API __attribute__((visibility("default")))
#endif

/*
 * PCRE2 compile options of every rule pattern. No PCRE2_UTF: log lines are
 * bytes and may be invalid UTF-8, which a UTF pattern refuses to match (or
 * matches only at a cost with PCRE2_MATCH_INVALID_UTF). A pattern written
 * with non-ASCII text still matches the same bytes; `.` and classes work on
 * bytes.
 */
#define EHS_PCRE2_COMPILE_OPTIONS 0u

/* One load in progress. */
typedef struct ehs_load {
    ehs_json_doc doc;
    ehs_diag diag;
    ehs_config *config;
    ehs_grok_library *grok;   /* built-ins plus "patterns"; NULL when out of memory */
    const cJSON *patterns;    /* the "patterns" object, or NULL */
    char **broken_patterns;   /* user patterns already reported, so rules using
                                 them are not reported again */
    size_t broken_count;
    const cJSON **repeated_keys; /* members whose key came earlier in their
                                    object, sorted by address */
    size_t repeated_count;
    size_t repeated_capacity;
    ehs_rate_limit rate_limit; /* the top-level "rate_limit" (burst 0: none) */
} ehs_load;

/* ---- config_values.c: reading members with their checks ---- */

/* Notes an allocation failure; the load then returns ENOMEM. */
void ehs_load_nomem(ehs_load *load);

/* Where the key of member `item` is written (its value for array elements). */
ehs_position ehs_key_position(const ehs_load *load, const cJSON *item);

/* Where the value `item` is written. */
ehs_position ehs_value_position(const ehs_load *load, const cJSON *item);

/* "a string", "an object", ... for messages. */
const char *ehs_json_kind(const cJSON *item);

/*
 * Reports every member of `object` whose key is not in `keys` (NULL-ended;
 * NULL: any key is fine), with a suggestion for a near miss, and every key
 * written twice. `where` completes "unknown key 'x' in ..." ("the config",
 * "a rule").
 */
void ehs_check_keys(ehs_load *load, const cJSON *object, const char *const *keys,
                    const char *where);

/* Whether member `item` repeats a key of its object (checked by
 * ehs_check_keys, which reported it). */
bool ehs_is_repeated_key(const ehs_load *load, const cJSON *item);

/*
 * Member `key` of `object` when it is present and one of the cJSON `types`
 * (a mask); NULL when it is absent, when it is null and `nullable`, or when
 * it has another type, which is reported as "'key' must be EXPECTED, not
 * KIND".
 */
const cJSON *ehs_member(ehs_load *load, const cJSON *object, const char *key, int types,
                        bool nullable, const char *expected);

/* Reads boolean member `key` into *out when present and true or false;
 * absent leaves *out alone, any other value (null included) is reported and
 * leaves it alone too. */
void ehs_read_bool(ehs_load *load, const cJSON *object, const char *key, bool *out);

/* Reads integer member `key` into *out when present and within min..max;
 * reports "'key' must be an integer MIN..MAX" otherwise. Returns whether it
 * stored a value. */
bool ehs_read_uint(ehs_load *load, const cJSON *object, const char *key, uint64_t min,
                   uint64_t max, uint64_t *out);

/* A copy of string value `item` (never NULL itself), or NULL when out of memory. */
char *ehs_copy_string(ehs_load *load, const cJSON *item);

/* Reads a level (1..255 or a level word) from `item`; `what` names it in
 * the message ("'level'"). */
bool ehs_parse_level(ehs_load *load, const cJSON *item, const char *what, uint8_t *out);

/* Reads level member `key` (null allowed: no level) into *out. */
void ehs_read_level(ehs_load *load, const cJSON *object, const char *key, uint8_t *out);

/* Reads keyword member `key` (a number or "0x..." string; null allowed). */
void ehs_read_keyword(ehs_load *load, const cJSON *object, const char *key, bool *has,
                      uint64_t *out);

/* Longest event name (rule or default), bytes. Every event carries its name
 * in its metadata; a longer name would eat into the 4 KiB an event should
 * stay under (and past 64 KiB make every event fail to build). */
#define EHS_EVENT_NAME_MAX 255

/* Checks the event name in string `item` (rule or default): not empty, no
 * ';', at most EHS_EVENT_NAME_MAX bytes. Returns false after reporting the
 * first problem. */
bool ehs_check_event_name(ehs_load *load, const cJSON *item);

/* ---- config_types.c ---- */

/* The type named `name` (aliases included); false when there is none. */
bool ehs_type_from_name(const char *name, ehs_type *out);

/* The source a config names `name` ("syslog", "stderr", "journal",
 * "stdout", "any"); false for anything else. */
bool ehs_source_from_name(const char *name, ehs_source *out);

/* "string, i8, ..." for messages. */
extern const char ehs_type_list[];

/* The level of a level word, exact and lower case: critical 1, error 2,
 * warning 3, info 4, verbose and debug 5; 0 for any other text. */
uint8_t ehs_level_from_word(const char *word);

/* ---- config_regex.c ---- */

/* A PCRE2 compile failure: message and offset in the pattern. */
typedef struct ehs_regex_error {
    char message[256];
    size_t offset;
} ehs_regex_error;

/* A named group of a compiled pattern. */
typedef struct ehs_named_group {
    const char *name;   /* points into the code's name table */
    uint32_t group;
} ehs_named_group;

/*
 * Compiles `pattern` (`len` bytes) with EHS_PCRE2_COMPILE_OPTIONS into
 * *code and JIT-compiles it when the system allows (*jit tells). Returns 0,
 * EINVAL with *error filled, or ENOMEM.
 */
int ehs_regex_compile(const char *pattern, size_t len, void **code, bool *jit,
                      ehs_regex_error *error);

/* The named groups of `code` in group-number order, in a new array the
 * caller frees (names point into `code`, valid while it lives). Returns 0
 * (*groups NULL and *count 0 when there are none) or ENOMEM. */
int ehs_regex_named_groups(const void *code, ehs_named_group **groups, size_t *count);

/* The highest group number of `code`, named or not (0: no group). */
uint32_t ehs_regex_capture_count(const void *code);

/* The match context with the EHS_PCRE2_* limits, or NULL when out of memory. */
void *ehs_regex_match_context_new(void);

/* Free what ehs_regex_compile and ehs_regex_match_context_new made; NULL is
 * fine. */
void ehs_regex_code_free(void *code);
void ehs_regex_match_context_free(void *context);

/* ---- config_patterns.c: the "patterns" section and grok positions ---- */

/* Builds load->grok from the built-ins and `patterns` (may be NULL), checking
 * every user pattern. */
void ehs_load_patterns(ehs_load *load, const cJSON *patterns);

/* Whether user pattern `name` failed its check. */
bool ehs_pattern_is_broken(const ehs_load *load, const char *name);

/* Whether grok text `text` refers to pattern `name` (`%{name}` or
 * `%{name:...}`). */
bool ehs_grok_references(const char *text, const char *name);

/* Whether grok text `expression` refers to a pattern that failed its check:
 * then its own failure is most likely that pattern's, reported already. */
bool ehs_grok_uses_broken_pattern(const ehs_load *load, const char *expression);

/* Position in the file of a grok location within expression `expression`. */
ehs_position ehs_grok_position(const ehs_load *load, const cJSON *expression,
                               const ehs_grok_location *where);

/* ---- config_rule.c / config_fields.c ---- */

/* Reads rule `item` (already known to be an object) into `rule`. */
void ehs_load_rule(ehs_load *load, const cJSON *item, ehs_rule *rule);

/* Reads the top-level "multiline" object into load->config->multiline. */
void ehs_load_multiline(ehs_load *load, const cJSON *root);

/* Frees a source's grouping spec; NULL is fine. */
void ehs_multiline_free(ehs_multiline *spec);

/* What ehs_load_rule hands to the field builder. */
typedef struct ehs_rule_source {
    const cJSON *object;       /* the rule */
    const cJSON *matcher;      /* the regex or grok string; NULL for kv/json */
    const ehs_grok_expansion *grok; /* grok rules: the expansion (capture types) */
    bool known_captures;       /* the matcher is usable (a pattern compiled), so a
                                  name that is no capture is an error of its own */
} ehs_rule_source;

/* Builds rule->fields and the level_field/level_map part of `rule`. */
void ehs_load_rule_fields(ehs_load *load, const ehs_rule_source *source, ehs_rule *rule);

/* ---- config_rate_limit.c ---- */

/* Reads the "rate_limit" member of `object` into *out: absent, *inherited
 * (unless NULL: *out is left as it is); null, no limit; an object, its
 * burst, interval_ms and errors. */
void ehs_load_rate_limit(ehs_load *load, const cJSON *object, const ehs_rate_limit *inherited,
                         ehs_rate_limit *out);

/* Makes config->rate_windows when a rule or the default has a limit. */
void ehs_load_rate_windows(ehs_load *load);

/* ---- config_reload.c ---- */

/* Reads the top-level "reload" object into config->reload_check_ms. */
void ehs_load_reload(ehs_load *load, const cJSON *root);

/* Records config->restart_keys from what was loaded (call last). */
void ehs_load_restart_keys(ehs_load *load, const cJSON *root);

/* ---- names.c ---- */

/* Reads `key` of a rule (a name or a non-empty list of names, each a
 * non-empty string) into `names`; reports problems. Absent or null: any. */
void ehs_read_names(ehs_load *load, const cJSON *object, const char *key, ehs_names *names);

/* Frees the names and zeroes `names` (count 0: any name). */
void ehs_names_free(ehs_names *names);

/* ---- config_free.c ---- */

/* Frees everything `rule` owns (names, pattern and code, fields, level map)
 * and zeroes it; a zeroed rule is fine. The ehs_rule itself is not freed:
 * it lives in its config's `rules` array. */
void ehs_rule_free(ehs_rule *rule);

/* A new config holding DESIGN.md's defaults, named `path`; NULL when out of
 * memory. */
ehs_config *ehs_config_defaults(const char *path);

#endif /* EHS_CONFIG_INTERNAL_H */
