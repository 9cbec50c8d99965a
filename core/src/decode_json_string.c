/*
 * Text of JSON strings: escaping, and turning the character encodings an
 * event may use (UTF-8, Latin-1, UTF-16, UCS-4) into UTF-8.
 *
 * The reference formatter shows what the event holds rather than what
 * Unicode allows: surrogates and code points above U+10FFFF are written in
 * the old long UTF-8 forms instead of being replaced, and invalid UTF-8
 * input is read as Latin-1. Output must match it byte for byte, so this
 * file follows the same rules.
 */
#include <string.h>

#include "decode_internal.h"
#include "utf8.h"

static const char hex_digits[] = "0123456789abcdef";

/* Bytes that may be copied into a JSON string as they are. */
static inline bool plain_ascii(uint8_t c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

static void put_escaped_ascii(ehd_text *text, uint8_t c)
{
    char seq[6] = { '\\', 0, 0, 0, 0, 0 };
    size_t n = 2;
    switch (c) {
    case '\\': seq[1] = '\\'; break;
    case '"': seq[1] = '"'; break;
    case '\b': seq[1] = 'b'; break;
    case '\f': seq[1] = 'f'; break;
    case '\n': seq[1] = 'n'; break;
    case '\r': seq[1] = 'r'; break;
    case '\t': seq[1] = 't'; break;
    default:
        memcpy(seq + 1, "u00", 3);
        seq[4] = hex_digits[c >> 4];
        seq[5] = hex_digits[c & 0xF];
        n = 6;
        break;
    }
    ehd__text_put(text, seq, n);
}

static void put_ascii(ehd_text *text, uint8_t c)
{
    if (plain_ascii(c))
        ehd__text_putc(text, (char)c);
    else
        put_escaped_ascii(text, c);
}

/* UTF-8 for code points >= 0x80, past U+10FFFF in the long forms (see
 * ehd__utf8_encode). */
static void put_non_ascii(ehd_text *text, uint32_t cp)
{
    uint8_t seq[EHD_UTF8_ENCODED_MAX];
    ehd__text_put(text, seq, ehd__utf8_encode(cp, seq));
}

void ehd__json_code_point(ehd_text *text, uint32_t code_point)
{
    if (code_point < 0x80)
        put_ascii(text, (uint8_t)code_point);
    else
        put_non_ascii(text, code_point);
}

void ehd__json_utf8(ehd_text *text, const uint8_t *bytes, size_t size)
{
    size_t i = 0;
    while (i < size) {
        size_t run = i;
        while (run < size && plain_ascii(bytes[run]))
            run++;
        if (run > i) {
            ehd__text_put(text, bytes + i, run - i);
            i = run;
            continue;
        }
        uint8_t b0 = bytes[i];
        if (b0 < 0x80) {
            put_escaped_ascii(text, b0);
            i++;
            continue;
        }
        uint32_t code_point;
        size_t n = ehd__utf8_decode(bytes + i, size - i, &code_point);
        if (n != 0) {
            ehd__text_put(text, bytes + i, n);
            i += n;
        } else {
            put_non_ascii(text, b0); /* not UTF-8: this byte is Latin-1 */
            i++;
        }
    }
}

void ehd__json_latin1(ehd_text *text, const uint8_t *bytes, size_t size)
{
    for (size_t i = 0; i < size; i++)
        ehd__json_code_point(text, bytes[i]);
}

void ehd__json_ucs4(ehd_text *text, const uint8_t *bytes, size_t count, bool little_endian)
{
    for (size_t i = 0; i < count; i++)
        ehd__json_code_point(text, ehd__load32(bytes + 4 * i, little_endian));
}

void ehd__json_utf16(ehd_text *text, const uint8_t *bytes, size_t count, bool little_endian)
{
    for (size_t i = 0; i < count; i++) {
        uint32_t unit = ehd__load16(bytes + 2 * i, little_endian);
        if (unit >= 0xD800 && unit <= 0xDBFF && i + 1 < count) {
            uint32_t low = ehd__load16(bytes + 2 * (i + 1), little_endian);
            if (low >= 0xDC00 && low <= 0xDFFF) {
                /* The reference ORs 0x10000 in instead of adding it, which
                 * is only right below U+20000; we print what it prints. */
                unit = (unit - 0xD800) << 10 | (low - 0xDC00) | 0x10000;
                i++;
            }
        }
        ehd__json_code_point(text, unit);
    }
}
