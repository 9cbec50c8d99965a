/*
 * ehs_emit_typed's direct way for addresses and ports against the general
 * one it skips: ehs_convert into the scratch, then the value in the type's
 * format, or a null field and a conversion failure when it does not
 * convert. Random texts of the characters addresses and ports are made of,
 * for the types ip, ipv4 and port (and ipv6 and u16, which must not take
 * the direct way): the event bytes, the failures and the budgets left must
 * be the same.
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
#include "engine_emit.h"

static uint8_t value_scratch[8192];
static char text_scratch[8192];

static void start(ehs_emit *emit, ehd_builder *builder, ehs_name_set *names)
{
    ehd_builder_reset(builder, "E", 0);
    *emit = (ehs_emit){
        .builder = builder,
        .value_scratch = value_scratch,
        .value_scratch_size = sizeof value_scratch,
        .text_scratch = text_scratch,
        .text_scratch_size = sizeof text_scratch,
        .max_string = 0xFFFF,
        .names = names,
        .items_left = EHS_EMIT_ITEMS,
        .top_fields_left = EHS_EMIT_TOP_FIELDS,
        .bytes_left = 60000,
    };
}

/* What ehs_emit_typed did for every type before the direct way. */
static void general(ehs_emit *emit, const char *name, ehs_type type, const char *text, size_t len)
{
    size_t size;
    if (!ehs_convert(type, text, len, NULL, emit->value_scratch, EHS_VALUE_MAX, &size)) {
        emit->failures++;
        ehs_emit_null(emit, name, strlen(name), type);
        return;
    }
    ehd_builder_add_binary_n(emit->builder, name, strlen(name), emit->value_scratch, size,
                             ehs_type_format(type), 0);
    ehs_emit_spend(emit, 1, ehs_field_overhead(strlen(name)) + size);
}

static size_t event_bytes(ehd_builder *builder, uint8_t *out, size_t capacity)
{
    size_t size = 0;
    assert_int_equal(ehd_builder_copy_event(builder, 4, NULL, NULL, out, capacity, &size), 0);
    return size;
}

static void test_direct_against_general(void **state)
{
    (void)state;
    ehd_builder *direct_builder = ehd_builder_new(NULL), *general_builder = ehd_builder_new(NULL);
    assert_non_null(direct_builder);
    assert_non_null(general_builder);
    char name_bytes[2][EHS_NAME_SET_BYTES];
    uint32_t name_ends[2][EHS_NAME_SET_ENTRIES];
    ehs_name_set names[2] = { { name_bytes[0], name_ends[0], 0, 0 },
                              { name_bytes[1], name_ends[1], 0, 0 } };
    /* ipv6 and u16 take the general way: they are here to show they do. */
    static const ehs_type types[] = { EHS_TYPE_IP, EHS_TYPE_IPV4, EHS_TYPE_PORT, EHS_TYPE_IPV6,
                                      EHS_TYPE_U16 };
    static const char *const alphabets[] = { "0123456789.", "0123456789", "0123456789.:af ",
                                             "012345.9-+x" };
    uint64_t seed = 0x2545f4914f6cdd1du;
    unsigned converted = 0;
    for (int n = 0; n < 200000; n++) {
        char text[24];
        size_t len;
        if (n % 5 == 0) {
            /* A dotted quad of octets up to 299, some with a leading zero. */
            unsigned o[4];
            for (int k = 0; k < 4; k++)
                o[k] = (unsigned)(xorshift_next(&seed) % 300);
            len = (size_t)snprintf(text, sizeof text, n % 7 ? "%u.%u.%u.%u" : "%u.%02u.%u.%u",
                                   o[0], o[1], o[2], o[3]);
        } else {
            const char *alphabet = alphabets[n % 4];
            len = xorshift_next(&seed) % 18;
            for (size_t i = 0; i < len; i++)
                text[i] = alphabet[xorshift_next(&seed) % strlen(alphabet)];
        }
        ehs_type type = types[n % 5 == 0 ? (n / 5) % 5 : n % 5];
        ehs_emit a, b;
        start(&a, direct_builder, &names[0]);
        start(&b, general_builder, &names[1]);
        ehs_emit_typed(&a, "addr", 4, type, text, len);
        general(&b, "addr", type, text, len);
        uint8_t ea[256], eb[256];
        size_t sa = event_bytes(direct_builder, ea, sizeof ea);
        size_t sb = event_bytes(general_builder, eb, sizeof eb);
        if (sa != sb || memcmp(ea, eb, sa) != 0 || a.failures != b.failures ||
            a.bytes_left != b.bytes_left || a.items_left != b.items_left)
            fail_msg("type %d, '%.*s': the direct way differs from the general one", (int)type,
                     (int)len, text);
        converted += a.failures == 0;
    }
    assert_true(converted > 20000); /* many texts are addresses or ports */
    ehd_builder_free(direct_builder);
    ehd_builder_free(general_builder);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_direct_against_general),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
