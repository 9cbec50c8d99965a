/*
 * The way `ehshim parse` decodes the events it builds, held to the way
 * every other caller does: ehd_builder_copy_event_view must copy the same
 * bytes as ehd_builder_copy_event and fill the view ehd_event_parse fills
 * for them, with the tracepoint name's parse taken from another event's;
 * ehd_decode_json_view must write the line ehd_decode_json(_ex) writes,
 * after the lines before it in the same text as `ehshim parse` gathers
 * them, as separate texts joined would be. On the
 * round-trip generator's random events (every encoding, format, array,
 * struct, header value), under names with and without options.
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

#include "decode_internal.h" /* ehd__text_put(c): lines gathered as ehshim parse does */
#include "ehd/ehd.h"
#include "ehd/ehd_decode.h"
#include "../lib/roundtrip_gen.h"

/* Offset of a pointer of a view into the event it was parsed from. */
static ptrdiff_t offset_in(const void *p, const void *event)
{
    return p == NULL ? -1 : (const uint8_t *)p - (const uint8_t *)event;
}

/* `got` (of event `got_event`) is the view `want` (of `want_event`) in
 * every member: values equal, pointers into the events at the same
 * offsets, pointers into the tracepoint name the same. */
static void same_view(const ehd_event_view *want, const uint8_t *want_event,
                      const ehd_event_view *got, const uint8_t *got_event)
{
    assert_ptr_equal(want->tracepoint_name, got->tracepoint_name);
    assert_int_equal(want->tracepoint_name_len, got->tracepoint_name_len);
    assert_ptr_equal(want->provider_name, got->provider_name);
    assert_int_equal(want->provider_name_len, got->provider_name_len);
    assert_ptr_equal(want->options, got->options);
    assert_int_equal(want->options_len, got->options_len);
    assert_true(want->keyword == got->keyword);
    assert_int_equal(offset_in(want->event_name, want_event),
                     offset_in(got->event_name, got_event));
    assert_int_equal(want->event_name_len, got->event_name_len);
    assert_int_equal(want->event_name_plain_len, got->event_name_plain_len);
    assert_int_equal(want->flags, got->flags);
    assert_int_equal(want->version, got->version);
    assert_int_equal(want->id, got->id);
    assert_int_equal(want->tag, got->tag);
    assert_int_equal(want->opcode, got->opcode);
    assert_int_equal(want->level, got->level);
    assert_int_equal(want->little_endian, got->little_endian);
    assert_int_equal(offset_in(want->activity_id, want_event),
                     offset_in(got->activity_id, got_event));
    assert_int_equal(offset_in(want->related_id, want_event),
                     offset_in(got->related_id, got_event));
    assert_int_equal(offset_in(want->meta, want_event), offset_in(got->meta, got_event));
    assert_int_equal(want->meta_size, got->meta_size);
    assert_int_equal(want->meta_offset, got->meta_offset);
    assert_int_equal(offset_in(want->data, want_event), offset_in(got->data, got_event));
    assert_int_equal(want->data_size, got->data_size);
    assert_int_equal(want->data_offset, got->data_offset);
}

/* The parse of `tracepoint` (level `level`) from an event of its own, as
 * `ehshim parse` keeps it from the first event under a name. */
static void parse_name(const char *tracepoint, uint8_t level, ehd_event_view *name)
{
    static uint8_t event[EHD_EVENT_MAX];
    ehd_builder *other = ehd_builder_new(NULL);
    assert_non_null(other);
    ehd_builder_reset_n(other, "First;a=1", 9, 7);
    uint32_t v = 1;
    ehd_builder_add_value_n(other, "v", 1, &v, sizeof v, EHD_FMT_DEFAULT, 0);
    size_t size = 0;
    assert_int_equal(0, ehd_builder_copy_event(other, level, NULL, NULL, event, sizeof event,
                                               &size));
    assert_int_equal(0, ehd_event_parse(name, tracepoint, strlen(tracepoint), event, size, NULL));
    ehd_builder_free(other);
}

static void test_random_events(void **state)
{
    (void)state;
    static rt_generator generator;
    static uint8_t copied[EHD_EVENT_MAX], viewed[EHD_EVENT_MAX];
    static char tracepoint[EHD_NAME_MAX + 16];
    ehd_text want_json = EHD_TEXT_INIT, got_json = EHD_TEXT_INIT;
    ehd_text gathered = EHD_TEXT_INIT, joined = EHD_TEXT_INIT;
    static const ehd_sample_meta sample = {
        .present = EHD_SAMPLE_TIME | EHD_SAMPLE_CPU | EHD_SAMPLE_PID_TID,
        .time_is_utc = true,
        .time_ns = 1700000000123456789u,
        .cpu = 3,
        .pid = 42,
        .tid = 43,
    };
    assert_int_equal(rt_generator_init(&generator, RT_DEFAULT_SEED), 0);
    for (int n = 0; n < 3000; n++) {
        rt_event header;
        assert_true(rt_generate(&generator, &header));
        /* Every other event under a name with options. */
        snprintf(tracepoint, sizeof tracepoint, "%s%s", header.tracepoint,
                 n % 2 != 0 ? "Gsome1group" : "");
        ehd_event_view name;
        parse_name(tracepoint, header.level, &name);

        size_t want_size = 0, got_size = 0;
        assert_int_equal(0, ehd_builder_copy_event(generator.builder, header.level, NULL, NULL,
                                                   copied, sizeof copied, &want_size));
        ehd_event_view want, got;
        assert_int_equal(0, ehd_event_parse(&want, tracepoint, strlen(tracepoint), copied,
                                            want_size, NULL));
        assert_int_equal(0, ehd_builder_copy_event_view(generator.builder, &name, viewed,
                                                        sizeof viewed, &got_size, &got));
        assert_int_equal(want_size, got_size);
        assert_memory_equal(copied, viewed, want_size);
        same_view(&want, copied, &got, viewed);

        const ehd_sample_meta *meta = n % 3 == 0 ? &sample : NULL;
        ehd_text_clear(&want_json);
        ehd_text_clear(&got_json);
        int want_rc = ehd_decode_json_ex(&want_json, tracepoint, strlen(tracepoint), copied,
                                         want_size, meta, NULL);
        int got_rc = ehd_decode_json_view(&got_json, &got, meta, NULL);
        assert_int_equal(want_rc, got_rc);
        assert_int_equal(want_json.len, got_json.len);
        assert_memory_equal(want_json.chars, got_json.chars, want_json.len);

        /* Lines gathered in one text, each with its newline. */
        assert_int_equal(0, ehd_decode_json_view(&gathered, &got, meta, NULL));
        ehd__text_putc(&gathered, '\n');
        ehd__text_put(&joined, want_json.chars, want_json.len);
        ehd__text_putc(&joined, '\n');
        assert_int_equal(0, gathered.error);
        assert_int_equal(0, joined.error);
        assert_int_equal(joined.len, gathered.len);
        assert_memory_equal(joined.chars, gathered.chars, joined.len);
        if (gathered.len > 100000) {
            ehd_text_clear(&gathered);
            ehd_text_clear(&joined);
        }
    }
    rt_generator_destroy(&generator);
    ehd_text_free(&want_json);
    ehd_text_free(&got_json);
    ehd_text_free(&gathered);
    ehd_text_free(&joined);
}

/* Event names with attributes after a ';', a NUL inside, neither: the
 * generator's names have none of those. */
static void test_event_names(void **state)
{
    (void)state;
    static uint8_t copied[EHD_EVENT_MAX], viewed[EHD_EVENT_MAX];
    static const struct {
        const char *name;
        size_t len;
    } names[] = {
        { "Plain", 5 }, { "With;attr=1", 11 }, { ";first", 6 }, { "two;a;b", 7 },
        { "nul\0inside;x", 13 }, { "", 0 }, { "fifteen_bytes__;x", 17 },
        { "a_rather_long_event_name;k=v", 28 }, { "sixteen_bytes_ab", 16 },
        { "thirty-one_bytes_of_event_name_", 31 }, { "thirty-two_bytes_of_event_name_;", 32 },
        { "past_the_64_bytes_looked_at_in_words_sixteen_at_a_time_and_more_;attr=1", 72 },
        { "a;b", 3 }, { "name_of_sixteen_;and_after_it", 29 },
        { "first;_then_bytes_to_pass_16;x", 30 },
    };
    ehd_event_view name;
    parse_name("P_L5Kff", 5, &name);
    ehd_builder *b = ehd_builder_new(NULL);
    assert_non_null(b);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        ehd_builder_reset_n(b, names[i].name, names[i].len, (uint16_t)i);
        ehd_builder_add_string_n(b, "s", 1, "text", 1, 4, EHD_FMT_DEFAULT, 0);
        size_t want_size = 0, got_size = 0;
        assert_int_equal(0, ehd_builder_copy_event(b, 5, NULL, NULL, copied, sizeof copied,
                                                   &want_size));
        ehd_event_view want, got;
        assert_int_equal(0, ehd_event_parse(&want, "P_L5Kff", 7, copied, want_size, NULL));
        assert_int_equal(0, ehd_builder_copy_event_view(b, &name, viewed, sizeof viewed,
                                                        &got_size, &got));
        assert_int_equal(want_size, got_size);
        same_view(&want, copied, &got, viewed);
    }
    ehd_builder_free(b);
}

/* The errors: those of ehd_builder_copy_event, and EINVAL for what is
 * missing. */
static void test_errors(void **state)
{
    (void)state;
    static uint8_t event[EHD_EVENT_MAX];
    ehd_event_view name, view;
    parse_name("P_L4K1", 4, &name);
    size_t size = 0;
    ehd_builder *b = ehd_builder_new(NULL);
    assert_non_null(b);
    /* Never reset: the builder's own error. */
    assert_int_equal(EINVAL, ehd_builder_copy_event_view(b, &name, event, sizeof event, &size,
                                                         &view));
    ehd_builder_reset_n(b, "E", 1, 0);
    assert_int_equal(EINVAL, ehd_builder_copy_event_view(b, NULL, event, sizeof event, &size,
                                                         &view));
    assert_int_equal(EINVAL, ehd_builder_copy_event_view(b, &name, event, sizeof event, &size,
                                                         NULL));
    size_t want_size = 0;
    assert_int_equal(ENOSPC, ehd_builder_copy_event(b, 4, NULL, NULL, event, 4, &want_size));
    assert_int_equal(ENOSPC, ehd_builder_copy_event_view(b, &name, event, 4, &size, &view));
    assert_int_equal(want_size, size);
    assert_int_equal(EINVAL, ehd_decode_json_view(NULL, &name, NULL, NULL));
    ehd_text text = EHD_TEXT_INIT;
    assert_int_equal(EINVAL, ehd_decode_json_view(&text, NULL, NULL, NULL));
    ehd_text_free(&text);
    ehd_builder_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_events),
        cmocka_unit_test(test_event_names),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
