/*
 * The shortest-float formatter's fast way (core/src/decode_float.c) against
 * its exact way (printf digits read back with strtod), which the reference
 * vectors hold to C++ std::to_chars: byte for byte on every float and
 * double of the reference vectors, on edge values, and on a million random
 * bit patterns of each width (EHD_FLOAT_SAMPLES overrides the count). Also
 * that the fast way decides nearly all of them itself: it falls back to
 * the exact way only where it cannot be sure.
 */
#include <math.h> /* isfinite, a macro: no libm */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/xorshift.h"

#include "decode_internal.h"

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;

static uint64_t next_random(void)
{
    return xorshift_next(&rng_state);
}

static long samples(void)
{
    const char *text = getenv("EHD_FLOAT_SAMPLES");
    return text != NULL ? strtol(text, NULL, 10) : 1000000;
}

static void check_double(double value)
{
    char fast[EHD__NUMBER_MAX], exact[EHD__NUMBER_MAX];
    size_t n = ehd__format_float64(fast, value);
    size_t m = ehd__format_float_exact(exact, value, false);
    if (n != m || memcmp(fast, exact, n) != 0) {
        uint64_t bits;
        memcpy(&bits, &value, sizeof bits);
        fail_msg("double 0x%016llx: fast \"%.*s\", exact \"%.*s\"", (unsigned long long)bits,
                 (int)n, fast, (int)m, exact);
    }
}

static void check_float(float value)
{
    char fast[EHD__NUMBER_MAX], exact[EHD__NUMBER_MAX];
    size_t n = ehd__format_float32(fast, value);
    size_t m = ehd__format_float_exact(exact, value, true);
    if (n != m || memcmp(fast, exact, n) != 0) {
        uint32_t bits;
        memcpy(&bits, &value, sizeof bits);
        fail_msg("float 0x%08x: fast \"%.*s\", exact \"%.*s\"", bits, (int)n, fast, (int)m,
                 exact);
    }
}

static double double_of(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static float float_of(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Known texts, so both ways are held to std::to_chars, not only to each other. */
static void test_known_texts(void **state)
{
    (void)state;
    static const struct {
        double value;
        const char *text;
    } doubles[] = {
        { 0.1, "0.1" },        { 0.3, "0.3" },          { 1.0 / 3, "0.3333333333333333" },
        { 1.0, "1" },          { 1e6, "1e+06" },        { 123456.0, "123456" },
        { 1e21, "1e+21" },     { 5e-324, "5e-324" },    { 1.7976931348623157e308, "1.7976931348623157e+308" },
        { 2.5, "2.5" },        { 100.0, "100" },        { 1e100, "1e+100" },
        { 9007199254740993.0, "9007199254740992" },     { 0.000123, "0.000123" },
        { 1.5e-7, "1.5e-07" }, { -2.0, "-2" },          { 2.2250738585072014e-308, "2.2250738585072014e-308" },
    };
    for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
        char out[EHD__NUMBER_MAX];
        size_t n = ehd__format_float64(out, doubles[i].value);
        out[n] = '\0';
        assert_string_equal(out, doubles[i].text);
        check_double(doubles[i].value);
    }
    static const struct {
        float value;
        const char *text;
    } floats[] = {
        { 0.1f, "0.1" }, { 3.14159265f, "3.1415927" }, { 1e-45f, "1e-45" },
        { 3.4028235e38f, "3.4028235e+38" }, { 16777216.0f, "16777216" }, { 1e10f, "1e+10" },
    };
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++) {
        char out[EHD__NUMBER_MAX];
        size_t n = ehd__format_float32(out, floats[i].value);
        out[n] = '\0';
        assert_string_equal(out, floats[i].text);
        check_float(floats[i].value);
    }
}

/* Powers of two and ten, whole numbers, subnormals and the ends of each
 * binade: where interval ends and midpoints fall on decimals. */
static void test_edge_values(void **state)
{
    (void)state;
    /* Powers of two (every biased exponent, fraction zero) and their
     * neighbours, by bit pattern: the next value up or down is one away. */
    for (uint64_t biased = 1; biased < 0x7FF; biased++) {
        uint64_t bits = biased << 52;
        check_double(double_of(bits));
        check_double(double_of(bits - 1));
        check_double(double_of(bits + 1));
    }
    for (uint32_t biased = 1; biased < 0xFF; biased++) {
        uint32_t bits = biased << 23;
        check_float(float_of(bits));
        check_float(float_of(bits - 1));
        check_float(float_of(bits + 1));
    }
    for (int e = -323; e <= 308; e++) {
        char text[16];
        snprintf(text, sizeof text, "1e%d", e);
        double p = strtod(text, NULL);
        uint64_t bits;
        memcpy(&bits, &p, sizeof bits);
        check_double(p);
        check_double(double_of(bits - 1));
        check_double(double_of(bits + 1));
        check_float(strtof(text, NULL));
    }
    for (uint64_t n = 1; n < 100000; n++) {
        check_double((double)n);
        check_double((double)n / 1000);
        check_float((float)n);
        check_float((float)n / 100);
    }
    for (uint64_t m = 1; m < 5000; m++) {
        check_double(double_of(m));                      /* smallest subnormals */
        check_double(double_of(0x000FFFFFFFFFFFFFu - m)); /* largest subnormals */
        check_double(double_of(0x7FEFFFFFFFFFFFFFu - m)); /* largest finite */
        check_float(float_of((uint32_t)m));
        check_float(float_of(0x7F7FFFFFu - (uint32_t)m));
    }
}

static void test_random_doubles(void **state)
{
    (void)state;
    long n = samples();
    for (long i = 0; i < n; i++) {
        double d = double_of(next_random());
        if (isfinite(d))
            check_double(d);
    }
}

static void test_random_floats(void **state)
{
    (void)state;
    long n = samples();
    for (long i = 0; i < n; i++) {
        float f = float_of((uint32_t)next_random());
        if (isfinite(f))
            check_float(f);
    }
}

/* The fast way answers nearly every random value itself (without it,
 * every value took the exact way: up to 17 printf and strtod calls). What
 * it leaves are mostly whole numbers past 2^53 whose interval ends fall
 * on integers: about 0.2% of random bit patterns. */
static void test_fast_way_decides(void **state)
{
    (void)state;
    long undecided = 0, n = 100000;
    for (long i = 0; i < n; i++) {
        uint64_t bits = next_random();
        uint64_t biased = bits >> 52 & 0x7FF, fraction = bits & 0xFFFFFFFFFFFFFu;
        if (biased == 0 || biased == 0x7FF)
            continue;
        uint64_t digits;
        int exponent;
        if (!ehd__shortest_fast(fraction | 0x10000000000000u, (int)biased - 1075,
                                fraction == 0 && biased > 1, &digits, &exponent))
            undecided++;
    }
    assert_true(undecided < n / 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_texts),     cmocka_unit_test(test_edge_values),
        cmocka_unit_test(test_random_doubles),  cmocka_unit_test(test_random_floats),
        cmocka_unit_test(test_fast_way_decides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
