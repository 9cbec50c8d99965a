/*
 * One rule of "rules": its plain keys, its matcher, and compiling the
 * matcher's pattern. Fields and levels taken from captures are in
 * config_fields.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

static const char *const rule_keys[] = {
    "name",      "source",   "ident", "exe",     "regex",      "grok",     "json",
    "kv",        "fields",   "time_format",      "level",      "level_field",
    "level_map", "keyword",  "id",    "version", "tag",        "drop",     "match_text",
    "template",  "rate_limit", NULL,
};

static void read_name(ehs_load *load, const cJSON *object, ehs_rule *rule)
{
    const cJSON *name = ehs_member(load, object, "name", cJSON_String, false, "a string");
    if (name == NULL) {
        if (cJSON_GetObjectItemCaseSensitive(object, "name") == NULL)
            ehs_diag_add(&load->diag, rule->position, "a rule needs a 'name'");
        return;
    }
    if (!ehs_check_event_name(load, name))
        return;
    rule->name = ehs_copy_string(load, name);
    rule->name_len = strlen(name->valuestring);
}

static void read_source(ehs_load *load, const cJSON *object, ehs_rule *rule)
{
    static const char expected[] = "'syslog', 'stderr', 'journal', 'stdout' or 'any'";
    const cJSON *source = ehs_member(load, object, "source", cJSON_String, false, expected);
    if (source == NULL)
        return;
    if (!ehs_source_from_name(source->valuestring, &rule->source))
        ehs_diag_add(&load->diag, ehs_value_position(load, source), "'source' must be %s",
                     expected);
}

/* A string member that must not be empty when given; null means absent. */
static char *read_optional_text(ehs_load *load, const cJSON *object, const char *key, size_t *len)
{
    const cJSON *item = ehs_member(load, object, key, cJSON_String, true, "a string");
    if (item == NULL)
        return NULL;
    if (item->valuestring[0] == '\0') {
        ehs_diag_add(&load->diag, ehs_value_position(load, item),
                     "'%s' must not be empty (leave it out for none)", key);
        return NULL;
    }
    if (len != NULL)
        *len = strlen(item->valuestring);
    return ehs_copy_string(load, item);
}

static void read_numbers(ehs_load *load, const cJSON *object, ehs_rule *rule)
{
    uint64_t value;
    if (ehs_read_uint(load, object, "id", 0, UINT16_MAX, &value))
        rule->id = (uint16_t)value;
    if (ehs_read_uint(load, object, "version", 0, UINT8_MAX, &value))
        rule->version = (uint8_t)value;
    if (ehs_read_uint(load, object, "tag", 0, UINT16_MAX, &value))
        rule->tag = (uint16_t)value;
}

/* The later of two members in the file: where a conflict becomes visible. */
static const cJSON *later(const ehs_load *load, const cJSON *a, const cJSON *b)
{
    return ehs_json_span_of(&load->doc, a).offset > ehs_json_span_of(&load->doc, b).offset ? a : b;
}

static void report_two_matchers(ehs_load *load, const cJSON *a, const cJSON *b)
{
    const cJSON *second = later(load, a, b), *first = second == a ? b : a;
    ehs_diag_add(&load->diag, ehs_key_position(load, second),
                 "a rule has one matcher, but this one has both '%s' and '%s'", first->string,
                 second->string);
}

/* "match_text": what of a grouped record (multiline) the pattern sees. */
static void read_match_text(ehs_load *load, const cJSON *object, ehs_rule *rule)
{
    const cJSON *item = ehs_member(load, object, "match_text", cJSON_String, false,
                                   "\"first_line\" or \"record\"");
    if (item == NULL)
        return;
    if (strcmp(item->valuestring, "record") == 0)
        rule->match_record = true;
    else if (strcmp(item->valuestring, "first_line") != 0) {
        char q[EHS_QUOTE_MAX];
        ehs_diag_add(&load->diag, ehs_value_position(load, item),
                     "'match_text' must be \"first_line\" or \"record\", not %s",
                     ehs_quote(q, sizeof q, item->valuestring, strlen(item->valuestring)));
    }
}

/* What the matcher keys say; NULL members are absent (or false, or of a
 * type already reported). */
typedef struct matcher_keys {
    const cJSON *regex;
    const cJSON *grok;
    const cJSON *json;   /* present only when true */
    const cJSON *kv;     /* present only when true */
} matcher_keys;

static const cJSON *read_true(ehs_load *load, const cJSON *object, const char *key)
{
    bool value = false;
    ehs_read_bool(load, object, key, &value);
    return value ? cJSON_GetObjectItemCaseSensitive(object, key) : NULL;
}

/* Decides rule->matcher and kv_after; false when the rule has none usable. */
static bool choose_matcher(ehs_load *load, const cJSON *object, ehs_rule *rule, matcher_keys *m)
{
    m->regex = ehs_member(load, object, "regex", cJSON_String, false, "a string");
    m->grok = ehs_member(load, object, "grok", cJSON_String, false, "a string");
    m->json = read_true(load, object, "json");
    m->kv = read_true(load, object, "kv");
    if (m->regex != NULL && m->grok != NULL) {
        report_two_matchers(load, m->regex, m->grok);
        return false;
    }
    const cJSON *text_matcher = m->regex != NULL ? m->regex : m->grok;
    if (m->json != NULL && (text_matcher != NULL || m->kv != NULL)) {
        report_two_matchers(load, m->json, text_matcher != NULL ? text_matcher : m->kv);
        return false;
    }
    if (m->regex != NULL)
        rule->matcher = EHS_MATCH_REGEX;
    else if (m->grok != NULL)
        rule->matcher = EHS_MATCH_GROK;
    else if (m->json != NULL)
        rule->matcher = EHS_MATCH_JSON;
    else if (m->kv != NULL)
        rule->matcher = EHS_MATCH_KV;
    rule->kv_after = text_matcher != NULL && m->kv != NULL;
    if (rule->matcher != 0)
        return true;
    /* A matcher key of the wrong type was reported already. */
    static const char *const keys[] = { "regex", "grok", "json", "kv" };
    for (size_t i = 0; i < 4; i++) {
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, keys[i]);
        if (item != NULL && !cJSON_IsFalse(item))
            return false;
    }
    /* An entry of the journal brings its fields along: a rule may just
     * name and type them. */
    if (rule->source == EHS_SOURCE_JOURNAL) {
        rule->matcher = EHS_MATCH_ALL;
        return true;
    }
    ehs_diag_add(&load->diag, rule->position,
                 "the rule has no matcher: give it 'regex', 'grok', 'json' or 'kv' (only a "
                 "'journal' rule may have none)");
    return false;
}

static void take_code(ehs_rule *rule, void *code, bool jit)
{
    rule->code = code;
    rule->jit = jit;
    rule->capture_count = ehs_regex_capture_count(code);
}

static void compile_regex(ehs_load *load, const cJSON *regex, ehs_rule *rule)
{
    rule->pattern = ehs_copy_string(load, regex);
    if (rule->pattern == NULL)
        return;
    void *code;
    bool jit;
    ehs_regex_error error;
    int err = ehs_regex_compile(rule->pattern, strlen(rule->pattern), &code, &jit, &error);
    if (err == ENOMEM)
        ehs_load_nomem(load);
    else if (err != 0)
        ehs_diag_add(&load->diag, ehs_json_string_position(&load->doc, regex, error.offset),
                     "bad regex: %s", error.message);
    else
        take_code(rule, code, jit);
}

/* Expands and compiles a grok expression; keeps the expansion in *expansion
 * for the capture types. */
static void compile_grok(ehs_load *load, const cJSON *grok, ehs_rule *rule,
                         ehs_grok_expansion *expansion)
{
    if (load->grok == NULL)
        return;
    const char *text = grok->valuestring;
    size_t len = strlen(text);
    ehs_grok_error error;
    int err = ehs_grok_expand(load->grok, text, len, expansion, &error);
    if (err == ENOMEM) {
        ehs_load_nomem(load);
        return;
    }
    if (err != 0) {
        if (!ehs_pattern_is_broken(load, error.where.pattern) &&
            !ehs_grok_uses_broken_pattern(load, text))
            ehs_diag_add(&load->diag, ehs_grok_position(load, grok, &error.where), "%s",
                         error.message);
        return;
    }
    rule->pattern = strdup(expansion->pattern);
    if (rule->pattern == NULL) {
        ehs_load_nomem(load);
        return;
    }
    void *code;
    bool jit;
    ehs_regex_error regex_error;
    err = ehs_regex_compile(expansion->pattern, expansion->pattern_len, &code, &jit, &regex_error);
    if (err == ENOMEM) {
        ehs_load_nomem(load);
        return;
    }
    if (err == 0) {
        take_code(rule, code, jit);
        return;
    }
    ehs_grok_location where = { .pattern = "", .offset = 0, .expression_offset = 0 };
    err = ehs_grok_locate(load->grok, text, len, regex_error.offset, &where);
    if (err == ENOMEM)
        ehs_load_nomem(load);
    else if (!ehs_pattern_is_broken(load, where.pattern) &&
             !ehs_grok_uses_broken_pattern(load, text))
        ehs_diag_add(&load->diag, ehs_grok_position(load, grok, &where), "bad regex: %s",
                     regex_error.message);
}

void ehs_load_rule(ehs_load *load, const cJSON *object, ehs_rule *rule)
{
    rule->position = ehs_value_position(load, object);
    ehs_check_keys(load, object, rule_keys, "a rule");
    read_name(load, object, rule);
    read_source(load, object, rule);
    ehs_read_names(load, object, "ident", &rule->ident);
    ehs_read_names(load, object, "exe", &rule->exe);
    rule->time_format = read_optional_text(load, object, "time_format", NULL);
    ehs_read_level(load, object, "level", &rule->level);
    ehs_read_keyword(load, object, "keyword", &rule->has_keyword, &rule->keyword);
    read_numbers(load, object, rule);
    ehs_read_bool(load, object, "drop", &rule->drop);
    read_match_text(load, object, rule);
    ehs_load_rate_limit(load, object, &load->rate_limit, &rule->rate_limit);
    /* "template" is for people (what ehshim learn saw): a string, unused. */
    ehs_member(load, object, "template", cJSON_String, false, "a string");

    matcher_keys m;
    ehs_grok_expansion expansion = { 0 };
    bool has_matcher = choose_matcher(load, object, rule, &m);
    if (has_matcher && rule->matcher == EHS_MATCH_REGEX)
        compile_regex(load, m.regex, rule);
    else if (has_matcher && rule->matcher == EHS_MATCH_GROK)
        compile_grok(load, m.grok, rule, &expansion);

    ehs_rule_source source = {
        .object = object,
        .matcher = rule->matcher == EHS_MATCH_REGEX ? m.regex
                   : rule->matcher == EHS_MATCH_GROK ? m.grok
                                                     : NULL,
        .grok = rule->matcher == EHS_MATCH_GROK ? &expansion : NULL,
        .known_captures = has_matcher && (rule->code != NULL || rule->matcher == EHS_MATCH_JSON ||
                                          rule->matcher == EHS_MATCH_KV ||
                                          rule->matcher == EHS_MATCH_ALL),
    };
    ehs_load_rule_fields(load, &source, rule);
    ehs_grok_expansion_free(&expansion);
}
