/*
 * The builder's two ways to append a field give the same bytes: the inline
 * fast appends of core/private/ehd_builder_layout.h (the rules engine's hot
 * path) and the library's ehd_builder_add_*_n (everyone else), for every
 * encoding they share, name lengths on both sides of the inline limit,
 * formats and tags, lengths past the 16-bit limit, and buffers with and
 * without room (so the fast path runs inline and falls back). Also the
 * builder's constructor and its options struct.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ehd/ehd.h"
#include "ehd_builder_layout.h"

enum { EVENT_CAPACITY = 70000 };

static const char name_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
static uint8_t payload[70000];

/* The event bytes of `b`, or the error that kept it from copying. */
static size_t copy(ehd_builder *b, uint8_t *out, int *err)
{
    size_t size = 0;
    *err = ehd_builder_copy_event(b, 4, NULL, NULL, out, EVENT_CAPACITY, &size);
    return size;
}

static void check_same(ehd_builder *fast, ehd_builder *library, const char *what)
{
    static uint8_t a[EVENT_CAPACITY], b[EVENT_CAPACITY];
    int err_a, err_b;
    size_t size_a = copy(fast, a, &err_a), size_b = copy(library, b, &err_b);
    if (err_a != err_b || size_a != size_b || (err_a == 0 && memcmp(a, b, size_a) != 0))
        fail_msg("%s: fast %zu bytes (errno %d), library %zu bytes (errno %d)", what, size_a,
                 err_a, size_b, err_b);
}

/* Both builders start an event the same way. */
static void reset_both(ehd_builder *fast, ehd_builder *library)
{
    ehd_builder_reset(fast, "E", 3);
    ehd_builder_reset(library, "E", 3);
}

static void test_values(void **state)
{
    (void)state;
    static const size_t sizes[] = { 1, 2, 3, 4, 8, 16 };
    static const uint8_t formats[] = { 0, EHD_FMT_SIGNED_INT, EHD_FMT_HEX_INT, 0x7F };
    static const uint16_t tags[] = { 0, 7, 0xFFFF };
    ehd_builder *fast = ehd_builder_new(NULL), *library = ehd_builder_new(NULL);
    assert_non_null(fast);
    assert_non_null(library);
    for (size_t name_len = 0; name_len <= 20; name_len++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            for (size_t f = 0; f < sizeof formats; f++)
                for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++) {
                    reset_both(fast, library);
                    /* Several fields, so the buffers fill and both paths run. */
                    for (int k = 0; k < 40; k++) {
                        ehd_builder_fast_add_value_n(fast, name_chars, name_len, payload + k,
                                                     sizes[s], formats[f], tags[t]);
                        ehd_builder_add_value_n(library, name_chars, name_len, payload + k,
                                                sizes[s], formats[f], tags[t]);
                    }
                    check_same(fast, library, "values");
                }
    ehd_builder_free(fast);
    ehd_builder_free(library);
}

static void test_strings_and_binary(void **state)
{
    (void)state;
    /* Every length the fast appends copy in fixed-size moves (up to 32),
     * each side of those sizes, and long ones. */
    static const size_t lengths[] = { 0,  1,  2,  3,  4,  5,  6,  7,  8,   9,     10,    11,
                                      12, 13, 14, 15, 16, 17, 18, 24, 31,  32,    33,    34,
                                      40, 64, 65, 300, 65535, 65536, 69999 };
    static const size_t char_sizes[] = { 1, 2, 4, 3 };
    static const uint8_t formats[] = { 0, EHD_FMT_HEX_BYTES, EHD_FMT_UNSIGNED_INT };
    static const uint16_t tags[] = { 0, 0x1234 };
    ehd_builder *fast = ehd_builder_new(NULL), *library = ehd_builder_new(NULL);
    assert_non_null(fast);
    assert_non_null(library);
    for (size_t name_len = 0; name_len <= 17; name_len++)
        for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++)
            for (size_t f = 0; f < sizeof formats; f++)
                for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++) {
                    size_t length = lengths[l];
                    for (size_t c = 0; c < sizeof char_sizes / sizeof char_sizes[0]; c++) {
                        size_t units = char_sizes[c] * length > sizeof payload
                                           ? sizeof payload / char_sizes[c]
                                           : length;
                        reset_both(fast, library);
                        ehd_builder_fast_add_string_n(fast, name_chars, name_len, payload,
                                                      char_sizes[c], units, formats[f], tags[t]);
                        ehd_builder_add_string_n(library, name_chars, name_len, payload,
                                                 char_sizes[c], units, formats[f], tags[t]);
                        check_same(fast, library, "strings");
                    }
                    reset_both(fast, library);
                    ehd_builder_fast_add_binary_n(fast, name_chars, name_len, payload, length,
                                                  formats[f], tags[t]);
                    ehd_builder_add_binary_n(library, name_chars, name_len, payload, length,
                                             formats[f], tags[t]);
                    check_same(fast, library, "binary");
                }
    /* A NULL value of length 0 is valid on both paths. */
    reset_both(fast, library);
    ehd_builder_fast_add_binary_n(fast, "n", 1, NULL, 0, 0, 0);
    ehd_builder_add_binary_n(library, "n", 1, NULL, 0, 0, 0);
    ehd_builder_fast_add_string_n(fast, "s", 1, NULL, 1, 0, 0, 0);
    ehd_builder_add_string_n(library, "s", 1, NULL, 1, 0, 0, 0);
    check_same(fast, library, "empty values");
    ehd_builder_free(fast);
    ehd_builder_free(library);
}

/* From the smallest buffers, growth happens on the library path; the fast
 * path takes over once there is room. */
static void test_small_buffers(void **state)
{
    (void)state;
    ehd_builder_options options = EHD_BUILDER_OPTIONS(.meta_capacity = 1, .data_capacity = 1);
    ehd_builder *fast = ehd_builder_new(&options), *library = ehd_builder_new(&options);
    assert_non_null(fast);
    assert_non_null(library);
    reset_both(fast, library);
    for (int k = 0; k < 500; k++) {
        uint32_t value = (uint32_t)k;
        ehd_builder_fast_add_value_n(fast, "k", 1, &value, 4, 0, 0);
        ehd_builder_add_value_n(library, "k", 1, &value, 4, 0, 0);
        ehd_builder_fast_add_string_n(fast, "text", 4, name_chars, 1, (size_t)k % 30, 0, 0);
        ehd_builder_add_string_n(library, "text", 4, name_chars, 1, (size_t)k % 30, 0, 0);
    }
    check_same(fast, library, "growing");
    ehd_builder_free(fast);
    ehd_builder_free(library);
}

/* The options struct follows the sz rules; NULL is the defaults. */
static void test_builder_options(void **state)
{
    (void)state;
    ehd_builder *b = ehd_builder_new(NULL);
    assert_non_null(b);
    assert_int_equal(b->meta.capacity, 256);
    assert_int_equal(b->data.capacity, 256);
    /* Nothing is written before the first reset. */
    uint8_t out[64];
    size_t size;
    assert_int_equal(ehd_builder_copy_event(b, 4, NULL, NULL, out, sizeof out, &size), EINVAL);
    ehd_builder_free(b);
    ehd_builder_free(NULL);

    ehd_builder_options options = EHD_BUILDER_OPTIONS(.data_capacity = 5000);
    b = ehd_builder_new(&options);
    assert_non_null(b);
    assert_int_equal(b->meta.capacity, 256);
    assert_true(b->data.capacity >= 5000);
    ehd_builder_free(b);

    /* A caller built before data_capacity existed: only meta_capacity read. */
    options = EHD_BUILDER_OPTIONS(.meta_capacity = 1000, .data_capacity = 5000);
    options.sz = offsetof(ehd_builder_options, data_capacity);
    b = ehd_builder_new(&options);
    assert_non_null(b);
    assert_true(b->meta.capacity >= 1000);
    assert_int_equal(b->data.capacity, 256);
    ehd_builder_free(b);

    /* A caller built with a larger struct: fine while its extra bytes are zero. */
    struct {
        ehd_builder_options known;
        uint64_t later;
    } newer = { EHD_BUILDER_OPTIONS(), 0 };
    newer.known.sz = sizeof newer;
    b = ehd_builder_new(&newer.known);
    assert_non_null(b);
    ehd_builder_free(b);
    newer.later = 1;
    errno = 0;
    assert_null(ehd_builder_new(&newer.known));
    assert_int_equal(errno, EINVAL);

    options.sz = 0;
    errno = 0;
    assert_null(ehd_builder_new(&options));
    assert_int_equal(errno, EINVAL);
}

int main(void)
{
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7 + 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_strings_and_binary),
        cmocka_unit_test(test_small_buffers),
        cmocka_unit_test(test_builder_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
