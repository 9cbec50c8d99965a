/*
 * Round trip: randomized events are built with the builder, parsed and
 * walked with the decoder, and every item the decoder reports must equal
 * what the test put in: names, encodings, formats, tags, array shapes,
 * struct nesting and value bytes, plus the header values and activity ids.
 * Every event must also format as JSON without error.
 *
 * EHSHIM_ROUNDTRIP_SEED picks another seed; the seed is printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ehd/ehd.h"
#include "ehd/ehd_decode.h"

enum { EVENTS = 3000, MAX_EXPECTED = 2048, MAX_DEPTH = 3, VALUE_MAX = 512 };

/* One item the decoder must report. */
typedef struct expected_item {
    ehd_item_kind kind;
    char name[24];
    uint8_t encoding;
    uint8_t array_flags;
    uint8_t format;
    uint16_t tag;
    uint16_t array_count;
    uint16_t array_index;
    uint8_t depth;
    size_t value_size;
    uint8_t value[VALUE_MAX];
} expected_item;

typedef struct generator {
    uint64_t state;
    ehd_builder builder;
    expected_item items[MAX_EXPECTED];
    size_t count;
    unsigned field_serial;
} generator;

static uint64_t next_random(generator *g)
{
    /* xorshift64*: small, deterministic, good enough to vary shapes. */
    g->state ^= g->state >> 12;
    g->state ^= g->state << 25;
    g->state ^= g->state >> 27;
    return g->state * 0x2545F4914F6CDD1DULL;
}

static unsigned below(generator *g, unsigned n)
{
    return (unsigned)(next_random(g) % n);
}

static void random_bytes(generator *g, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)next_random(g);
}

static expected_item *expect(generator *g, ehd_item_kind kind, const char *name, uint8_t encoding,
                             uint8_t array_flags, uint8_t format, uint16_t tag, uint8_t depth)
{
    assert_true(g->count < MAX_EXPECTED);
    expected_item *e = &g->items[g->count++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    snprintf(e->name, sizeof e->name, "%s", name);
    e->encoding = encoding;
    e->array_flags = array_flags;
    e->format = format;
    e->tag = tag;
    e->array_count = 1;
    e->depth = depth;
    return e;
}

static void expect_value_bytes(expected_item *e, const void *bytes, size_t n)
{
    assert_true(n <= VALUE_MAX);
    memcpy(e->value, bytes, n);
    e->value_size = n;
}

static uint16_t random_tag(generator *g)
{
    return below(g, 3) == 0 ? (uint16_t)(1 + below(g, 0xFFFF)) : 0;
}

static uint8_t random_format(generator *g)
{
    return (uint8_t)below(g, EHD_FMT_IPV6 + 1);
}

static const size_t value_sizes[] = { 1, 2, 4, 8, 16 };

static uint8_t value_encoding(size_t size)
{
    return size == 1 ? EHD_ENC_VALUE8 : size == 2 ? EHD_ENC_VALUE16 : size == 4 ? EHD_ENC_VALUE32
         : size == 8 ? EHD_ENC_VALUE64 : EHD_ENC_VALUE128;
}

static void add_scalar(generator *g, const char *name, uint8_t depth)
{
    size_t size = value_sizes[below(g, 5)];
    uint8_t format = random_format(g);
    uint16_t tag = random_tag(g);
    uint8_t value[16] = { 0 };
    random_bytes(g, value, size);
    ehd_builder_add_value(&g->builder, name, value, size, format, tag);
    expected_item *e = expect(g, EHD_ITEM_VALUE, name, value_encoding(size), 0, format, tag, depth);
    expect_value_bytes(e, value, size);
}

static void add_scalar_array(generator *g, const char *name, uint8_t depth)
{
    size_t size = value_sizes[below(g, 5)];
    size_t count = below(g, 7);
    uint8_t format = random_format(g);
    uint16_t tag = random_tag(g);
    uint8_t values[16 * 6] = { 0 };
    random_bytes(g, values, size * count);
    ehd_builder_add_value_array(&g->builder, name, values, size, count, format, tag);
    uint8_t encoding = value_encoding(size);
    expected_item *begin =
        expect(g, EHD_ITEM_ARRAY_BEGIN, name, encoding, EHD_ENC_VARRAY, format, tag, depth);
    begin->array_count = (uint16_t)count;
    expect_value_bytes(begin, values, size * count);
    for (size_t i = 0; i < count; i++) {
        expected_item *e =
            expect(g, EHD_ITEM_VALUE, name, encoding, EHD_ENC_VARRAY, format, tag, depth);
        e->array_count = (uint16_t)count;
        e->array_index = (uint16_t)i;
        expect_value_bytes(e, values + i * size, size);
    }
    expected_item *end =
        expect(g, EHD_ITEM_ARRAY_END, name, encoding, EHD_ENC_VARRAY, format, tag, depth);
    end->array_count = (uint16_t)count;
    end->array_index = (uint16_t)count; /* the end item stands after the last element */
}

/* A constant-length array: its count lives in the metadata, not the payload. */
static void add_constant_array(generator *g, const char *name, uint8_t depth)
{
    size_t size = value_sizes[below(g, 5)];
    size_t count = 1 + below(g, 5);
    uint8_t format = random_format(g);
    uint16_t tag = random_tag(g);
    uint8_t values[16 * 5] = { 0 };
    random_bytes(g, values, size * count);
    uint8_t encoding = value_encoding(size);
    ehd_builder_raw_add_meta_carray(&g->builder, name, encoding, format, tag, (uint16_t)count);
    ehd_builder_raw_add_data(&g->builder, values, size * count);
    expected_item *begin =
        expect(g, EHD_ITEM_ARRAY_BEGIN, name, encoding, EHD_ENC_CARRAY, format, tag, depth);
    begin->array_count = (uint16_t)count;
    expect_value_bytes(begin, values, size * count);
    for (size_t i = 0; i < count; i++) {
        expected_item *e =
            expect(g, EHD_ITEM_VALUE, name, encoding, EHD_ENC_CARRAY, format, tag, depth);
        e->array_count = (uint16_t)count;
        e->array_index = (uint16_t)i;
        expect_value_bytes(e, values + i * size, size);
    }
    expected_item *end =
        expect(g, EHD_ITEM_ARRAY_END, name, encoding, EHD_ENC_CARRAY, format, tag, depth);
    end->array_count = (uint16_t)count;
    end->array_index = (uint16_t)count;
}

/* Random code units of `char_size` bytes; NUL units only when allowed. */
static void random_string(generator *g, uint8_t *out, size_t char_size, size_t length,
                          bool allow_nul)
{
    random_bytes(g, out, char_size * length);
    if (allow_nul)
        return;
    for (size_t i = 0; i < length; i++) {
        uint8_t *unit = out + i * char_size;
        bool all_zero = true;
        for (size_t b = 0; b < char_size; b++)
            all_zero = all_zero && unit[b] == 0;
        if (all_zero)
            unit[0] = 'x';
    }
}

static uint8_t string_encoding(size_t char_size, bool nul_terminated)
{
    if (nul_terminated)
        return char_size == 1 ? EHD_ENC_ZSTRING_CHAR8 : char_size == 2 ? EHD_ENC_ZSTRING_CHAR16
                                                                        : EHD_ENC_ZSTRING_CHAR32;
    return char_size == 1 ? EHD_ENC_STRING_LENGTH16_CHAR8
         : char_size == 2 ? EHD_ENC_STRING_LENGTH16_CHAR16 : EHD_ENC_STRING_LENGTH16_CHAR32;
}

static const size_t char_sizes[] = { 1, 2, 4 };

static void add_one_string(generator *g, const char *name, uint8_t depth)
{
    size_t char_size = char_sizes[below(g, 3)];
    size_t length = below(g, 12);
    bool nul_terminated = below(g, 2) == 0;
    uint8_t format = (uint8_t)(below(g, 2) ? EHD_FMT_DEFAULT : random_format(g));
    uint16_t tag = random_tag(g);
    uint8_t chars[4 * 12];
    random_string(g, chars, char_size, length, !nul_terminated);
    if (nul_terminated)
        ehd_builder_add_zstring(&g->builder, name, chars, char_size, length, format, tag);
    else
        ehd_builder_add_string(&g->builder, name, chars, char_size, length, format, tag);
    expected_item *e = expect(g, EHD_ITEM_VALUE, name, string_encoding(char_size, nul_terminated),
                              0, format, tag, depth);
    expect_value_bytes(e, chars, char_size * length);
}

static void add_string_array(generator *g, const char *name, uint8_t depth)
{
    size_t char_size = char_sizes[below(g, 3)];
    size_t count = below(g, 5);
    bool nul_terminated = below(g, 2) == 0;
    uint8_t format = (uint8_t)(below(g, 2) ? EHD_FMT_DEFAULT : random_format(g));
    uint16_t tag = random_tag(g);
    uint8_t storage[5][4 * 8];
    const void *strings[5];
    size_t lengths[5];
    for (size_t i = 0; i < count; i++) {
        lengths[i] = below(g, 8);
        random_string(g, storage[i], char_size, lengths[i], !nul_terminated);
        strings[i] = storage[i];
    }
    if (nul_terminated)
        ehd_builder_add_zstring_array(&g->builder, name, strings, lengths, char_size, count,
                                      format, tag);
    else
        ehd_builder_add_string_array(&g->builder, name, strings, lengths, char_size, count,
                                     format, tag);
    uint8_t encoding = string_encoding(char_size, nul_terminated);
    expected_item *begin =
        expect(g, EHD_ITEM_ARRAY_BEGIN, name, encoding, EHD_ENC_VARRAY, format, tag, depth);
    begin->array_count = (uint16_t)count;
    for (size_t i = 0; i < count; i++) {
        expected_item *e =
            expect(g, EHD_ITEM_VALUE, name, encoding, EHD_ENC_VARRAY, format, tag, depth);
        e->array_count = (uint16_t)count;
        e->array_index = (uint16_t)i;
        expect_value_bytes(e, storage[i], char_size * lengths[i]);
    }
    expected_item *end =
        expect(g, EHD_ITEM_ARRAY_END, name, encoding, EHD_ENC_VARRAY, format, tag, depth);
    end->array_count = (uint16_t)count;
    end->array_index = (uint16_t)count; /* the end item stands after the last element */
}

static void add_binary(generator *g, const char *name, uint8_t depth)
{
    size_t length = below(g, 20);
    uint16_t tag = random_tag(g);
    uint8_t bytes[20];
    random_bytes(g, bytes, length);
    ehd_builder_add_binary(&g->builder, name, bytes, length, EHD_FMT_DEFAULT, tag);
    expected_item *e = expect(g, EHD_ITEM_VALUE, name, EHD_ENC_BINARY_LENGTH16_CHAR8, 0,
                              EHD_FMT_DEFAULT, tag, depth);
    expect_value_bytes(e, bytes, length);
}

static void add_field(generator *g, uint8_t depth);

static void add_struct(generator *g, const char *name, uint8_t depth)
{
    uint8_t members = (uint8_t)(1 + below(g, 4));
    uint16_t tag = random_tag(g);
    bool count_later = below(g, 2) == 0;
    size_t bookmark = ehd_builder_add_struct(&g->builder, name, count_later ? 1 : members, tag);
    assert_true(bookmark != EHD_NO_BOOKMARK);
    expected_item *begin =
        expect(g, EHD_ITEM_STRUCT_BEGIN, name, EHD_ENC_STRUCT, 0, members, tag, depth);
    size_t begin_index = (size_t)(begin - g->items);
    for (uint8_t i = 0; i < members; i++)
        add_field(g, (uint8_t)(depth + 1));
    if (count_later)
        ehd_builder_set_struct_field_count(&g->builder, bookmark, members);
    (void)begin_index;
    expect(g, EHD_ITEM_STRUCT_END, name, EHD_ENC_STRUCT, 0, members, tag, depth);
}

static void add_field(generator *g, uint8_t depth)
{
    char name[24];
    snprintf(name, sizeof name, "f%u", g->field_serial++);
    unsigned kind = below(g, depth < MAX_DEPTH ? 7 : 6);
    switch (kind) {
    case 0: add_scalar(g, name, depth); break;
    case 1: add_scalar_array(g, name, depth); break;
    case 2: add_one_string(g, name, depth); break;
    case 3: add_string_array(g, name, depth); break;
    case 4: add_binary(g, name, depth); break;
    case 5: add_constant_array(g, name, depth); break;
    default: add_struct(g, name, depth); break;
    }
}

static void check_item(const expected_item *want, const ehd_item *got, size_t index)
{
    if (want->kind != got->kind || got->name_len != strlen(want->name) ||
        memcmp(got->name, want->name, got->name_len) != 0 || want->encoding != got->encoding ||
        want->array_flags != got->array_flags || want->format != got->format ||
        want->tag != got->tag || want->array_count != got->array_count ||
        want->array_index != got->array_index || want->depth != got->depth) {
        print_error("item %zu (%s): want kind %d enc %u flags %#x fmt %u tag %u count %u idx %u "
                    "depth %u; got kind %d name %.*s enc %u flags %#x fmt %u tag %u count %u "
                    "idx %u depth %u\n",
                    index, want->name, want->kind, want->encoding, want->array_flags, want->format,
                    want->tag, want->array_count, want->array_index, want->depth, got->kind,
                    (int)got->name_len, got->name, got->encoding, got->array_flags, got->format,
                    got->tag, got->array_count, got->array_index, got->depth);
        fail();
    }
    if (want->kind == EHD_ITEM_VALUE ||
        (want->kind == EHD_ITEM_ARRAY_BEGIN && want->value_size != 0)) {
        assert_int_equal(want->value_size, got->value_size);
        if (want->value_size)
            assert_memory_equal(want->value, got->value, want->value_size);
    }
}

static void roundtrip_one(generator *g, ehd_text *json)
{
    char event_name[32];
    snprintf(event_name, sizeof event_name, "Event%u", below(g, 100000));
    uint16_t event_tag = random_tag(g);
    uint16_t id = (uint16_t)below(g, 0x10000);
    uint8_t version = (uint8_t)below(g, 256);
    uint8_t opcode = (uint8_t)below(g, 256);
    uint8_t level = (uint8_t)(1 + below(g, 255));
    uint64_t keyword = next_random(g);
    uint8_t activity[16], related[16];
    random_bytes(g, activity, sizeof activity);
    random_bytes(g, related, sizeof related);
    unsigned activity_kind = below(g, 3); /* none, activity, activity + related */

    g->count = 0;
    g->field_serial = 0;
    ehd_builder_reset(&g->builder, event_name, event_tag);
    ehd_builder_id_version(&g->builder, id, version);
    ehd_builder_opcode(&g->builder, opcode);
    unsigned fields = below(g, 12);
    for (unsigned i = 0; i < fields; i++)
        add_field(g, 0);

    static uint8_t event[EHD_EVENT_MAX];
    size_t size = 0;
    assert_int_equal(0, ehd_builder_copy_event(&g->builder, level,
                                               activity_kind ? activity : NULL,
                                               activity_kind == 2 ? related : NULL, event,
                                               sizeof event, &size));

    char tracepoint[EHD_NAME_MAX];
    assert_int_equal(0, ehd_format_tracepoint_name(tracepoint, "RoundTrip", level, keyword, ""));

    ehd_event_view view;
    ehd_decode_error error;
    int rc = ehd_event_parse(&view, tracepoint, strlen(tracepoint), event, size, &error);
    if (rc != 0)
        print_error("parse: %s\n", error.message);
    assert_int_equal(0, rc);
    assert_int_equal(view.event_name_len, strlen(event_name));
    assert_memory_equal(view.event_name, event_name, view.event_name_len);
    assert_int_equal(view.id, id);
    assert_int_equal(view.version, version);
    assert_int_equal(view.tag, event_tag);
    assert_int_equal(view.opcode, opcode);
    assert_int_equal(view.level, level);
    assert_true(view.keyword == keyword);
    if (activity_kind == 0) {
        assert_null(view.activity_id);
    } else {
        assert_non_null(view.activity_id);
        assert_memory_equal(view.activity_id, activity, 16);
    }
    if (activity_kind == 2) {
        assert_non_null(view.related_id);
        assert_memory_equal(view.related_id, related, 16);
    } else {
        assert_null(view.related_id);
    }

    ehd_enumerator e;
    ehd_enum_start(&e, &view);
    ehd_item item;
    size_t index = 0;
    while ((rc = ehd_enum_next(&e, &item, &error)) == 0) {
        assert_true(index < g->count);
        check_item(&g->items[index], &item, index);
        index++;
    }
    if (rc != ENODATA)
        print_error("enumerate: %s\n", error.message);
    assert_int_equal(ENODATA, rc);
    assert_int_equal(index, g->count);

    ehd_text_clear(json);
    rc = ehd_decode_json(json, tracepoint, strlen(tracepoint), event, size, &error);
    if (rc != 0)
        print_error("json: %s\n", error.message);
    assert_int_equal(0, rc);
    assert_true(json->len > 0 && json->chars[0] == '{');
}

static void test_randomized_events_round_trip(void **state)
{
    (void)state;
    static generator g;
    const char *seed_text = getenv("EHSHIM_ROUNDTRIP_SEED");
    g.state = seed_text ? strtoull(seed_text, NULL, 0) : 0x9E3779B97F4A7C15ULL;
    if (g.state == 0)
        g.state = 1;
    printf("round trip seed: %#llx\n", (unsigned long long)g.state);
    ehd_builder_init(&g.builder, 0, 0);
    ehd_text json = EHD_TEXT_INIT;
    for (int i = 0; i < EVENTS; i++)
        roundtrip_one(&g, &json);
    ehd_text_free(&json);
    ehd_builder_destroy(&g.builder);
}

/* A builder reused for a million events allocates nothing after warm-up:
 * its buffers keep the same storage. */
static void test_builder_reuse_keeps_storage(void **state)
{
    (void)state;
    ehd_builder b = EHD_BUILDER_INIT;
    static const char msg[] = "Failed password for invalid user admin from 203.0.113.45 port 52144";
    uint32_t ip = 0x2D7100CB;
    ehd_builder_reset(&b, "LoginFailed", 0);
    ehd_builder_add_string(&b, "msg", msg, 1, sizeof msg - 1, EHD_FMT_DEFAULT, 0);
    ehd_builder_add_value(&b, "ip", &ip, 4, EHD_FMT_IPV4, 0);
    const uint8_t *meta = b.meta.bytes, *data = b.data.bytes;
    for (int i = 0; i < 1000000; i++) {
        ehd_builder_reset(&b, "LoginFailed", 0);
        ehd_builder_add_string(&b, "msg", msg, 1, sizeof msg - 1, EHD_FMT_DEFAULT, 0);
        ehd_builder_add_value(&b, "ip", &ip, 4, EHD_FMT_IPV4, 0);
    }
    assert_ptr_equal(meta, b.meta.bytes);
    assert_ptr_equal(data, b.data.bytes);
    ehd_builder_destroy(&b);
}

/* Errors are sticky until reset; sizes past 64 KiB give ERANGE. */
static void test_builder_errors(void **state)
{
    (void)state;
    ehd_builder b = EHD_BUILDER_INIT;
    uint8_t buf[64];
    size_t size;
    assert_int_equal(EINVAL, ehd_builder_copy_event(&b, 4, NULL, NULL, buf, sizeof buf, &size));

    ehd_builder_reset(&b, "E", 0);
    uint8_t three[3] = { 0 };
    ehd_builder_add_value(&b, "bad", three, 3, 0, 0);
    assert_int_equal(EINVAL, ehd_builder_copy_event(&b, 4, NULL, NULL, buf, sizeof buf, &size));
    assert_int_equal(EINVAL, ehd_builder_add_struct(&b, "s", 0, 0) == EHD_NO_BOOKMARK ? EINVAL : 0);

    ehd_builder_reset(&b, "E", 0);
    assert_int_equal(0, ehd_builder_copy_event(&b, 4, NULL, NULL, buf, sizeof buf, &size));
    assert_int_equal(8 + 4 + 2, size);

    static uint8_t big[65536];
    ehd_builder_add_binary(&b, "a", big, 40000, 0, 0);
    ehd_builder_add_binary(&b, "b", big, 40000, 0, 0);
    assert_int_equal(ERANGE, ehd_builder_copy_event(&b, 4, NULL, NULL, buf, sizeof buf, &size));

    /* Just under the limit works; the event does not fit a small buffer. */
    ehd_builder_reset(&b, "E", 0);
    ehd_builder_add_binary(&b, "a", big, 65535 - 68 - 2 - 2 - 2 - 1, 0, 0);
    int rc = ehd_builder_copy_event(&b, 4, NULL, NULL, buf, sizeof buf, &size);
    assert_int_equal(ENOSPC, rc);
    ehd_builder_add_value(&b, "x", big, 1, 0, 0);
    assert_int_equal(ERANGE, ehd_builder_copy_event(&b, 4, NULL, NULL, buf, sizeof buf, &size));

    /* A disabled or missing set: EBADF. */
    ehd_builder_reset(&b, "E", 0);
    assert_int_equal(EBADF, ehd_builder_write(&b, NULL, NULL, NULL));
    ehd_builder_destroy(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_randomized_events_round_trip),
        cmocka_unit_test(test_builder_reuse_keeps_storage),
        cmocka_unit_test(test_builder_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
