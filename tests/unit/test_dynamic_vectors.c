/*
 * Byte-for-byte compatibility of the ehd builder with the reference C++
 * dynamic builder (EventHeaderDynamic.h).
 *
 * The reference test TestDynamic.cpp (github.com/microsoft/LinuxTracepoints,
 * libeventheader-tracepoint/utest) registers provider "TestProviderDyn" with
 * one event set (level verbose, keyword 1) and, for each of 19 field formats,
 * writes six events named after the format: the first carries empty values,
 * the others values of 1, 2, 4, 8 and 16 bytes. Each event has four fields:
 * a binary and a counted string holding "one" (the number 1 at that width),
 * then a binary and a counted string holding "big" (0xF0, 0xF1, ... so byte
 * order and length mistakes stand out). Its 114 events were captured in
 * EventHeaderInterceptorLE64.dat.
 *
 * This test makes the same calls through our API, in the same order, and
 * requires the tracepoint name and every event byte to equal the capture.
 * One cmocka test per format keeps a failure pointing at the format that
 * broke; a shared cursor walks the reference records in file order.
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
#include "../lib/vectors.h"

#define VECTORS_FILE_NAME "EventHeaderInterceptorLE64.dat"
#define DYN_PROVIDER_NAME "TestProviderDyn"
/* Only the reference's dynamic-builder events; "TestProviderDyn" alone would
 * also match a longer provider name such as "TestProviderDynamic". */
#define DYN_TRACEPOINT_PREFIX DYN_PROVIDER_NAME "_"

/* 19 formats x 6 value widths. */
enum { DYN_EVENT_COUNT = 114 };

/* The reference registers its only event set with these. */
enum { DYN_SET_LEVEL = EHD_LEVEL_VERBOSE };
static const uint64_t DYN_SET_KEYWORD = 1;

/* Room for the largest event the builder can produce. */
enum { BUILT_EVENT_CAPACITY = EHD_EVENT_MAX + 1 };

/* ---- values the reference logs ----------------------------------------- */

/* Host byte order, like the reference, which passes the integers' own bytes. */
static const uint8_t one_1 = 1;
static const uint16_t one_2 = 1;
static const uint32_t one_4 = 1;
static const uint64_t one_8 = 1;
/* The 16-byte "one" is big-endian 1: a literal byte string, not an integer. */
static const uint8_t one_16[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

static const uint8_t big_1 = 0xF0;
static const uint16_t big_2 = 0xF0F1;
static const uint32_t big_4 = 0xF0F1F2F3;
static const uint64_t big_8 = 0xF0F1F2F3F4F5F6F7;
static const uint8_t big_16[16] = { 0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7,
                                    0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF };

/* One event's values: `width` bytes of "one" and of "big". The empty width
 * uses NULL like the reference's default-constructed string_view, so a
 * builder that dereferences an empty value is caught here. */
typedef struct value_width {
    size_t width;
    const void *one;
    const void *big;
} value_width;

static const value_width value_widths[] = {
    { 0, NULL, NULL },
    { 1, &one_1, &big_1 },
    { 2, &one_2, &big_2 },
    { 4, &one_4, &big_4 },
    { 8, &one_8, &big_8 },
    { 16, one_16, big_16 },
};

/* ---- shared state -------------------------------------------------------- */

typedef struct dyn_context {
    vectors_file file;
    vectors_selection expected; /* the TestProviderDyn_ records, file order */
    size_t next_expected;       /* cursor into `expected` */
    size_t matched;             /* events equal to their reference record */
    ehd_builder *builder;       /* reused for every event, as the reference does */
    uint8_t *built;             /* BUILT_EVENT_CAPACITY bytes for copy_event */
} dyn_context;

static dyn_context context;

/* ---- comparison ---------------------------------------------------------- */

/*
 * Once a copy matched: the builder must also fit an exact-size buffer (heap,
 * so ASan sees any byte written past it) and refuse one byte less with
 * ENOSPC while still reporting the size.
 */
static bool copy_respects_capacity(dyn_context *ctx, size_t event_size, const char *label)
{
    uint8_t *exact = malloc(event_size);
    assert_non_null(exact);
    size_t size = 0;
    int err = ehd_builder_copy_event(ctx->builder, DYN_SET_LEVEL, NULL, NULL, exact,
                                     event_size, &size);
    bool ok = err == 0 && size == event_size;
    if (ok) {
        size = 0;
        err = ehd_builder_copy_event(ctx->builder, DYN_SET_LEVEL, NULL, NULL, exact,
                                     event_size - 1, &size);
        ok = err == ENOSPC && size == event_size;
        if (!ok)
            fprintf(stderr, "%s: copy into %zu bytes returned %d with size %zu, want ENOSPC "
                            "and %zu\n", label, event_size - 1, err, size, event_size);
    } else {
        fprintf(stderr, "%s: copy into exactly %zu bytes returned %d with size %zu\n", label,
                event_size, err, size);
    }
    free(exact);
    return ok;
}

/*
 * Compares the builder's current event, written to a set of `level` with the
 * given ids and named `tracepoint_name`, with the next reference record, and
 * moves the cursor past it whatever the outcome, so one bad event does not
 * shift every later comparison. Prints why on mismatch and returns false
 * instead of failing at once: the caller checks a whole group, so one run
 * shows every broken event.
 */
static bool expect_next_event(dyn_context *ctx, uint8_t level, const void *activity_id,
                              const void *related_id, const char *tracepoint_name,
                              const char *label)
{
    if (ctx->next_expected >= ctx->expected.count) {
        fprintf(stderr, "%s: the reference has no record left (all %zu used)\n", label,
                ctx->expected.count);
        return false;
    }
    size_t index = ctx->next_expected++;
    const ehd_capture_record *want = ctx->expected.records[index];

    if (strcmp(want->tracepoint_name, tracepoint_name) != 0) {
        fprintf(stderr, "event %zu (%s): tracepoint \"%s\", reference has \"%s\"\n", index,
                label, tracepoint_name, want->tracepoint_name);
        return false;
    }

    size_t built_size = 0;
    int err = ehd_builder_copy_event(ctx->builder, level, activity_id, related_id, ctx->built,
                                     BUILT_EVENT_CAPACITY, &built_size);
    if (err != 0) {
        fprintf(stderr, "event %zu (%s): ehd_builder_copy_event returned %d (%s)\n", index,
                label, err, strerror(err));
        return false;
    }

    size_t differs_at =
        vectors_first_difference(want->event, want->event_size, ctx->built, built_size);
    if (differs_at != SIZE_MAX) {
        fprintf(stderr,
                "event %zu (%s): differs at byte %zu (reference %zu bytes, built %zu)\n",
                index, label, differs_at, want->event_size, built_size);
        vectors_print_difference(stderr, want->event, want->event_size, ctx->built,
                                 built_size, differs_at);
        return false;
    }

    if (!copy_respects_capacity(ctx, built_size, label))
        return false;
    ctx->matched++;
    return true;
}

/* ---- the reference's events -------------------------------------------- */

/*
 * The six events TestDynamic.cpp writes for one format: per value width, a
 * binary and a counted 8-bit string of "one", then the same of "big", each
 * field named <b|s><width><one|big> and carrying `format`.
 */
static void check_format_group(dyn_context *ctx, uint8_t format, const char *event_name)
{
    char tracepoint_name[EHD_NAME_MAX];
    assert_int_equal(ehd_format_tracepoint_name(tracepoint_name, DYN_PROVIDER_NAME,
                                                DYN_SET_LEVEL, DYN_SET_KEYWORD, ""),
                     0);

    size_t failures = 0;
    for (size_t i = 0; i < sizeof value_widths / sizeof value_widths[0]; i++) {
        const value_width *w = &value_widths[i];
        char binary_one[16], string_one[16], binary_big[16], string_big[16], label[64];
        snprintf(binary_one, sizeof binary_one, "b%zuone", w->width);
        snprintf(string_one, sizeof string_one, "s%zuone", w->width);
        snprintf(binary_big, sizeof binary_big, "b%zubig", w->width);
        snprintf(string_big, sizeof string_big, "s%zubig", w->width);
        snprintf(label, sizeof label, "%s, %zu-byte values", event_name, w->width);

        ehd_builder *b = ctx->builder;
        ehd_builder_reset(b, event_name, 0);
        ehd_builder_add_binary(b, binary_one, w->one, w->width, format, 0);
        ehd_builder_add_string(b, string_one, w->one, 1, w->width, format, 0);
        ehd_builder_add_binary(b, binary_big, w->big, w->width, format, 0);
        ehd_builder_add_string(b, string_big, w->big, 1, w->width, format, 0);

        if (!expect_next_event(ctx, DYN_SET_LEVEL, NULL, NULL, tracepoint_name, label))
            failures++;
    }
    assert_int_equal(failures, 0);
}

/*
 * One test per format, in the reference's order. The event names are the
 * reference's spelling of each format; 17 and 18 were called ip_address and
 * ip_address_obsolete there and are EHD_FMT_IPV4 and EHD_FMT_IPV6 here (same
 * values).
 */
#define DEFINE_FORMAT_TEST(event_name, format)                       \
    static void test_format_##event_name(void **state)               \
    {                                                                \
        check_format_group(*state, format, #event_name);             \
    }

DEFINE_FORMAT_TEST(default, EHD_FMT_DEFAULT)
DEFINE_FORMAT_TEST(unsigned_int, EHD_FMT_UNSIGNED_INT)
DEFINE_FORMAT_TEST(signed_int, EHD_FMT_SIGNED_INT)
DEFINE_FORMAT_TEST(hex_int, EHD_FMT_HEX_INT)
DEFINE_FORMAT_TEST(errno, EHD_FMT_ERRNO)
DEFINE_FORMAT_TEST(pid, EHD_FMT_PID)
DEFINE_FORMAT_TEST(time, EHD_FMT_TIME)
DEFINE_FORMAT_TEST(boolean, EHD_FMT_BOOLEAN)
DEFINE_FORMAT_TEST(float, EHD_FMT_FLOAT)
DEFINE_FORMAT_TEST(hex_bytes, EHD_FMT_HEX_BYTES)
DEFINE_FORMAT_TEST(string8, EHD_FMT_STRING8)
DEFINE_FORMAT_TEST(string_utf, EHD_FMT_STRING_UTF)
DEFINE_FORMAT_TEST(string_utf_bom, EHD_FMT_STRING_UTF_BOM)
DEFINE_FORMAT_TEST(string_xml, EHD_FMT_STRING_XML)
DEFINE_FORMAT_TEST(string_json, EHD_FMT_STRING_JSON)
DEFINE_FORMAT_TEST(uuid, EHD_FMT_UUID)
DEFINE_FORMAT_TEST(port, EHD_FMT_PORT)
DEFINE_FORMAT_TEST(ip_address, EHD_FMT_IPV4)
DEFINE_FORMAT_TEST(ip_address_obsolete, EHD_FMT_IPV6)

/* ---- bookkeeping tests --------------------------------------------------- */

/* A different count means the vectors or the selection changed, and the
 * per-format tests would compare against the wrong records. */
static void test_reference_has_all_dyn_events(void **state)
{
    dyn_context *ctx = *state;
    assert_int_equal(ctx->expected.count, DYN_EVENT_COUNT);
}

/* Catches a reference event no test rebuilt, and any that did not match. */
static void test_every_reference_event_rebuilt(void **state)
{
    dyn_context *ctx = *state;
    assert_int_equal(ctx->next_expected, ctx->expected.count);
    assert_int_equal(ctx->matched, DYN_EVENT_COUNT);
    printf("%zu of %zu TestProviderDyn events match byte for byte\n", ctx->matched,
           ctx->expected.count);
}

static int setup_builder(void **state)
{
    dyn_context *ctx = &context;
    if ((ctx->builder = ehd_builder_new(NULL)) == NULL)
        return -1;
    ctx->built = malloc(BUILT_EVENT_CAPACITY);
    if (ctx->built == NULL)
        return -1;
    *state = ctx;
    return 0;
}

static int teardown_builder(void **state)
{
    dyn_context *ctx = *state;
    ehd_builder_free(ctx->builder);
    free(ctx->built);
    ctx->built = NULL;
    return 0;
}

int main(void)
{
    /* Decided before cmocka starts, so a machine without the vectors reports
     * one SKIP line instead of a run of failures. */
    vectors_load_or_skip(&context.file, VECTORS_FILE_NAME);
    if (vectors_select_by_prefix(&context.file, DYN_TRACEPOINT_PREFIX, &context.expected) != 0) {
        fprintf(stderr, "out of memory selecting records\n");
        return 1;
    }

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_has_all_dyn_events),
        cmocka_unit_test(test_format_default),
        cmocka_unit_test(test_format_unsigned_int),
        cmocka_unit_test(test_format_signed_int),
        cmocka_unit_test(test_format_hex_int),
        cmocka_unit_test(test_format_errno),
        cmocka_unit_test(test_format_pid),
        cmocka_unit_test(test_format_time),
        cmocka_unit_test(test_format_boolean),
        cmocka_unit_test(test_format_float),
        cmocka_unit_test(test_format_hex_bytes),
        cmocka_unit_test(test_format_string8),
        cmocka_unit_test(test_format_string_utf),
        cmocka_unit_test(test_format_string_utf_bom),
        cmocka_unit_test(test_format_string_xml),
        cmocka_unit_test(test_format_string_json),
        cmocka_unit_test(test_format_uuid),
        cmocka_unit_test(test_format_port),
        cmocka_unit_test(test_format_ip_address),
        cmocka_unit_test(test_format_ip_address_obsolete),
        cmocka_unit_test(test_every_reference_event_rebuilt),
    };
    int failed = cmocka_run_group_tests_name("dynamic_vectors", tests, setup_builder,
                                             teardown_builder);

    vectors_selection_free(&context.expected);
    vectors_free(&context.file);
    return failed == 0 ? 0 : 1;
}
