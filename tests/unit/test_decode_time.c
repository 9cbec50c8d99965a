/*
 * Times of format "time" (core/src/decode_fixed.c, ehd__time_at) come from
 * the decoder's own calendar arithmetic, not gmtime: held here to what
 * gmtime_r and printf make of the same seconds, as the reference shows
 * them, on the ends of days, months and years, both ends of what gmtime
 * can show (a tm_year past int) and millions of random times of every
 * magnitude, negative ones included.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../lib/xorshift.h"

#include "decode_internal.h"

/* The reference's text: gmtime_r's fields, the year wrapped in int as the
 * reference adds 1900 to tm_year, or TIME(n) where gmtime_r fails. */
static size_t reference_time(char *out, size_t size, int64_t seconds)
{
    time_t when = (time_t)seconds;
    struct tm tm;
    if ((int64_t)when != seconds || gmtime_r(&when, &tm) == NULL)
        return (size_t)snprintf(out, size, "\"TIME(%" PRId64 ")\"", seconds);
    int year = (int)((unsigned)tm.tm_year + 1900u);
    return (size_t)snprintf(out, size, "\"%04d-%02d-%02dT%02d:%02d:%02d\"", year, tm.tm_mon + 1,
                            tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void check(int64_t seconds)
{
    char got[EHD__FIXED_TEXT_MAX], want[64];
    size_t n = (size_t)(ehd__time_at(got, seconds) - got);
    size_t m = reference_time(want, sizeof want, seconds);
    if (n != m || memcmp(got, want, n) != 0)
        fail_msg("%" PRId64 ": got %.*s, want %s", seconds, (int)n, got, want);
}

static void check_around(int64_t seconds)
{
    for (int64_t d = -2; d <= 2; d++)
        if ((d >= 0 || seconds >= INT64_MIN - d) && (d <= 0 || seconds <= INT64_MAX - d))
            check(seconds + d);
}

static void test_edges(void **state)
{
    (void)state;
    /* Every day's end from 1600 to 2500, and 1 January of years far out. */
    for (int64_t day = -135140; day < 194000; day++)
        check_around(day * 86400);
    for (int64_t year = -1000000; year <= 1000000; year += 997)
        check_around((int64_t)((double)(year - 1970) * 365.2425 * 86400.0));
    check_around(0);
    check_around(INT32_MIN);
    check_around(INT32_MAX);
    check_around(INT64_MIN);
    check_around(INT64_MAX);
    /* Where gmtime stops: tm_year past INT_MAX or below INT_MIN, some
     * days either side. */
    const double year_seconds = 365.2425 * 86400.0;
    int64_t top = (int64_t)(((double)INT32_MAX + 1900.0 - 1970.0 + 1.0) * year_seconds);
    int64_t bottom = (int64_t)(((double)INT32_MIN + 1900.0 - 1970.0) * year_seconds);
    for (int64_t s = -400 * 86400; s <= 400 * 86400; s += 3607) {
        check_around(top + s);
        check_around(bottom + s);
    }
}

static void test_random(void **state)
{
    (void)state;
    uint64_t random_state = 0x9E3779B97F4A7C15u;
    for (long i = 0; i < 3000000; i++) {
        uint64_t r = xorshift_next(&random_state);
        check((int64_t)r >> (r % 64)); /* every magnitude, both signs */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
