/*
 * Events fit their backend: with a state's event_max set to what
 * user_events carries, every message, however long, becomes one event no
 * larger, the message field cut first (keeping at least 1 KiB), then other
 * strings, and the event says truncated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

#include "engine_harness.h"

enum { LINE_MAX_BYTES = 64000 };

/* `len` bytes of "abcdefghij" repeated, behind `prefix`, NUL-terminated. */
static char *make_line(const char *prefix, size_t len)
{
    char *line = malloc(len + 1);
    assert_non_null(line);
    size_t p = strlen(prefix);
    assert_true(p <= len);
    memcpy(line, prefix, p);
    for (size_t i = p; i < len; i++)
        line[i] = (char)('a' + (i - p) % 10);
    line[len] = '\0';
    return line;
}

/* Length of the string value of field `name` in the harness's JSON line,
 * whose value holds no escapes; asserts it is a prefix of `expected`. */
static size_t field_length(const harness *h, const char *name, const char *expected)
{
    char key[64];
    snprintf(key, sizeof key, "\"%s\": \"", name);
    const char *start = strstr(h->json.chars, key);
    if (start == NULL)
        fail_msg("no field %s in %.200s", name, h->json.chars);
    start += strlen(key);
    const char *end = strchr(start, '"');
    assert_non_null(end);
    size_t len = (size_t)(end - start);
    assert_memory_equal(start, expected, len);
    return len;
}

static harness *user_events_harness(const char *config)
{
    harness *h = harness_new(config);
    ehs_thread_state_set_event_max(h->state, EHD_USER_EVENTS_EVENT_MAX);
    assert_int_equal(ehs_thread_state_event_max(h->state), EHD_USER_EVENTS_EVENT_MAX);
    return h;
}

/* 1 KB to 64 KB lines through stderr and syslog, default events and a rule
 * with captures: each fits, the long ones are cut as little as possible. */
static void test_lines_fit_user_events(void **state)
{
    (void)state;
    harness *h = user_events_harness(
        "{ 'provider': 'P', 'max_message_bytes': 65000, 'rules': ["
        "  { 'name': 'Request', 'regex': '^req (?<verb>[a-z]+) (?<path>\\\\S{0,40})' } ] }");
    static const size_t sizes[] = { 1000, 2000, 4000, 7900, 8200, 16000, 32000, 64000 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (int rule = 0; rule < 2; rule++) {
            char *line = make_line(rule ? "req get " : "", sizes[i]);
            for (int syslog_source = 0; syslog_source < 2; syslog_source++) {
                if (syslog_source)
                    harness_syslog(h, "app", LOG_DAEMON | LOG_ERR, line);
                else
                    harness_stderr(h, "app", line);
                assert_true(h->event_size <= EHD_USER_EVENTS_EVENT_MAX);
                size_t kept = field_length(h, "msg", line);
                bool cut = kept < sizes[i];
                assert_int_equal(h->outcome.truncated, cut);
                assert_int_equal(strstr(h->json.chars, "\"truncated\": true") != NULL, cut);
                /* Whole up to about 8 KB less the event's other bytes; a cut
                 * event is filled to within the builder's 68-byte allowance
                 * for headers. */
                assert_int_equal(cut, sizes[i] > 7900);
                if (cut)
                    assert_true(h->event_size > EHD_USER_EVENTS_EVENT_MAX - 68);
                if (rule)
                    assert_non_null(strstr(h->json.chars, "\"n\": \"P:Request\", \"verb\": \"get\", "
                                                          "\"path\": \"abcdefghijabcdefghij"));
            }
            free(line);
        }
    }
    harness_free(h);
}

/* The message gives way first; down to 1 KiB, then the captures do. */
static void test_message_is_cut_before_fields(void **state)
{
    (void)state;
    harness *h = user_events_harness(
        "{ 'provider': 'P', 'max_message_bytes': 65000, 'rules': ["
        "  { 'name': 'Cap', 'regex': '^cap (?<v>.*)$' } ] }");

    /* A 6000-byte capture fits whole; the message takes what is left. */
    char *line = make_line("cap ", 6004);
    harness_stderr(h, "app", line);
    assert_true(h->event_size <= EHD_USER_EVENTS_EVENT_MAX);
    assert_int_equal(field_length(h, "v", line + 4), 6000);
    size_t kept = field_length(h, "msg", line);
    assert_in_range(kept, 1024, 6003);
    assert_true(h->outcome.truncated);
    free(line);

    /* A 20000-byte capture is cut; the message keeps its first 1 KiB. */
    line = make_line("cap ", 20004);
    harness_stderr(h, "app", line);
    assert_true(h->event_size <= EHD_USER_EVENTS_EVENT_MAX);
    size_t v = field_length(h, "v", line + 4);
    assert_in_range(v, 4000, 7000);
    assert_in_range(field_length(h, "msg", line), 1024, 2048);
    assert_true(h->outcome.truncated);
    free(line);
    harness_free(h);
}

/* A cut never splits a UTF-8 character. */
static void test_cut_on_character_boundary(void **state)
{
    (void)state;
    harness *h = user_events_harness("{ 'provider': 'P', 'max_message_bytes': 65000 }");
    size_t chars = 9000;
    char *line = malloc(chars * 2 + 2);
    assert_non_null(line);
    line[0] = 'x'; /* shifts the two-byte characters off even offsets */
    for (size_t i = 0; i < chars; i++)
        memcpy(line + 1 + 2 * i, "\xc3\xa9", 2);
    line[1 + 2 * chars] = '\0';
    harness_stderr(h, "app", line);
    assert_true(h->event_size <= EHD_USER_EVENTS_EVENT_MAX);
    assert_true(h->outcome.truncated);
    const char *start = strstr(h->json.chars, "\"msg\": \"x");
    assert_non_null(start);
    start += strlen("\"msg\": \"x");
    const char *end = strchr(start, '"');
    assert_non_null(end);
    assert_true((end - start) % 2 == 0);
    assert_memory_equal(start, line + 1, (size_t)(end - start));
    free(line);
    harness_free(h);
}

/* kv pairs and JSON members stop before the event would pass the limit. */
static void test_kv_and_json_fit(void **state)
{
    (void)state;
    harness *h = user_events_harness("{ 'provider': 'P', 'max_message_bytes': 65000, 'rules': ["
                                     "  { 'name': 'Kv', 'kv': true, 'source': 'stderr' },"
                                     "  { 'name': 'J', 'json': true, 'source': 'syslog' } ] }");
    char *line = malloc(LINE_MAX_BYTES + 1);
    assert_non_null(line);
    size_t n = 0;
    for (int i = 0; n + 40 < LINE_MAX_BYTES; i++)
        n += (size_t)snprintf(line + n, LINE_MAX_BYTES - n, "%skey%d=value%d", i ? " " : "", i, i);
    harness_stderr(h, "app", line);
    assert_true(h->event_size <= EHD_USER_EVENTS_EVENT_MAX);
    assert_true(h->outcome.truncated);
    assert_non_null(strstr(h->json.chars, "\"key0\": \"value0\""));

    n = 0;
    n += (size_t)snprintf(line + n, LINE_MAX_BYTES - n, "{\"list\":[");
    for (int i = 0; n + 40 < LINE_MAX_BYTES; i++)
        n += (size_t)snprintf(line + n, LINE_MAX_BYTES - n, "%s\"item%d\"", i ? "," : "", i);
    n += (size_t)snprintf(line + n, LINE_MAX_BYTES + 1 - n, "]}");
    harness_syslog(h, "app", LOG_USER | LOG_INFO, line);
    assert_true(h->event_size <= EHD_USER_EVENTS_EVENT_MAX);
    assert_true(h->outcome.truncated);
    assert_non_null(strstr(h->json.chars, "\"list\": [ \"item0\", \"item1\""));
    free(line);
    harness_free(h);
}

static void test_event_max_bounds(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P' }");
    assert_int_equal(ehs_thread_state_event_max(h->state), EHD_EVENT_MAX);
    ehs_thread_state_set_event_max(h->state, 100);
    assert_int_equal(ehs_thread_state_event_max(h->state), EHS_EVENT_MAX_MIN);
    ehs_thread_state_set_event_max(h->state, 0);
    assert_int_equal(ehs_thread_state_event_max(h->state), EHD_EVENT_MAX);
    ehs_thread_state_set_event_max(h->state, 1 << 20);
    assert_int_equal(ehs_thread_state_event_max(h->state), EHD_EVENT_MAX);
    ehs_thread_state_set_event_max(NULL, 8184);
    assert_int_equal(ehs_thread_state_event_max(NULL), 0);
    harness_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_fit_user_events),
        cmocka_unit_test(test_message_is_cut_before_fields),
        cmocka_unit_test(test_cut_on_character_boundary),
        cmocka_unit_test(test_kv_and_json_fit),
        cmocka_unit_test(test_event_max_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
