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
#include <errno.h>
#include <string.h>

#include "decode_internal.h"
#include "utf8.h"

static const char hex_digits[] = "0123456789abcdef";

/* Bytes that may be copied into a JSON string as they are: 1 for printable
 * ASCII and DEL, other than '"' and '\\'. */
#define PLAIN_16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
const uint8_t ehd__json_plain_byte[256] = {
    [0x20] = 1, 1, 0 /* '"' */, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    [0x30] = PLAIN_16,
    [0x40] = PLAIN_16,
    [0x50] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 /* '\\' */, 1, 1, 1,
    [0x60] = PLAIN_16,
    [0x70] = PLAIN_16,
};

static inline bool plain_ascii(uint8_t c)
{
    return ehd__json_plain_byte[c] != 0;
}

/* Writes the escape of an ASCII byte that is not plain; returns its end. */
static char *escape_ascii(char *p, uint8_t c)
{
    static const char short_escapes[0x60] = {
        ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
        ['"'] = '"',   ['\\'] = '\\',
    };
    *p++ = '\\';
    if (c < sizeof short_escapes && short_escapes[c] != 0) {
        *p++ = short_escapes[c];
        return p;
    }
    memcpy(p, "u00", 3);
    p[3] = hex_digits[c >> 4];
    p[4] = hex_digits[c & 0xF];
    return p + 5;
}

static void put_escaped_ascii(ehd_text *text, uint8_t c)
{
    char seq[6];
    ehd__text_put(text, seq, (size_t)(escape_ascii(seq, c) - seq));
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

/* The reference's reading of UTF-8, one piece at a time: the careful path,
 * for text too near EHD_TEXT_MAX to reserve room for its worst case. */
static void json_utf8_piecewise(ehd_text *text, const uint8_t *bytes, size_t size)
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


/* Input bytes handled per reservation: their worst case (6 output bytes
 * each, an escape) is reserved at once. */
enum { CHUNK = 4096, WORST_PER_BYTE = 6, OVERSHOOT = EHD__COPY_PLAIN_OVER };

void ehd__json_utf8_readable(ehd_text *text, const uint8_t *bytes, size_t size, size_t readable)
{
    const uint8_t *s = bytes, *end = bytes + size, *readable_end = bytes + readable;
    while (s < end && text->error == 0) {
        size_t chunk = (size_t)(end - s) < CHUNK ? (size_t)(end - s) : CHUNK;
        /* A plain copy's overshoot or a UTF-8 sequence may run past the chunk. */
        char *room = ehd__text_room(text, (chunk + OVERSHOOT) * WORST_PER_BYTE);
        if (room == NULL) {
            if (text->error == E2BIG) {
                text->error = 0;
                json_utf8_piecewise(text, s, (size_t)(end - s));
            }
            return;
        }
        const uint8_t *chunk_end = s + chunk;
        char *p = room;
        while (s < chunk_end) {
            /* Past a plain run's end, the room holds bytes that what is
             * written next overwrites. */
            size_t plain =
                ehd__copy_plain(p, s, (size_t)(chunk_end - s), (size_t)(readable_end - s));
            p += plain;
            s += plain;
            if (s == chunk_end)
                break;
            uint8_t c = *s;
            if (c < 0x80) {
                p = escape_ascii(p, c);
                s++;
            } else {
                uint32_t code_point;
                size_t n = ehd__utf8_decode(s, (size_t)(end - s), &code_point);
                if (n != 0) {
                    memcpy(p, s, n);
                    p += n;
                    s += n;
                } else { /* not UTF-8: this byte is Latin-1, two bytes in UTF-8 */
                    *p++ = (char)(0xC0 | c >> 6);
                    *p++ = (char)(0x80 | (c & 0x3F));
                    s++;
                }
            }
        }
        text->len += (size_t)(p - room);
    }
}

void ehd__json_utf8(ehd_text *text, const uint8_t *bytes, size_t size)
{
    ehd__json_utf8_readable(text, bytes, size, size);
}

/* What ehd__utf8_encode writes for a code point >= 0x80, unrolled: the
 * UTF-16 and UCS-4 strings write one per unit. May write scratch after it,
 * up to p[7]. */
static inline char *utf8_at(char *p, uint32_t code_point)
{
    /* Bytes by the code point's bit length: 2 up to 11 bits, 3 up to 16,
     * then one more every 5 bits, 7 for 32. */
    static const uint8_t length_by_bits[33] = {
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3,
        4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 7,
    };
    size_t n = length_by_bits[32 - __builtin_clz(code_point)];
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* The lead byte's ones and every continuation byte's high bit, for
     * each length: the byte first in memory is the word's lowest. */
    static const uint64_t marks[8] = {
        0, 0, 0x80C0, 0x8080E0, 0x808080F0, 0x80808080F8, 0x8080808080FC, 0x808080808080FE,
    };
    uint64_t x = code_point;
    /* Six bits to a byte, the lowest first (twelve to each 16-bit lane,
     * then each lane's upper six to its upper byte); then the byte order
     * turned so the highest comes first, and the bytes before the lead
     * dropped. */
    uint64_t lanes = (x & 0xFFF) | (x & 0xFFF000) << 4 | (x & 0xFF000000) << 8;
    uint64_t groups = (lanes & 0x003F003F003Fu) | (lanes & 0x0FC00FC00FC0u) << 2;
    uint64_t word = __builtin_bswap64(groups) >> (8 * (8 - n)) | marks[n];
    memcpy(p, &word, 8);
#else
    uint32_t bits = code_point;
    switch (n) {
    case 7: p[6] = (char)(0x80 | (bits & 0x3F)); bits >>= 6; /* fall through */
    case 6: p[5] = (char)(0x80 | (bits & 0x3F)); bits >>= 6; /* fall through */
    case 5: p[4] = (char)(0x80 | (bits & 0x3F)); bits >>= 6; /* fall through */
    case 4: p[3] = (char)(0x80 | (bits & 0x3F)); bits >>= 6; /* fall through */
    case 3: p[2] = (char)(0x80 | (bits & 0x3F)); bits >>= 6; /* fall through */
    default: p[1] = (char)(0x80 | (bits & 0x3F)); bits >>= 6;
    }
    p[0] = (char)((0xFF00u >> n) | bits);
#endif
    return p + n;
}

static inline char *code_point_at(char *p, uint32_t code_point)
{
    if (code_point >= 0x80)
        return utf8_at(p, code_point);
    if (plain_ascii((uint8_t)code_point)) {
        *p++ = (char)code_point;
        return p;
    }
    return escape_ascii(p, (uint8_t)code_point);
}

char *ehd__json_code_point_at(char *p, uint32_t code_point)
{
    return code_point_at(p, code_point);
}

/* The UTF-16 code point at unit `i` of `count`, a surrogate pair combined;
 * *units says how many units it took. */
static inline uint32_t utf16_at(const uint8_t *bytes, size_t i, size_t count, bool little_endian,
                                size_t *units)
{
    uint32_t unit = ehd__load16(bytes + 2 * i, little_endian);
    *units = 1;
    if (unit >= 0xD800 && unit <= 0xDBFF && i + 1 < count) {
        uint32_t low = ehd__load16(bytes + 2 * (i + 1), little_endian);
        if (low >= 0xDC00 && low <= 0xDFFF) {
            /* The reference ORs 0x10000 in instead of adding it, which
             * is only right below U+20000; we print what it prints. */
            unit = (unit - 0xD800) << 10 | (low - 0xDC00) | 0x10000;
            *units = 2;
        }
    }
    return unit;
}

/* Code units of one size, as code points, each unit's worst case reserved
 * per chunk; `piecewise` takes over near EHD_TEXT_MAX. */
typedef enum unit_kind { LATIN1, UCS4, UTF16 } unit_kind;

static void json_units_piecewise(ehd_text *text, const uint8_t *bytes, size_t count,
                                 bool little_endian, unit_kind kind)
{
    for (size_t i = 0; i < count;) {
        size_t units = 1;
        uint32_t code_point = kind == LATIN1 ? bytes[i]
                            : kind == UCS4   ? ehd__load32(bytes + 4 * i, little_endian)
                                             : utf16_at(bytes, i, count, little_endian, &units);
        ehd__json_code_point(text, code_point);
        i += units;
    }
}

/* Inlined into each caller, so the unit kind is known per loop. */
static inline __attribute__((always_inline)) void
json_units(ehd_text *text, const uint8_t *bytes, size_t count, bool little_endian, unit_kind kind)
{
    size_t i = 0;
    while (i < count && text->error == 0) {
        size_t chunk = count - i < CHUNK ? count - i : CHUNK;
        /* and the scratch utf8_at may write after the last */
        char *room = ehd__text_room(text, chunk * EHD_UTF8_ENCODED_MAX + 1);
        if (room == NULL) {
            if (text->error == E2BIG) {
                text->error = 0;
                json_units_piecewise(text, bytes + (kind == LATIN1 ? 1 : kind == UCS4 ? 4 : 2) * i,
                                     count - i, little_endian, kind);
            }
            return;
        }
        char *p = room;
        /* A surrogate pair may end one unit past the chunk: two units'
         * worst case is more than its four bytes. */
        for (size_t end = i + chunk; i < end;) {
            size_t units = 1;
            uint32_t code_point = kind == LATIN1 ? bytes[i]
                                : kind == UCS4   ? ehd__load32(bytes + 4 * i, little_endian)
                                                 : utf16_at(bytes, i, count, little_endian, &units);
            p = code_point_at(p, code_point);
            i += units;
        }
        text->len += (size_t)(p - room);
    }
}

/* `"text"`: a string of one chunk or less (nearly all) in one room with
 * its quotes. */
static inline __attribute__((always_inline)) void
json_units_quoted(ehd_text *text, const uint8_t *bytes, size_t count, bool little_endian,
                  unit_kind kind)
{
    if (count <= CHUNK) {
        bool failed_before = text->error != 0;
        /* each unit's worst case, the quotes, utf8_at's scratch */
        char *room = ehd__text_room(text, count * EHD_UTF8_ENCODED_MAX + 3);
        if (room != NULL) {
            char *p = room;
            *p++ = '"';
            for (size_t i = 0; i < count;) {
                if (kind == UTF16) {
                    /* Most units of most scripts: three bytes, no pair. */
                    uint32_t unit = ehd__load16(bytes + 2 * i, little_endian);
                    if (unit >= 0x800 && (unit < 0xD800 || unit > 0xDBFF)) {
                        p[0] = (char)(0xE0 | unit >> 12);
                        p[1] = (char)(0x80 | (unit >> 6 & 0x3F));
                        p[2] = (char)(0x80 | (unit & 0x3F));
                        p += 3;
                        i++;
                        continue;
                    }
                }
                size_t units = 1;
                uint32_t code_point = kind == UCS4 ? ehd__load32(bytes + 4 * i, little_endian)
                                                   : utf16_at(bytes, i, count, little_endian,
                                                              &units);
                p = code_point_at(p, code_point);
                i += units;
            }
            *p++ = '"';
            text->len += (size_t)(p - room);
            return;
        }
        if (failed_before || text->error != E2BIG)
            return;
        text->error = 0; /* it may still fit: piece by piece finds out */
    }
    ehd__text_putc(text, '"');
    json_units(text, bytes, count, little_endian, kind);
    ehd__text_putc(text, '"');
}

void ehd__json_ucs4_quoted(ehd_text *text, const uint8_t *bytes, size_t count, bool little_endian)
{
    json_units_quoted(text, bytes, count, little_endian, UCS4);
}

void ehd__json_utf16_quoted(ehd_text *text, const uint8_t *bytes, size_t count,
                            bool little_endian)
{
    json_units_quoted(text, bytes, count, little_endian, UTF16);
}

void ehd__json_latin1(ehd_text *text, const uint8_t *bytes, size_t size)
{
    json_units(text, bytes, size, true, LATIN1);
}

void ehd__json_ucs4(ehd_text *text, const uint8_t *bytes, size_t count, bool little_endian)
{
    json_units(text, bytes, count, little_endian, UCS4);
}

void ehd__json_utf16(ehd_text *text, const uint8_t *bytes, size_t count, bool little_endian)
{
    json_units(text, bytes, count, little_endian, UTF16);
}
