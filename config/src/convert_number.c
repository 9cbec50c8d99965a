/*
 * Integers, floats and booleans from captured text. Integers are exact and
 * range-checked by hand; floats take a correctly rounded fast path for the
 * short decimals logs are made of, and hand anything longer to strtod_l in
 * the "C" locale, so a program that called setlocale() with a decimal comma
 * does not change how its own log lines convert.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

static inline int digit_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : -1;
}


bool ehs_parse_magnitude(const char *text, size_t len, bool allow_hex, bool *negative,
                         uint64_t *magnitude)
{
    /* Most numbers in logs are a few plain digits: at most 19 of them
     * cannot overflow 64 bits, so they need no checks on the way. */
    if (len != 0 && len <= 19) {
        uint64_t value = 0;
        size_t i = 0;
        for (; i < len; i++) {
            unsigned d = (unsigned)(unsigned char)text[i] - '0';
            if (d > 9)
                break;
            value = value * 10 + d;
        }
        if (i == len) {
            *negative = false;
            *magnitude = value;
            return true;
        }
    }
    size_t i = 0;
    *negative = false;
    if (i < len && (text[i] == '+' || text[i] == '-')) {
        *negative = text[i] == '-';
        i++;
    }
    uint64_t value = 0;
    if (allow_hex && len - i > 2 && text[i] == '0' && (text[i + 1] | 0x20) == 'x') {
        i += 2;
        for (; i < len; i++) {
            int d = ehs_hex_digit(text[i]);
            if (d < 0 || value > (UINT64_MAX >> 4))
                return false;
            value = value << 4 | (uint64_t)d;
        }
    } else {
        if (i == len)
            return false;
        for (; i < len; i++) {
            int d = digit_value(text[i]);
            if (d < 0 || __builtin_mul_overflow(value, 10, &value) ||
                __builtin_add_overflow(value, (uint64_t)d, &value))
                return false;
        }
    }
    *magnitude = value;
    return true;
}

bool ehs_parse_signed(const char *text, size_t len, unsigned bits, int64_t *out)
{
    bool negative;
    uint64_t magnitude;
    if (!ehs_parse_magnitude(text, len, true, &negative, &magnitude))
        return false;
    uint64_t limit = (uint64_t)1 << (bits - 1); /* |minimum| */
    if (negative) {
        if (magnitude > limit)
            return false;
        *out = magnitude == limit ? (int64_t)(0 - limit) : -(int64_t)magnitude;
    } else {
        if (magnitude > limit - 1)
            return false;
        *out = (int64_t)magnitude;
    }
    return true;
}

bool ehs_parse_unsigned(const char *text, size_t len, unsigned bits, uint64_t *out)
{
    bool negative;
    uint64_t magnitude;
    if (!ehs_parse_magnitude(text, len, true, &negative, &magnitude))
        return false;
    uint64_t max = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
    if ((negative && magnitude != 0) || magnitude > max)
        return false;
    *out = magnitude;
    return true;
}

/* ---- floats ---- */

/* The decimal parts of a float text, checked for syntax. */
typedef struct decimal {
    bool negative;
    bool special;      /* inf or nan */
    bool nan;
    bool exact;        /* mantissa * 10^exponent is the value exactly */
    uint64_t mantissa; /* up to 19 significant digits */
    int64_t exponent;
} decimal;

static bool equals_lower(const char *text, size_t len, const char *lower)
{
    size_t n = strlen(lower);
    if (len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = text[i] >= 'A' && text[i] <= 'Z' ? (char)(text[i] | 0x20) : text[i];
        if (c != lower[i])
            return false;
    }
    return true;
}

static bool scan_decimal(const char *text, size_t len, decimal *d)
{
    size_t i = 0;
    *d = (decimal){ .exact = true };
    if (i < len && (text[i] == '+' || text[i] == '-')) {
        d->negative = text[i] == '-';
        i++;
    }
    if (i < len && (text[i] | 0x20) >= 'a') {
        d->special = true;
        d->nan = equals_lower(text + i, len - i, "nan");
        return d->nan || equals_lower(text + i, len - i, "inf") ||
               equals_lower(text + i, len - i, "infinity");
    }
    int significant = 0;
    size_t digits = 0;
    for (; i < len && digit_value(text[i]) >= 0; i++, digits++) {
        unsigned v = (unsigned)(text[i] - '0');
        if (d->mantissa == 0 && v == 0)
            continue;
        if (significant < 19) {
            d->mantissa = d->mantissa * 10 + v;
            significant++;
        } else {
            d->exponent++;
            if (v != 0)
                d->exact = false;
        }
    }
    if (i < len && text[i] == '.') {
        for (i++; i < len && digit_value(text[i]) >= 0; i++, digits++) {
            unsigned v = (unsigned)(text[i] - '0');
            if (d->mantissa == 0 && v == 0) {
                d->exponent--;
            } else if (significant < 19) {
                d->mantissa = d->mantissa * 10 + v;
                significant++;
                d->exponent--;
            } else if (v != 0) {
                d->exact = false;
            }
        }
    }
    if (digits == 0)
        return false;
    if (i < len && (text[i] | 0x20) == 'e') {
        i++;
        bool exponent_negative = false;
        if (i < len && (text[i] == '+' || text[i] == '-')) {
            exponent_negative = text[i] == '-';
            i++;
        }
        if (i == len)
            return false;
        int64_t e = 0;
        for (; i < len; i++) {
            int v = digit_value(text[i]);
            if (v < 0)
                return false;
            if (e < 1000000) /* far past any double; keeps the sum from overflowing */
                e = e * 10 + v;
        }
        d->exponent += exponent_negative ? -e : e;
    }
    return i == len;
}

static const double powers_of_ten[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static const float powers_of_ten_f[] = {
    1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f,
};

/* The "C" locale, made once; newlocale gives glibc's static C object, so
 * racing threads at worst make it twice. */
static locale_t c_locale(void)
{
    static locale_t cached;
    locale_t loc = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);
    if (loc != (locale_t)0)
        return loc;
    loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (loc == (locale_t)0)
        return loc;
    locale_t expected = (locale_t)0;
    if (!__atomic_compare_exchange_n(&cached, &expected, loc, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        freelocale(loc);
        loc = expected;
    }
    return loc;
}

/* Longest text handed to strtod_l; longer numbers do not convert. */
enum { FLOAT_TEXT_MAX = 128 };

/* strtod_l/strtof_l on a NUL-terminated copy. */
static bool slow_float(const char *text, size_t len, bool single, double *out)
{
    char copy[FLOAT_TEXT_MAX];
    locale_t loc = c_locale();
    if (len >= sizeof copy || loc == (locale_t)0)
        return false;
    memcpy(copy, text, len);
    copy[len] = '\0';
    int saved_errno = errno;
    char *end;
    double value = single ? (double)strtof_l(copy, &end, loc) : strtod_l(copy, &end, loc);
    errno = saved_errno;
    if (end != copy + len)
        return false;
    *out = value;
    return true;
}

bool ehs_parse_f64(const char *text, size_t len, double *out)
{
    decimal d;
    if (!scan_decimal(text, len, &d))
        return false;
    double value;
    if (d.special) {
        value = d.nan ? NAN : INFINITY;
    } else if (d.mantissa == 0) {
        value = 0.0;
    } else if (d.exact && d.mantissa <= (UINT64_C(1) << 53) && d.exponent >= -22 &&
               d.exponent <= 22) {
        /* Both operands exact, so the one rounding of the product or
         * quotient is the correct rounding (Clinger's fast path). */
        value = (double)d.mantissa;
        value = d.exponent >= 0 ? value * powers_of_ten[d.exponent]
                                : value / powers_of_ten[-d.exponent];
    } else {
        if (!slow_float(text, len, false, &value) || isinf(value))
            return false; /* overflow */
        *out = value;
        return true;
    }
    *out = d.negative ? -value : value;
    return true;
}

bool ehs_parse_f32(const char *text, size_t len, float *out)
{
    decimal d;
    if (!scan_decimal(text, len, &d))
        return false;
    float value;
    if (d.special) {
        value = d.nan ? NAN : INFINITY;
    } else if (d.mantissa == 0) {
        value = 0.0f;
    } else if (d.exact && d.mantissa <= (UINT64_C(1) << 24) && d.exponent >= -10 &&
               d.exponent <= 10) {
        value = (float)d.mantissa;
        value = d.exponent >= 0 ? value * powers_of_ten_f[d.exponent]
                                : value / powers_of_ten_f[-d.exponent];
    } else {
        double wide;
        if (!slow_float(text, len, true, &wide) || isinf(wide))
            return false;
        *out = (float)wide; /* strtof's result: exact in a double */
        return true;
    }
    *out = d.negative ? -value : value;
    return true;
}

bool ehs_parse_bool(const char *text, size_t len, bool *out)
{
    static const struct { const char *word; bool value; } words[] = {
        { "true", true }, { "false", false }, { "yes", true }, { "no", false },
        { "on", true },   { "off", false },   { "1", true },   { "0", false },
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (equals_lower(text, len, words[i].word)) {
            *out = words[i].value;
            return true;
        }
    }
    return false;
}
