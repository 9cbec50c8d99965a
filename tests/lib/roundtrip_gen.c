/* The round-trip event generator; see roundtrip_gen.h. */
#include "roundtrip_gen.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static uint64_t next_random(rt_generator *g)
{
    /* xorshift64*: small, deterministic, good enough to vary shapes. */
    g->state ^= g->state >> 12;
    g->state ^= g->state << 25;
    g->state ^= g->state >> 27;
    return g->state * 0x2545F4914F6CDD1DULL;
}

static unsigned below(rt_generator *g, unsigned n)
{
    return (unsigned)(next_random(g) % n);
}

static void random_bytes(rt_generator *g, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)next_random(g);
}

static void set_problem(rt_generator *g, const char *problem)
{
    if (g->problem == NULL)
        g->problem = problem;
}

static rt_expected_item *expect(rt_generator *g, ehd_item_kind kind, const char *name,
                                uint8_t encoding, uint8_t array_flags, uint8_t format,
                                uint16_t tag, uint8_t depth)
{
    rt_expected_item *e = &g->spill;
    if (g->count < RT_MAX_EXPECTED)
        e = &g->items[g->count++];
    else
        set_problem(g, "more expected items than RT_MAX_EXPECTED");
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

static void expect_value_bytes(rt_generator *g, rt_expected_item *e, const void *bytes, size_t n)
{
    if (n > RT_VALUE_MAX) {
        set_problem(g, "an expected value larger than RT_VALUE_MAX");
        return;
    }
    memcpy(e->value, bytes, n);
    e->value_size = n;
}

static uint16_t random_tag(rt_generator *g)
{
    return below(g, 3) == 0 ? (uint16_t)(1 + below(g, 0xFFFF)) : 0;
}

static uint8_t random_format(rt_generator *g)
{
    return (uint8_t)below(g, EHD_FMT_IPV6 + 1);
}

static const size_t value_sizes[] = { 1, 2, 4, 8, 16 };

static uint8_t value_encoding(size_t size)
{
    return size == 1 ? EHD_ENC_VALUE8 : size == 2 ? EHD_ENC_VALUE16 : size == 4 ? EHD_ENC_VALUE32
         : size == 8 ? EHD_ENC_VALUE64 : EHD_ENC_VALUE128;
}

static void add_scalar(rt_generator *g, const char *name, uint8_t depth)
{
    size_t size = value_sizes[below(g, 5)];
    uint8_t format = random_format(g);
    uint16_t tag = random_tag(g);
    uint8_t value[16] = { 0 };
    random_bytes(g, value, size);
    ehd_builder_add_value(g->builder, name, value, size, format, tag);
    rt_expected_item *e =
        expect(g, EHD_ITEM_VALUE, name, value_encoding(size), 0, format, tag, depth);
    expect_value_bytes(g, e, value, size);
}

/* The begin item, every element and the end item of an array of scalars. */
static void expect_scalar_array(rt_generator *g, const char *name, uint8_t encoding,
                                uint8_t array_flags, uint8_t format, uint16_t tag, uint8_t depth,
                                const uint8_t *values, size_t size, size_t count)
{
    rt_expected_item *begin =
        expect(g, EHD_ITEM_ARRAY_BEGIN, name, encoding, array_flags, format, tag, depth);
    begin->array_count = (uint16_t)count;
    expect_value_bytes(g, begin, values, size * count);
    for (size_t i = 0; i < count; i++) {
        rt_expected_item *e =
            expect(g, EHD_ITEM_VALUE, name, encoding, array_flags, format, tag, depth);
        e->array_count = (uint16_t)count;
        e->array_index = (uint16_t)i;
        expect_value_bytes(g, e, values + i * size, size);
    }
    rt_expected_item *end =
        expect(g, EHD_ITEM_ARRAY_END, name, encoding, array_flags, format, tag, depth);
    end->array_count = (uint16_t)count;
    end->array_index = (uint16_t)count; /* the end item stands after the last element */
}

static void add_scalar_array(rt_generator *g, const char *name, uint8_t depth)
{
    size_t size = value_sizes[below(g, 5)];
    size_t count = below(g, 7);
    uint8_t format = random_format(g);
    uint16_t tag = random_tag(g);
    uint8_t values[16 * 6] = { 0 };
    random_bytes(g, values, size * count);
    ehd_builder_add_value_array(g->builder, name, values, size, count, format, tag);
    expect_scalar_array(g, name, value_encoding(size), EHD_ENC_VARRAY, format, tag, depth,
                        values, size, count);
}

/* A constant-length array: its count lives in the metadata, not the payload. */
static void add_constant_array(rt_generator *g, const char *name, uint8_t depth)
{
    size_t size = value_sizes[below(g, 5)];
    size_t count = 1 + below(g, 5);
    uint8_t format = random_format(g);
    uint16_t tag = random_tag(g);
    uint8_t values[16 * 5] = { 0 };
    random_bytes(g, values, size * count);
    uint8_t encoding = value_encoding(size);
    ehd_builder_raw_add_meta_carray(g->builder, name, encoding, format, tag, (uint16_t)count);
    ehd_builder_raw_add_data(g->builder, values, size * count);
    expect_scalar_array(g, name, encoding, EHD_ENC_CARRAY, format, tag, depth, values, size,
                        count);
}

/* Random code units of `char_size` bytes; NUL units only when allowed. */
static void random_string(rt_generator *g, uint8_t *out, size_t char_size, size_t length,
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

static void add_one_string(rt_generator *g, const char *name, uint8_t depth)
{
    size_t char_size = char_sizes[below(g, 3)];
    size_t length = below(g, 12);
    bool nul_terminated = below(g, 2) == 0;
    uint8_t format = (uint8_t)(below(g, 2) ? EHD_FMT_DEFAULT : random_format(g));
    uint16_t tag = random_tag(g);
    uint8_t chars[4 * 12];
    random_string(g, chars, char_size, length, !nul_terminated);
    if (nul_terminated)
        ehd_builder_add_zstring(g->builder, name, chars, char_size, length, format, tag);
    else
        ehd_builder_add_string(g->builder, name, chars, char_size, length, format, tag);
    rt_expected_item *e = expect(g, EHD_ITEM_VALUE, name,
                                 string_encoding(char_size, nul_terminated), 0, format, tag,
                                 depth);
    expect_value_bytes(g, e, chars, char_size * length);
}

static void add_string_array(rt_generator *g, const char *name, uint8_t depth)
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
        ehd_builder_add_zstring_array(g->builder, name, strings, lengths, char_size, count,
                                      format, tag);
    else
        ehd_builder_add_string_array(g->builder, name, strings, lengths, char_size, count,
                                     format, tag);
    uint8_t encoding = string_encoding(char_size, nul_terminated);
    rt_expected_item *begin =
        expect(g, EHD_ITEM_ARRAY_BEGIN, name, encoding, EHD_ENC_VARRAY, format, tag, depth);
    begin->array_count = (uint16_t)count;
    for (size_t i = 0; i < count; i++) {
        rt_expected_item *e =
            expect(g, EHD_ITEM_VALUE, name, encoding, EHD_ENC_VARRAY, format, tag, depth);
        e->array_count = (uint16_t)count;
        e->array_index = (uint16_t)i;
        expect_value_bytes(g, e, storage[i], char_size * lengths[i]);
    }
    rt_expected_item *end =
        expect(g, EHD_ITEM_ARRAY_END, name, encoding, EHD_ENC_VARRAY, format, tag, depth);
    end->array_count = (uint16_t)count;
    end->array_index = (uint16_t)count;
}

static void add_binary(rt_generator *g, const char *name, uint8_t depth)
{
    size_t length = below(g, 20);
    uint16_t tag = random_tag(g);
    uint8_t bytes[20];
    random_bytes(g, bytes, length);
    ehd_builder_add_binary(g->builder, name, bytes, length, EHD_FMT_DEFAULT, tag);
    rt_expected_item *e = expect(g, EHD_ITEM_VALUE, name, EHD_ENC_BINARY_LENGTH16_CHAR8, 0,
                                 EHD_FMT_DEFAULT, tag, depth);
    expect_value_bytes(g, e, bytes, length);
}

static void add_field(rt_generator *g, uint8_t depth);

static void add_struct(rt_generator *g, const char *name, uint8_t depth)
{
    uint8_t members = (uint8_t)(1 + below(g, 4));
    uint16_t tag = random_tag(g);
    bool count_later = below(g, 2) == 0;
    size_t bookmark = ehd_builder_add_struct(g->builder, name, count_later ? 1 : members, tag);
    if (bookmark == EHD_NO_BOOKMARK)
        set_problem(g, "ehd_builder_add_struct returned no bookmark");
    expect(g, EHD_ITEM_STRUCT_BEGIN, name, EHD_ENC_STRUCT, 0, members, tag, depth);
    for (uint8_t i = 0; i < members; i++)
        add_field(g, (uint8_t)(depth + 1));
    if (count_later)
        ehd_builder_set_struct_field_count(g->builder, bookmark, members);
    expect(g, EHD_ITEM_STRUCT_END, name, EHD_ENC_STRUCT, 0, members, tag, depth);
}

static void add_field(rt_generator *g, uint8_t depth)
{
    char name[24];
    snprintf(name, sizeof name, "f%u", g->field_serial++);
    unsigned kind = below(g, depth < RT_MAX_DEPTH ? 7 : 6);
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

int rt_generator_init(rt_generator *g, uint64_t seed)
{
    g->state = seed != 0 ? seed : 1;
    g->count = 0;
    g->field_serial = 0;
    g->problem = NULL;
    g->builder = ehd_builder_new(NULL);
    return g->builder != NULL ? 0 : ENOMEM;
}

void rt_generator_destroy(rt_generator *g)
{
    ehd_builder_free(g->builder);
}

bool rt_generate(rt_generator *g, rt_event *event)
{
    /* The order of the draws is what makes a seed's events; keep it. */
    snprintf(event->name, sizeof event->name, "Event%u", below(g, 100000));
    event->tag = random_tag(g);
    event->id = (uint16_t)below(g, 0x10000);
    event->version = (uint8_t)below(g, 256);
    event->opcode = (uint8_t)below(g, 256);
    event->level = (uint8_t)(1 + below(g, 255));
    event->keyword = next_random(g);
    random_bytes(g, event->activity, sizeof event->activity);
    random_bytes(g, event->related, sizeof event->related);
    event->activity_kind = below(g, 3);

    g->count = 0;
    g->field_serial = 0;
    g->problem = NULL;
    ehd_builder_reset(g->builder, event->name, event->tag);
    ehd_builder_id_version(g->builder, event->id, event->version);
    ehd_builder_opcode(g->builder, event->opcode);
    unsigned fields = below(g, 12);
    for (unsigned i = 0; i < fields; i++)
        add_field(g, 0);

    if (ehd_format_tracepoint_name(event->tracepoint, RT_PROVIDER, event->level, event->keyword,
                                   "") != 0)
        set_problem(g, "ehd_format_tracepoint_name failed");
    return g->problem == NULL;
}

const void *rt_event_activity(const rt_event *event)
{
    return event->activity_kind != 0 ? event->activity : NULL;
}

const void *rt_event_related(const rt_event *event)
{
    return event->activity_kind == 2 ? event->related : NULL;
}
