/*
 * ehd_decode_json writes well-formed events with its own walk of the
 * metadata and payload (core/src/decode_json_walk.c), leaving everything
 * else to the enumerator's item-by-item walk. The two must agree exactly:
 * the same line for an event the walk takes, and for one it leaves, the
 * same line or the same error. Held here on the round-trip generator's
 * random events (every encoding, format, array and struct), on each of
 * them cut short and with bytes changed, and on flat events of every value
 * encoding and format (counted strings and binary of every size a format
 * of fixed size takes among them); fuzz_decode checks the same on what the fuzzer
 * makes.
 */
#include <errno.h>
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
#include "ehd/ehd.h"
#include "ehd/ehd_decode.h"

#include "../lib/roundtrip_gen.h"

static ehd_text walked = EHD_TEXT_INIT;
static ehd_text enumerated = EHD_TEXT_INIT;
static long lines_compared, errors_compared;

static void compare(const char *tracepoint, const uint8_t *event, size_t size)
{
    ehd_decode_error error_walked = { .offset = 0 }, error_enumerated = { .offset = 0 };
    ehd_text_clear(&walked);
    ehd_text_clear(&enumerated);
    ehd__json_walk_first = true;
    int rc_walked = ehd_decode_json(&walked, tracepoint, strlen(tracepoint), event, size,
                                    &error_walked);
    ehd__json_walk_first = false;
    int rc_enumerated = ehd_decode_json(&enumerated, tracepoint, strlen(tracepoint), event, size,
                                        &error_enumerated);
    ehd__json_walk_first = true;
    assert_int_equal(rc_walked, rc_enumerated);
    if (rc_walked == 0) {
        if (walked.len != enumerated.len ||
            memcmp(walked.chars, enumerated.chars, enumerated.len) != 0)
            fail_msg("walked:\n%s\nenumerated:\n%s", walked.chars, enumerated.chars);
        lines_compared++;
    } else {
        assert_int_equal(error_walked.offset, error_enumerated.offset);
        assert_string_equal(error_walked.message, error_enumerated.message);
        errors_compared++;
    }
}

static uint64_t rng_state = 0x853C49E6748FEA9BULL;

static uint64_t next_random(void)
{
    return xorshift_next(&rng_state);
}

static void test_random_events(void **state)
{
    (void)state;
    static rt_generator generator;
    static uint8_t event[EHD_EVENT_MAX], changed[EHD_EVENT_MAX];
    assert_int_equal(rt_generator_init(&generator, RT_DEFAULT_SEED), 0);
    for (int n = 0; n < 5000; n++) {
        rt_event header;
        size_t size = 0;
        assert_true(rt_generate(&generator, &header));
        assert_int_equal(ehd_builder_copy_event(generator.builder, header.level,
                                                rt_event_activity(&header),
                                                rt_event_related(&header), event,
                                                sizeof event, &size),
                         0);
        compare(header.tracepoint, event, size);
        /* Cut short at a random place, then a few bytes changed: the
         * metadata and payload lose their ends and their lengths lie. */
        compare(header.tracepoint, event, (size_t)(next_random() % size));
        for (int round = 0; round < 4; round++) {
            memcpy(changed, event, size);
            for (int k = 0; k < 3; k++)
                changed[next_random() % size] = (uint8_t)next_random();
            compare(header.tracepoint, changed, size);
        }
    }
    rt_generator_destroy(&generator);
}

/* Top-level values of every encoding and format the walk writes itself,
 * strings of every length up to past a word, with and enumerated escapes. */
static void test_flat_events(void **state)
{
    (void)state;
    ehd_builder *builder = ehd_builder_new(NULL);
    assert_non_null(builder);
    static uint8_t event[EHD_EVENT_MAX];
    static const char *const strings[] = {
        "", "a", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmnopq", "tab\there",
        "quote\"d", "back\\slash", "caf\xc3\xa9", "latin\xe9", "\x01\x1f\x7f", "0123456\"",
    };
    for (unsigned format = 0; format < 40; format++) {
        for (size_t s = 0; s < sizeof strings / sizeof strings[0]; s++) {
            ehd_builder_reset_n(builder, "Flat", 4, 0);
            uint8_t value[16];
            for (size_t i = 0; i < sizeof value; i++)
                value[i] = (uint8_t)next_random();
            ehd_builder_add_value(builder, "v8", value, 1, (uint8_t)format, 0);
            ehd_builder_add_value(builder, "v16", value, 2, (uint8_t)format, (uint16_t)format);
            ehd_builder_add_value(builder, "v32", value, 4, (uint8_t)format, 0);
            ehd_builder_add_value(builder, "v64", value, 8, (uint8_t)format, 0);
            ehd_builder_add_value(builder, "v128", value, 16, (uint8_t)format, 0);
            ehd_builder_add_zstring(builder, "z", strings[s], 1, strlen(strings[s]),
                                    (uint8_t)format, 0);
            ehd_builder_add_string(builder, "s", strings[s], 1, strlen(strings[s]),
                                   (uint8_t)format, 0);
            ehd_builder_add_binary(builder, "b", strings[s], strlen(strings[s]), (uint8_t)format,
                                   0);
            ehd_builder_add_zstring(builder, strings[s][0] != '\0' ? strings[s] : "name", "x", 1,
                                    1, 0, 0);
            /* Counted values of the sizes of numbers and addresses, which
             * a format may show as one (or as null when empty). */
            static const size_t counted_sizes[] = { 0, 1, 2, 3, 4, 8, 16 };
            for (size_t c = 0; c < sizeof counted_sizes / sizeof counted_sizes[0]; c++) {
                ehd_builder_add_binary(builder, "bn", value, counted_sizes[c], (uint8_t)format,
                                       0);
                ehd_builder_add_string(builder, "sn", value, 1, counted_sizes[c],
                                       (uint8_t)format, 0);
            }
            size_t size = 0;
            assert_int_equal(ehd_builder_copy_event(builder, 4, NULL, NULL, event, sizeof event,
                                                    &size),
                             0);
            compare("P_L4K1", event, size);
            compare("P_L4K1", event, size - 1);
        }
    }
    ehd_builder_free(builder);
}

/* Arrays of every fixed size and format, of lengths around the walk's
 * reservations (64 elements a room), each once as a variable and once as
 * a constant array: the walk writes them in one loop per array. */
static void test_long_arrays(void **state)
{
    (void)state;
    ehd_builder *builder = ehd_builder_new(NULL);
    assert_non_null(builder);
    static uint8_t event[EHD_EVENT_MAX];
    static const size_t sizes[] = { 1, 2, 4, 8, 16 };
    static const size_t counts[] = { 0, 1, 2, 63, 64, 65, 128, 129, 300 };
    uint8_t values[16 * 300];
    for (unsigned format = 0; format < 40; format++) {
        for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
            for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
                size_t size = sizes[z], count = counts[c];
                for (size_t i = 0; i < size * count; i++)
                    values[i] = (uint8_t)next_random();
                /* Small values too, where the numbers are short. */
                for (size_t i = 0; i < size * count; i += 3)
                    values[i] &= 0x0F;
                ehd_builder_reset_n(builder, "Arrays", 6, 0);
                ehd_builder_add_value_array(builder, "va", values, size, count, (uint8_t)format,
                                            0);
                if (count != 0) {
                    uint8_t encoding = (uint8_t)(EHD_ENC_VALUE8 + __builtin_ctzll(size));
                    ehd_builder_raw_add_meta_carray(builder, "ca", encoding, (uint8_t)format,
                                                    (uint16_t)format, (uint16_t)count);
                    ehd_builder_raw_add_data(builder, values, size * count);
                }
                size_t event_size = 0;
                assert_int_equal(ehd_builder_copy_event(builder, 4, NULL, NULL, event,
                                                        sizeof event, &event_size),
                                 0);
                compare("P_L4K1", event, event_size);
                compare("P_L4K1", event, event_size - 1);
            }
        }
    }
    ehd_builder_free(builder);
}

/* Arrays of strings, one of them a field alone, of up to hundreds of
 * elements: the walk reserves a value's room with its field's name, and
 * array elements must each reserve their own (under ASan a write past the
 * text's storage shows). Plain text, text to escape, and counted values
 * of four bytes a format may show as addresses or numbers. */
static void test_string_arrays(void **state)
{
    (void)state;
    ehd_builder *builder = ehd_builder_new(NULL);
    assert_non_null(builder);
    static uint8_t event[EHD_EVENT_MAX];
    static const char *const texts[] = { "0123456789abcdef0123", "quote\"and\\", "\x01\x02\x03\x04" };
    enum { MOST = 400 };
    static const void *strings[MOST];
    static size_t lengths[MOST];
    static const unsigned counts[] = { 1, 2, 30, 60, 61, 200, MOST };
    static const uint8_t formats[] = { EHD_FMT_DEFAULT, EHD_FMT_STRING_UTF, EHD_FMT_IPV4,
                                       EHD_FMT_UNSIGNED_INT, EHD_FMT_PORT };
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
                for (unsigned i = 0; i < counts[c]; i++) {
                    strings[i] = texts[t];
                    lengths[i] = f >= 2 ? 4 : strlen(texts[t]);
                }
                ehd_builder_reset_n(builder, "Arrays", 6, 0);
                ehd_builder_add_string_array(builder, "sa", strings, lengths, 1, counts[c],
                                             formats[f], 0);
                ehd_builder_add_zstring_array(builder, "za", strings, lengths, 1, counts[c],
                                              formats[f], 0);
                size_t size = 0;
                assert_int_equal(ehd_builder_copy_event(builder, 4, NULL, NULL, event,
                                                        sizeof event, &size),
                                 0);
                /* From no storage: the text grows only as reserved. */
                ehd_text_free(&walked);
                compare("P_L4K1", event, size);
            }
        }
    }
    ehd_builder_free(builder);
}

/* UTF-16 and UCS-4 strings, NUL-terminated and counted, in every format,
 * starting with each byte order mark and with none: the walk writes the
 * text of those a format shows as text itself. */
static void test_unit_strings(void **state)
{
    (void)state;
    ehd_builder *builder = ehd_builder_new(NULL);
    assert_non_null(builder);
    static uint8_t event[EHD_EVENT_MAX];
    static const struct {
        uint8_t bytes[4];
        size_t size;
    } marks[] = {
        { { 0 }, 0 },
        { { 0xFF, 0xFE }, 2 },
        { { 0xFE, 0xFF }, 2 },
        { { 0xFF, 0xFE, 0, 0 }, 4 },
        { { 0, 0, 0xFE, 0xFF }, 4 },
        { { 0xEF, 0xBB, 0xBF, 'x' }, 4 },
    };
    for (unsigned format = 0; format < 40; format++) {
        for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++) {
            for (size_t char_size = 2; char_size <= 4; char_size += 2) {
                uint8_t chars[4 * 12];
                memcpy(chars, marks[m].bytes, marks[m].size);
                for (size_t i = marks[m].size; i < sizeof chars; i++)
                    chars[i] = (uint8_t)(i % 3 == 0 ? 'a' + i : next_random());
                size_t length = sizeof chars / char_size;
                ehd_builder_reset_n(builder, "Units", 5, 0);
                ehd_builder_add_string(builder, "s", chars, char_size, length, (uint8_t)format,
                                       0);
                /* A NUL unit ends the other early: still a string. */
                ehd_builder_add_zstring(builder, "z", chars, char_size, length, (uint8_t)format,
                                        0);
                size_t size = 0;
                assert_int_equal(ehd_builder_copy_event(builder, 4, NULL, NULL, event,
                                                        sizeof event, &size),
                                 0);
                compare("P_L4K1", event, size);
            }
        }
    }
    ehd_builder_free(builder);
}

/* Payload bytes of a struct array test event, built beside its metadata. */
typedef struct payload {
    uint8_t bytes[EHD_EVENT_MAX];
    size_t size;
} payload;

static void put_bytes(payload *p, const void *bytes, size_t size)
{
    memcpy(p->bytes + p->size, bytes, size);
    p->size += size;
}

static void put_u16(payload *p, uint16_t value)
{
    put_bytes(p, &value, 2); /* the builder writes host order, as this */
}

/* The members of one element of `kind`'s struct, data only. */
static void put_element(payload *p, unsigned kind, unsigned inner_count)
{
    uint32_t v32 = (uint32_t)next_random();
    uint8_t v8 = (uint8_t)next_random();
    switch (kind) {
    case 0: /* { u8 } */
        put_bytes(p, &v8, 1);
        break;
    case 1: /* { u32, "zstring", u16 array } */
        put_bytes(p, &v32, 4);
        put_bytes(p, "ab\x01\xe9", 5);
        put_u16(p, 2);
        put_bytes(p, &v32, 4);
        break;
    default: /* { [ { u8 } x inner_count ], { u8 } } */
        put_u16(p, (uint16_t)inner_count);
        for (unsigned i = 0; i < inner_count; i++)
            put_bytes(p, &v8, 1);
        put_bytes(p, &v8, 1);
        break;
    }
}

/* The metadata of `kind`'s struct members (see put_element). */
static void define_members(ehd_builder *builder, unsigned kind)
{
    switch (kind) {
    case 0:
        ehd_builder_raw_add_meta(builder, "b", EHD_ENC_VALUE8, 0, 0);
        break;
    case 1:
        ehd_builder_raw_add_meta(builder, "n", EHD_ENC_VALUE32, EHD_FMT_HEX_INT, 7);
        ehd_builder_raw_add_meta(builder, "z", EHD_ENC_ZSTRING_CHAR8, 0, 0);
        ehd_builder_raw_add_meta(builder, "a", EHD_ENC_VALUE16 | EHD_ENC_VARRAY, 0, 0);
        break;
    default:
        ehd_builder_raw_add_meta(builder, "in", EHD_ENC_STRUCT | EHD_ENC_VARRAY, 1, 0);
        ehd_builder_raw_add_meta(builder, "b", EHD_ENC_VALUE8, 0, 0);
        ehd_builder_raw_add_meta(builder, "s", EHD_ENC_STRUCT, 1, 3);
        ehd_builder_raw_add_meta(builder, "c", EHD_ENC_VALUE8, EHD_FMT_SIGNED_INT, 0);
        break;
    }
}

/* Arrays of structs (which the round-trip generator does not make) of
 * every small length and nested, between other fields, and long ones whose
 * items reach past EHD_DECODE_MAX_ITEMS: the walk enters and leaves them
 * with a stack of its own, and counts their items as the enumerator does. */
static void test_struct_arrays(void **state)
{
    (void)state;
    ehd_builder *builder = ehd_builder_new(NULL);
    assert_non_null(builder);
    static uint8_t event[EHD_EVENT_MAX];
    static payload data;
    /* Where each kind's items (3, 8 and 10 an element) pass the limit. */
    static const unsigned long_from[] = { 1350, 500, 398 };
    for (unsigned kind = 0; kind < 3; kind++) {
        for (unsigned c = 0; c < 6 + 24; c++) {
            for (unsigned inner = 0; inner < 3; inner++) {
                unsigned count = c < 6 ? c : long_from[kind] + (c - 6);
                if (count > 5 && inner != 1)
                    continue;
                ehd_builder_reset_n(builder, "StructArrays", 12, 0);
                data.size = 0;
                ehd_builder_raw_add_meta(builder, "before", EHD_ENC_VALUE8, 0, 0);
                put_bytes(&data, "\x2a", 1);
                unsigned members = kind == 0 ? 1 : kind == 1 ? 3 : 2;
                ehd_builder_raw_add_meta(builder, "sa", EHD_ENC_STRUCT | EHD_ENC_VARRAY,
                                         (uint8_t)members, (uint16_t)kind);
                define_members(builder, kind);
                put_u16(&data, (uint16_t)count);
                for (unsigned e = 0; e < count; e++)
                    put_element(&data, kind, inner);
                /* A constant array of one struct, then a field after. */
                ehd_builder_raw_add_meta_carray(builder, "one", EHD_ENC_STRUCT, 1, 0, 1);
                ehd_builder_raw_add_meta(builder, "x", EHD_ENC_VALUE16, 0, 0);
                put_u16(&data, 0x1234);
                ehd_builder_raw_add_meta(builder, "after", EHD_ENC_ZSTRING_CHAR8, 0, 0);
                put_bytes(&data, "end", 4);
                ehd_builder_raw_add_data(builder, data.bytes, data.size);
                size_t size = 0;
                assert_int_equal(ehd_builder_copy_event(builder, 4, NULL, NULL, event,
                                                        sizeof event, &size),
                                 0);
                compare("P_L4K1", event, size);
                compare("P_L4K1", event, size - 1);
            }
        }
    }
    ehd_builder_free(builder);
}

static void test_counts(void **state)
{
    (void)state;
    /* Both kinds were compared, many of each. */
    assert_true(lines_compared > 5000);
    assert_true(errors_compared > 5000);
    ehd_text_free(&walked);
    ehd_text_free(&enumerated);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_events),
        cmocka_unit_test(test_flat_events),
        cmocka_unit_test(test_long_arrays),
        cmocka_unit_test(test_unit_strings),
        cmocka_unit_test(test_string_arrays),
        cmocka_unit_test(test_struct_arrays),
        cmocka_unit_test(test_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
