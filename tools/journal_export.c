/* Splitting journal export streams into entries; see journal_export.h. */
#include "journal_export.h"

#include <stdint.h>
#include <string.h>

#include "../shim/journal_wire.h"

/* The longest field value waited for. */
#define FIELD_BYTES_MAX ((uint64_t)768 << 20)

/* Where to go on after a bad field at `at`: past the next empty line. */
static size_t skip_entry(const char *bytes, size_t len, size_t at)
{
    for (size_t i = at; i + 1 < len; i++) {
        if (bytes[i] == '\n' && bytes[i + 1] == '\n')
            return i + 2;
    }
    return len;
}

static bool is_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int journal_export_scan(const char *bytes, size_t len, bool eof, size_t *entry_len,
                        size_t *consumed)
{
    size_t at = 0;
    for (;;) {
        if (at == len) {
            if (!eof || at == 0)
                return JOURNAL_EXPORT_NEED_MORE;
            *entry_len = *consumed = at;
            return JOURNAL_EXPORT_ENTRY;
        }
        if (bytes[at] == '\n') {
            if (at == 0) { /* a stray empty line between entries */
                *entry_len = 0;
                *consumed = 1;
                return JOURNAL_EXPORT_ENTRY;
            }
            *entry_len = at;
            *consumed = at + 1;
            return JOURNAL_EXPORT_ENTRY;
        }
        size_t name_end = at;
        while (name_end < len && name_end - at <= SHIM_JOURNAL_NAME_MAX &&
               is_name_char(bytes[name_end]))
            name_end++;
        if (name_end == len && !eof)
            return JOURNAL_EXPORT_NEED_MORE;
        size_t name_len = name_end - at;
        bool bad = name_len == 0 || name_len > SHIM_JOURNAL_NAME_MAX || name_end == len ||
                   (bytes[name_end] != '=' && bytes[name_end] != '\n') ||
                   (bytes[at] >= '0' && bytes[at] <= '9');
        if (!bad && bytes[name_end] == '=') {
            const char *newline = memchr(bytes + name_end, '\n', len - name_end);
            if (newline == NULL) {
                if (!eof)
                    return JOURNAL_EXPORT_NEED_MORE;
                at = len;
            } else {
                at = (size_t)(newline - bytes) + 1;
            }
            continue;
        }
        if (!bad) {
            /* binary: 8 length bytes, the value, its newline */
            size_t value_at = name_end + 1 + 8;
            if (value_at > len) {
                if (!eof)
                    return JOURNAL_EXPORT_NEED_MORE;
                bad = true;
            } else {
                uint64_t size = 0;
                for (int b = 7; b >= 0; b--)
                    size = size << 8 | (uint8_t)bytes[name_end + 1 + (size_t)b];
                if (size >= len - value_at) {
                    /* journald takes no field over 768 MiB: a longer one is
                     * no reason to wait for more input. */
                    if (!eof && size <= FIELD_BYTES_MAX)
                        return JOURNAL_EXPORT_NEED_MORE;
                    bad = true;
                } else if (bytes[value_at + size] != '\n') {
                    bad = true;
                } else {
                    at = value_at + (size_t)size + 1;
                    continue;
                }
            }
        }
        *entry_len = at;
        *consumed = skip_entry(bytes, len, at);
        return JOURNAL_EXPORT_MALFORMED;
    }
}
