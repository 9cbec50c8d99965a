/*
 * The decoder's UTF-8 string text (ehd__copy_plain, a word at a time, and
 * ehd__json_utf8_readable around it), held to a byte-at-a-time writer of
 * the same rules on random strings: mostly plain ASCII with quotes,
 * backslashes, control bytes, NULs, valid UTF-8 and stray high bytes mixed
 * in, at every alignment, with and without readable bytes past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/xorshift.h"

#include "decode_internal.h"
#include "utf8.h"

static uint64_t random_state = 0x2545F4914F6CDD1Du;

static unsigned roll(unsigned n)
{
    return (unsigned)(xorshift_next(&random_state) % n);
}

static bool reference_plain(uint8_t c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* The rules one byte at a time: plain bytes as they are, the short escapes,
 * \u00XX for other control bytes, valid UTF-8 as it is, any other byte as
 * the Latin-1 character it is. */
static size_t reference_json(char *out, const uint8_t *s, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < size;) {
        uint8_t c = s[i];
        if (reference_plain(c)) {
            out[n++] = (char)c;
            i++;
        } else if (c < 0x80) {
            const char *short_escape = c == '"'    ? "\\\""
                                     : c == '\\'   ? "\\\\"
                                     : c == '\b'   ? "\\b"
                                     : c == '\f'   ? "\\f"
                                     : c == '\n'   ? "\\n"
                                     : c == '\r'   ? "\\r"
                                     : c == '\t'   ? "\\t"
                                                   : NULL;
            if (short_escape != NULL)
                n += (size_t)sprintf(out + n, "%s", short_escape);
            else
                n += (size_t)sprintf(out + n, "\\u%04x", c);
            i++;
        } else {
            uint32_t code_point;
            size_t len = ehd__utf8_decode(s + i, size - i, &code_point);
            if (len != 0) {
                memcpy(out + n, s + i, len);
                n += len;
                i += len;
            } else {
                out[n++] = (char)(0xC0 | c >> 6);
                out[n++] = (char)(0x80 | (c & 0x3F));
                i++;
            }
        }
    }
    return n;
}

/* A random string of `size` bytes, mostly plain. */
static void random_string(uint8_t *s, size_t size)
{
    static const uint8_t special[] = { '"', '\\', 0, '\n', '\t', 0x01, 0x1F, 0x7F, ' ', '~' };
    static const char *const utf8[] = { "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
                                        "\xED\xA0\x80" };
    unsigned plain_odds = 1 + roll(60); /* some strings all but plain, some dense */
    for (size_t i = 0; i < size;) {
        unsigned r = roll(plain_odds + 4);
        if (r >= 4) {
            s[i++] = (uint8_t)(0x20 + roll(0x5F));
        } else if (r == 0) {
            s[i++] = special[roll(sizeof special)];
        } else if (r == 1) {
            s[i++] = (uint8_t)(0x80 + roll(0x80)); /* stray or a lead byte */
        } else {
            const char *seq = utf8[roll(4)];
            for (size_t k = 0; seq[k] != 0 && i < size; k++)
                s[i++] = (uint8_t)seq[k];
        }
    }
}

static void test_copy_plain(void **state)
{
    (void)state;
    uint8_t buffer[320];
    char out[320];
    for (int round = 0; round < 300000; round++) {
        size_t offset = roll(8), size = roll(200), extra = roll(17);
        random_string(buffer, sizeof buffer);
        uint8_t *s = buffer + offset;
        size_t want = 0;
        while (want < size && reference_plain(s[want]))
            want++;
        memset(out, '?', sizeof out);
        size_t got = ehd__copy_plain(out, s, size, size + extra);
        if (got != want || memcmp(out, s, got) != 0)
            fail_msg("round %d: %zu of %zu plain, got %zu", round, want, size, got);
        for (size_t i = size + 7; i < sizeof out; i++)
            if (out[i] != '?')
                fail_msg("round %d: wrote at %zu, past %zu + 7", round, i, size);
    }
}

static void test_utf8_readable(void **state)
{
    (void)state;
    uint8_t buffer[9000];
    static char want[9000 * 6];
    ehd_text text = EHD_TEXT_INIT;
    for (int round = 0; round < 100000; round++) {
        /* Now and then longer than the writer's chunk of 4096. */
        size_t size = round % 500 == 0 ? 4000 + roll(4900) : roll(120);
        size_t offset = roll(8), extra = roll(17);
        random_string(buffer, offset + size + extra);
        size_t n = reference_json(want, buffer + offset, size);
        ehd_text_clear(&text);
        ehd__json_utf8_readable(&text, buffer + offset, size, size + extra);
        if (text.error != 0 || text.len != n || memcmp(text.chars, want, n) != 0)
            fail_msg("round %d, %zu bytes: got '%.*s', want '%.*s'", round, size, (int)text.len,
                     text.chars, (int)n, want);
    }
    ehd_text_free(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_plain),
        cmocka_unit_test(test_utf8_readable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
