/* Internal: pieces the decoder's files share (see ehd/ehd_decode.h). */
#ifndef EHD_DECODE_INTERNAL_H
#define EHD_DECODE_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ehd/ehd_decode.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- errors (decode_error.c) ---- */

/*
 * Fills `error` (may be NULL) with `offset` and the printf-style message,
 * and returns `code`, so a failure is one statement:
 *   return ehd__fail(error, EBADMSG, at, "... at offset %zu", at);
 */
int ehd__fail(ehd_decode_error *error, int code, size_t offset, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
int ehd__vfail(ehd_decode_error *error, int code, size_t offset, const char *format, va_list args)
    __attribute__((format(printf, 4, 0)));

/* ---- byte order (inline: used per value) ---- */

static inline uint16_t ehd__load16(const uint8_t *p, bool little_endian)
{
    return little_endian ? (uint16_t)(p[0] | p[1] << 8) : (uint16_t)(p[1] | p[0] << 8);
}

static inline uint32_t ehd__load32(const uint8_t *p, bool little_endian)
{
    if (little_endian)
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

static inline uint64_t ehd__load64(const uint8_t *p, bool little_endian)
{
    uint64_t lo = ehd__load32(p + (little_endian ? 0 : 4), little_endian);
    uint64_t hi = ehd__load32(p + (little_endian ? 4 : 0), little_endian);
    return lo | hi << 32;
}

/* ---- text buffer (decode_text.c; the fast paths inline: used per byte run) ----
 *
 * While a public call writes, the text is not NUL-terminated: every write
 * keeps room for the NUL and ehd__text_terminate puts it once at the end. */

/* Grows the storage so `extra` more bytes and the NUL fit; NULL after
 * recording ENOMEM/E2BIG in text->error. */
char *ehd__text_grow(ehd_text *text, size_t extra);

/*
 * Returns room for `extra` more bytes (plus the NUL) at text->chars +
 * text->len, or NULL after recording ENOMEM/E2BIG in text->error. The
 * caller advances text->len by what it wrote.
 */
static inline char *ehd__text_room(ehd_text *text, size_t extra)
{
    /* capacity > len always holds once allocated (room for the NUL), and
     * capacity == len == 0 before: then no extra is less than their
     * difference and the storage is made. */
    if (__builtin_expect(text->error == 0 && extra < text->capacity - text->len, 1))
        return text->chars + text->len;
    return ehd__text_grow(text, extra);
}

static inline void ehd__text_put(ehd_text *text, const void *bytes, size_t size)
{
    char *room = ehd__text_room(text, size);
    if (room == NULL)
        return;
    __builtin_memcpy(room, bytes, size);
    text->len += size;
}

static inline void ehd__text_putc(ehd_text *text, char c)
{
    char *room = ehd__text_room(text, 1);
    if (room == NULL)
        return;
    room[0] = c;
    text->len += 1;
}

/* Puts the NUL after the text (there is always room once allocated). */
static inline void ehd__text_terminate(ehd_text *text)
{
    if (text->chars != NULL)
        text->chars[text->len] = '\0';
}

void ehd__text_printf(ehd_text *text, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Drops everything after `len` and forgets a growth failure: undoes a
 * partly written event. */
void ehd__text_truncate(ehd_text *text, size_t len);

/* ---- eight bytes at a time (inline: used per string and name) ---- */

/* 1 for the bytes that go into a JSON string as they are (printable ASCII
 * and DEL, other than '"' and '\\'), else 0. */
extern const uint8_t ehd__json_plain_byte[256];

/* The high bit of every byte of `x` that needs more than a copy into a
 * JSON string (a control character, '"', '\\', a byte >= 0x80), and maybe
 * of bytes above such a byte (a borrow carries into them): the lowest bit
 * set, when any, is a byte that needs care. */
static inline uint64_t ehd__word_care(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t below_space = (x - ones * 0x20) & ~x;
    uint64_t quote = x ^ (ones * '"');
    uint64_t backslash = x ^ (ones * '\\');
    uint64_t has_quote = (quote - ones) & ~quote;
    uint64_t has_backslash = (backslash - ones) & ~backslash;
    return (x | below_space | has_quote | has_backslash) & highs;
}

/*
 * Copies the leading bytes of `s` (`size` of them) that go into a JSON
 * string as they are to `out`, and returns how many: `size` when all do.
 * Reads 16 or 8 bytes at a time while `readable` (>= size) bytes at `s`
 * allow, and may write past what it returns, up to out[size + 14] (the
 * caller's room holds them: EHD__COPY_PLAIN_OVER).
 */
enum { EHD__COPY_PLAIN_OVER = 15 };

static inline __attribute__((always_inline)) size_t
ehd__copy_plain(char *out, const uint8_t *s, size_t size, size_t readable)
{
    size_t i = 0;
#ifdef __SSE2__
    /* Sixteen at a time: a signed byte below ' ' is a control character
     * or a byte >= 0x80. */
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(' ');
    while (i < size && readable - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        _mm_storeu_si128((__m128i *)(void *)(out + i), v);
        __m128i care = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                                  _mm_cmpeq_epi8(v, backslash)),
                                     _mm_cmplt_epi8(v, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(care);
        if (mask != 0) {
            i += (size_t)__builtin_ctz(mask);
            return i < size ? i : size;
        }
        i += 16;
    }
#endif
    while (i < size && readable - i >= 8) {
        uint64_t word;
        __builtin_memcpy(&word, s + i, 8);
        __builtin_memcpy(out + i, &word, 8);
        uint64_t care = ehd__word_care(word);
        if (care != 0) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            /* The first byte in memory is the least significant: exact. */
            i += (size_t)__builtin_ctzll(care) / 8;
#else
            /* A borrow runs towards lower addresses here: look bytewise. */
            while (ehd__json_plain_byte[s[i]])
                i++;
#endif
            return i < size ? i : size;
        }
        i += 8;
    }
    if (i >= size)
        return size;
    while (i < size && ehd__json_plain_byte[s[i]]) {
        out[i] = (char)s[i];
        i++;
    }
    return i;
}

/* ---- JSON strings (decode_json_string.c) ----
 * All of these write the characters only, escaped for the inside of a JSON
 * string; the caller writes the quotes. */

/* UTF-8 input: valid sequences (and encoded surrogates) pass through, every
 * other byte is taken as Latin-1. */
void ehd__json_utf8(ehd_text *text, const uint8_t *bytes, size_t size);

/* The same, allowed to read (never use) up to `readable` >= size bytes at
 * `bytes`: short strings then take whole words too. */
void ehd__json_utf8_readable(ehd_text *text, const uint8_t *bytes, size_t size, size_t readable);


/* One code point, any value up to 0xFFFFFFFF (long UTF-8 forms above U+10FFFF). */
void ehd__json_code_point(ehd_text *text, uint32_t code_point);

/* The same at `p`, which has room for EHD_UTF8_ENCODED_MAX + 1 bytes (the
 * last may be scratch); returns the end. */
char *ehd__json_code_point_at(char *p, uint32_t code_point);

/* Code units as code points: 1-byte units (Latin-1) or 4-byte units (UCS-4). */
void ehd__json_latin1(ehd_text *text, const uint8_t *bytes, size_t size);
void ehd__json_ucs4(ehd_text *text, const uint8_t *bytes, size_t count, bool little_endian);

/* UTF-16: surrogate pairs combine; lone surrogates pass through. */
void ehd__json_utf16(ehd_text *text, const uint8_t *bytes, size_t count, bool little_endian);

/* The same two with the quotes around: `"text"`. */
void ehd__json_ucs4_quoted(ehd_text *text, const uint8_t *bytes, size_t count, bool little_endian);
void ehd__json_utf16_quoted(ehd_text *text, const uint8_t *bytes, size_t count,
                            bool little_endian);

/* ---- integers (decode_integer.c) ----
 * Each writes the digits only (no NUL) and returns how many it wrote. */

/* Decimal, at most 20 bytes; "-" and at most 19 digits for negatives. */
size_t ehd__format_u64(char *out, uint64_t value);
size_t ehd__format_i64(char *out, int64_t value);

/* Uppercase hex without leading zeros or prefix ("0" for 0), at most 16;
 * may write scratch after them up to out[3]. */
size_t ehd__format_hex(char *out, uint64_t value);

/* The last two decimal digits of `value`, zero-padded: 2 bytes. */
void ehd__format_2digits(char *out, unsigned value);

/* ---- hex text (decode_hex.c) ---- */

/* The two hex digits of every byte value, at 2 * byte: "000102...feff"
 * and "...FEFF" (no NUL). */
extern const char ehd__hex_lower_pairs[512];
extern const char ehd__hex_upper_pairs[512];

/* "01 02 ff": `size` bytes in order, lowercase, space-separated; returns
 * 3 * size - 1 (0 for none), and may write two bytes more after that. */
size_t ehd__format_hex_bytes(char *out, const uint8_t *bytes, size_t size);

/* 16 bytes in order as 8-4-4-4-12 lowercase hex: 36 bytes. */
void ehd__format_uuid(char out[36], const uint8_t uuid[16]);

/* Appends the decimal of `value` (of `value` read as signed) to `text`. */
static inline void ehd__put_u64(ehd_text *text, uint64_t value)
{
    char *room = ehd__text_room(text, 20);
    if (room != NULL)
        text->len += ehd__format_u64(room, value);
}

static inline void ehd__put_i64(ehd_text *text, int64_t value)
{
    char *room = ehd__text_room(text, 20);
    if (room != NULL)
        text->len += ehd__format_i64(room, value);
}

/* Appends "0x1F" in quotes: uppercase hex, no leading zeros. */
static inline void ehd__put_quoted_hex(ehd_text *text, uint64_t value)
{
    char *room = ehd__text_room(text, 20);
    if (room == NULL)
        return;
    __builtin_memcpy(room, "\"0x", 3);
    size_t n = 3 + ehd__format_hex(room + 3, value);
    room[n++] = '"';
    text->len += n;
}

/* Appends a uuid's text in quotes. */
static inline void ehd__put_quoted_uuid(ehd_text *text, const uint8_t uuid[16])
{
    char *room = ehd__text_room(text, 38);
    if (room == NULL)
        return;
    room[0] = '"';
    ehd__format_uuid(room + 1, uuid);
    room[37] = '"';
    text->len += 38;
}

/* ---- values of fixed size (decode_fixed.c) ----
 * Each writes one value's JSON at `p`, where EHD__FIXED_TEXT_MAX bytes are
 * reserved (they may use all of it as scratch), and returns its end. */

/* The most any of them writes: a quoted hex value of 16 bytes takes 49,
 * a float 39 and the quotes of a NaN's, an IPv6 address 41 and three
 * bytes of scratch. */
enum { EHD__FIXED_TEXT_MAX = 56 };

/* false, true, or the signed 32-bit number of any other value. */
char *ehd__boolean_at(char *p, uint32_t value);
/* "EPERM(1)", or "ERRNO(-5)" for a value without a name. */
char *ehd__errno_at(char *p, uint32_t value);
/* "2024-05-01T12:00:00" (quoted), "TIME(n)" past what gmtime shows. */
char *ehd__time_at(char *p, int64_t seconds);
/* A 4- or 8-byte float, bare when finite, else quoted. */
char *ehd__float_at(char *p, const uint8_t *v, size_t size, bool little_endian);
/* "01 02 ff" (quoted) for up to 16 bytes. */
char *ehd__hex_bytes_at(char *p, const uint8_t *v, size_t size);
/* Quoted dotted IPv4 and inet_ntop's IPv6 of bytes in network order. */
char *ehd__ipv4_at(char *p, const uint8_t *v);
char *ehd__ipv6_at(char *p, const uint8_t *v);
/* One code point as a quoted JSON string. */
char *ehd__char_at(char *p, uint32_t code_point);

/* The decimal text of every byte value, left-aligned, its length in the
 * last byte: "7\0\0\1", "255\3". */
extern const char ehd__byte_text[256][4];

/* The decimal of a byte value at `p`, with up to two bytes of scratch
 * after it; returns its end. */
static inline char *ehd__byte_at(char *p, uint8_t value)
{
    __builtin_memcpy(p, ehd__byte_text[value], 4);
    return p + ehd__byte_text[value][3];
}

/* ---- shortest decimals (decode_float.c) ---- */

/*
 * For the finite positive value c * 2^q (c with its hidden bit; whose
 * lower neighbour is half as far as the upper when `lower_gap_half`, a
 * power of two), the decimal digits * 10^exponent of fewest digits that
 * reads back as it, the nearest of those. `digits` may end in zeros.
 * Returns false when the fast computation cannot be sure of the answer
 * (rare: values whose interval ends fall on a decimal, the smallest
 * subnormals); the caller then finds it the exact way.
 */
bool ehd__shortest_fast(uint64_t c, int q, bool lower_gap_half, uint64_t *digits, int *exponent);

/* ---- numbers (decode_number.c) ---- */

/* Buffer size that holds any number these functions write, with its NUL. */
enum { EHD__NUMBER_MAX = 40 };

/*
 * Shortest text that reads back as the same value, in the shorter of fixed
 * and scientific notation (fixed on a tie), as C++ std::to_chars(value)
 * writes it: "3.14", "1e-45", "-5.9903676e+29", "inf", "-nan". Returns the
 * length written to `out` (EHD__NUMBER_MAX bytes).
 */
size_t ehd__format_float32(char *out, float value);
size_t ehd__format_float64(char *out, double value);

/* The same text found the slow, exact way only (printf digits read back
 * with strtod/strtof): what the tests hold the fast way to. `value` is a
 * float's value when `single`. */
size_t ehd__format_float_exact(char *out, double value, bool single);

/* ---- errno names (decode_errno.c) ---- */

/* The symbolic name of a Linux errno value ("EPERM" for 1); NULL for 0,
 * the unused numbers 41 and 58, and values past EHWPOISON (133). */
const char *ehd__errno_name(uint32_t value);

/* ---- JSON writer (decode_json.c) ---- */

/* True (the default): ehd_decode_json writes well-formed events with its
 * own walk of the metadata (decode_json_walk.c). The tests turn it off to
 * hold its output and errors to the enumerator's walk. Not for use while
 * other threads decode. */
extern bool ehd__json_walk_first;

/* ---- values (decode_value.c) ---- */

/*
 * Appends the JSON of one value: `encoding` without flags, `format` without
 * chain flag. Returns 0; EINVAL when the size does not fit the encoding or
 * the encoding is no value, ENOTSUP for an unknown encoding, or the text's
 * growth failure. On failure part of the value may be written: the caller
 * rolls back.
 */
int ehd__json_value(ehd_text *text, uint8_t encoding, uint8_t format, const uint8_t *value,
                    size_t size, bool little_endian);

#endif /* EHD_DECODE_INTERNAL_H */
