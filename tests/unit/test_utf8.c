/*
 * UTF-8 as the whole tree reads and writes it (core/src/utf8.h): every
 * Unicode code point goes through encode and decode unchanged; what is not
 * well-formed decodes to 0; values past U+10FFFF encode in the long forms
 * the reference formatter shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

static void every_code_point_round_trips(void **state)
{
    (void)state;
    for (uint32_t code_point = 0; code_point <= 0x10FFFF; code_point++) {
        uint8_t bytes[EHD_UTF8_ENCODED_MAX];
        size_t n = ehd__utf8_encode(code_point, bytes);
        size_t expected = code_point < 0x80 ? 1 : code_point < 0x800 ? 2
                        : code_point < 0x10000 ? 3 : 4;
        assert_int_equal(n, expected);
        uint32_t decoded = 0xFFFFFFFF;
        assert_int_equal(ehd__utf8_decode(bytes, n, &decoded), n);
        assert_int_equal(decoded, code_point);
        /* One byte short is no sequence. */
        if (n > 1)
            assert_int_equal(ehd__utf8_decode(bytes, n - 1, &decoded), 0);
    }
}

static void expect_encoding(uint32_t code_point, const char *expected, size_t expected_len)
{
    uint8_t bytes[EHD_UTF8_ENCODED_MAX];
    size_t n = ehd__utf8_encode(code_point, bytes);
    assert_int_equal(n, expected_len);
    assert_memory_equal(bytes, expected, n);
}

static void values_past_unicode_take_the_long_forms(void **state)
{
    (void)state;
    expect_encoding(0x110000, "\xF4\x90\x80\x80", 4);
    expect_encoding(0x1FFFFF, "\xF7\xBF\xBF\xBF", 4);
    expect_encoding(0x200000, "\xF8\x88\x80\x80\x80", 5);
    expect_encoding(0x4000000, "\xFC\x84\x80\x80\x80\x80", 6);
    expect_encoding(0x7FFFFFFF, "\xFD\xBF\xBF\xBF\xBF\xBF", 6);
    expect_encoding(0x80000000u, "\xFE\x82\x80\x80\x80\x80\x80", 7);
    expect_encoding(0xFFFFFFFFu, "\xFE\x83\xBF\xBF\xBF\xBF\xBF", 7);
}

static size_t decode(const char *bytes, size_t len)
{
    uint32_t code_point;
    return ehd__utf8_decode((const uint8_t *)bytes, len, &code_point);
}

static void ill_formed_sequences_decode_to_zero(void **state)
{
    (void)state;
    assert_int_equal(decode("\x80", 1), 0);                 /* continuation first */
    assert_int_equal(decode("\xC0\x80", 2), 0);             /* overlong NUL */
    assert_int_equal(decode("\xC1\xBF", 2), 0);             /* overlong 0x7F */
    assert_int_equal(decode("\xE0\x9F\xBF", 3), 0);         /* overlong 0x7FF */
    assert_int_equal(decode("\xF0\x8F\xBF\xBF", 4), 0);     /* overlong 0xFFFF */
    assert_int_equal(decode("\xF4\x90\x80\x80", 4), 0);     /* U+110000 */
    assert_int_equal(decode("\xF5\x80\x80\x80", 4), 0);     /* no such lead byte */
    assert_int_equal(decode("\xF8\x88\x80\x80\x80", 5), 0); /* long form */
    assert_int_equal(decode("\xC3\x28", 2), 0);             /* no continuation */
    assert_int_equal(decode("\xE2\x82", 2), 0);             /* cut short */
}

static void surrogates_are_left_to_the_caller(void **state)
{
    (void)state;
    uint32_t code_point = 0;
    assert_int_equal(ehd__utf8_decode((const uint8_t *)"\xED\xA0\x80", 3, &code_point), 3);
    assert_int_equal(code_point, 0xD800);
    assert_int_equal(ehd__utf8_decode((const uint8_t *)"\xED\xBF\xBF", 3, &code_point), 3);
    assert_int_equal(code_point, 0xDFFF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_point_round_trips),
        cmocka_unit_test(values_past_unicode_take_the_long_forms),
        cmocka_unit_test(ill_formed_sequences_decode_to_zero),
        cmocka_unit_test(surrogates_are_left_to_the_caller),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
