/*
 * The decoder's integer text (core/src/decode_integer.c), which replaced
 * printf for every number of every event: held to printf's own %llu, %lld
 * and %llX on every power of ten and its neighbours, the ends of each
 * width, and five million random values of every magnitude; byte values
 * by table, every one.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/xorshift.h"

#include "decode_internal.h"

static void check(uint64_t value)
{
    char got[32], want[32];
    size_t n = ehd__format_u64(got, value);
    int m = snprintf(want, sizeof want, "%" PRIu64, value);
    if (n != (size_t)m || memcmp(got, want, n) != 0)
        fail_msg("%s: got %.*s", want, (int)n, got);
    n = ehd__format_i64(got, (int64_t)value);
    m = snprintf(want, sizeof want, "%" PRId64, (int64_t)value);
    if (n != (size_t)m || memcmp(got, want, n) != 0)
        fail_msg("%s: got %.*s", want, (int)n, got);
    n = ehd__format_hex(got, value);
    m = snprintf(want, sizeof want, "%" PRIX64, value);
    if (n != (size_t)m || memcmp(got, want, n) != 0)
        fail_msg("%s: got %.*s", want, (int)n, got);
}

static void test_edges(void **state)
{
    (void)state;
    uint64_t power = 1;
    for (int d = 0; d < 20; d++, power *= 10) {
        check(power - 1);
        check(power);
        check(power + 1);
    }
    for (int bits = 0; bits < 64; bits++) {
        uint64_t p = (uint64_t)1 << bits;
        check(p - 1);
        check(p);
        check(p + 1);
        check(0 - p); /* negative as int64 */
    }
    check(0);
    check(UINT64_MAX);
    check((uint64_t)INT64_MAX);
    check((uint64_t)INT64_MIN);
}

static void test_random(void **state)
{
    (void)state;
    uint64_t random_state = 88172645463325252u;
    for (long i = 0; i < 5000000; i++) {
        uint64_t s = xorshift_next(&random_state);
        check(s >> (s % 64)); /* every magnitude */
    }
}

/* Byte values (the header's version, level and opcode, 8-bit fields) by
 * table: every one. */
static void test_bytes(void **state)
{
    (void)state;
    for (unsigned value = 0; value < 256; value++) {
        char got[8], want[8];
        memset(got, '?', sizeof got);
        size_t n = (size_t)(ehd__byte_at(got, (uint8_t)value) - got);
        int m = snprintf(want, sizeof want, "%u", value);
        if (n != (size_t)m || memcmp(got, want, n) != 0)
            fail_msg("%s: got %.*s", want, (int)n, got);
        assert_int_equal(got[4], '?'); /* scratch stops at the fourth byte */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
