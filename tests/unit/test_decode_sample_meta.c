/*
 * ehd_decode_json_ex: what a collector knows about a perf sample goes first
 * in "meta" -- time, cpu, pid, tid -- in the order and form the reference
 * formatter gives them (time as a quoted UTC date with nanoseconds when the
 * clock's offset is known, else as bare seconds), before the header values;
 * without a sample the line is exactly ehd_decode_json's.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ehd/ehd.h"
#include "ehd/ehd_decode.h"

#define TRACEPOINT "Sampled_L4K1"

/* A small event: one u32 field, level 4, id 7. */
static size_t make_event(uint8_t *buffer, size_t capacity)
{
    ehd_builder *builder = ehd_builder_new(NULL);
    ehd_builder_reset(builder, "Ping", 0);
    ehd_builder_id_version(builder, 7, 0);
    uint32_t value = 42;
    ehd_builder_add_value(builder, "x", &value, sizeof value, EHD_FMT_DEFAULT, 0);
    size_t size = 0;
    assert_int_equal(0, ehd_builder_copy_event(builder, 4, NULL, NULL, buffer, capacity, &size));
    ehd_builder_free(builder);
    return size;
}

static void check_line(const ehd_sample_meta *sample, const char *want)
{
    uint8_t event[256];
    size_t size = make_event(event, sizeof event);
    ehd_text text = EHD_TEXT_INIT;
    ehd_decode_error error;
    int rc = ehd_decode_json_ex(&text, TRACEPOINT, strlen(TRACEPOINT), event, size, sample,
                                &error);
    if (rc != 0)
        fail_msg("error %d: %s", rc, error.message);
    if (strcmp(text.chars, want) != 0)
        fail_msg("want %s\n got %s", want, text.chars);
    ehd_text_free(&text);
}

static void test_utc_time_cpu_pid_tid_come_first(void **state)
{
    (void)state;
    ehd_sample_meta sample = {
        .present = EHD_SAMPLE_TIME | EHD_SAMPLE_CPU | EHD_SAMPLE_PID_TID,
        .time_is_utc = true,
        .time_ns = 1700000000123456789ull, /* 2023-11-14T22:13:20.123456789Z */
        .cpu = 3,
        .pid = 1234,
        .tid = 1240,
    };
    check_line(&sample, "{ \"n\": \"Sampled:Ping\", \"x\": 42, \"meta\": { "
                        "\"time\": \"2023-11-14T22:13:20.123456789Z\", \"cpu\": 3, "
                        "\"pid\": 1234, \"tid\": 1240, \"id\": 7, \"level\": 4, "
                        "\"keyword\": \"0x1\" } }");
}

static void test_clock_time_is_bare_seconds(void **state)
{
    (void)state;
    ehd_sample_meta sample = {
        .present = EHD_SAMPLE_TIME,
        .time_ns = 12000000005ull,
    };
    check_line(&sample, "{ \"n\": \"Sampled:Ping\", \"x\": 42, \"meta\": { "
                        "\"time\": 12.000000005, \"id\": 7, \"level\": 4, "
                        "\"keyword\": \"0x1\" } }");
}

static void test_only_present_members_show(void **state)
{
    (void)state;
    ehd_sample_meta sample = { .present = EHD_SAMPLE_PID_TID, .pid = 0, .tid = 0, .cpu = 9 };
    check_line(&sample, "{ \"n\": \"Sampled:Ping\", \"x\": 42, \"meta\": { "
                        "\"pid\": 0, \"tid\": 0, \"id\": 7, \"level\": 4, "
                        "\"keyword\": \"0x1\" } }");
}

static void test_no_sample_is_ehd_decode_json(void **state)
{
    (void)state;
    uint8_t event[256];
    size_t size = make_event(event, sizeof event);
    ehd_text plain = EHD_TEXT_INIT, extended = EHD_TEXT_INIT;
    assert_int_equal(0, ehd_decode_json(&plain, TRACEPOINT, strlen(TRACEPOINT), event, size, NULL));
    assert_int_equal(0, ehd_decode_json_ex(&extended, TRACEPOINT, strlen(TRACEPOINT), event, size,
                                           NULL, NULL));
    assert_string_equal(plain.chars, extended.chars);
    ehd_sample_meta nothing = { 0 };
    ehd_text_clear(&extended);
    assert_int_equal(0, ehd_decode_json_ex(&extended, TRACEPOINT, strlen(TRACEPOINT), event, size,
                                           &nothing, NULL));
    assert_string_equal(plain.chars, extended.chars);
    ehd_text_free(&plain);
    ehd_text_free(&extended);
}

/* A malformed event leaves the text as it was, sample or not. */
static void test_errors_leave_text_unchanged(void **state)
{
    (void)state;
    ehd_sample_meta sample = { .present = EHD_SAMPLE_CPU, .cpu = 1 };
    static const uint8_t truncated[] = { 0x01, 0x00 };
    ehd_text text = EHD_TEXT_INIT;
    ehd_text_clear(&text);
    int rc = ehd_decode_json_ex(&text, TRACEPOINT, strlen(TRACEPOINT), truncated,
                                sizeof truncated, &sample, NULL);
    assert_true(rc == EBADMSG || rc == ENOTSUP);
    assert_int_equal(0, text.len);
    ehd_text_free(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utc_time_cpu_pid_tid_come_first),
        cmocka_unit_test(test_clock_time_is_bare_seconds),
        cmocka_unit_test(test_only_present_members_show),
        cmocka_unit_test(test_no_sample_is_ehd_decode_json),
        cmocka_unit_test(test_errors_leave_text_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
