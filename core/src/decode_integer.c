/*
 * Integers as text, for the JSON writer: every event has several, and
 * printf's format parsing and stream machinery cost more than the digits.
 */
#include <string.h>

#include "decode_internal.h"

static const char digit_pairs[201] = "00010203040506070809"
                                     "10111213141516171819"
                                     "20212223242526272829"
                                     "30313233343536373839"
                                     "40414243444546474849"
                                     "50515253545556575859"
                                     "60616263646566676869"
                                     "70717273747576777879"
                                     "80818283848586878889"
                                     "90919293949596979899";

static const uint64_t powers_of_ten[20] = {
    1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u,
    10000000000u, 100000000000u, 1000000000000u, 10000000000000u, 100000000000000u,
    1000000000000000u, 10000000000000000u, 100000000000000000u, 1000000000000000000u,
    10000000000000000000u,
};

/* Digits of `value`: from its bit length (log10 2 ~ 1233 / 4096), then one
 * comparison. */
static size_t decimal_length(uint64_t value)
{
    unsigned bits = 64 - (unsigned)__builtin_clzll(value | 1);
    size_t guess = (bits * 1233) >> 12; /* digits - 1 or digits */
    size_t digits = guess + (value >= powers_of_ten[guess]);
    return digits != 0 ? digits : 1; /* 0 has one */
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The eight digits of `value` (< 10^8), leading zeros included, as the
 * bytes of a word in memory order: the halves, quarters and digits split
 * side by side in the word's lanes, one multiplication a level (x / 100 is
 * x * 10486 >> 20 below 10^4, x / 10 is x * 103 >> 10 below 100, and no
 * lane's product reaches the next lane). */
static inline uint64_t eight_digits(uint32_t value)
{
    uint64_t x = value / 10000 | (uint64_t)(value % 10000) << 32;
    uint64_t hundreds = (x * 10486) >> 20 & 0x0000007F0000007Fu;
    x = hundreds | (x - hundreds * 100) << 16;
    uint64_t tens = (x * 103) >> 10 & 0x000F000F000F000Fu;
    x = tens | (x - tens * 10) << 8;
    return x + 0x3030303030303030u;
}

/* Exactly the `n` (1..8) digits of `value` (< 10^n) at `out`: up to four
 * by pairs (most numbers in events are small), more by eight_digits. */
static inline void put_digits(char *out, uint32_t value, size_t n)
{
    if (n <= 4) {
        if (n >= 3) {
            memcpy(out + n - 2, digit_pairs + (value % 100) * 2, 2);
            value /= 100;
            n -= 2;
        }
        if (n == 2)
            memcpy(out, digit_pairs + value * 2, 2);
        else
            out[0] = (char)('0' + value);
        return;
    }
    /* Two stores of four that overlap when n < 8. */
    uint64_t word = eight_digits(value) >> (8 * (8 - n));
    uint32_t head = (uint32_t)word, tail = (uint32_t)(word >> (8 * (n - 4)));
    memcpy(out, &head, 4);
    memcpy(out + n - 4, &tail, 4);
}

size_t ehd__format_u64(char *out, uint64_t value)
{
    size_t n = decimal_length(value);
    if (n <= 8) {
        put_digits(out, (uint32_t)value, n);
        return n;
    }
    uint64_t low = eight_digits((uint32_t)(value % 100000000u));
    value /= 100000000u;
    if (n <= 16) {
        put_digits(out, (uint32_t)value, n - 8);
    } else {
        uint64_t middle = eight_digits((uint32_t)(value % 100000000u));
        put_digits(out, (uint32_t)(value / 100000000u), n - 16);
        memcpy(out + n - 16, &middle, 8);
    }
    memcpy(out + n - 8, &low, 8);
    return n;
}
#else
size_t ehd__format_u64(char *out, uint64_t value)
{
    size_t n = decimal_length(value);
    char *p = out + n;
    while (value >= 100) {
        unsigned pair = (unsigned)(value % 100) * 2;
        value /= 100;
        p -= 2;
        memcpy(p, digit_pairs + pair, 2);
    }
    if (value >= 10) {
        p -= 2;
        memcpy(p, digit_pairs + value * 2, 2);
    } else {
        *--p = (char)('0' + value);
    }
    return n;
}
#endif

size_t ehd__format_i64(char *out, int64_t value)
{
    if (value >= 0)
        return ehd__format_u64(out, (uint64_t)value);
    out[0] = '-';
    /* Negated in unsigned arithmetic: INT64_MIN has no positive int64_t. */
    return 1 + ehd__format_u64(out + 1, 0 - (uint64_t)value);
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The eight uppercase hex digits of `value`, leading zeros included, as
 * the bytes of a word in memory order: each nibble spread to a byte of its
 * own, then '0' added, and 'A' - '9' - 1 more where it is above 9. */
static inline uint64_t eight_hex_digits(uint32_t value)
{
    uint64_t x = value;
    x = (x | x << 16) & 0x0000FFFF0000FFFFu;
    x = (x | x << 8) & 0x00FF00FF00FF00FFu;
    x = (x | x << 4) & 0x0F0F0F0F0F0F0F0Fu; /* nibble i in byte i */
    uint64_t above_nine = (x + 0x0606060606060606u) >> 4 & 0x0101010101010101u;
    x += 0x3030303030303030u + above_nine * ('A' - '9' - 1);
    return __builtin_bswap64(x); /* the first digit first */
}
#endif

size_t ehd__format_hex(char *out, uint64_t value)
{
    unsigned bits = 64 - (unsigned)__builtin_clzll(value | 1);
    size_t n = (bits + 3) / 4;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n <= 4) {
        /* A tag's or a small value's: two pairs in one word, the leading
         * zeros shifted out. */
        uint16_t high, low;
        memcpy(&high, ehd__hex_upper_pairs + 2 * (value >> 8 & 0xFF), 2);
        memcpy(&low, ehd__hex_upper_pairs + 2 * (value & 0xFF), 2);
        uint32_t word = ((uint32_t)high | (uint32_t)low << 16) >> (8 * (4 - n));
        memcpy(out, &word, 4);
        return n;
    }
    if (n > 8) {
        /* A keyword's sixteen: two words, the first shifted past its
         * leading zeros, the second overlapping it. */
        uint64_t high = eight_hex_digits((uint32_t)(value >> 32)) >> (8 * (16 - n));
        uint64_t low = eight_hex_digits((uint32_t)value);
        memcpy(out, &high, 8);
        memcpy(out + n - 8, &low, 8);
        return n;
    }
#endif
    char *p = out + n;
    /* Two digits a byte from the end; an odd count leaves one nibble. */
    while (p - out >= 2) {
        p -= 2;
        memcpy(p, ehd__hex_upper_pairs + 2 * (value & 0xFF), 2);
        value >>= 8;
    }
    if (p != out)
        *out = ehd__hex_upper_pairs[2 * value + 1];
    return n;
}

void ehd__format_2digits(char *out, unsigned value)
{
    memcpy(out, digit_pairs + (value % 100) * 2, 2);
}
