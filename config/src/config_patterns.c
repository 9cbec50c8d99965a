/*
 * The "patterns" section: user grok patterns added to the built-ins, each
 * checked once where it is written, and the mapping of grok locations back
 * to the file.
 *
 * A broken pattern is reported once, where its mistake is written. Rules
 * and other patterns that fail because they use it stay quiet: their error
 * would only repeat it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

bool ehs_pattern_is_broken(const ehs_load *load, const char *name)
{
    for (size_t i = 0; i < load->broken_count; i++) {
        if (strcmp(load->broken_patterns[i], name) == 0)
            return true;
    }
    return false;
}

static void mark_broken(ehs_load *load, const char *name)
{
    if (name[0] == '\0' || ehs_pattern_is_broken(load, name))
        return;
    char *copy = strdup(name);
    char **grown = reallocarray(load->broken_patterns, load->broken_count + 1, sizeof *grown);
    if (copy == NULL || grown == NULL) {
        free(copy);
        if (grown != NULL)
            load->broken_patterns = grown;
        ehs_load_nomem(load);
        return;
    }
    load->broken_patterns = grown;
    grown[load->broken_count++] = copy;
}

ehs_position ehs_grok_position(const ehs_load *load, const cJSON *expression,
                               const ehs_grok_location *where)
{
    if (where->pattern[0] != '\0' && load->patterns != NULL) {
        /* The first member of that name is the one the library holds. */
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(load->patterns, where->pattern);
        if (body != NULL)
            return ehs_json_string_position(&load->doc, body, where->offset);
    }
    if (expression == NULL)
        return (ehs_position){ 0, 0 };
    return ehs_json_string_position(&load->doc, expression, where->offset);
}

bool ehs_grok_references(const char *text, const char *name)
{
    size_t name_len = strlen(name);
    for (const char *p = text; (p = strstr(p, "%{")) != NULL; p += 2) {
        if (strncmp(p + 2, name, name_len) == 0 &&
            (p[2 + name_len] == '}' || p[2 + name_len] == ':'))
            return true;
    }
    return false;
}

bool ehs_grok_uses_broken_pattern(const ehs_load *load, const char *expression)
{
    for (size_t i = 0; i < load->broken_count; i++) {
        if (ehs_grok_references(expression, load->broken_patterns[i]))
            return true;
    }
    return false;
}

/* One checked user pattern. */
typedef struct checked_pattern {
    const cJSON *item;
    bool failed;
    ehs_grok_error error;
} checked_pattern;

/*
 * Whether the failure of `x` only follows from another broken pattern it
 * uses: one that could not join the library (the first `unusable` of the
 * broken list), or one whose check failed too, as an unbalanced parenthesis
 * in B breaks every A that uses B. A failure located in x's own body is
 * x's own (in a cycle A -> B -> A each failure lies in the other's body, so
 * neither hides the other here).
 */
static bool is_cascade(const ehs_load *load, size_t unusable, const checked_pattern *x,
                       const checked_pattern *all, size_t count)
{
    for (size_t i = 0; i < unusable; i++) {
        if (ehs_grok_references(x->item->valuestring, load->broken_patterns[i]))
            return true;
    }
    for (size_t i = 0; i < count; i++) {
        const checked_pattern *y = &all[i];
        if (y == x || !y->failed || strcmp(y->error.where.pattern, x->item->string) == 0)
            continue;
        if (ehs_grok_references(x->item->valuestring, y->item->string))
            return true;
    }
    return false;
}

static void report_failures(ehs_load *load, checked_pattern *checked, size_t count)
{
    size_t unusable = load->broken_count;
    for (size_t i = 0; i < count; i++) {
        if (checked[i].failed)
            mark_broken(load, checked[i].item->string);
    }
    /* The failures reported so far. Every pattern of a cycle fails, each
     * at a reference in another member of the cycle: one report names the
     * cycle, so a failure lying in a reported pattern, or in whose pattern a
     * reported failure lies, would repeat it. */
    const checked_pattern **reported = calloc(count ? count : 1, sizeof *reported);
    if (reported == NULL) {
        ehs_load_nomem(load);
        return;
    }
    size_t reported_count = 0;
    for (size_t i = 0; i < count; i++) {
        const checked_pattern *x = &checked[i];
        if (!x->failed || is_cascade(load, unusable, x, checked, count))
            continue;
        bool repeat = false;
        for (size_t j = 0; j < reported_count && !repeat; j++) {
            repeat = strcmp(reported[j]->item->string, x->error.where.pattern) == 0 ||
                     strcmp(reported[j]->error.where.pattern, x->item->string) == 0;
        }
        if (repeat)
            continue;
        ehs_diag_add(&load->diag, ehs_grok_position(load, NULL, &x->error.where), "%s",
                     x->error.message);
        reported[reported_count++] = x;
    }
    free(reported);
}

void ehs_load_patterns(ehs_load *load, const cJSON *patterns)
{
    if (ehs_grok_library_new(&load->grok) != 0) {
        ehs_load_nomem(load);
        return;
    }
    load->patterns = patterns;
    if (patterns == NULL)
        return;
    ehs_check_keys(load, patterns, NULL, "'patterns'");
    size_t count = 0;
    for (const cJSON *c = patterns->child; c != NULL; c = c->next)
        count++;
    /* The members that made it into the library and so need checking. */
    checked_pattern *checked = calloc(count ? count : 1, sizeof *checked);
    if (checked == NULL) {
        ehs_load_nomem(load);
        return;
    }
    size_t checked_count = 0;
    /* A pattern that cannot join the library is broken too: what uses it
     * would only report it missing. */
    for (const cJSON *c = patterns->child; c != NULL; c = c->next) {
        if (ehs_is_repeated_key(load, c))
            continue;
        if (!cJSON_IsString(c)) {
            char q[EHS_QUOTE_MAX];
            ehs_diag_add(&load->diag, ehs_value_position(load, c),
                         "grok pattern %s must be a regex string, not %s",
                         ehs_quote(q, sizeof q, c->string, strlen(c->string)), ehs_json_kind(c));
            mark_broken(load, c->string);
            continue;
        }
        ehs_grok_error error;
        int err = ehs_grok_library_add(load->grok, c->string, strlen(c->string), c->valuestring,
                                       strlen(c->valuestring), &error);
        if (err == ENOMEM)
            ehs_load_nomem(load);
        else if (err != 0) {
            ehs_diag_add(&load->diag, ehs_key_position(load, c), "%s", error.message);
            mark_broken(load, c->string);
        } else {
            checked[checked_count++].item = c;
        }
    }
    /* Every pattern is in: references resolve whatever their order. */
    for (size_t i = 0; i < checked_count; i++) {
        const cJSON *c = checked[i].item;
        int err = ehs_grok_check(load->grok, c->string, strlen(c->string),
                                 EHS_PCRE2_COMPILE_OPTIONS, &checked[i].error);
        if (err == ENOMEM)
            ehs_load_nomem(load);
        checked[i].failed = err == EINVAL;
    }
    report_failures(load, checked, checked_count);
    free(checked);
}
