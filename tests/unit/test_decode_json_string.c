/*
 * The decoder's UTF-8 string text (ehd__copy_plain, a word at a time, and
 * ehd__json_utf8_readable around it), held to a byte-at-a-time writer of
 * the same rules on random strings: mostly plain ASCII with quotes,
 * backslashes, control bytes, NULs, valid UTF-8 and stray high bytes mixed
 * in, at every alignment, with and without readable bytes past the end.
 * UCS-4 and UTF-16 units (json_units, its own unrolled UTF-8) are held to
 * ehd__utf8_encode on every bit length's ends and random units, with and
 * without the quotes written in the same room.
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
        size_t offset = roll(16), size = roll(200), extra = roll(33);
        random_string(buffer, sizeof buffer);
        uint8_t *s = buffer + offset;
        size_t want = 0;
        while (want < size && reference_plain(s[want]))
            want++;
        memset(out, '?', sizeof out);
        size_t got = ehd__copy_plain(out, s, size, size + extra);
        if (got != want || memcmp(out, s, got) != 0)
            fail_msg("round %d: %zu of %zu plain, got %zu", round, want, size, got);
        for (size_t i = size + EHD__COPY_PLAIN_OVER; i < sizeof out; i++)
            if (out[i] != '?')
                fail_msg("round %d: wrote at %zu, past %zu + %d", round, i, size,
                         EHD__COPY_PLAIN_OVER - 1);
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

/* One code point as the reference writes it inside a JSON string. */
static size_t reference_code_point(char *out, uint32_t code_point)
{
    if (code_point < 0x80) {
        uint8_t c = (uint8_t)code_point;
        return reference_json(out, &c, 1);
    }
    return ehd__utf8_encode(code_point, (uint8_t *)out);
}

/* `text` is `want` (`n` bytes) in quotes. */
static void check_quoted(const ehd_text *text, const char *want, size_t n)
{
    if (text->error != 0 || text->len != n + 2 || text->chars[0] != '"' ||
        memcmp(text->chars + 1, want, n) != 0 || text->chars[n + 1] != '"')
        fail_msg("quoted: got %zu bytes, want %zu and the quotes", text->len, n);
}

static void check_ucs4(ehd_text *text, const uint32_t *units, size_t count)
{
    static char want[64 * EHD_UTF8_ENCODED_MAX * 6];
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        n += reference_code_point(want + n, units[i]);
    ehd_text_clear(text);
    ehd__json_ucs4(text, (const uint8_t *)units, count, __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
    if (text->error != 0 || text->len != n || memcmp(text->chars, want, n) != 0)
        fail_msg("%zu units from 0x%x: got %zu bytes, want %zu", count, units[0], text->len, n);
    ehd_text_clear(text);
    ehd__json_ucs4_quoted(text, (const uint8_t *)units, count,
                          __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
    check_quoted(text, want, n);
}

static void test_ucs4_utf16(void **state)
{
    (void)state;
    ehd_text text = EHD_TEXT_INIT;
    for (int bits = 0; bits <= 32; bits++) {
        uint64_t edge = (uint64_t)1 << bits;
        uint32_t units[] = { (uint32_t)(edge - 1), (uint32_t)edge, (uint32_t)(edge + 1) };
        check_ucs4(&text, units, bits == 32 ? 1 : 3);
    }
    uint32_t units[64];
    for (int round = 0; round < 50000; round++) {
        size_t count = 1 + roll(64);
        for (size_t i = 0; i < count; i++) {
            uint64_t r = xorshift_next(&random_state);
            units[i] = (uint32_t)(r >> (r % 32)); /* every bit length */
        }
        check_ucs4(&text, units, count);
    }

    /* UTF-16: surrogate pairs combine (0x10000 ORed in), lone ones pass. */
    static char want[64 * 12];
    uint16_t code_units[64];
    for (int round = 0; round < 50000; round++) {
        size_t count = 1 + roll(64);
        for (size_t i = 0; i < count; i++) {
            unsigned kind = roll(4);
            code_units[i] = (uint16_t)(kind == 0   ? 0xD800 + roll(0x400)
                                       : kind == 1 ? 0xDC00 + roll(0x400)
                                       : kind == 2 ? roll(0x80)
                                                   : roll(0x10000));
        }
        size_t n = 0;
        for (size_t i = 0; i < count; i++) {
            uint32_t unit = code_units[i];
            if (unit >= 0xD800 && unit <= 0xDBFF && i + 1 < count && code_units[i + 1] >= 0xDC00 &&
                code_units[i + 1] <= 0xDFFF) {
                unit = (unit - 0xD800) << 10 | (code_units[i + 1] - 0xDC00u) | 0x10000;
                i++;
            }
            n += reference_code_point(want + n, unit);
        }
        ehd_text_clear(&text);
        ehd__json_utf16(&text, (const uint8_t *)code_units, count,
                        __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
        if (text.error != 0 || text.len != n || memcmp(text.chars, want, n) != 0)
            fail_msg("round %d: %zu UTF-16 units: got %zu bytes, want %zu", round, count, text.len,
                     n);
        ehd_text_clear(&text);
        ehd__json_utf16_quoted(&text, (const uint8_t *)code_units, count,
                               __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
        check_quoted(&text, want, n);
    }
    ehd_text_free(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_plain),
        cmocka_unit_test(test_utf8_readable),
        cmocka_unit_test(test_ucs4_utf16),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
