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

/* UTF-8 for code points >= 0x80, extended past U+10FFFF the way UTF-8 was
 * first defined (5- and 6-byte forms) and one step further: 0xFE and six
 * continuation bytes for values that need 32 bits. */
static void put_non_ascii(ehd_text *text, uint32_t cp)
{
    uint8_t seq[7];
    size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : cp < 0x200000 ? 4 : cp < 0x4000000 ? 5
             : cp < 0x80000000u ? 6 : 7;
    uint64_t bits = cp;
    for (size_t i = n - 1; i > 0; i--) {
        seq[i] = (uint8_t)(0x80 | (bits & 0x3F));
        bits >>= 6;
    }
    /* Lead byte: n one-bits, a zero, then what is left of the value. */
    seq[0] = (uint8_t)((0xFF00u >> n) | bits);
    ehd__text_put(text, seq, n);
}

void ehd__json_code_point(ehd_text *text, uint32_t code_point)
{
    if (code_point < 0x80)
        put_ascii(text, (uint8_t)code_point);
    else
        put_non_ascii(text, code_point);
}

/* Length of the valid UTF-8 sequence at bytes[0] (lead byte >= 0x80), or 0.
 * Overlong forms and values above U+10FFFF are invalid; surrogates are not. */
static size_t utf8_sequence_length(const uint8_t *bytes, size_t left)
{
    uint8_t b0 = bytes[0];
    size_t n;
    uint32_t cp, min;
    if (b0 >= 0xC0 && b0 <= 0xDF) {
        n = 2, cp = b0 & 0x1Fu, min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        n = 3, cp = b0 & 0x0Fu, min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        n = 4, cp = b0 & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((bytes[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (bytes[i] & 0x3Fu);
    }
    return cp >= min && cp <= 0x10FFFF ? n : 0;
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
        size_t n = utf8_sequence_length(bytes + i, size - i);
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
