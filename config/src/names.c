/*
 * A rule's `ident` and `exe`: one name or a list of names, each exact or a
 * glob. One rule then covers every name a program runs under (`python3`,
 * `python3.11`, a venv's `python`), which an exact ident could not.
 */
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

/* Matches the bracket expression starting after '[' at pattern[*at];
 * moves *at past its ']'. Returns -1 when the bracket is not closed (then
 * '[' is an ordinary character), else whether `c` is in the set. */
static int bracket_match(const char *pattern, size_t len, size_t *at, unsigned char c)
{
    size_t i = *at;
    bool negate = i < len && (pattern[i] == '!' || pattern[i] == '^');
    if (negate)
        i++;
    bool found = false;
    bool first = true;
    while (i < len && (pattern[i] != ']' || first)) {
        first = false;
        unsigned char low = (unsigned char)pattern[i], high = low;
        if (i + 2 < len && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
            high = (unsigned char)pattern[i + 2];
            i += 2;
        }
        if (c >= low && c <= high)
            found = true;
        i++;
    }
    if (i >= len)
        return -1;
    *at = i + 1;
    return found != negate;
}

/* Classic two-pointer glob matching: on a mismatch, go back to the last
 * '*' and let it take one more character. Linear in practice, quadratic at
 * worst, never exponential. */
EHS_API bool ehs_glob_match(const char *pattern, size_t pattern_len, const char *text,
                            size_t text_len)
{
    size_t p = 0, t = 0;
    size_t star_p = SIZE_MAX, star_t = 0;
    while (t < text_len) {
        if (p < pattern_len) {
            char pc = pattern[p];
            if (pc == '*') {
                star_p = ++p;
                star_t = t;
                continue;
            }
            if (pc == '?') {
                p++;
                t++;
                continue;
            }
            if (pc == '[') {
                size_t after = p + 1;
                int in = bracket_match(pattern, pattern_len, &after, (unsigned char)text[t]);
                if (in == 1) {
                    p = after;
                    t++;
                    continue;
                }
                if (in == -1 && text[t] == '[') {
                    p++;
                    t++;
                    continue;
                }
            } else {
                if (pc == '\\' && p + 1 < pattern_len)
                    pc = pattern[++p];
                if (pc == text[t]) {
                    p++;
                    t++;
                    continue;
                }
            }
        }
        if (star_p == SIZE_MAX)
            return false;
        p = star_p;
        t = ++star_t;
    }
    while (p < pattern_len && pattern[p] == '*')
        p++;
    return p == pattern_len;
}

EHS_API bool ehs_names_match(const ehs_names *names, const char *name, size_t len)
{
    if (names->count == 0)
        return true;
    for (size_t i = 0; i < names->count; i++) {
        const ehs_name *item = &names->items[i];
        if (item->glob) {
            if (ehs_glob_match(item->text, item->len, name, len))
                return true;
        } else if (item->len == len && memcmp(item->text, name, len) == 0) {
            return true;
        }
    }
    return false;
}

static bool add_name(ehs_load *load, const cJSON *item, const char *key, ehs_names *names)
{
    if (!cJSON_IsString(item)) {
        ehs_diag_add(&load->diag, ehs_value_position(load, item),
                     "'%s' must be a name or a list of names, not %s", key,
                     ehs_json_kind(item));
        return false;
    }
    size_t len = strlen(item->valuestring);
    if (len == 0) {
        ehs_diag_add(&load->diag, ehs_value_position(load, item),
                     "'%s' must not be empty (leave it out for any)", key);
        return false;
    }
    char *copy = ehs_copy_string(load, item);
    if (copy == NULL)
        return false;
    names->items[names->count++] =
        (ehs_name){ .text = copy, .len = len, .glob = strpbrk(copy, "*?[\\") != NULL };
    return true;
}

void ehs_read_names(ehs_load *load, const cJSON *object, const char *key, ehs_names *names)
{
    const cJSON *item = ehs_member(load, object, key, cJSON_String | cJSON_Array, true,
                                   "a name or a list of names");
    if (item == NULL)
        return;
    size_t count = 1;
    if (cJSON_IsArray(item)) {
        count = 0;
        for (const cJSON *c = item->child; c != NULL; c = c->next)
            count++;
        if (count == 0) {
            ehs_diag_add(&load->diag, ehs_value_position(load, item),
                         "'%s' must list at least one name (leave it out for any)", key);
            return;
        }
    }
    names->items = calloc(count, sizeof *names->items);
    if (names->items == NULL) {
        ehs_load_nomem(load);
        return;
    }
    if (!cJSON_IsArray(item)) {
        add_name(load, item, key, names);
        return;
    }
    for (const cJSON *c = item->child; c != NULL; c = c->next)
        add_name(load, c, key, names);
}

void ehs_names_free(ehs_names *names)
{
    for (size_t i = 0; i < names->count; i++)
        free(names->items[i].text);
    free(names->items);
    memset(names, 0, sizeof *names);
}
