/*
 * A thread state keeps the metadata of its last plain default event per
 * source and copies it into the next ones. Against a fresh state for every
 * message (which has nothing kept, so builds field by field), on one state
 * that lives through all of them: random messages of every source, idents
 * of every length (past the 255 bytes carried, cut inside a UTF-8
 * character, empty, missing), texts that are cut to max_message_bytes or
 * to a small event_max, grouped and cut records, entry fields, "<N>" prefixes and severity
 * words, and the event_max changed between messages. The same event bytes,
 * level, keyword and truncated flag for each. Then one state used with a
 * second config (another default name, message field and level): its
 * events must be the second config's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/xorshift.h"
#include "engine_harness.h"

/* No rule takes stderr or stdout lines: they all get the default event. */
static const char named_default[] =
    "{ 'provider': 'MetaTest', 'max_message_bytes': 200,\n"
    "  'capture': { 'syslog': true, 'stderr': true, 'stdout': true, 'journal': true },\n"
    "  'default': { 'name': 'Other' },\n"
    "  'rules': [ { 'name': 'Sshd', 'ident': ['sshd'], 'source': 'syslog',\n"
    "               'regex': '^Failed (?<how>\\\\w+)' } ] }";

/* The default event named by source ("Stderr", "Stdout", ...). */
static const char source_named[] =
    "{ 'provider': 'MetaTest',\n"
    "  'capture': { 'syslog': true, 'stderr': true, 'stdout': true, 'journal': true } }";

/* Messages longer than a small event_max leaves room for. */
static const char long_messages[] =
    "{ 'provider': 'MetaTest', 'max_message_bytes': 60000,\n"
    "  'capture': { 'syslog': true, 'stderr': true, 'stdout': true, 'journal': true } }";

/* Another name, message field and level. */
static const char second[] =
    "{ 'provider': 'SecondTest', 'message_field': 'message',\n"
    "  'capture': { 'syslog': true, 'stderr': true, 'stdout': true },\n"
    "  'default': { 'name': 'Elsewhere', 'level': 2 } }";

static const ehs_source sources[] = {
    EHS_SOURCE_STDERR, EHS_SOURCE_STDERR, EHS_SOURCE_STDOUT, EHS_SOURCE_SYSLOG, EHS_SOURCE_JOURNAL,
};

/* A random ident into `buffer` (or NULL). */
static const char *random_ident(uint64_t *seed, char *buffer, size_t size, size_t *len)
{
    static const char *const fixed[] = { "stderr_loop", "sshd", "", "x", "a-much-longer-ident" };
    unsigned pick = xorshift_next(seed) % 8;
    if (pick == 0) {
        *len = 0;
        return NULL;
    }
    if (pick < 6) {
        *len = strlen(fixed[pick - 1]);
        return fixed[pick - 1];
    }
    /* 250 to 259 bytes, a two-byte UTF-8 character across byte 255 now and
     * then: the carried ident is cut to a character boundary. */
    size_t n = 250 + xorshift_next(seed) % 10;
    if (n >= size)
        n = size - 1;
    memset(buffer, 'i', n);
    if (pick == 7) {
        buffer[254] = (char)0xC3;
        buffer[255] = (char)0xA9;
    }
    buffer[n] = '\0';
    *len = n;
    return buffer;
}

/* A random text into `buffer`: short lines, severity words, "<N>"
 * prefixes, a final '\r', and lines past max_message_bytes. */
static size_t random_text(uint64_t *seed, char *buffer, size_t size)
{
    static const char *const lines[] = {
        "worker 3: request 41 done in 17 ms", "ERROR: disk full", "<3>prefixed", "ends in cr\r",
        "warning: low memory", "", "[info] bracketed", "Failed password for root",
        "ValueError: bad value", "java.lang.IllegalStateException: closed",
    };
    unsigned pick = xorshift_next(seed) % 12;
    if (pick < 10) {
        size_t n = strlen(lines[pick]);
        memcpy(buffer, lines[pick], n);
        return n;
    }
    size_t n = 150 + xorshift_next(seed) % 5000;
    if (n > size)
        n = size;
    for (size_t i = 0; i < n; i++)
        buffer[i] = (char)('a' + i % 26);
    if (pick == 11 && n > 200)
        buffer[199] = (char)0xE2, buffer[200] = (char)0x82, buffer[201] = (char)0xAC;
    return n;
}

static void expect_same(harness *kept, harness *fresh, int n)
{
    if (kept->result != fresh->result)
        fail_msg("message %d: result %d, fresh state %d", n, kept->result, fresh->result);
    if (kept->result != EHS_BUILT)
        return;
    if (strcmp(kept->json.chars, fresh->json.chars) != 0)
        fail_msg("message %d:\n  kept:  %s\n  fresh: %s", n, kept->json.chars, fresh->json.chars);
    assert_int_equal(kept->event_size, fresh->event_size);
    assert_memory_equal(kept->event, fresh->event, kept->event_size);
    assert_int_equal(kept->outcome.level, fresh->outcome.level);
    assert_int_equal(kept->outcome.keyword, fresh->outcome.keyword);
    assert_int_equal(kept->outcome.truncated, fresh->outcome.truncated);
}

static void compare(const char *config_text)
{
    harness *kept = harness_new(config_text);
    harness *fresh = harness_new(config_text);
    uint64_t seed = 0xbb67ae8584caa73bu;
    static char ident[300], text[6000];
    size_t event_max = 0;
    for (int n = 0; n < 20000; n++) {
        if (n % 500 == 0) {
            event_max = xorshift_next(&seed) % 2 ? 0 : EHS_EVENT_MAX_MIN;
            ehs_thread_state_set_event_max(kept->state, event_max);
        }
        ehs_thread_state_free(fresh->state);
        fresh->state = ehs_thread_state_new(fresh->config);
        assert_non_null(fresh->state);
        ehs_thread_state_set_event_max(fresh->state, event_max);
        ehs_message message = {
            .source = sources[xorshift_next(&seed) % (sizeof sources / sizeof sources[0])],
            .priority = 8 + (int)(xorshift_next(&seed) % 8),
            .text = text,
        };
        message.ident = random_ident(&seed, ident, sizeof ident, &message.ident_len);
        message.len = random_text(&seed, text, sizeof text);
        message.facility_unknown = xorshift_next(&seed) % 4 == 0;
        if (xorshift_next(&seed) % 16 == 0)
            message.record_lines = 2;
        message.record_cut = xorshift_next(&seed) % 16 == 0;
        if (xorshift_next(&seed) % 16 == 0)
            message.record_detector = (uint8_t)(1 + xorshift_next(&seed) % 2);
        static const ehs_entry_field entry[] = { { "CODE_LINE", 9, "42", 2 } };
        if (xorshift_next(&seed) % 8 == 0)
            message.entry_fields = entry, message.entry_field_count = 1;
        harness_build(fresh, &message);
        harness_build(kept, &message);
        expect_same(kept, fresh, n);
    }
    harness_free(kept);
    harness_free(fresh);
}

static void test_named_default(void **state)
{
    (void)state;
    compare(named_default);
}

static void test_source_named(void **state)
{
    (void)state;
    compare(source_named);
}

static void test_long_messages(void **state)
{
    (void)state;
    compare(long_messages);
}

/* A state made for one config, used with another: what it kept for the
 * first must not go into the second's events. */
static void test_other_config(void **state)
{
    (void)state;
    harness *first = harness_new(named_default);
    harness *other = harness_new(second);
    const char *line = "worker 3: request 41 done in 17 ms";
    for (int round = 0; round < 3; round++) {
        assert_json(harness_stderr(first, "prog", line),
                    "{ \"n\": \"MetaTest:Other\", \"msg\": \"worker 3: request 41 done in 17 ms\", "
                    "\"ident\": \"prog\", \"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
        ehs_thread_state *own = other->state;
        other->state = first->state;
        assert_json(harness_stderr(other, "prog", line),
                    "{ \"n\": \"SecondTest:Elsewhere\", \"message\": \"worker 3: request 41 done "
                    "in 17 ms\", \"ident\": \"prog\", \"meta\": { \"level\": 2, \"keyword\": "
                    "\"0x2\" } }");
        other->state = own;
        assert_json(harness_stderr(other, "prog", line),
                    "{ \"n\": \"SecondTest:Elsewhere\", \"message\": \"worker 3: request 41 done "
                    "in 17 ms\", \"ident\": \"prog\", \"meta\": { \"level\": 2, \"keyword\": "
                    "\"0x2\" } }");
    }
    harness_free(first);
    harness_free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_default),
        cmocka_unit_test(test_source_named),
        cmocka_unit_test(test_long_messages),
        cmocka_unit_test(test_other_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
