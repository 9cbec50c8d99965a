/*
 * The decoder's formatting rules, one value at a time through the public
 * API, and the enumeration of a hand-made event item by item. The expected
 * texts are what the reference EventFormatter prints (floats as C++
 * std::to_chars writes them), including its quirks: long UTF-8 forms above
 * U+10FFFF, Latin-1 for invalid UTF-8, and its UTF-16 surrogate arithmetic.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ehd/ehd_decode.h"

/* Formats `size` bytes as one value of `encoding` and `format` (little-endian
 * unless `big_endian`) and compares with `want`. */
static void check_value_order(uint8_t encoding, uint8_t format, const void *bytes, size_t size,
                              bool big_endian, const char *want)
{
    ehd_item item = { 0 };
    item.kind = EHD_ITEM_VALUE;
    item.encoding = encoding;
    item.format = format;
    item.value = bytes;
    item.value_size = size;
    ehd_text text = EHD_TEXT_INIT;
    int rc = ehd_value_json(&text, &item, !big_endian);
    if (rc != 0)
        fail_msg("encoding %u format %u: error %d", encoding, format, rc);
    if (strcmp(text.chars, want) != 0)
        fail_msg("encoding %u format %u: want %s got %s", encoding, format, want, text.chars);
    ehd_text_free(&text);
}

static void check_value(uint8_t encoding, uint8_t format, const void *bytes, size_t size,
                        const char *want)
{
    check_value_order(encoding, format, bytes, size, false, want);
}

static void check_f32(float value, const char *want)
{
    check_value(EHD_ENC_VALUE32, EHD_FMT_FLOAT, &value, 4, want);
}

static void check_f64(double value, const char *want)
{
    check_value(EHD_ENC_VALUE64, EHD_FMT_FLOAT, &value, 8, want);
}

static void test_floats_are_shortest_round_trip(void **state)
{
    (void)state;
    check_f32(3.14f, "3.14");
    check_f32(1.0f / 3, "0.33333334");
    check_f32(1e-45f, "1e-45");
    check_f32(-5.9903676e+29f, "-5.9903676e+29");
    check_f32(1.2345678e12f, "1234567823360"); /* whole numbers print exactly */
    check_f32(-0.0f, "-0");
    check_f32(INFINITY, "\"inf\"");
    check_f32(-INFINITY, "\"-inf\"");
    check_f32(NAN, "\"nan\"");
    check_f32(-NAN, "\"-nan\"");
    check_f64(6.28, "6.28");
    check_f64(1.0 / 3, "0.3333333333333333");
    check_f64(5e-324, "5e-324");
    check_f64(0.001, "0.001");   /* fixed wins a tie with 1e-03 */
    check_f64(0.0001, "1e-04");
    check_f64(100.0, "100");
    check_f64(1e16, "1e+16");
    check_f64(123456789012345680.0, "123456789012345680");
    check_f64(-1.1413996157316056e+236, "-1.1413996157316056e+236");
    check_f64(0.0, "0");
}

static void test_integers_and_booleans(void **state)
{
    (void)state;
    uint8_t u8 = 0xF0;
    check_value(EHD_ENC_VALUE8, EHD_FMT_DEFAULT, &u8, 1, "240");
    check_value(EHD_ENC_VALUE8, EHD_FMT_SIGNED_INT, &u8, 1, "-16");
    check_value(EHD_ENC_VALUE8, EHD_FMT_HEX_INT, &u8, 1, "\"0xF0\"");
    check_value(EHD_ENC_VALUE8, EHD_FMT_BOOLEAN, &u8, 1, "240");
    check_value(EHD_ENC_VALUE8, EHD_FMT_STRING8, &u8, 1, "\"\xc3\xb0\"");
    check_value(EHD_ENC_VALUE8, EHD_FMT_FLOAT, &u8, 1, "240"); /* unsuitable: default */
    uint32_t u32 = 0xF0F1F2F3;
    check_value(EHD_ENC_VALUE32, EHD_FMT_BOOLEAN, &u32, 4, "-252579085");
    check_value(EHD_ENC_VALUE32, EHD_FMT_PID, &u32, 4, "-252579085");
    uint32_t one = 1, zero = 0;
    check_value(EHD_ENC_VALUE32, EHD_FMT_BOOLEAN, &one, 4, "true");
    check_value(EHD_ENC_VALUE32, EHD_FMT_BOOLEAN, &zero, 4, "false");
    uint64_t u64 = 0xF9CCD8A1C5080000u;
    check_value(EHD_ENC_VALUE64, EHD_FMT_HEX_INT, &u64, 8, "\"0xF9CCD8A1C5080000\"");
    check_value(EHD_ENC_VALUE64, EHD_FMT_DEFAULT, &u64, 8, "18000000000000000000");
    check_value(EHD_ENC_VALUE64, EHD_FMT_SIGNED_INT, &u64, 8, "-446744073709551616");
    check_value(EHD_ENC_VALUE64, EHD_FMT_HEX_BYTES, &u64, 8, "\"00 00 08 c5 a1 d8 cc f9\"");

    static const uint8_t be16[] = { 0x12, 0x34 };
    check_value_order(EHD_ENC_VALUE16, EHD_FMT_HEX_INT, be16, 2, true, "\"0x1234\"");
    check_value_order(EHD_ENC_VALUE16, EHD_FMT_HEX_INT, be16, 2, false, "\"0x3412\"");
}

static void test_errno_time_addresses(void **state)
{
    (void)state;
    static const struct { uint32_t value; const char *want; } errnos[] = {
        { 0, "\"ERRNO(0)\"" },       { 2, "\"ENOENT(2)\"" },   { 41, "\"ERRNO(41)\"" },
        { 58, "\"ERRNO(58)\"" },     { 133, "\"EHWPOISON(133)\"" },
        { 134, "\"ERRNO(134)\"" },   { 0xFFFFFFFF, "\"ERRNO(-1)\"" },
    };
    for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
        check_value(EHD_ENC_VALUE32, EHD_FMT_ERRNO, &errnos[i].value, 4, errnos[i].want);

    int32_t t32 = INT32_MIN;
    check_value(EHD_ENC_VALUE32, EHD_FMT_TIME, &t32, 4, "\"1901-12-13T20:45:52\"");
    int64_t t64 = -11644473601;
    check_value(EHD_ENC_VALUE64, EHD_FMT_TIME, &t64, 8, "\"1600-12-31T23:59:59\"");
    t64 = 910692730086;
    check_value(EHD_ENC_VALUE64, EHD_FMT_TIME, &t64, 8, "\"30828-09-14T02:48:06\"");
    t64 = INT64_MAX;
    check_value(EHD_ENC_VALUE64, EHD_FMT_TIME, &t64, 8, "\"TIME(9223372036854775807)\"");

    static const uint8_t port[] = { 0x00, 0x50 };
    check_value(EHD_ENC_VALUE16, EHD_FMT_PORT, port, 2, "80");
    static const uint8_t ip4[] = { 127, 0, 0, 1 };
    check_value(EHD_ENC_VALUE32, EHD_FMT_IPV4, ip4, 4, "\"127.0.0.1\"");
    check_value(EHD_ENC_VALUE32, EHD_FMT_IPV6, ip4, 4, "\"127.0.0.1\"");
    static const uint8_t ip6[16] = { [15] = 1 };
    check_value(EHD_ENC_VALUE128, EHD_FMT_IPV4, ip6, 16, "\"::1\"");
    static const uint8_t uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
    check_value(EHD_ENC_VALUE128, EHD_FMT_UUID, uuid, 16,
                "\"01020304-0506-0708-0102-030405060708\"");
    check_value(EHD_ENC_VALUE128, EHD_FMT_DEFAULT, uuid, 16,
                "\"01 02 03 04 05 06 07 08 01 02 03 04 05 06 07 08\"");
}

static void test_strings(void **state)
{
    (void)state;
    /* Escapes: quote, backslash, named controls, other controls as \u00xx;
     * DEL passes. */
    check_value(EHD_ENC_STRING_LENGTH16_CHAR8, 0, "\"\\\n\t\x01\x7f", 6,
                "\"\\\"\\\\\\n\\t\\u0001\x7f\"");
    /* Invalid UTF-8 bytes are Latin-1; surrogates pass; overlong forms and
     * values past U+10FFFF do not. */
    check_value(EHD_ENC_ZSTRING_CHAR8, 0, "a\xff" "b", 3, "\"a\xc3\xbf" "b\"");
    check_value(EHD_ENC_ZSTRING_CHAR8, 0, "\xed\xa0\x80", 3, "\"\xed\xa0\x80\"");
    check_value(EHD_ENC_ZSTRING_CHAR8, 0, "\xc0\x80", 2, "\"\xc3\x80\xc2\x80\"");
    check_value(EHD_ENC_ZSTRING_CHAR8, 0, "\xf4\x90\x80\x80", 4,
                "\"\xc3\xb4\xc2\x90\xc2\x80\xc2\x80\"");
    check_value(EHD_ENC_ZSTRING_CHAR8, 0, "\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");
    check_value(EHD_ENC_ZSTRING_CHAR8, EHD_FMT_STRING8, "\xe9", 1, "\"\xc3\xa9\"");

    /* UTF-16: pairs combine with the reference's arithmetic (0x10000 ORed
     * in, so D840 DC00 shows as U+10000); lone surrogates pass. */
    static const uint16_t smile[] = { 0xD83D, 0xDE00 };
    check_value(EHD_ENC_STRING_LENGTH16_CHAR16, 0, smile, 4, "\"\xf0\x9f\x98\x80\"");
    static const uint16_t plane2[] = { 0xD840, 0xDC00 };
    check_value(EHD_ENC_STRING_LENGTH16_CHAR16, 0, plane2, 4, "\"\xf0\x90\x80\x80\"");
    static const uint16_t lone[] = { 'a', 0xD800 };
    check_value(EHD_ENC_STRING_LENGTH16_CHAR16, 0, lone, 4, "\"a\xed\xa0\x80\"");

    /* UCS-4 above U+10FFFF: the old 5- and 6-byte forms, and 7 bytes. */
    static const uint32_t big[] = { 0x10FFFF, 0x7FFFFFFF, 0xFFFEFDFC };
    check_value(EHD_ENC_STRING_LENGTH16_CHAR32, 0, big, 12,
                "\"\xf4\x8f\xbf\xbf\xfd\xbf\xbf\xbf\xbf\xbf\xfe\x83\xbf\xbf\xaf\xb7\xbc\"");

    /* A byte order mark picks the decoding, UTF-32 marks first. */
    static const uint8_t bom32[] = { 0xFF, 0xFE, 0, 0, 'h', 0, 0, 0 };
    check_value(EHD_ENC_STRING_LENGTH16_CHAR16, EHD_FMT_STRING_UTF_BOM, bom32, 8, "\"h\"");
    static const uint8_t bom16be[] = { 0xFE, 0xFF, 0, 'h', 0, 'i' };
    check_value(EHD_ENC_STRING_LENGTH16_CHAR8, EHD_FMT_STRING_JSON, bom16be, 6, "\"hi\"");
    check_value(EHD_ENC_STRING_LENGTH16_CHAR16, EHD_FMT_STRING_UTF, bom16be, 6,
                "\"\xef\xbf\xbe\xe6\xa0\x80\xe6\xa4\x80\"");
    static const uint8_t bom8[] = { 0xEF, 0xBB, 0xBF, 'h' };
    check_value(EHD_ENC_ZSTRING_CHAR8, EHD_FMT_STRING_XML, bom8, 4, "\"h\"");
}

static void test_counted_values_take_any_format(void **state)
{
    (void)state;
    /* Empty: null for fixed-size formats, empty text otherwise. */
    check_value(EHD_ENC_BINARY_LENGTH16_CHAR8, EHD_FMT_UNSIGNED_INT, NULL, 0, "null");
    check_value(EHD_ENC_STRING_LENGTH16_CHAR8, EHD_FMT_PORT, NULL, 0, "null");
    check_value(EHD_ENC_BINARY_LENGTH16_CHAR8, EHD_FMT_DEFAULT, NULL, 0, "\"\"");
    /* A size the format takes shows in it; other sizes fall back: hex for
     * binary, text for strings. */
    uint16_t v = 0x0102;
    check_value(EHD_ENC_BINARY_LENGTH16_CHAR8, EHD_FMT_SIGNED_INT, &v, 2, "258");
    check_value(EHD_ENC_BINARY_LENGTH16_CHAR8, EHD_FMT_FLOAT, &v, 2, "\"02 01\"");
    check_value(EHD_ENC_STRING_LENGTH16_CHAR8, EHD_FMT_FLOAT, &v, 2, "\"\\u0002\\u0001\"");
    check_value(EHD_ENC_BINARY_LENGTH16_CHAR8, EHD_FMT_STRING_UTF_BOM, "hi", 2, "\"hi\"");
    uint32_t ip = 0x0100007F;
    check_value(EHD_ENC_BINARY_LENGTH16_CHAR8, EHD_FMT_IPV6, &ip, 4, "\"127.0.0.1\"");
    check_value(EHD_ENC_STRING_LENGTH16_CHAR8, EHD_FMT_TIME, &ip, 4, "\"1970-07-14T04:22:23\"");
}

static void test_value_misuse(void **state)
{
    (void)state;
    ehd_text text = EHD_TEXT_INIT;
    ehd_item item = { 0 };
    item.kind = EHD_ITEM_STRUCT_BEGIN;
    assert_int_equal(ehd_value_json(&text, &item, true), EINVAL);
    item.kind = EHD_ITEM_VALUE;
    item.encoding = EHD_ENC_VALUE32;
    item.value = (const uint8_t *)"ab";
    item.value_size = 2;
    assert_int_equal(ehd_value_json(&text, &item, true), EINVAL);
    item.encoding = EHD_ENC_STRING_LENGTH16_CHAR16;
    item.value_size = 1;
    assert_int_equal(ehd_value_json(&text, &item, true), EINVAL);
    assert_int_equal(text.len, 0);
    ehd_text_free(&text);
    ehd_text_free(NULL);
}

/* ---- enumeration ---- */

/* "P_L4K2Ggroup": struct "S" (tag 0x12) holding a u16 and a varray of
 * zstrings, then a constant array of 2 u32, in a big-endian event with
 * id 0x0102, opcode 1 and an activity id. */
static const uint8_t enum_event[] = {
    0x05, 3, 0x01, 0x02, 0x00, 0x07, 1, 4,  /* flags BE|ptr64|ext, version, id, tag, opcode, level */
    0x00, 16, 0x80, 0x02,                    /* activity id, chained */
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    0x00, 23, 0x00, 0x01,                    /* metadata */
    'E', ';', 'x', '=', '1', 0,
    'S', 0, 0x81, 0x82, 0x00, 0x12,          /* struct of 2, tag 0x12 */
    'u', 0, 0x03,                            /* u16 */
    'z', 0, 0x47,                            /* varray of zstring8 */
    'a', 0, 0x24, 0x00, 0x02,                /* carray[2] of u32 */
    0x00, 0x2A,                              /* u = 42 */
    0x00, 0x02, 'h', 'i', 0, 0,              /* z = ["hi", ""] */
    0, 0, 0, 1, 0, 0, 0, 2,                  /* a = [1, 2] */
};

typedef struct want_item {
    ehd_item_kind kind;
    const char *name;
    uint8_t encoding, array_flags, format, depth, element_size;
    uint16_t tag, count, index;
    size_t value_size;
} want_item;

static void test_enumeration(void **state)
{
    (void)state;
    ehd_event_view view;
    ehd_decode_error error;
    int rc = ehd_event_parse(&view, "P_L4K2Ggroup", 12, enum_event, sizeof enum_event, &error);
    if (rc != 0)
        fail_msg("%s", error.message);
    assert_int_equal(view.provider_name_len, 1);
    assert_memory_equal(view.options, "Ggroup", 6);
    assert_int_equal(view.options_len, 6);
    assert_int_equal(view.keyword, 2);
    assert_int_equal(view.level, 4);
    assert_int_equal(view.id, 0x0102);
    assert_int_equal(view.tag, 7);
    assert_int_equal(view.version, 3);
    assert_int_equal(view.opcode, 1);
    assert_false(view.little_endian);
    assert_ptr_equal(view.activity_id, enum_event + 12);
    assert_null(view.related_id);
    assert_string_equal(view.event_name, "E;x=1");
    assert_int_equal(view.event_name_len, 5);
    assert_int_equal(view.event_name_plain_len, 1);

    static const want_item want[] = {
        { EHD_ITEM_STRUCT_BEGIN, "S", EHD_ENC_STRUCT, 0, 2, 0, 0, 0x12, 1, 0, 0 },
        { EHD_ITEM_VALUE, "u", EHD_ENC_VALUE16, 0, 0, 1, 2, 0, 1, 0, 2 },
        { EHD_ITEM_ARRAY_BEGIN, "z", EHD_ENC_ZSTRING_CHAR8, EHD_ENC_VARRAY, 0, 1, 0, 0, 2, 0, 0 },
        { EHD_ITEM_VALUE, "z", EHD_ENC_ZSTRING_CHAR8, EHD_ENC_VARRAY, 0, 1, 0, 0, 2, 0, 2 },
        { EHD_ITEM_VALUE, "z", EHD_ENC_ZSTRING_CHAR8, EHD_ENC_VARRAY, 0, 1, 0, 0, 2, 1, 0 },
        { EHD_ITEM_ARRAY_END, "z", EHD_ENC_ZSTRING_CHAR8, EHD_ENC_VARRAY, 0, 1, 0, 0, 2, 2, 0 },
        { EHD_ITEM_STRUCT_END, "S", EHD_ENC_STRUCT, 0, 2, 0, 0, 0x12, 1, 0, 0 },
        { EHD_ITEM_ARRAY_BEGIN, "a", EHD_ENC_VALUE32, EHD_ENC_CARRAY, 0, 0, 4, 0, 2, 0, 8 },
        { EHD_ITEM_VALUE, "a", EHD_ENC_VALUE32, EHD_ENC_CARRAY, 0, 0, 4, 0, 2, 0, 4 },
        { EHD_ITEM_VALUE, "a", EHD_ENC_VALUE32, EHD_ENC_CARRAY, 0, 0, 4, 0, 2, 1, 4 },
        { EHD_ITEM_ARRAY_END, "a", EHD_ENC_VALUE32, EHD_ENC_CARRAY, 0, 0, 4, 0, 2, 2, 0 },
    };
    ehd_enumerator e;
    ehd_enum_start(&e, &view);
    ehd_item item;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const want_item *w = &want[i];
        rc = ehd_enum_next(&e, &item, &error);
        if (rc != 0)
            fail_msg("item %zu: %d %s", i, rc, error.message);
        assert_int_equal(item.kind, w->kind);
        assert_int_equal(item.name_len, strlen(w->name));
        assert_memory_equal(item.name, w->name, item.name_len);
        assert_int_equal(item.encoding, w->encoding);
        assert_int_equal(item.array_flags, w->array_flags);
        assert_int_equal(item.format, w->format);
        assert_int_equal(item.depth, w->depth);
        assert_int_equal(item.element_size, w->element_size);
        assert_int_equal(item.tag, w->tag);
        assert_int_equal(item.array_count, w->count);
        assert_int_equal(item.array_index, w->index);
        assert_int_equal(item.value_size, w->value_size);
    }
    assert_int_equal(ehd_enum_next(&e, &item, &error), ENODATA);
    assert_int_equal(ehd_enum_next(&e, &item, &error), ENODATA);

    ehd_text text = EHD_TEXT_INIT;
    rc = ehd_decode_json(&text, "P_L4K2Ggroup", 12, enum_event, sizeof enum_event, &error);
    if (rc != 0)
        fail_msg("%s", error.message);
    assert_string_equal(text.chars,
                        "{ \"n\": \"P:E\", \"S;tag=0x12\": { \"u\": 42, \"z\": [ \"hi\", \"\" ] }, "
                        "\"a\": [ 1, 2 ], \"meta\": { \"id\": 258, \"version\": 3, \"level\": 4, "
                        "\"keyword\": \"0x2\", \"opcode\": 1, \"tag\": \"0x7\", \"activity\": "
                        "\"01020304-0506-0708-090a-0b0c0d0e0f10\" } }");
    ehd_text_free(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_floats_are_shortest_round_trip),
        cmocka_unit_test(test_integers_and_booleans),
        cmocka_unit_test(test_errno_time_addresses),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_counted_values_take_any_format),
        cmocka_unit_test(test_value_misuse),
        cmocka_unit_test(test_enumeration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
