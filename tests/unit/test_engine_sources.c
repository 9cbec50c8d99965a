/*
 * The journal and stdout as sources in the rules engine: a journal entry's
 * own fields as event fields (typed by the rule, else as journald types
 * them, else strings), its level and facility, journal rules without a
 * matcher, level_field on an entry field, the event budget over many
 * fields; stdout lines as stderr lines with their own name and keyword.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine_harness.h"

#define FIELD(name, value) { name, sizeof(name) - 1, value, sizeof(value) - 1 }

static const char *journal(harness *h, const char *ident, int priority, bool facility_unknown,
                           const char *text, const ehs_entry_field *fields, size_t count)
{
    ehs_message message = {
        .source = EHS_SOURCE_JOURNAL,
        .ident = ident,
        .ident_len = strlen(ident),
        .priority = priority,
        .facility_unknown = facility_unknown,
        .text = text,
        .len = strlen(text),
        .entry_fields = fields,
        .entry_field_count = count,
    };
    return harness_build(h, &message);
}

static const ehs_entry_field entry[] = {
    FIELD("CODE_FILE", "app.c"),   FIELD("CODE_LINE", "42"),  FIELD("CODE_FUNC", "main"),
    FIELD("ERRNO", "2"),           FIELD("SYSLOG_PID", "77"), FIELD("TID", "78"),
    FIELD("MESSAGE_ID", "fc2e22bc6ee647b6b90729ab34a250b1"), FIELD("USER_ID", "1000"),
    FIELD("BLOB", "a\nb\0c"),      FIELD("CODE_FILE", "again.c"),
};
#define ENTRY_COUNT (sizeof entry / sizeof entry[0])

static void test_journal_default_event(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P' }");
    /* journald's typed fields typed, the rest strings, a repeat left out;
     * no SYSLOG_FACILITY: no facility field. */
    assert_json(journal(h, "app", 3, true, "it failed", entry, ENTRY_COUNT),
                "{ \"n\": \"P:Journal\", \"CODE_FILE\": \"app.c\", \"CODE_LINE\": 42, "
                "\"CODE_FUNC\": \"main\", \"ERRNO\": \"ENOENT(2)\", \"SYSLOG_PID\": 77, "
                "\"TID\": 78, \"MESSAGE_ID\": \"fc2e22bc-6ee6-47b6-b907-29ab34a250b1\", "
                "\"USER_ID\": \"1000\", \"BLOB\": \"a\\nb\\u0000c\", \"msg\": \"it failed\", "
                "\"ident\": \"app\", \"meta\": { \"level\": 2, \"keyword\": \"0x4\" } }");
    /* With SYSLOG_FACILITY (LOG_DAEMON, 3) and no fields. */
    assert_json(journal(h, "app", 3 << 3 | 6, false, "hello", NULL, 0),
                "{ \"n\": \"P:Journal\", \"msg\": \"hello\", \"ident\": \"app\", "
                "\"facility\": 3, \"meta\": { \"level\": 4, \"keyword\": \"0x4\" } }");
    /* A value that does not convert becomes null and is counted. */
    const ehs_entry_field bad[] = { FIELD("CODE_LINE", "x") };
    assert_json(journal(h, "app", 6, true, "m", bad, 1),
                "{ \"n\": \"P:Journal\", \"CODE_LINE\": null, \"msg\": \"m\", \"ident\": "
                "\"app\", \"meta\": { \"level\": 4, \"keyword\": \"0x4\" } }");
    assert_int_equal(h->outcome.conversion_failures, 1);
    harness_free(h);
}

static void test_journal_rules(void **state)
{
    (void)state;
    harness *h = harness_new(
        "{ 'provider': 'P', 'rules': ["
        "  { 'name': 'Quiet', 'source': 'journal', 'ident': 'noisy', 'drop': true },"
        "  { 'name': 'Login', 'source': 'journal', 'regex': '^login (?<user>\\\\w+)$',"
        "    'fields': { 'USER_ID': 'u32', 'CODE_LINE': 'string' } },"
        "  { 'name': 'App', 'source': 'journal', 'ident': 'app*', 'keyword': '0x10',"
        "    'level_field': 'STATE', 'level_map': { 'failed': 'critical' } },"
        "  { 'name': 'Err', 'source': 'stderr', 'regex': '.' } ] }");
    const ehs_entry_field login[] = { FIELD("USER_ID", "1000"), FIELD("CODE_LINE", "42"),
                                      FIELD("user", "shadowed") };
    /* Captures first; the rule's types win over journald's; a field named
     * like a capture is left out. */
    assert_json(journal(h, "sshd", 6, true, "login bob", login, 3),
                "{ \"n\": \"P:Login\", \"user\": \"bob\", \"USER_ID\": 1000, \"CODE_LINE\": "
                "\"42\", \"msg\": \"login bob\", \"ident\": \"sshd\", \"meta\": { \"level\": "
                "4, \"keyword\": \"0x4\" } }");
    /* No matcher: every entry of its ident; the level from an entry field. */
    const ehs_entry_field failed[] = { FIELD("STATE", "failed"), FIELD("UNIT", "x.service") };
    assert_json(journal(h, "app2", 6, true, "unit state", failed, 2),
                "{ \"n\": \"P:App\", \"STATE\": \"failed\", \"UNIT\": \"x.service\", \"msg\": "
                "\"unit state\", \"ident\": \"app2\", \"meta\": { \"level\": 1, \"keyword\": "
                "\"0x10\" } }");
    assert_string_equal(journal(h, "noisy", 6, true, "x", NULL, 0), "DROPPED");
    /* A stderr rule never sees the journal: the default event. */
    assert_json(journal(h, "other", 6, true, "z", NULL, 0),
                "{ \"n\": \"P:Journal\", \"msg\": \"z\", \"ident\": \"other\", \"meta\": { "
                "\"level\": 4, \"keyword\": \"0x4\" } }");
    harness_free(h);
}

/* More fields than an event takes: the first 248 are kept and the event
 * says truncated. */
static void test_journal_many_fields(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P' }");
    static char names[300][8];
    ehs_entry_field fields[300];
    for (int i = 0; i < 300; i++) {
        snprintf(names[i], sizeof names[i], "F%d", i);
        fields[i] = (ehs_entry_field){ names[i], strlen(names[i]), "v", 1 };
    }
    const char *json = journal(h, "app", 6, true, "many", fields, 300);
    assert_non_null(strstr(json, "\"F247\": \"v\""));
    assert_null(strstr(json, "\"F248\""));
    assert_non_null(strstr(json, "\"truncated\": true"));
    assert_true(h->outcome.truncated);
    harness_free(h);
}

static void test_stdout_lines(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P', 'capture': { 'stdout': true }, 'rules': ["
                             "  { 'name': 'Get', 'source': 'stdout', 'regex': '^GET (?<path>\\\\S+)' } ] }");
    assert_json(harness_message(h, EHS_SOURCE_STDOUT, "web", 0, "GET /x HTTP/1.1\r", 16),
                "{ \"n\": \"P:Get\", \"path\": \"/x\", \"msg\": \"GET /x HTTP/1.1\", \"ident\": "
                "\"web\", \"meta\": { \"level\": 4, \"keyword\": \"0x8\" } }");
    /* Level words and "<N>" prefixes as on stderr. */
    assert_json(harness_message(h, EHS_SOURCE_STDOUT, "web", 0, "ERROR: down", 11),
                "{ \"n\": \"P:Stdout\", \"msg\": \"ERROR: down\", \"ident\": \"web\", \"meta\": "
                "{ \"level\": 2, \"keyword\": \"0x8\" } }");
    assert_json(harness_message(h, EHS_SOURCE_STDOUT, "web", 0, "<4>careful", 10),
                "{ \"n\": \"P:Stdout\", \"msg\": \"careful\", \"ident\": \"web\", \"meta\": "
                "{ \"level\": 3, \"keyword\": \"0x8\" } }");
    harness_free(h);
}

static void test_source_names(void **state)
{
    (void)state;
    assert_string_equal(ehs_source_name(EHS_SOURCE_JOURNAL), "journal");
    assert_string_equal(ehs_source_name(EHS_SOURCE_STDOUT), "stdout");
    assert_string_equal(ehs_source_name(EHS_SOURCE_COUNT), "?");
    assert_string_equal(ehs_source_event_name(EHS_SOURCE_SYSLOG), "Syslog");
    assert_int_equal(ehs_source_keyword(EHS_SOURCE_STDERR), 0x2);
    ehs_config *config = ehs_config_new_default();
    assert_true(ehs_config_captures(config, EHS_SOURCE_JOURNAL));
    assert_false(ehs_config_captures(config, EHS_SOURCE_STDOUT));
    assert_false(ehs_config_captures(config, EHS_SOURCE_ANY));
    assert_false(ehs_config_captures(NULL, EHS_SOURCE_SYSLOG));
    ehs_config_free(config);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_journal_default_event),
        cmocka_unit_test(test_journal_rules),
        cmocka_unit_test(test_journal_many_fields),
        cmocka_unit_test(test_stdout_lines),
        cmocka_unit_test(test_source_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
