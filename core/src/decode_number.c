/*
 * Floating-point values as the reference prints them: C++ std::to_chars
 * without format or precision, i.e. the fewest significant digits that read
 * back as the same value, in fixed or scientific notation, whichever is
 * shorter (fixed on a tie). C has no such call. The digits come from
 * decode_float.c's fast computation when it is sure of them; otherwise, and
 * in the tests that hold the fast way to it, by asking printf for 1, 2,
 * 3... significant digits until strtod gives the value back.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_internal.h"

/* A decimal with `count` significant digits: digits x 10^exponent. */
typedef struct decimal {
    char digits[24]; /* ASCII, no trailing zeros, not NUL-terminated */
    int count;
    int exponent;
} decimal;

static const uint64_t powers_of_ten[] = {
    1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u,
    10000000000u, 100000000000u, 1000000000000u, 10000000000000u, 100000000000000u,
    1000000000000000u, 10000000000000000u, 100000000000000000u,
};

/* Reads mantissa x 10^exponent back as a float (single) or double. */
static double read_back(uint64_t mantissa, int exponent, bool single)
{
    char text[48];
    snprintf(text, sizeof text, "%" PRIu64 "e%d", mantissa, exponent);
    return single ? (double)strtof(text, NULL) : strtod(text, NULL);
}

static void set_decimal(decimal *d, uint64_t mantissa, int exponent)
{
    while (mantissa % 10 == 0) {
        mantissa /= 10;
        exponent++;
    }
    d->count = (int)ehd__format_u64(d->digits, mantissa);
    d->exponent = exponent;
}

/*
 * The shortest decimal that reads back as `value` (finite, > 0); among
 * those of that length the closest to it. At each length only the two
 * decimals around the value can qualify: printf gives the nearest; when it
 * does not read back, its neighbour on the other side of the value is the
 * only other chance (the rounding interval of a power of two is lopsided).
 */
static void shortest_decimal_exact(decimal *d, double value, bool single)
{
    int max_digits = single ? 9 : 17;
    for (int p = 1; p <= max_digits; p++) {
        char text[48];
        snprintf(text, sizeof text, "%.*e", p - 1, value);
        /* text is "D.DDDDe+XX" (no '.' when p == 1) */
        uint64_t mantissa = (uint64_t)(text[0] - '0');
        const char *s = text + (p > 1 ? 2 : 1);
        for (int i = 1; i < p; i++)
            mantissa = mantissa * 10 + (uint64_t)(*s++ - '0');
        int exponent = atoi(s + 1) - (p - 1);

        double nearest = read_back(mantissa, exponent, single);
        if (nearest == value) {
            set_decimal(d, mantissa, exponent);
            return;
        }
        if (nearest > value) {
            if (mantissa == powers_of_ten[p - 1] &&
                read_back(powers_of_ten[p] - 1, exponent - 1, single) == value) {
                set_decimal(d, powers_of_ten[p] - 1, exponent - 1);
                return;
            }
            if (read_back(mantissa - 1, exponent, single) == value) {
                set_decimal(d, mantissa - 1, exponent);
                return;
            }
        } else if (read_back(mantissa + 1, exponent, single) == value) {
            set_decimal(d, mantissa + 1, exponent);
            return;
        }
    }
    /* Unreachable: 9 (float) or 17 (double) digits always read back. */
    set_decimal(d, 0, 0);
}

/* The fast way when it is sure (decode_float.c), else the exact one. */
static void shortest_decimal(decimal *d, double value, bool single)
{
    uint64_t c;
    int q;
    bool lower_gap_half;
    if (single) {
        float f = (float)value;
        uint32_t bits;
        memcpy(&bits, &f, sizeof bits);
        uint32_t biased = bits >> 23 & 0xFF, fraction = bits & 0x7FFFFF;
        c = biased != 0 ? fraction | 0x800000u : fraction;
        q = (biased != 0 ? (int)biased : 1) - 150;
        lower_gap_half = fraction == 0 && biased > 1;
    } else {
        uint64_t bits;
        memcpy(&bits, &value, sizeof bits);
        uint64_t biased = bits >> 52 & 0x7FF, fraction = bits & 0xFFFFFFFFFFFFFu;
        c = biased != 0 ? fraction | 0x10000000000000u : fraction;
        q = (biased != 0 ? (int)biased : 1) - 1075;
        lower_gap_half = fraction == 0 && biased > 1;
    }
    uint64_t digits;
    int exponent;
    if (ehd__shortest_fast(c, q, lower_gap_half, &digits, &exponent))
        set_decimal(d, digits, exponent);
    else
        shortest_decimal_exact(d, value, single);
}

static size_t special_value(char *out, double value)
{
    const char *text = isnan(value) ? (signbit(value) ? "-nan" : "nan")
                     : isinf(value) ? (signbit(value) ? "-inf" : "inf")
                     : (signbit(value) ? "-0" : "0");
    size_t n = strlen(text);
    memcpy(out, text, n + 1);
    return n;
}

static size_t format_shortest(char *out, double value, bool single, bool exact_only)
{
    if (!isfinite(value) || value == 0)
        return special_value(out, value);

    decimal d;
    if (exact_only)
        shortest_decimal_exact(&d, fabs(value), single);
    else
        shortest_decimal(&d, fabs(value), single);

    char *p = out;
    if (signbit(value))
        *p++ = '-';

    int n = d.count, e = d.exponent;
    int sci_exponent = e + n - 1;
    int sci_length = n + (n > 1) + 2 + (abs(sci_exponent) >= 100 ? 3 : 2);
    int fixed_length = e >= 0 ? n + e : n + e > 0 ? n + 1 : 2 - e;

    if (fixed_length > sci_length) {
        *p++ = d.digits[0];
        if (n > 1) {
            *p++ = '.';
            memcpy(p, d.digits + 1, (size_t)n - 1);
            p += n - 1;
        }
        *p++ = 'e';
        *p++ = sci_exponent < 0 ? '-' : '+';
        unsigned magnitude = (unsigned)abs(sci_exponent);
        if (magnitude >= 100)
            *p++ = (char)('0' + magnitude / 100);
        ehd__format_2digits(p, magnitude);
        p += 2;
    } else if (e > 0) {
        /* A whole number in fixed notation is printed "as if by printf":
         * every digit of the exact value, not the shortest digits padded
         * with zeros (libstdc++ does this; see its floating_to_chars.cc). */
        double whole = fabs(value);
        if (whole < 18446744073709551616.0) /* 2^64: exact in a uint64_t */
            p += ehd__format_u64(p, (uint64_t)whole);
        else
            p += sprintf(p, "%.0f", whole);
    } else if (e == 0) {
        memcpy(p, d.digits, (size_t)n);
        p += n;
    } else if (n + e > 0) {
        memcpy(p, d.digits, (size_t)(n + e));
        p += n + e;
        *p++ = '.';
        memcpy(p, d.digits + n + e, (size_t)-e);
        p += -e;
    } else {
        *p++ = '0';
        *p++ = '.';
        memset(p, '0', (size_t)(-(n + e)));
        p += -(n + e);
        memcpy(p, d.digits, (size_t)n);
        p += n;
    }
    *p = '\0';
    return (size_t)(p - out);
}

size_t ehd__format_float32(char *out, float value)
{
    return format_shortest(out, value, true, false);
}

size_t ehd__format_float64(char *out, double value)
{
    return format_shortest(out, value, false, false);
}

size_t ehd__format_float_exact(char *out, double value, bool single)
{
    return format_shortest(out, value, single, true);
}
