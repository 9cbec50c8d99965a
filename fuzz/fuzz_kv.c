/*
 * The logfmt tokeniser (config/src/kv.h) and the unescaper of quoted
 * values (convert.h: ehs_unescape) on any bytes, then the same bytes as
 * the message of kv rules, whose events must decode.
 *
 * The tokeniser is checked against its grammar token by token: every pair
 * starts a token, its key holds only key bytes, its value ends where the
 * grammar says, pairs come in order without overlapping, and
 * ehs_kv_has_pair agrees with the pairs. The unescaper must never write
 * past its capacity and a smaller capacity must give a prefix of what a
 * larger one gives.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "convert.h"
#include "fuzz.h"
#include "kv.h"

static const char kv_config[] =
    "{ \"provider\": \"FuzzKv\", \"max_message_bytes\": 200,\n"
    "  \"rules\": [\n"
    "    { \"name\": \"After\", \"regex\": \"^(?<tag>\\\\w+): \", \"kv\": true,\n"
    "      \"fields\": { \"tag\": \"string\", \"n\": \"i32\", \"h\": \"hexbytes\" } },\n"
    "    { \"name\": \"Kv\", \"kv\": true, \"level_field\": \"level\",\n"
    "      \"level_map\": { \"error\": \"error\", \"warn\": \"warning\", \"x\": 200 },\n"
    "      \"fields\": { \"n\": \"u16\", \"f\": \"f64\", \"ok\": \"bool\", \"ip\": \"ip\",\n"
    "        \"t\": \"time\", \"e\": \"errno\", \"u\": \"uuid\", \"h\": \"hexbytes\", \"p\": \"port\" } }\n"
    "  ] }\n";

static fuzz_config config;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_config_load_text(&config, "kv", kv_config, sizeof kv_config - 1);
    return 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_key_byte(char c)
{
    unsigned char u = (unsigned char)c;
    return u > ' ' && u != 0x7F && c != '=' && c != '"';
}

/* Unescapes `text` with room for everything and with `small` bytes; the
 * second must be a prefix of the first. */
static void check_unescape(const char *text, size_t len, size_t small)
{
    static char full[1 << 17], part[1 << 17];
    if (len > sizeof full)
        return;
    bool complete = false;
    /* An escape never writes more bytes than it reads. */
    size_t n = ehs_unescape(text, len, full, len, &complete);
    FUZZ_CHECK(complete && n <= len, "unescape of %zu bytes needs more room (%zu)", len, n);
    if (small > len)
        small = len;
    size_t m = ehs_unescape(text, len, part, small, &complete);
    FUZZ_CHECK(m <= small, "unescape wrote %zu bytes into %zu", m, small);
    FUZZ_CHECK(m <= n && memcmp(part, full, m) == 0, "a smaller capacity is no prefix");
    FUZZ_CHECK(complete == (m == n), "complete says %d with %zu of %zu bytes", complete, m, n);
}

static void check_pairs(const char *text, size_t len, size_t small)
{
    ehs_kv_cursor cursor;
    ehs_kv_pair pair;
    ehs_kv_start(&cursor, text, len);
    const char *end = text + len;
    const char *last = text;
    bool any_pair = false;
    size_t count = 0;
    while (ehs_kv_next(&cursor, &pair)) {
        FUZZ_CHECK(++count <= len, "more pairs than bytes");
        const char *key = pair.key;
        FUZZ_CHECK(key >= last && pair.key_len > 0 && key + pair.key_len <= end,
                   "key out of order or outside the text");
        FUZZ_CHECK(key == text || is_space(key[-1]), "key does not start a token");
        for (size_t i = 0; i < pair.key_len; i++)
            FUZZ_CHECK(is_key_byte(key[i]), "key byte 0x%02x", (unsigned char)key[i]);
        const char *after = key + pair.key_len;
        const char *value_end = pair.value + pair.value_len;
        FUZZ_CHECK(pair.value >= after && value_end <= end, "value outside the text");
        if (pair.bare) {
            FUZZ_CHECK(!pair.quoted && pair.value_len == 0, "bare key with a value");
            FUZZ_CHECK(after == end || is_space(*after), "bare key not followed by a space");
            last = after;
        } else if (pair.quoted) {
            FUZZ_CHECK(after[0] == '=' && after[1] == '"' && pair.value == after + 2,
                       "quoted value not after =\"");
            /* Closed: a quote, then the end or a space. Open: the rest. */
            if (value_end < end) {
                FUZZ_CHECK(*value_end == '"', "quoted value not closed by a quote");
                FUZZ_CHECK(value_end + 1 == end || is_space(value_end[1]),
                           "closing quote followed by more");
                last = value_end + 1;
            } else {
                last = end;
            }
            check_unescape(pair.value, pair.value_len, small);
        } else {
            FUZZ_CHECK(*after == '=' && pair.value == after + 1, "value not after =");
            FUZZ_CHECK(pair.value_len == 0 || *pair.value != '"', "unquoted value starts with \"");
            for (size_t i = 0; i < pair.value_len; i++)
                FUZZ_CHECK(!is_space(pair.value[i]), "space inside an unquoted value");
            FUZZ_CHECK(value_end == end || is_space(*value_end), "value not ended by a space");
            last = value_end;
        }
        any_pair |= !pair.bare;
    }
    FUZZ_CHECK(cursor.pos == len, "cursor stops at %zu of %zu", cursor.pos, len);
    FUZZ_CHECK(!ehs_kv_next(&cursor, &pair), "pairs after the end");
    FUZZ_CHECK(ehs_kv_has_pair(text, len) == any_pair, "has_pair disagrees with the pairs");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    size_t small = size > 0 ? data[size - 1] : 0;
    check_pairs(text, size, small);
    check_unescape(text, size, small);
    fuzz_build_all(&config, text, size, 14);
    return 0;
}
