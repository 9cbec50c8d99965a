/*
 * Floating-point values as the reference prints them: C++ std::to_chars
 * without format or precision, i.e. the fewest significant digits that read
 * back as the same value, in fixed or scientific notation, whichever is
 * shorter (fixed on a tie). C has no such call, so the digits are found by
 * asking printf for 1, 2, 3... significant digits until strtod gives the
 * value back.
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
    char text[24];
    int n = snprintf(text, sizeof text, "%" PRIu64, mantissa);
    memcpy(d->digits, text, (size_t)n);
    d->count = n;
    d->exponent = exponent;
}

/*
 * The shortest decimal that reads back as `value` (finite, > 0); among
 * those of that length the closest to it. At each length only the two
 * decimals around the value can qualify: printf gives the nearest; when it
 * does not read back, its neighbour on the other side of the value is the
 * only other chance (the rounding interval of a power of two is lopsided).
 */
static void shortest_decimal(decimal *d, double value, bool single)
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

static size_t special_value(char *out, double value)
{
    const char *text = isnan(value) ? (signbit(value) ? "-nan" : "nan")
                     : isinf(value) ? (signbit(value) ? "-inf" : "inf")
                     : (signbit(value) ? "-0" : "0");
    size_t n = strlen(text);
    memcpy(out, text, n + 1);
    return n;
}

static size_t format_shortest(char *out, double value, bool single)
{
    if (!isfinite(value) || value == 0)
        return special_value(out, value);

    decimal d;
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
        p += sprintf(p, "e%c%02d", sci_exponent < 0 ? '-' : '+', abs(sci_exponent));
    } else if (e > 0) {
        /* A whole number in fixed notation is printed "as if by printf":
         * every digit of the exact value, not the shortest digits padded
         * with zeros (libstdc++ does this; see its floating_to_chars.cc). */
        p += sprintf(p, "%.0f", fabs(value));
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
    return format_shortest(out, value, true);
}

size_t ehd__format_float64(char *out, double value)
{
    return format_shortest(out, value, false);
}
