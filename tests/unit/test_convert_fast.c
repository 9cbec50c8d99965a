/*
 * The conversions' fast paths against the general code they replaced,
 * kept here as the reference: dotted quads (unrolled) and plain decimal
 * numbers (no overflow checks for up to 19 digits). Random texts made of
 * the characters that matter, plus the edges by hand; any difference in
 * the result or the value fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/xorshift.h"
#include "convert.h"

/* ---- the general code, as it was ---- */

static bool reference_ipv4(const char *text, size_t len, uint8_t out[4])
{
    uint8_t bytes[4];
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part != 0) {
            if (i == len || text[i] != '.')
                return false;
            i++;
        }
        size_t start = i;
        unsigned value = 0;
        while (i < len && i - start < 3 && text[i] >= '0' && text[i] <= '9')
            value = value * 10 + (unsigned)(text[i++] - '0');
        size_t digits = i - start;
        /* "010" could mean octal to some readers: refuse it, as inet_pton does. */
        if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0'))
            return false;
        bytes[part] = (uint8_t)value;
    }
    if (i != len)
        return false;
    memcpy(out, bytes, 4);
    return true;
}

static bool reference_magnitude(const char *text, size_t len, bool allow_hex, bool *negative,
                         uint64_t *magnitude)
{
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
            int d = (text[i] >= '0' && text[i] <= '9' ? text[i] - '0' : -1);
            if (d < 0 || __builtin_mul_overflow(value, 10, &value) ||
                __builtin_add_overflow(value, (uint64_t)d, &value))
                return false;
        }
    }
    *magnitude = value;
    return true;
}

/* ---- comparisons ---- */

static void same_ipv4(const char *text, size_t len)
{
    uint8_t want[4] = { 0 }, got[4] = { 0 };
    bool want_ok = reference_ipv4(text, len, want);
    bool got_ok = ehs_parse_ipv4(text, len, got);
    if (want_ok != got_ok || memcmp(want, got, 4) != 0)
        fail_msg("ipv4 '%.*s': %d, reference %d", (int)len, text, got_ok, want_ok);
}

static void same_magnitude(const char *text, size_t len)
{
    for (int hex = 0; hex < 2; hex++) {
        bool want_negative = false, got_negative = false;
        uint64_t want = 0, got = 0;
        bool want_ok = reference_magnitude(text, len, hex, &want_negative, &want);
        bool got_ok = ehs_parse_magnitude(text, len, hex, &got_negative, &got);
        if (want_ok != got_ok || (want_ok && (want != got || want_negative != got_negative)))
            fail_msg("magnitude '%.*s' (hex %d): %d %llu, reference %d %llu", (int)len, text, hex,
                     got_ok, (unsigned long long)got, want_ok, (unsigned long long)want);
    }
}

/* A random text of up to `max` characters of `alphabet`. */
static size_t random_text(uint64_t *seed, const char *alphabet, char *out, size_t max)
{
    size_t len = xorshift_next(seed) % (max + 1);
    size_t n = strlen(alphabet);
    for (size_t i = 0; i < len; i++)
        out[i] = alphabet[xorshift_next(seed) % n];
    return len;
}

static void test_ipv4_fast_path(void **state)
{
    (void)state;
    static const char *const edges[] = {
        "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3.256", "01.2.3.4", "1.2.3.04",
        "1.2.3", "1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.4 ", "1234.1.1.1", "1.2.3.1234",
        "10.0.0.1", "192.168.100.200", "999.999.999.999", "1.2.3.-4", "",
    };
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        same_ipv4(edges[i], strlen(edges[i]));
    uint64_t seed = 0x51ed270b27f4a9c3u;
    char text[24];
    for (int n = 0; n < 400000; n++) {
        /* Mostly digits and dots, so that many are addresses. */
        size_t len = random_text(&seed, n % 4 ? "0123456789.1234." : "0123.5a ", text, 20);
        same_ipv4(text, len);
    }
    /* Every octet value in every place, and every length cut of them. */
    for (unsigned v = 0; v < 1000; v++) {
        char quad[24];
        int len = snprintf(quad, sizeof quad, "%u.%u.%u.%u", v, (v * 7) % 300, 255 - v % 256, v % 10);
        for (int cut = 0; cut <= len; cut++)
            same_ipv4(quad, (size_t)cut);
        len = snprintf(quad, sizeof quad, "%03u.1.1.1", v % 300);
        same_ipv4(quad, (size_t)len);
    }
}

static void test_magnitude_fast_path(void **state)
{
    (void)state;
    static const char *const edges[] = {
        "0", "9", "18446744073709551615", "18446744073709551616", "9999999999999999999",
        "99999999999999999999", "1000000000000000000", "-0", "+5", "0x", "0x1f", "0X1F", "00",
        "1 ", " 1", "", "-", "12a", "0x10000000000000000", "007",
    };
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        same_magnitude(edges[i], strlen(edges[i]));
    uint64_t seed = 0x0ddba11cafef00d5u;
    char text[32];
    for (int n = 0; n < 400000; n++) {
        size_t len = random_text(&seed, n % 3 ? "0123456789" : "0123456789x+-a", text,
                                 n % 2 ? 22 : 6);
        same_magnitude(text, len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_fast_path),
        cmocka_unit_test(test_magnitude_fast_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
