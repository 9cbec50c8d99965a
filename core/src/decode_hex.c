/*
 * Hex text for the JSON writer: binary values and hex-bytes fields show
 * every byte, activity ids and uuid fields sixteen of them, so a byte
 * becomes its two digits with one table look-up instead of two nibbles.
 */
#include <string.h>

#include "decode_internal.h"

#define HEX_ROW(h, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, da, db, dc, dd, de, df)               \
    h d0 h d1 h d2 h d3 h d4 h d5 h d6 h d7 h d8 h d9 h da h db h dc h dd h de h df
#define LOWER_ROW(h)                                                                             \
    HEX_ROW(h, "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f")
#define UPPER_ROW(h)                                                                             \
    HEX_ROW(h, "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F")

/* Sized without the literal's NUL: 256 pairs exactly. */
const char ehd__hex_lower_pairs[512] =
    LOWER_ROW("0") LOWER_ROW("1") LOWER_ROW("2") LOWER_ROW("3") LOWER_ROW("4") LOWER_ROW("5")
    LOWER_ROW("6") LOWER_ROW("7") LOWER_ROW("8") LOWER_ROW("9") LOWER_ROW("a") LOWER_ROW("b")
    LOWER_ROW("c") LOWER_ROW("d") LOWER_ROW("e") LOWER_ROW("f");
const char ehd__hex_upper_pairs[512] =
    UPPER_ROW("0") UPPER_ROW("1") UPPER_ROW("2") UPPER_ROW("3") UPPER_ROW("4") UPPER_ROW("5")
    UPPER_ROW("6") UPPER_ROW("7") UPPER_ROW("8") UPPER_ROW("9") UPPER_ROW("A") UPPER_ROW("B")
    UPPER_ROW("C") UPPER_ROW("D") UPPER_ROW("E") UPPER_ROW("F");

#ifdef __SSE2__
#include <emmintrin.h>

/* The 32 lowercase hex digits of 16 bytes (a uuid), in order: each nibble
 * becomes '0' + n, and 'a' - '0' - 10 more above 9. */
static inline void hex_of_16(char out[32], const uint8_t *bytes)
{
    const __m128i low_nibbles = _mm_set1_epi8(0x0F);
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)bytes);
    __m128i high = _mm_and_si128(_mm_srli_epi16(v, 4), low_nibbles);
    __m128i low = _mm_and_si128(v, low_nibbles);
    const __m128i zero = _mm_set1_epi8('0'), letters = _mm_set1_epi8('a' - '0' - 10);
    const __m128i nine = _mm_set1_epi8(9);
    high = _mm_add_epi8(_mm_add_epi8(high, zero),
                        _mm_and_si128(_mm_cmpgt_epi8(high, nine), letters));
    low = _mm_add_epi8(_mm_add_epi8(low, zero), _mm_and_si128(_mm_cmpgt_epi8(low, nine), letters));
    _mm_storeu_si128((__m128i *)(void *)out, _mm_unpacklo_epi8(high, low));
    _mm_storeu_si128((__m128i *)(void *)(out + 16), _mm_unpackhi_epi8(high, low));
}
#endif

/* Every byte value's two lowercase digits and the space after them, in
 * four bytes (the NUL last): a byte of "01 02 ff" is one copy. */
#define SPACED(h, l) h l " "
#define SPACED_ROW(h)                                                                            \
    SPACED(h, "0"), SPACED(h, "1"), SPACED(h, "2"), SPACED(h, "3"), SPACED(h, "4"),             \
        SPACED(h, "5"), SPACED(h, "6"), SPACED(h, "7"), SPACED(h, "8"), SPACED(h, "9"),         \
        SPACED(h, "a"), SPACED(h, "b"), SPACED(h, "c"), SPACED(h, "d"), SPACED(h, "e"),         \
        SPACED(h, "f")
static const char hex_spaced[256][4] = {
    SPACED_ROW("0"), SPACED_ROW("1"), SPACED_ROW("2"), SPACED_ROW("3"),
    SPACED_ROW("4"), SPACED_ROW("5"), SPACED_ROW("6"), SPACED_ROW("7"),
    SPACED_ROW("8"), SPACED_ROW("9"), SPACED_ROW("a"), SPACED_ROW("b"),
    SPACED_ROW("c"), SPACED_ROW("d"), SPACED_ROW("e"), SPACED_ROW("f"),
};

size_t ehd__format_hex_bytes(char *out, const uint8_t *bytes, size_t size)
{
    if (size == 0)
        return 0;
    /* Four bytes a byte, three kept: each copy's last byte is the next
     * one's first, four at a time (a uuid-sized value is four turns). */
    char *p = out;
    size_t i = 0;
    for (; i + 4 <= size; i += 4) {
        memcpy(p, hex_spaced[bytes[i]], 4);
        memcpy(p + 3, hex_spaced[bytes[i + 1]], 4);
        memcpy(p + 6, hex_spaced[bytes[i + 2]], 4);
        memcpy(p + 9, hex_spaced[bytes[i + 3]], 4);
        p += 12;
    }
    for (; i < size; i++) {
        memcpy(p, hex_spaced[bytes[i]], 4);
        p += 3;
    }
    return (size_t)(p - 1 - out); /* without the last space */
}

void ehd__format_uuid(char out[36], const uint8_t uuid[16])
{
#ifdef __SSE2__
    char hex[32];
    hex_of_16(hex, uuid);
    memcpy(out, hex, 8);
    memcpy(out + 9, hex + 8, 4);
    memcpy(out + 14, hex + 12, 4);
    memcpy(out + 19, hex + 16, 4);
    memcpy(out + 24, hex + 20, 12);
#else
    /* Where each byte's two digits go in 8-4-4-4-12. */
    static const uint8_t at[16] = { 0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34 };
    for (int i = 0; i < 16; i++)
        memcpy(out + at[i], ehd__hex_lower_pairs + 2 * uuid[i], 2);
#endif
    out[8] = out[13] = out[18] = out[23] = '-';
}
