/*
 * Reading config members: every type and range check, and the wording of
 * its complaint, lives here so all keys are judged and worded alike.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "grow_array.h"

void ehs_load_nomem(ehs_load *load)
{
    load->diag.out_of_memory = true;
}

ehs_position ehs_key_position(const ehs_load *load, const cJSON *item)
{
    ehs_json_span span = ehs_json_span_of(&load->doc, item);
    return span.key.line != 0 ? span.key : span.value;
}

ehs_position ehs_value_position(const ehs_load *load, const cJSON *item)
{
    return ehs_json_span_of(&load->doc, item).value;
}

const char *ehs_json_kind(const cJSON *item)
{
    switch (item->type & 0xff) {
    case cJSON_False:
    case cJSON_True:
        return "a boolean";
    case cJSON_NULL:
        return "null";
    case cJSON_Number:
        return "a number";
    case cJSON_String:
        return "a string";
    case cJSON_Array:
        return "an array";
    case cJSON_Object:
        return "an object";
    default:
        return "something else";
    }
}

/* Edit distance of two short words, ignoring case; SIZE_MAX for long ones. */
static size_t edit_distance(const char *a, const char *b)
{
    enum { LONGEST = 32 };
    size_t n = strlen(a), m = strlen(b);
    if (n > LONGEST || m > LONGEST)
        return SIZE_MAX;
    size_t row[LONGEST + 1];
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t above = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diagonal + cost;
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[m];
}

/* The known key closest to `key`, when close enough to be a typo. */
static const char *suggestion(const char *key, const char *const *keys)
{
    const char *best = NULL;
    size_t best_distance = strlen(key) <= 4 ? 1 : 2;
    for (size_t i = 0; keys[i] != NULL; i++) {
        size_t d = edit_distance(key, keys[i]);
        if (d <= best_distance) {
            best = keys[i];
            best_distance = d;
        }
    }
    return best;
}

static int compare_addresses(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(const cJSON *const *)a, y = (uintptr_t)*(const cJSON *const *)b;
    return (x > y) - (x < y);
}

/* Remembers a repeated member; check_duplicate_keys sorts the list after. */
static void note_repeat(ehs_load *load, const cJSON *item)
{
    const cJSON **grown = ehd__grow_array(load->repeated_keys, &load->repeated_capacity,
                                          load->repeated_count + 1, sizeof *grown, 8);
    if (grown == NULL) {
        ehs_load_nomem(load);
        return;
    }
    load->repeated_keys = grown;
    load->repeated_keys[load->repeated_count++] = item;
}

bool ehs_is_repeated_key(const ehs_load *load, const cJSON *item)
{
    return load->repeated_count != 0 &&
           bsearch(&item, load->repeated_keys, load->repeated_count, sizeof item,
                   compare_addresses) != NULL;
}

static int compare_members(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string, y->string);
}

/* Reports keys written twice, at every repeat. Sorting keeps it fast for
 * objects of any size; equal keys stay in file order because the sort breaks
 * ties by position below. */
static void check_duplicate_keys(ehs_load *load, const cJSON *object)
{
    size_t n = 0;
    for (const cJSON *c = object->child; c != NULL; c = c->next)
        n++;
    if (n < 2)
        return;
    const cJSON **members = malloc(n * sizeof *members);
    if (members == NULL) {
        ehs_load_nomem(load);
        return;
    }
    n = 0;
    for (const cJSON *c = object->child; c != NULL; c = c->next)
        members[n++] = c;
    qsort(members, n, sizeof *members, compare_members);
    for (size_t i = 0; i < n;) {
        /* Within a run of equal keys the first in the file is the original. */
        size_t j = i + 1;
        const cJSON *first = members[i];
        ehs_json_span first_span = ehs_json_span_of(&load->doc, first);
        while (j < n && strcmp(members[j]->string, first->string) == 0) {
            ehs_json_span s = ehs_json_span_of(&load->doc, members[j]);
            if (s.offset < first_span.offset) {
                first = members[j];
                first_span = s;
            }
            j++;
        }
        for (size_t k = i; k < j && j - i > 1; k++) {
            if (members[k] == first)
                continue;
            note_repeat(load, members[k]);
            char q[EHS_QUOTE_MAX];
            ehs_diag_add(&load->diag, ehs_key_position(load, members[k]),
                         "duplicate key %s (first at %u:%u)",
                         ehs_quote(q, sizeof q, members[k]->string, strlen(members[k]->string)),
                         first_span.key.line, first_span.key.column);
        }
        i = j;
    }
    free(members);
    if (load->repeated_count > 1)
        qsort(load->repeated_keys, load->repeated_count, sizeof *load->repeated_keys,
          compare_addresses);
}

void ehs_check_keys(ehs_load *load, const cJSON *object, const char *const *keys,
                    const char *where)
{
    for (const cJSON *c = object->child; c != NULL && keys != NULL; c = c->next) {
        bool known = false;
        for (size_t i = 0; keys[i] != NULL && !known; i++)
            known = strcmp(c->string, keys[i]) == 0;
        if (known)
            continue;
        char q[EHS_QUOTE_MAX];
        ehs_quote(q, sizeof q, c->string, strlen(c->string));
        const char *near = suggestion(c->string, keys);
        if (near != NULL)
            ehs_diag_add(&load->diag, ehs_key_position(load, c),
                         "unknown key %s in %s (did you mean '%s'?)", q, where, near);
        else
            ehs_diag_add(&load->diag, ehs_key_position(load, c), "unknown key %s in %s", q,
                         where);
    }
    check_duplicate_keys(load, object);
}

static void report_type(ehs_load *load, const cJSON *item, const char *expected)
{
    char q[EHS_QUOTE_MAX];
    ehs_diag_add(&load->diag, ehs_value_position(load, item), "%s must be %s, not %s",
                 ehs_quote(q, sizeof q, item->string, strlen(item->string)), expected,
                 ehs_json_kind(item));
}

const cJSON *ehs_member(ehs_load *load, const cJSON *object, const char *key, int types,
                        bool nullable, const char *expected)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    if (item == NULL || (nullable && cJSON_IsNull(item)))
        return NULL;
    if ((item->type & 0xff & types) == 0) {
        report_type(load, item, expected);
        return NULL;
    }
    return item;
}

void ehs_read_bool(ehs_load *load, const cJSON *object, const char *key, bool *out)
{
    const cJSON *item = ehs_member(load, object, key, cJSON_True | cJSON_False, false,
                                   "true or false");
    if (item != NULL)
        *out = cJSON_IsTrue(item);
}

bool ehs_read_uint(ehs_load *load, const cJSON *object, const char *key, uint64_t min,
                   uint64_t max, uint64_t *out)
{
    char expected[96];
    snprintf(expected, sizeof expected, "an integer %llu..%llu", (unsigned long long)min,
             (unsigned long long)max);
    const cJSON *item = ehs_member(load, object, key, cJSON_Number, false, expected);
    if (item == NULL)
        return false;
    uint64_t value;
    if (ehs_json_integer(&load->doc, item, &value) != EHS_JSON_INTEGER || value < min ||
        value > max) {
        ehs_diag_add(&load->diag, ehs_value_position(load, item), "'%s' must be %s", key,
                     expected);
        return false;
    }
    *out = value;
    return true;
}

char *ehs_copy_string(ehs_load *load, const cJSON *item)
{
    char *copy = strdup(item->valuestring);
    if (copy == NULL)
        ehs_load_nomem(load);
    return copy;
}

#define LEVEL_RANGE "1..255 or critical, error, warning, info, verbose or debug"

bool ehs_parse_level(ehs_load *load, const cJSON *item, const char *what, uint8_t *out)
{
    if (!cJSON_IsString(item) && !cJSON_IsNumber(item)) {
        ehs_diag_add(&load->diag, ehs_value_position(load, item),
                     "%s must be " LEVEL_RANGE ", not %s", what, ehs_json_kind(item));
        return false;
    }
    uint64_t value = 0;
    if (cJSON_IsString(item))
        value = ehs_level_from_word(item->valuestring);
    else if (ehs_json_integer(&load->doc, item, &value) != EHS_JSON_INTEGER || value > 255)
        value = 0;
    if (value == 0) {
        ehs_diag_add(&load->diag, ehs_value_position(load, item), "%s must be " LEVEL_RANGE,
                     what);
        return false;
    }
    *out = (uint8_t)value;
    return true;
}

void ehs_read_level(ehs_load *load, const cJSON *object, const char *key, uint8_t *out)
{
    const cJSON *item =
        ehs_member(load, object, key, cJSON_Number | cJSON_String, true, LEVEL_RANGE);
    if (item != NULL) {
        char what[64];
        snprintf(what, sizeof what, "'%s'", key);
        ehs_parse_level(load, item, what, out);
    }
}

void ehs_read_keyword(ehs_load *load, const cJSON *object, const char *key, bool *has,
                      uint64_t *out)
{
    static const char expected[] = "an integer or a hex string such as '0x10'";
    const cJSON *item = ehs_member(load, object, key, cJSON_Number | cJSON_String, true, expected);
    if (item == NULL)
        return;
    uint64_t value = 0;
    bool ok;
    if (cJSON_IsNumber(item)) {
        ok = ehs_json_integer(&load->doc, item, &value) == EHS_JSON_INTEGER;
    } else {
        /* "0x" and 1..16 hex digits: a keyword is 64 bits. */
        const char *s = item->valuestring;
        size_t len = strlen(s);
        ok = len > 2 && len <= 18 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
             strspn(s + 2, "0123456789abcdefABCDEF") == len - 2;
        if (ok)
            value = strtoull(s + 2, NULL, 16);
    }
    if (!ok) {
        ehs_diag_add(&load->diag, ehs_value_position(load, item), "'%s' must be %s", key,
                     expected);
        return;
    }
    *has = true;
    *out = value;
}

bool ehs_check_event_name(ehs_load *load, const cJSON *item)
{
    const char *name = item->valuestring;
    if (name[0] == '\0') {
        ehs_diag_add(&load->diag, ehs_value_position(load, item), "'%s' must not be empty",
                     item->string);
        return false;
    }
    const char *semicolon = strchr(name, ';');
    if (semicolon != NULL) {
        ehs_diag_add(&load->diag,
                     ehs_json_string_position(&load->doc, item, (size_t)(semicolon - name)),
                     "'%s' cannot contain ';', which starts EventHeader event attributes",
                     item->string);
        return false;
    }
    size_t len = strlen(name);
    if (len > EHS_EVENT_NAME_MAX) {
        ehs_diag_add(&load->diag, ehs_value_position(load, item),
                     "'%s' is %zu bytes long; an event name takes at most %d", item->string, len,
                     EHS_EVENT_NAME_MAX);
        return false;
    }
    return true;
}
