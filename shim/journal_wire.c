/* Reading journal entries in the native protocol. */
#include <stdint.h>
#include <string.h>

#include "journal_wire.h"

enum { LOG_INFO_PRIORITY = 6, FACILITY_MAX = 23 };

static bool is_name_char(char c, bool first)
{
    return (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

int shim_journal_next_field(const char *entry, size_t len, size_t *at,
                            shim_journal_field *field)
{
    size_t i = *at;
    if (i >= len)
        return SHIM_JOURNAL_END;
    size_t name_start = i;
    while (i < len && i - name_start <= SHIM_JOURNAL_NAME_MAX &&
           is_name_char(entry[i], i == name_start))
        i++;
    size_t name_len = i - name_start;
    if (name_len == 0 || name_len > SHIM_JOURNAL_NAME_MAX || i >= len)
        return SHIM_JOURNAL_MALFORMED;
    field->name = entry + name_start;
    field->name_len = name_len;
    if (entry[i] == '=') {
        const char *value = entry + i + 1;
        const char *end = memchr(value, '\n', len - i - 1);
        size_t value_len = end != NULL ? (size_t)(end - value) : len - i - 1;
        field->value = value;
        field->value_len = value_len;
        *at = i + 1 + value_len + (end != NULL ? 1 : 0);
        return SHIM_JOURNAL_FIELD;
    }
    if (entry[i] != '\n' || len - i - 1 < 8)
        return SHIM_JOURNAL_MALFORMED;
    uint64_t size = 0;
    for (int b = 7; b >= 0; b--)
        size = size << 8 | (uint8_t)entry[i + 1 + (size_t)b];
    size_t value_at = i + 1 + 8;
    if (size > len - value_at || len - value_at - size < 1 || entry[value_at + size] != '\n')
        return SHIM_JOURNAL_MALFORMED;
    field->value = entry + value_at;
    field->value_len = (size_t)size;
    *at = value_at + (size_t)size + 1;
    return SHIM_JOURNAL_FIELD;
}

static bool named(const shim_journal_field *field, const char *name)
{
    size_t n = strlen(name);
    return field->name_len == n && memcmp(field->name, name, n) == 0;
}

/* A small decimal number, or -1. */
static int small_number(const char *text, size_t len, int max)
{
    if (len == 0 || len > 3)
        return -1;
    int value = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value <= max ? value : -1;
}

size_t shim_journal_split(const char *entry, size_t len, shim_journal_summary *summary,
                          shim_journal_field *others, size_t max)
{
    *summary = (shim_journal_summary){ .priority = -1, .facility = -1 };
    bool priority_seen = false;
    size_t other_count = 0;
    size_t at = 0;
    shim_journal_field field;
    int rc;
    for (;;) {
        if (at < len && entry[at] == '\n')
            break; /* an empty line: the next entry starts after it */
        rc = shim_journal_next_field(entry, len, &at, &field);
        if (rc == SHIM_JOURNAL_MALFORMED) {
            /* journald skips a text line with a name it does not take; a
             * binary field gone wrong leaves nothing to read. */
            const char *end = memchr(entry + at, '\n', len - at);
            summary->malformed = true;
            if (end == NULL || memchr(entry + at, '=', (size_t)(end - (entry + at))) == NULL) {
                at = len;
                break;
            }
            at = (size_t)(end - entry) + 1;
            continue;
        }
        if (rc != SHIM_JOURNAL_FIELD)
            break;
        summary->fields++;
        if (field.name[0] == '_')
            continue;
        if (named(&field, "MESSAGE") && summary->message == NULL) {
            summary->message = field.value;
            summary->message_len = field.value_len;
        } else if (named(&field, "PRIORITY") && !priority_seen) {
            priority_seen = true;
            summary->priority = small_number(field.value, field.value_len, 7);
        } else if (named(&field, "SYSLOG_IDENTIFIER") && summary->ident == NULL) {
            summary->ident = field.value;
            summary->ident_len = field.value_len;
        } else if (named(&field, "SYSLOG_FACILITY") && summary->facility < 0) {
            summary->facility = small_number(field.value, field.value_len, FACILITY_MAX);
        } else {
            if (other_count < max)
                others[other_count] = field;
            other_count++;
        }
    }
    summary->length = at;
    if (summary->priority < 0)
        summary->priority = LOG_INFO_PRIORITY;
    return other_count;
}

void shim_journal_message(const shim_journal_summary *summary, const char *ident,
                          size_t ident_len, const shim_journal_field *fields, size_t count,
                          ehs_message *out)
{
    bool named = summary->ident != NULL;
    *out = (ehs_message){
        .source = EHS_SOURCE_JOURNAL,
        .ident = named ? summary->ident : ident,
        .ident_len = named ? summary->ident_len : ident_len,
        .priority = (summary->facility >= 0 ? summary->facility << 3 : 0) | summary->priority,
        .facility_unknown = summary->facility < 0,
        .text = summary->message != NULL ? summary->message : "",
        .len = summary->message != NULL ? summary->message_len : 0,
        .entry_fields = fields,
        .entry_field_count = count,
    };
}

void shim_journal_summarize(const char *entry, size_t len, shim_journal_summary *summary)
{
    shim_journal_split(entry, len, summary, NULL, 0);
}
