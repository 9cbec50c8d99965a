/*
 * ehs_same_bytes (word loads, the last overlapping) against memcmp: every
 * length up to past eight words, equal strings and strings that differ in
 * one byte at every place, each copied to a heap block of its exact size
 * so a read past its end shows under ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/xorshift.h"
#include "same_bytes.h"

static void same_answer(const char *a, const char *b, size_t len)
{
    char *x = malloc(len != 0 ? len : 1), *y = malloc(len != 0 ? len : 1);
    assert_non_null(x);
    assert_non_null(y);
    memcpy(x, a, len);
    memcpy(y, b, len);
    bool want = memcmp(x, y, len) == 0;
    if (ehs_same_bytes(x, y, len) != want)
        fail_msg("length %zu: memcmp says %s", len, want ? "same" : "different");
    free(x);
    free(y);
}

static void test_every_length_and_place(void **state)
{
    (void)state;
    uint64_t rng = 0x5a3eb17e5u;
    char a[72] = { 0 }, b[72] = { 0 };
    for (size_t len = 0; len <= sizeof a; len++) {
        for (size_t i = 0; i < len; i++)
            a[i] = (char)xorshift_next(&rng);
        memcpy(b, a, len);
        same_answer(a, b, len);
        for (size_t at = 0; at < len; at++) {
            memcpy(b, a, len);
            b[at] = (char)(b[at] ^ (1 + xorshift_next(&rng) % 255));
            same_answer(a, b, len);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_length_and_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
