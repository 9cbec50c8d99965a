/*
 * UTF-8, read and written the one way for the whole tree: the decoder
 * (core) and the config library's JSON readers (config/src) include this.
 * Static inline because the decoder calls both once per character.
 */
#ifndef EHD_UTF8_H
#define EHD_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The most bytes ehd__utf8_encode writes. */
enum { EHD_UTF8_ENCODED_MAX = 7 };

/*
 * Writes `code_point` as UTF-8 into `out` and returns how many bytes that
 * took. Unicode's code points take 1..4 bytes (a surrogate the 3 bytes it
 * would have); larger values take the long forms UTF-8 first had (5 and 6
 * bytes) and, past 31 bits, 0xFE and six continuation bytes: the reference
 * formatter shows such values that way and the decoder must match it.
 */
static inline size_t ehd__utf8_encode(uint32_t code_point, uint8_t out[EHD_UTF8_ENCODED_MAX])
{
    if (code_point < 0x80) {
        out[0] = (uint8_t)code_point;
        return 1;
    }
    size_t n = code_point < 0x800         ? 2
             : code_point < 0x10000       ? 3
             : code_point < 0x200000      ? 4
             : code_point < 0x4000000     ? 5
             : code_point < 0x80000000u   ? 6
                                          : 7;
    uint32_t bits = code_point;
    for (size_t i = n - 1; i > 0; i--) {
        out[i] = (uint8_t)(0x80 | (bits & 0x3F));
        bits >>= 6;
    }
    /* Lead byte: n one-bits, a zero, then what is left of the value. */
    out[0] = (uint8_t)((0xFF00u >> n) | bits);
    return n;
}

/*
 * Reads the UTF-8 sequence at `bytes` (`left` >= 1 bytes there). Returns
 * its length (1 for ASCII) with its value in *code_point, or 0 when it is
 * not well-formed: a continuation byte first, a sequence cut short, an
 * overlong form, or a value above U+10FFFF. Surrogates (U+D800..U+DFFF) are
 * well-formed here; a reader that refuses them checks *code_point.
 */
static inline size_t ehd__utf8_decode(const uint8_t *bytes, size_t left, uint32_t *code_point)
{
    uint8_t lead = bytes[0];
    size_t n;
    uint32_t value, min;
    if (lead < 0x80) {
        *code_point = lead;
        return 1;
    }
    if (lead >= 0xC0 && lead <= 0xDF) {
        n = 2, value = lead & 0x1Fu, min = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        n = 3, value = lead & 0x0Fu, min = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        n = 4, value = lead & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((bytes[i] & 0xC0) != 0x80)
            return 0;
        value = value << 6 | (bytes[i] & 0x3Fu);
    }
    if (value < min || value > 0x10FFFF)
        return 0;
    *code_point = value;
    return n;
}

#endif /* EHD_UTF8_H */
