/*
 * ehs_literal_contains (sixteen places at a time held to a needle's first
 * and last bytes, then compared whole) against memmem: random texts and
 * needles over a few bytes, so needles occur often, near misses (first
 * and last byte right, middle wrong) oftener, at every place of every
 * length across the 16-place blocks and the overlapping last block. Each
 * text is copied to a heap block of its exact size, so a read past its
 * end shows under ASan.
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
#include "rule_literal.h"

static long compared, found;

static void same_answer(const char *text, size_t len, const char *needle, size_t n)
{
    char *copy = malloc(len != 0 ? len : 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    bool want = memmem(copy, len, needle, n) != NULL;
    bool got = ehs_literal_contains(copy, len, needle, n);
    if (want != got)
        print_error("needle '%.*s' in '%.*s': memmem %d, ehs_literal_contains %d\n", (int)n,
                    needle, (int)len, text, want, got);
    assert_int_equal(want, got);
    compared++;
    found += want;
    free(copy);
}

/* Bytes of texts and needles: blanks like the needles' own, two letters. */
static const char alphabet[] = " ab\t";

static void random_bytes(uint64_t *rng, char *out, size_t n, unsigned kinds)
{
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[xorshift_next(rng) % kinds];
}

static void test_random_texts(void **state)
{
    (void)state;
    uint64_t rng = 0x5eed1e7e4a11u;
    char text[96], needle[EHS_LITERAL_MAX];
    for (int round = 0; round < 200000; round++) {
        size_t len = (size_t)(xorshift_next(&rng) % sizeof text);
        size_t n = 1 + (size_t)(xorshift_next(&rng) % EHS_LITERAL_MAX);
        unsigned kinds = 2 + (unsigned)(xorshift_next(&rng) % 3);
        random_bytes(&rng, text, len, kinds);
        random_bytes(&rng, needle, n, kinds);
        same_answer(text, len, needle, n);
    }
    assert_true(found > compared / 20); /* the rounds found needles too */
}

/* A needle put at every place of texts of every length, once as it is and
 * once with one middle byte changed (first and last byte still right). */
static void test_every_place(void **state)
{
    (void)state;
    uint64_t rng = 0xfeedfacecafeu;
    char text[80], needle[EHS_LITERAL_MAX];
    for (size_t n = 1; n <= EHS_LITERAL_MAX; n++) {
        random_bytes(&rng, needle, n, 3);
        for (size_t len = n; len <= sizeof text; len++) {
            for (size_t at = 0; at + n <= len; at++) {
                memset(text, 'x', len);
                memcpy(text + at, needle, n);
                same_answer(text, len, needle, n);
                if (n >= 3) {
                    text[at + 1 + (size_t)(xorshift_next(&rng) % (n - 2))] = 'y';
                    same_answer(text, len, needle, n);
                }
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_texts),
        cmocka_unit_test(test_every_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
