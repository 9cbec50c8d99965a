/*
 * The decoder on hostile input: truncated and corrupted copies of real
 * events, and hand-made malformed events, must each give either an error
 * with a message or a result — never a crash, a hang or a read outside the
 * event. Each input is copied into a heap block of exactly its size, so
 * AddressSanitizer catches a read one byte past the end.
 *
 * The real events come from the reference capture when EHSHIM_VECTORS
 * names it; otherwise from a few of its events embedded below, so the test
 * always runs.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ehd/ehd_decode.h"
#include "../lib/vectors.h"

/* ---- sample events ---- */

typedef struct embedded_event {
    const char *tracepoint_name;
    const uint8_t *bytes;
    size_t size;
    const char *json; /* the reference formatter's line */
} embedded_event;

/*
 * Four events of EventHeaderInterceptorLE64.dat (records 5, 8, 39, 114) and
 * the reference formatter's lines for them. From github.com/microsoft/
 * LinuxTracepoints, folder TestOutput; MIT licence, Copyright (c) Microsoft
 * Corporation. They cover a struct with field tags and header id, version,
 * opcode and tag; activity and related ids; UCS-4 characters above U+10FFFF;
 * an array of structs.
 */
/* record 5 */
static const uint8_t cscalars3_event[] = {
    0x07, 0x0b, 0xe8, 0x03, 0x34, 0x12, 0x03, 0x04, 0x27, 0x00, 0x01, 0x00,
    0x43, 0x53, 0x63, 0x61, 0x6c, 0x61, 0x72, 0x73, 0x33, 0x00, 0x53, 0x74,
    0x72, 0x75, 0x63, 0x74, 0x32, 0x30, 0x00, 0x81, 0x94, 0xef, 0xbe, 0x68,
    0x69, 0x00, 0x87, 0x8a, 0x12, 0x00, 0x63, 0x68, 0x31, 0x30, 0x00, 0xc2,
    0x8a, 0x10, 0x00, 0x68, 0x69, 0x00, 0x03, 0x00, 0x48, 0x6f, 0x77,
};
static const char cscalars3_json[] =
    "{ \"n\": \"TestProviderC:CScalars3\", \"Struct20;tag=0xBEEF\": { \"hi;tag=0x1"
    "2\": \"hi\", \"ch10;tag=0x10\": [ \"H\", \"o\", \"w\" ] }, \"meta\": { \"id\": 1000, "
    "\"version\": 11, \"level\": 4, \"keyword\": \"0x85\", \"opcode\": 3, \"tag\": \"0x1"
    "234\" } }"
    ;
/* record 8 */
static const uint8_t transfer11_event[] = {
    0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x20, 0x00, 0x02, 0x80,
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x01, 0x02, 0x03, 0x04,
    0x05, 0x06, 0x07, 0x08, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0b, 0x00, 0x01, 0x00,
    0x54, 0x72, 0x61, 0x6e, 0x73, 0x66, 0x65, 0x72, 0x31, 0x31, 0x00,
};
static const char transfer11_json[] =
    "{ \"n\": \"TestProviderC:Transfer11\", \"meta\": { \"level\": 5, \"activity\": \""
    "01020304-0506-0708-0102-030405060708\", \"relatedActivity\": \"01020304-05"
    "06-0708-0102-030405060708\" } }"
    ;
/* record 39 */
static const uint8_t u32ch_event[] = {
    0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x29, 0x00, 0x01, 0x00,
    0x75, 0x33, 0x32, 0x63, 0x68, 0x00, 0x75, 0x33, 0x32, 0x63, 0x68, 0x00,
    0x84, 0x0b, 0x46, 0x46, 0x46, 0x45, 0x00, 0x84, 0x0b, 0x31, 0x30, 0x46,
    0x46, 0x46, 0x46, 0x00, 0x84, 0x0b, 0x46, 0x46, 0x46, 0x45, 0x46, 0x44,
    0x46, 0x43, 0x00, 0x84, 0x0b, 0x41, 0x00, 0x00, 0x00, 0xfe, 0xff, 0x00,
    0x00, 0xff, 0xff, 0x10, 0x00, 0xfc, 0xfd, 0xfe, 0xff,
};
static const char u32ch_json[] =
    "{ \"n\": \"TestProviderC:u32ch\", \"u32ch\": \"A\", \"FFFE\": \"\357\277\276\", \"10FFFF\": \""
    "\364\217\277\277\", \"FFFEFDFC\": \"\376\203\277\277\257\267\274\", \"meta\": { \"level\": 5 } }"
    ;
/* record 114 */
static const uint8_t packed_event[] = {
    0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x4d, 0x00, 0x01, 0x00,
    0x50, 0x61, 0x63, 0x6b, 0x65, 0x64, 0x00, 0x66, 0x69, 0x76, 0x65, 0x00,
    0x84, 0x02, 0x53, 0x74, 0x72, 0x75, 0x63, 0x74, 0x31, 0x00, 0x81, 0x01,
    0x4e, 0x43, 0x68, 0x61, 0x72, 0x38, 0x00, 0x07, 0x53, 0x74, 0x72, 0x75,
    0x63, 0x74, 0x41, 0x72, 0x72, 0x61, 0x79, 0x00, 0xc1, 0x01, 0x53, 0x74,
    0x72, 0x75, 0x63, 0x74, 0x32, 0x00, 0x81, 0x02, 0x4b, 0x00, 0x82, 0x0a,
    0x4e, 0x43, 0x68, 0x61, 0x72, 0x31, 0x36, 0x00, 0x88, 0x09, 0x66, 0x69,
    0x76, 0x65, 0x00, 0x84, 0x02, 0x05, 0x00, 0x00, 0x00, 0x68, 0x6a, 0x6b,
    0x6c, 0x00, 0x03, 0x00, 0x41, 0x68, 0x00, 0x6a, 0x00, 0x6b, 0x00, 0x6c,
    0x00, 0x00, 0x00, 0x42, 0xff, 0xfe, 0x68, 0x00, 0x6a, 0x00, 0x6b, 0x00,
    0x6c, 0x00, 0x00, 0x00, 0x43, 0xfe, 0xff, 0x00, 0x68, 0x00, 0x6a, 0x00,
    0x6b, 0x00, 0x6c, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
};
static const char packed_json[] =
    "{ \"n\": \"TestProviderC:Packed\", \"five\": 5, \"Struct1\": { \"NChar8\": \"hjkl"
    "\" }, \"StructArray\": [ { \"Struct2\": { \"K\": \"A\", \"NChar16\": \"68 00 6a 00"
    " 6b 00 6c 00\" } }, { \"Struct2\": { \"K\": \"B\", \"NChar16\": \"ff fe 68 00 6a"
    " 00 6b 00 6c 00\" } }, { \"Struct2\": { \"K\": \"C\", \"NChar16\": \"fe ff 00 68"
    " 00 6a 00 6b 00 6c\" } } ], \"five\": 5, \"meta\": { \"level\": 5 } }"
    ;
static const embedded_event embedded_events[] = {
    { "TestProviderC_L4K85", cscalars3_event, sizeof cscalars3_event, cscalars3_json },
    { "TestProviderC_L5K0", transfer11_event, sizeof transfer11_event, transfer11_json },
    { "TestProviderC_L5K0", u32ch_event, sizeof u32ch_event, u32ch_json },
    { "TestProviderC_L5K0", packed_event, sizeof packed_event, packed_json },
};

/* Records of the reference capture used when it is there: long provider
 * name and options, struct with tags, activity ids, floats, characters,
 * times, UTF-16, IPv6, arrays, struct arrays (full and empty), string
 * arrays, dynamic-builder events of several formats. */
static const size_t vector_records[] = { 0, 5, 8, 33, 39, 46, 50, 60, 80, 114, 115, 116, 300, 345 };

typedef struct sample {
    const char *tracepoint_name;
    size_t name_len;
    const uint8_t *bytes;
    size_t size;
    const char *json; /* expected line, or NULL when unknown */
    size_t json_len;
} sample;

static struct {
    sample samples[sizeof vector_records / sizeof vector_records[0]];
    size_t count;
    vectors_file file;
    char *jsonl; /* the reference lines, when loaded */
} g;

/* Reads the whole file at `path` (NUL-terminated copy), or returns NULL. */
static char *read_text_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 65536;
            char *grown = realloc(text, cap + 1);
            if (grown == NULL)
                break;
            text = grown;
        }
        size_t n = fread(text + len, 1, cap - len, f);
        if (n == 0)
            break;
        len += n;
    }
    fclose(f);
    if (text != NULL)
        text[len] = '\0';
    *size = len;
    return text;
}

/* Start of line `index` (0-based) of `text` and its length, or NULL. */
static const char *nth_line(const char *text, size_t size, size_t index, size_t *len)
{
    const char *p = text, *end = text + size;
    for (size_t i = 0; i < index; i++) {
        p = memchr(p, '\n', (size_t)(end - p));
        if (p == NULL)
            return NULL;
        p++;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *len = (size_t)((nl != NULL ? nl : end) - p);
    return p;
}

static bool load_vector_samples(void)
{
    const char *dir = vectors_dir();
    if (dir == NULL)
        return false;
    char path[4096];
    snprintf(path, sizeof path, "%s/EventHeaderInterceptorLE64.dat", dir);
    const char *why = NULL;
    if (vectors_load(&g.file, path, &why) != 0) {
        vectors_free(&g.file);
        return false;
    }
    size_t jsonl_size = 0;
    snprintf(path, sizeof path, "%s/EventHeaderInterceptorLE64.jsonl", dir);
    g.jsonl = read_text_file(path, &jsonl_size);
    for (size_t i = 0; i < sizeof vector_records / sizeof vector_records[0]; i++) {
        size_t index = vector_records[i];
        if (index >= g.file.count)
            continue;
        const ehd_capture_record *r = &g.file.records[index];
        sample *s = &g.samples[g.count++];
        *s = (sample){ r->tracepoint_name, r->name_len, r->event, r->event_size, NULL, 0 };
        if (g.jsonl != NULL)
            s->json = nth_line(g.jsonl, jsonl_size, index, &s->json_len);
    }
    return g.count != 0;
}

static int setup_samples(void **state)
{
    (void)state;
    if (load_vector_samples()) {
        printf("using %zu events of the reference capture\n", g.count);
        return 0;
    }
    for (size_t i = 0; i < sizeof embedded_events / sizeof embedded_events[0]; i++) {
        const embedded_event *e = &embedded_events[i];
        g.samples[g.count++] = (sample){ e->tracepoint_name, strlen(e->tracepoint_name), e->bytes,
                                         e->size, e->json, strlen(e->json) };
    }
    printf("EHSHIM_VECTORS unavailable: using %zu embedded events\n", g.count);
    return 0;
}

static int teardown_samples(void **state)
{
    (void)state;
    vectors_free(&g.file);
    free(g.jsonl);
    return 0;
}

/* ---- checking one input ---- */

/* A heap copy of exactly `size` bytes (at least 1 byte allocated, so the
 * pointer is valid), for AddressSanitizer to guard. */
static uint8_t *exact_copy(const void *bytes, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    assert_non_null(copy);
    if (size != 0)
        memcpy(copy, bytes, size);
    return copy;
}

/* Walks every item through the enumerator and checks each stays inside
 * the event; also proves the walk ends. */
static void walk_items(const char *name, size_t name_len, const uint8_t *event, size_t size)
{
    ehd_event_view view;
    ehd_decode_error error = { 0, "" };
    if (ehd_event_parse(&view, name, name_len, event, size, &error) != 0) {
        assert_true(error.message[0] != '\0');
        return;
    }
    ehd_enumerator e;
    ehd_enum_start(&e, &view);
    ehd_item item;
    int rc;
    size_t items = 0;
    while ((rc = ehd_enum_next(&e, &item, &error)) == 0) {
        assert_true(++items <= EHD_DECODE_MAX_ITEMS);
        assert_true(item.name >= (const char *)view.meta);
        assert_true(item.name + item.name_len < (const char *)view.meta + view.meta_size);
        assert_true(item.value >= view.data);
        assert_true(item.value_size <= view.data_size);
        assert_true((size_t)(item.value - view.data) <= view.data_size - item.value_size);
        assert_true(item.depth <= EHD_DECODE_MAX_DEPTH);
    }
    if (rc != ENODATA)
        assert_true(error.message[0] != '\0');
    /* Once over, it stays over. */
    assert_int_equal(ehd_enum_next(&e, &item, NULL), rc);
}

/* Puts a previous line into `text` (the first sample, which decodes), so
 * each check also sees that a decode appends and a failure takes nothing
 * away. Returns its length. */
static size_t put_previous_line(ehd_text *text)
{
    const sample *s = &g.samples[0];
    ehd_text_clear(text);
    assert_int_equal(ehd_decode_json(text, s->tracepoint_name, s->name_len, s->bytes, s->size, NULL),
                     0);
    return text->len;
}

/*
 * Decodes one input and checks the contract: an error has a message and
 * leaves the text as it was; a success appends one JSON object. Returns
 * the decoder's result.
 */
static int decode_checked(const char *name, size_t name_len, const uint8_t *event, size_t size,
                          ehd_text *text)
{
    uint8_t *copy = exact_copy(event, size);
    char *name_copy = (char *)exact_copy(name, name_len);
    walk_items(name_copy, name_len, copy, size);

    size_t before = put_previous_line(text);
    char *previous = strdup(text->chars);
    assert_non_null(previous);

    ehd_decode_error error = { 0, "" };
    int rc = ehd_decode_json(text, name_copy, name_len, copy, size, &error);
    assert_memory_equal(text->chars, previous, before);
    if (rc == 0) {
        assert_string_equal(error.message, "");
        assert_true(text->len >= before + 4);
        assert_int_equal(strlen(text->chars), text->len); /* no NUL inside */
        assert_memory_equal(text->chars + before, "{ ", 2);
        assert_memory_equal(text->chars + text->len - 2, " }", 2);
    } else {
        assert_true(error.message[0] != '\0');
        assert_int_equal(text->len, before);
        assert_int_equal(text->chars[before], '\0');
    }
    free(previous);
    free(copy);
    free(name_copy);
    return rc;
}

/* ---- real events: exact, truncated, corrupted ---- */

static void test_samples_decode_exactly(void **state)
{
    (void)state;
    ehd_text text = EHD_TEXT_INIT;
    for (size_t i = 0; i < g.count; i++) {
        const sample *s = &g.samples[i];
        ehd_decode_error error;
        ehd_text_clear(&text);
        int rc = ehd_decode_json(&text, s->tracepoint_name, s->name_len, s->bytes, s->size, &error);
        if (rc != 0)
            fail_msg("sample %zu: %s", i, error.message);
        if (s->json != NULL) {
            if (text.len != s->json_len || memcmp(text.chars, s->json, s->json_len) != 0)
                fail_msg("sample %zu:\n  want %.*s\n  got  %s", i, (int)s->json_len, s->json,
                         text.chars);
        }
    }
    ehd_text_free(&text);
}

static void test_every_prefix_is_handled(void **state)
{
    (void)state;
    ehd_text text = EHD_TEXT_INIT;
    for (size_t i = 0; i < g.count; i++) {
        const sample *s = &g.samples[i];
        for (size_t len = 0; len < s->size; len++) {
            int rc = decode_checked(s->tracepoint_name, s->name_len, s->bytes, len, &text);
            if (len < 8 && rc == 0)
                fail_msg("sample %zu: %zu-byte prefix (shorter than the header) decoded", i, len);
        }
    }
    ehd_text_free(&text);
}

/* Each byte XOR 0x01, 0x80, 0xFF, and set to 0x00 and 0xFF. */
static uint8_t mutate(uint8_t byte, int how)
{
    switch (how) {
    case 0: return byte ^ 0x01;
    case 1: return byte ^ 0x80;
    case 2: return byte ^ 0xFF;
    case 3: return 0x00;
    default: return 0xFF;
    }
}

static void test_every_corrupted_byte_is_handled(void **state)
{
    (void)state;
    ehd_text text = EHD_TEXT_INIT;
    size_t decoded = 0, refused = 0;
    for (size_t i = 0; i < g.count; i++) {
        const sample *s = &g.samples[i];
        uint8_t *bytes = exact_copy(s->bytes, s->size);
        for (size_t at = 0; at < s->size; at++) {
            uint8_t original = bytes[at];
            for (int how = 0; how < 5; how++) {
                bytes[at] = mutate(original, how);
                if (decode_checked(s->tracepoint_name, s->name_len, bytes, s->size, &text) == 0)
                    decoded++;
                else
                    refused++;
            }
            bytes[at] = original;
        }
        free(bytes);
    }
    /* Both outcomes must occur: corrupting a value's bytes still decodes,
     * corrupting a length or the header does not. */
    print_message("%zu corrupted events decoded, %zu refused\n", decoded, refused);
    assert_true(decoded > 0);
    assert_true(refused > 0);
    ehd_text_free(&text);
}

static void test_corrupted_tracepoint_names_are_handled(void **state)
{
    (void)state;
    ehd_text text = EHD_TEXT_INIT;
    for (size_t i = 0; i < g.count; i++) {
        const sample *s = &g.samples[i];
        char *name = (char *)exact_copy(s->tracepoint_name, s->name_len);
        for (size_t at = 0; at < s->name_len; at++) {
            char original = name[at];
            for (int how = 0; how < 5; how++) {
                name[at] = (char)mutate((uint8_t)original, how);
                decode_checked(name, s->name_len, s->bytes, s->size, &text);
            }
            name[at] = original;
        }
        for (size_t len = 0; len < s->name_len; len++)
            decode_checked(name, len, s->bytes, s->size, &text);
        free(name);
    }
    ehd_text_free(&text);
}

/* ---- hand-made malformed events ---- */

/* Little-endian event: header with extension flag, one metadata extension,
 * then `data`. `meta` is the event name and field definitions. */
typedef struct built_event {
    uint8_t bytes[70000];
    size_t size;
} built_event;

static void build(built_event *ev, uint8_t level, const void *meta, size_t meta_size,
                  const void *data, size_t data_size)
{
    assert_true(meta_size <= 0xFFFF && 12 + meta_size + data_size <= sizeof ev->bytes);
    uint8_t *p = ev->bytes;
    *p++ = 0x07; /* pointer64 | little_endian | extension */
    *p++ = 0;    /* version */
    *p++ = 0, *p++ = 0; /* id */
    *p++ = 0, *p++ = 0; /* tag */
    *p++ = 0;           /* opcode */
    *p++ = level;
    *p++ = (uint8_t)meta_size, *p++ = (uint8_t)(meta_size >> 8);
    *p++ = 1, *p++ = 0; /* kind: metadata, no chain */
    memcpy(p, meta, meta_size);
    p += meta_size;
    if (data_size != 0)
        memcpy(p, data, data_size);
    p += data_size;
    ev->size = (size_t)(p - ev->bytes);
}

/* Decodes `ev` as "P_L1K1" (level 1) and expects `code`; when `words` is
 * not NULL the message must contain it. */
static void expect_error(const built_event *ev, int code, const char *words)
{
    ehd_text text = EHD_TEXT_INIT;
    int rc = decode_checked("P_L1K1", 6, ev->bytes, ev->size, &text);
    ehd_decode_error error = { 0, "" };
    ehd_text_clear(&text);
    assert_int_equal(ehd_decode_json(&text, "P_L1K1", 6, ev->bytes, ev->size, &error), rc);
    if (rc != code)
        fail_msg("expected error %d, got %d (%s)", code, rc, error.message);
    if (words != NULL && strstr(error.message, words) == NULL)
        fail_msg("message '%s' lacks '%s'", error.message, words);
    ehd_text_free(&text);
}

static void expect_json(const built_event *ev, const char *json)
{
    ehd_text text = EHD_TEXT_INIT;
    ehd_decode_error error = { 0, "" };
    int rc = ehd_decode_json(&text, "P_L1K1", 6, ev->bytes, ev->size, &error);
    if (rc != 0)
        fail_msg("error %d: %s", rc, error.message);
    assert_string_equal(text.chars, json);
    ehd_text_free(&text);
}

#define META(literal) literal, sizeof(literal) - 1

static void test_header_errors(void **state)
{
    (void)state;
    built_event ev;
    build(&ev, 1, META("E\0"), NULL, 0);
    expect_json(&ev, "{ \"n\": \"P:E\", \"meta\": { \"level\": 1, \"keyword\": \"0x1\" } }");

    built_event short_event = ev;
    short_event.size = 7;
    expect_error(&short_event, EBADMSG, "header");

    built_event flags = ev;
    flags.bytes[0] |= 0x08;
    expect_error(&flags, ENOTSUP, "flags");

    built_event level = ev;
    level.bytes[7] = 2;
    expect_error(&level, ENOTSUP, "level");

    built_event no_extension = ev;
    no_extension.bytes[0] &= (uint8_t)~0x04;
    expect_error(&no_extension, ENOTSUP, "metadata");

    built_event too_long = ev;
    too_long.bytes[8] = 200;
    expect_error(&too_long, EBADMSG, "past end");

    built_event chained = ev;
    chained.bytes[11] = 0x80; /* chain flag, but nothing follows */
    expect_error(&chained, EBADMSG, "past end");

    built_event kind0 = ev;
    kind0.bytes[10] = 0;
    expect_error(&kind0, EBADMSG, "invalid");

    built_event unterminated;
    build(&unterminated, 1, "E", 1, NULL, 0);
    expect_error(&unterminated, EBADMSG, "NUL");

    /* Two metadata blocks; an activity block of 20 bytes. */
    static const uint8_t two_meta[] = { 0x07, 0, 0, 0, 0, 0, 0, 1, 2, 0, 1, 0x80, 'E', 0,
                                        2, 0, 1, 0, 'F', 0 };
    memcpy(ev.bytes, two_meta, sizeof two_meta);
    ev.size = sizeof two_meta;
    expect_error(&ev, EBADMSG, "second metadata");
    static const uint8_t bad_activity[] = { 0x07, 0, 0, 0, 0, 0, 0, 1, 20, 0, 2, 0x80,
                                            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                            17, 18, 19, 20, 2, 0, 1, 0, 'E', 0 };
    memcpy(ev.bytes, bad_activity, sizeof bad_activity);
    ev.size = sizeof bad_activity;
    expect_error(&ev, EBADMSG, "activity");

    /* Tracepoint names the reference refuses. */
    build(&ev, 1, META("E\0"), NULL, 0);
    ehd_text text = EHD_TEXT_INIT;
    ehd_decode_error error;
    static const char *const bad_names[] = { "PL1K1", "P_K1", "P_L1", "P_L1K1g", "P_L1K1G_x", "" };
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        int rc = ehd_decode_json(&text, bad_names[i], strlen(bad_names[i]), ev.bytes, ev.size,
                                 &error);
        if (rc != ENOTSUP)
            fail_msg("name '%s': %d", bad_names[i], rc);
    }
    assert_int_equal(ehd_decode_json(&text, "P_L1K1Gab", 9, ev.bytes, ev.size, &error), 0);
    ehd_text_free(&text);
}

/* The level and keyword digits, read by table: after "K1" every byte
 * value, which is a lowercase hex digit of the keyword, an option's
 * uppercase letter, or a byte that makes the name refused. */
static void test_keyword_digits(void **state)
{
    (void)state;
    built_event ev;
    build(&ev, 1, META("E\0"), NULL, 0);
    for (int c = 1; c < 256; c++) {
        char name[] = { 'P', '_', 'L', '1', 'K', '1', (char)c, '3' };
        bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        ehd_event_view view;
        ehd_decode_error error;
        int rc = ehd_event_parse(&view, name, sizeof name, ev.bytes, ev.size, &error);
        if (digit) {
            uint64_t value = (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
            if (rc != 0 || view.keyword != (0x100 | value << 4 | 3) || view.options_len != 0)
                fail_msg("byte 0x%02x: %d, keyword 0x%" PRIx64, c, rc, view.keyword);
        } else if (c >= 'A' && c <= 'Z') {
            if (rc != 0 || view.keyword != 1 || view.options_len != 2 || view.options[0] != c)
                fail_msg("byte 0x%02x: %d, keyword 0x%" PRIx64, c, rc, view.keyword);
        } else if (rc != ENOTSUP) {
            fail_msg("byte 0x%02x: %d, not ENOTSUP", c, rc);
        }
        /* The same byte as the level's second digit. */
        char level_name[] = { 'P', '_', 'L', '0', (char)c, 'K', '1' };
        rc = ehd_event_parse(&view, level_name, sizeof level_name, ev.bytes, ev.size, &error);
        if (rc != (c == '1' ? 0 : ENOTSUP))
            fail_msg("level byte 0x%02x: %d", c, rc);
    }
}

/* Keywords of 1 to 20 digits (read eight at a time where eight bytes are
 * left) with every byte value in every place, against a byte-at-a-time
 * reading of the same rules. */
static void test_long_keywords(void **state)
{
    (void)state;
    built_event ev;
    build(&ev, 1, META("E\0"), NULL, 0);
    static const char digits[] = "0123456789abcdef";
    for (size_t len = 1; len <= 20; len++) {
        for (size_t at = 0; at < len; at++) {
            for (int c = 1; c < 256; c++) {
                char name[32] = "P_L1K";
                for (size_t i = 0; i < len; i++)
                    name[5 + i] = digits[(i * 7 + len) % 16];
                name[5 + at] = (char)c;
                size_t name_len = 5 + len;
                /* The reading the table gives: digits until the first
                 * other byte, which must start an option. */
                uint64_t want = 0;
                size_t i = 5;
                for (; i < name_len; i++) {
                    const char *d = memchr(digits, name[i], 16);
                    if (d == NULL || name[i] == '\0')
                        break;
                    want = want << 4 | (uint64_t)(d - digits);
                }
                bool ok = i == name_len || (name[i] >= 'A' && name[i] <= 'Z');
                ehd_event_view view;
                ehd_decode_error error;
                int rc = ehd_event_parse(&view, name, name_len, ev.bytes, ev.size, &error);
                if (ok ? rc != 0 || view.keyword != want || view.options_len != name_len - i
                       : rc != ENOTSUP)
                    fail_msg("%zu digits, byte 0x%02x at %zu: %d, keyword 0x%" PRIx64
                             ", want 0x%" PRIx64,
                             len, c, at, rc, rc == 0 ? view.keyword : 0, want);
            }
        }
    }
}

static void test_field_errors(void **state)
{
    (void)state;
    built_event ev;

    build(&ev, 1, META("E\0" "s\0\x81\x00"), NULL, 0);
    expect_error(&ev, EBADMSG, "no members");

    build(&ev, 1, META("E\0" "v\0\x02"), NULL, 0);
    expect_error(&ev, EBADMSG, "'v'");

    build(&ev, 1, META("E\0" "v\0"), NULL, 0);
    expect_error(&ev, EBADMSG, "past end of metadata");

    build(&ev, 1, META("E\0" "v\0\x82"), NULL, 0); /* format byte missing */
    expect_error(&ev, EBADMSG, "past end of metadata");

    build(&ev, 1, META("E\0" "v\0\x82\x80\x01"), "\x05", 1); /* tag cut short */
    expect_error(&ev, EBADMSG, "past end of metadata");

    build(&ev, 1, META("E\0" "a\0\x22\x00\x00"), NULL, 0);
    expect_error(&ev, EBADMSG, "length 0");

    build(&ev, 1, META("E\0" "a\0\x22\x01"), "\x05", 1); /* carray length cut short */
    expect_error(&ev, EBADMSG, "array length");

    build(&ev, 1, META("E\0" "a\0\x62"), "\x01\x00\x05", 3);
    expect_error(&ev, ENOTSUP, "both array flags");

    build(&ev, 1, META("E\0" "a\0\x42"), "\x01", 1);
    expect_error(&ev, EBADMSG, "element count");

    build(&ev, 1, META("E\0" "a\0\x44"), "\x02\x00\x01\x00\x00\x00", 6);
    expect_error(&ev, EBADMSG, "runs past end");

    build(&ev, 1, META("E\0" "z\0\x07"), "abc", 3);
    expect_error(&ev, EBADMSG, "runs past end");

    build(&ev, 1, META("E\0" "z\0\x08"), "a\0b", 3); /* char16: odd byte left */
    expect_error(&ev, EBADMSG, "runs past end");

    build(&ev, 1, META("E\0" "c\0\x0a"), "\x05\x00" "abcd", 6);
    expect_error(&ev, EBADMSG, "runs past end");

    build(&ev, 1, META("E\0" "c\0\x0b"), "\x01", 1);
    expect_error(&ev, EBADMSG, "length of 'c'");

    build(&ev, 1, META("E\0" "x\0\x00"), NULL, 0);
    expect_error(&ev, EBADMSG, "encoding 0");

    build(&ev, 1, META("E\0" "x\0\x1f"), "\x01", 1);
    expect_error(&ev, EBADMSG, "encoding 31");

    /* A member of encoding 0 in an empty struct array: no element makes
     * the decoder read it, yet the reference refuses the event (EBADMSG),
     * and so does this decoder (event "07000000000000050900010045007300c1016d00000000"). */
    build(&ev, 1, META("E\0" "s\0\xc1\x01" "m\0\x00"), "\x00\x00", 2);
    expect_error(&ev, EBADMSG, "encoding 0");

    build(&ev, 1, META("E\0" "x\0\x5f"), "\x01\x00\x01", 3);
    expect_error(&ev, ENOTSUP, "unknown encoding");

    /* Errors carry event offsets: the struct's definition starts after the
     * 12 bytes of header and extension header and "E\0". */
    build(&ev, 1, META("E\0" "s\0\x81\x00"), NULL, 0);
    ehd_decode_error error;
    ehd_text text = EHD_TEXT_INIT;
    assert_int_equal(ehd_decode_json(&text, "P_L1K1", 6, ev.bytes, ev.size, &error), EBADMSG);
    assert_int_equal(error.offset, 14);
    assert_non_null(strstr(error.message, "offset 14"));
    ehd_text_free(&text);
}

static void test_limits(void **state)
{
    (void)state;
    built_event ev;
    char meta[2048];
    size_t n;

    /* Structs nested 8 deep decode; 9 deep are refused. */
    for (int depth = 8; depth <= 9; depth++) {
        n = 0;
        memcpy(meta, "E", 2), n = 2;
        for (int i = 0; i < depth; i++)
            memcpy(meta + n, "s\0\x81\x01", 4), n += 4;
        memcpy(meta + n, "v\0\x02", 3), n += 3;
        build(&ev, 1, meta, n, "\x07", 1);
        if (depth == 8) {
            ehd_text text = EHD_TEXT_INIT;
            assert_int_equal(decode_checked("P_L1K1", 6, ev.bytes, ev.size, &text), 0);
            ehd_text_free(&text);
        } else {
            expect_error(&ev, E2BIG, "nested");
        }
    }

    /* 255 top-level fields decode; a 256th is refused. */
    for (int fields = 255; fields <= 256; fields++) {
        memcpy(meta, "E", 2), n = 2;
        for (int i = 0; i < fields; i++)
            memcpy(meta + n, "v\0\x02", 3), n += 3;
        static uint8_t data[256];
        build(&ev, 1, meta, n, data, (size_t)fields);
        if (fields == 255) {
            ehd_text text = EHD_TEXT_INIT;
            assert_int_equal(decode_checked("P_L1K1", 6, ev.bytes, ev.size, &text), 0);
            ehd_text_free(&text);
        } else {
            expect_error(&ev, E2BIG, "top-level");
        }
    }

    /* An array is 2 items plus its elements; 4095 items (4096 steps with
     * the final one) are allowed, as in the reference. */
    static uint8_t data[2 + 5000];
    for (unsigned count = 4093; count <= 4094; count++) {
        data[0] = (uint8_t)count, data[1] = (uint8_t)(count >> 8);
        build(&ev, 1, META("E\0" "a\0\x42"), data, 2 + count);
        if (count == 4093) {
            ehd_text text = EHD_TEXT_INIT;
            assert_int_equal(decode_checked("P_L1K1", 6, ev.bytes, ev.size, &text), 0);
            ehd_text_free(&text);
        } else {
            expect_error(&ev, E2BIG, "items");
        }
    }

    /* Empty arrays of structs still step over the member definitions; an
     * array of many 1-member structs stops at the item limit. */
    data[0] = 0, data[1] = 0, data[2] = 9;
    build(&ev, 1, META("E\0" "sa\0\xc1\x01" "m\0\x02" "v\0\x02"), data, 3);
    expect_json(&ev, "{ \"n\": \"P:E\", \"sa\": [ ], \"v\": 9, \"meta\": { \"level\": 1, "
                     "\"keyword\": \"0x1\" } }");
    data[0] = 0xFF, data[1] = 0xFF;
    memset(data + 2, 1, 5000);
    build(&ev, 1, META("E\0" "sa\0\xc1\x01" "m\0\x02"), data, 2 + 5000);
    expect_error(&ev, E2BIG, "items");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples_decode_exactly),
        cmocka_unit_test(test_every_prefix_is_handled),
        cmocka_unit_test(test_every_corrupted_byte_is_handled),
        cmocka_unit_test(test_corrupted_tracepoint_names_are_handled),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_keyword_digits),
        cmocka_unit_test(test_long_keywords),
        cmocka_unit_test(test_field_errors),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, setup_samples, teardown_samples);
}
