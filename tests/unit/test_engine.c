/*
 * The rules engine end to end: configs loaded from text, messages in, the
 * exact JSON line of each event out. Levels from every syslog severity and
 * every "<N>" prefix, fixed levels, level maps; keywords; rule order,
 * sources and idents; drop rules and default events; the fixed fields and
 * truncation; kv rules and kv after a regex; PCRE2 limits; the outcome's
 * counters; and the (level, keyword) list of ehs_config_set_keys.
 * Every type's encoding is in test_engine_types.c, JSON messages in
 * test_json_message.c, threads in test_engine_threads.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "engine_harness.h"

/* ---- levels ---- */

static void test_syslog_severity_levels(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P' }");
    static const uint8_t levels[8] = { 1, 1, 1, 2, 3, 4, 4, 5 };
    for (int severity = 0; severity < 8; severity++) {
        char expected[256];
        /* LOG_AUTH is facility 4; priority = facility << 3 | severity. */
        snprintf(expected, sizeof expected,
                 "{ \"n\": \"P:Syslog\", \"msg\": \"hello\", \"ident\": \"sshd\", "
                 "\"facility\": 4, \"meta\": { \"level\": %u, \"keyword\": \"0x1\" } }",
                 levels[severity]);
        assert_json(harness_syslog(h, "sshd", 4 << 3 | severity, "hello"), expected);
        assert_int_equal(h->outcome.level, levels[severity]);
        assert_int_equal(h->outcome.keyword, 0x1);
        assert_null(h->outcome.rule);
    }
    harness_free(h);
}

static void test_syslog_facilities(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P' }");
    /* LOG_USER|LOG_INFO, LOG_LOCAL7|LOG_DEBUG, LOG_KERN|LOG_EMERG. */
    assert_json(harness_syslog(h, "app", 14, "x"),
                "{ \"n\": \"P:Syslog\", \"msg\": \"x\", \"ident\": \"app\", \"facility\": 1, "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x1\" } }");
    assert_json(harness_syslog(h, "app", 23 << 3 | 7, "x"),
                "{ \"n\": \"P:Syslog\", \"msg\": \"x\", \"ident\": \"app\", \"facility\": 23, "
                "\"meta\": { \"level\": 5, \"keyword\": \"0x1\" } }");
    assert_json(harness_syslog(h, "kernel", 0, "x"),
                "{ \"n\": \"P:Syslog\", \"msg\": \"x\", \"ident\": \"kernel\", \"facility\": 0, "
                "\"meta\": { \"level\": 1, \"keyword\": \"0x1\" } }");
    harness_free(h);
}

static void test_stderr_prefix_levels(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P' }");
    static const uint8_t levels[8] = { 1, 1, 1, 2, 3, 4, 4, 5 };
    for (int n = 0; n < 8; n++) {
        char line[32], expected[256];
        snprintf(line, sizeof line, "<%d>disk full", n);
        snprintf(expected, sizeof expected,
                 "{ \"n\": \"P:Stderr\", \"msg\": \"disk full\", \"ident\": \"app\", "
                 "\"meta\": { \"level\": %u, \"keyword\": \"0x2\" } }",
                 levels[n]);
        assert_json(harness_stderr(h, "app", line), expected);
    }
    /* No prefix: level 4, text unchanged. Not a prefix: kept in the text. */
    assert_json(harness_stderr(h, "app", "plain"),
                "{ \"n\": \"P:Stderr\", \"msg\": \"plain\", \"ident\": \"app\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    assert_json(harness_stderr(h, "app", "<8>x"),
                "{ \"n\": \"P:Stderr\", \"msg\": \"<8>x\", \"ident\": \"app\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    assert_json(harness_stderr(h, "app", "<03>x"),
                "{ \"n\": \"P:Stderr\", \"msg\": \"x\", \"ident\": \"app\", "
                "\"meta\": { \"level\": 2, \"keyword\": \"0x2\" } }");
    assert_json(harness_stderr(h, "app", "<3>"),
                "{ \"n\": \"P:Stderr\", \"msg\": \"\", \"ident\": \"app\", "
                "\"meta\": { \"level\": 2, \"keyword\": \"0x2\" } }");
    /* Syslog messages keep a "<N>" in their text. */
    assert_json(harness_syslog(h, "app", 14, "<1>x"),
                "{ \"n\": \"P:Syslog\", \"msg\": \"<1>x\", \"ident\": \"app\", \"facility\": 1, "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x1\" } }");
    harness_free(h);
}

static const char level_config[] =
    "{ 'provider': 'P', 'rules': ["
    "  { 'name': 'Fixed', 'regex': '^fixed', 'level': 'error', 'keyword': '0x40' },"
    "  { 'name': 'Numeric', 'regex': '^numeric', 'level': 200 },"
    "  { 'name': 'Mapped', 'regex': '^(?<sev>[a-z]+): ', 'level_field': 'sev',"
    "    'level_map': { 'crit': 'critical', 'warn': 3, 'dbg': 'debug' } },"
    "  { 'name': 'MappedFixed', 'regex': '^(?<sev>[A-Z]+)?! ', 'level': 'verbose',"
    "    'level_field': 'sev', 'level_map': { 'CRIT': 1 } }"
    "] }";

static void test_fixed_levels(void **state)
{
    (void)state;
    harness *h = harness_new(level_config);
    /* A fixed level beats both the priority and the prefix. */
    assert_json(harness_syslog(h, "a", 4 << 3 | 7, "fixed"),
                "{ \"n\": \"P:Fixed\", \"msg\": \"fixed\", \"ident\": \"a\", \"facility\": 4, "
                "\"meta\": { \"level\": 2, \"keyword\": \"0x40\" } }");
    assert_json(harness_stderr(h, "a", "<0>fixed"),
                "{ \"n\": \"P:Fixed\", \"msg\": \"fixed\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 2, \"keyword\": \"0x40\" } }");
    assert_json(harness_stderr(h, "a", "numeric"),
                "{ \"n\": \"P:Numeric\", \"msg\": \"numeric\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 200, \"keyword\": \"0x2\" } }");
    harness_free(h);
}

static void test_level_map(void **state)
{
    (void)state;
    harness *h = harness_new(level_config);
    assert_json(harness_stderr(h, "a", "crit: boom"),
                "{ \"n\": \"P:Mapped\", \"sev\": \"crit\", \"msg\": \"crit: boom\", "
                "\"ident\": \"a\", \"meta\": { \"level\": 1, \"keyword\": \"0x2\" } }");
    assert_int_equal(h->outcome.level, 1);
    assert_json(harness_syslog(h, "a", 14, "warn: w"),
                "{ \"n\": \"P:Mapped\", \"sev\": \"warn\", \"msg\": \"warn: w\", "
                "\"ident\": \"a\", \"facility\": 1, \"meta\": { \"level\": 3, \"keyword\": \"0x1\" } }");
    assert_json(harness_stderr(h, "a", "<2>dbg: d"),
                "{ \"n\": \"P:Mapped\", \"sev\": \"dbg\", \"msg\": \"dbg: d\", "
                "\"ident\": \"a\", \"meta\": { \"level\": 5, \"keyword\": \"0x2\" } }");
    /* Not in the map: the message's level (prefix, priority, or 4). */
    assert_json(harness_stderr(h, "a", "<3>other: o"),
                "{ \"n\": \"P:Mapped\", \"sev\": \"other\", \"msg\": \"other: o\", "
                "\"ident\": \"a\", \"meta\": { \"level\": 2, \"keyword\": \"0x2\" } }");
    assert_json(harness_syslog(h, "a", 4 << 3 | 7, "other: o"),
                "{ \"n\": \"P:Mapped\", \"sev\": \"other\", \"msg\": \"other: o\", "
                "\"ident\": \"a\", \"facility\": 4, \"meta\": { \"level\": 5, \"keyword\": \"0x1\" } }");
    /* Case matters in the map: the line is no rule's, and the default
     * event reads its level from the severity word it starts with. */
    assert_json(harness_stderr(h, "a", "Crit: x"),
                "{ \"n\": \"P:Stderr\", \"msg\": \"Crit: x\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 1, \"keyword\": \"0x2\" } }");
    /* Miss with a fixed level: the fixed level; a group that did not take
     * part is a miss too. */
    assert_json(harness_stderr(h, "a", "CRIT! x"),
                "{ \"n\": \"P:MappedFixed\", \"sev\": \"CRIT\", \"msg\": \"CRIT! x\", "
                "\"ident\": \"a\", \"meta\": { \"level\": 1, \"keyword\": \"0x2\" } }");
    assert_json(harness_stderr(h, "a", "<1>WARN! x"),
                "{ \"n\": \"P:MappedFixed\", \"sev\": \"WARN\", \"msg\": \"WARN! x\", "
                "\"ident\": \"a\", \"meta\": { \"level\": 5, \"keyword\": \"0x2\" } }");
    assert_json(harness_stderr(h, "a", "! x"),
                "{ \"n\": \"P:MappedFixed\", \"sev\": null, \"msg\": \"! x\", "
                "\"ident\": \"a\", \"meta\": { \"level\": 5, \"keyword\": \"0x2\" } }");
    assert_int_equal(h->outcome.conversion_failures, 0);
    harness_free(h);
}

/* ---- rule selection, keywords, drop, default ---- */

static const char selection_config[] =
    "{ 'provider': 'P', 'rules': ["
    "  { 'name': 'SshOnly', 'source': 'syslog', 'ident': 'sshd', 'regex': '^Accepted' },"
    "  { 'name': 'ErrOnly', 'source': 'stderr', 'regex': '^Accepted', 'keyword': 12 },"
    "  { 'name': 'Noise', 'regex': '^heartbeat', 'drop': true },"
    "  { 'name': 'First', 'regex': '^same' },"
    "  { 'name': 'Second', 'regex': '^same' },"
    "  { 'name': 'Any', 'regex': '^Accepted', 'keyword': '0xFF00000000000000' }"
    "] }";

static void test_rule_order_source_ident(void **state)
{
    (void)state;
    harness *h = harness_new(selection_config);
    assert_json(harness_syslog(h, "sshd", 38, "Accepted key"),
                "{ \"n\": \"P:SshOnly\", \"msg\": \"Accepted key\", \"ident\": \"sshd\", "
                "\"facility\": 4, \"meta\": { \"level\": 4, \"keyword\": \"0x1\" } }");
    assert_ptr_equal(h->outcome.rule, &h->config->rules[0]);
    /* Another ident, or a prefix of it, skips the ident rule. */
    assert_json(harness_syslog(h, "ssh", 38, "Accepted key"),
                "{ \"n\": \"P:Any\", \"msg\": \"Accepted key\", \"ident\": \"ssh\", "
                "\"facility\": 4, \"meta\": { \"level\": 4, \"keyword\": \"0xFF00000000000000\" } }");
    assert_json(harness_syslog(h, "sshd2", 38, "Accepted key"),
                "{ \"n\": \"P:Any\", \"msg\": \"Accepted key\", \"ident\": \"sshd2\", "
                "\"facility\": 4, \"meta\": { \"level\": 4, \"keyword\": \"0xFF00000000000000\" } }");
    assert_json(harness_stderr(h, "sshd", "Accepted key"),
                "{ \"n\": \"P:ErrOnly\", \"msg\": \"Accepted key\", \"ident\": \"sshd\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0xC\" } }");
    /* The first matching rule wins. */
    assert_json(harness_stderr(h, "x", "same"),
                "{ \"n\": \"P:First\", \"msg\": \"same\", \"ident\": \"x\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    /* A message without an ident carries an empty one. */
    const char *line = harness_message(h, EHS_SOURCE_STDERR, NULL, 0, "same", 4);
    assert_json(line, "{ \"n\": \"P:First\", \"msg\": \"same\", \"ident\": \"\", "
                      "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    harness_free(h);
}

static void test_drop_rules(void **state)
{
    (void)state;
    harness *h = harness_new(selection_config);
    assert_string_equal(harness_stderr(h, "x", "heartbeat 42"), "DROPPED");
    assert_int_equal(h->result, EHS_DROPPED);
    assert_ptr_equal(h->outcome.rule, &h->config->rules[2]);
    assert_string_equal(harness_syslog(h, "x", 14, "heartbeat"), "DROPPED");
    /* A drop rule only drops what it matches. */
    assert_json(harness_stderr(h, "x", "no heartbeat"),
                "{ \"n\": \"P:Stderr\", \"msg\": \"no heartbeat\", \"ident\": \"x\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    harness_free(h);
}

static void test_default_event(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P', 'default': { 'name': 'Unmatched', "
                             "'level': 'warning', 'keyword': '0x8' } }");
    assert_json(harness_syslog(h, "a", 15, "x"),
                "{ \"n\": \"P:Unmatched\", \"msg\": \"x\", \"ident\": \"a\", \"facility\": 1, "
                "\"meta\": { \"level\": 3, \"keyword\": \"0x8\" } }");
    assert_json(harness_stderr(h, "a", "<0>x"),
                "{ \"n\": \"P:Unmatched\", \"msg\": \"x\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 3, \"keyword\": \"0x8\" } }");
    harness_free(h);

    h = harness_new("{ 'provider': 'P', 'rules': [ { 'name': 'Kept', 'regex': '^keep' } ], "
                    "'default': { 'drop': true } }");
    assert_string_equal(harness_stderr(h, "a", "lose this"), "DROPPED");
    assert_null(h->outcome.rule);
    assert_string_equal(harness_syslog(h, "a", 14, "and this"), "DROPPED");
    assert_json(harness_stderr(h, "a", "keep this"),
                "{ \"n\": \"P:Kept\", \"msg\": \"keep this\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    harness_free(h);
}

static void test_header_values(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P', 'group': 'grp', 'rules': [ { 'name': 'Ids', "
                             "'regex': '^x', 'id': 7, 'version': 2, 'tag': 5 } ] }");
    assert_json(harness_stderr(h, "a", "x"),
                "{ \"n\": \"P:Ids\", \"msg\": \"x\", \"ident\": \"a\", \"meta\": { \"id\": 7, "
                "\"version\": 2, \"level\": 4, \"keyword\": \"0x2\", \"tag\": \"0x5\" } }");
    harness_free(h);
}

/* ---- fixed fields and truncation ---- */

static void test_message_field_options(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P', 'message_field': 'text' }");
    assert_json(harness_stderr(h, "a", "hi"),
                "{ \"n\": \"P:Stderr\", \"text\": \"hi\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    harness_free(h);
    h = harness_new("{ 'provider': 'P', 'message_field': null, 'max_message_bytes': 64 }");
    assert_json(harness_syslog(h, "a", 14, "hi"),
                "{ \"n\": \"P:Syslog\", \"ident\": \"a\", \"facility\": 1, "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x1\" } }");
    /* No message field, nothing truncated. */
    char long_line[200];
    memset(long_line, 'x', sizeof long_line - 1);
    long_line[sizeof long_line - 1] = '\0';
    harness_stderr(h, "a", long_line);
    assert_false(h->outcome.truncated);
    harness_free(h);
}

static void test_truncation(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P', 'max_message_bytes': 64, 'rules': ["
                             "  { 'name': 'Word', 'regex': '^(?<w>[a-z]+)' } ] }");
    char line[101];
    memset(line, 'a', 100);
    line[100] = '\0';
    char expected[512];
    snprintf(expected, sizeof expected,
             "{ \"n\": \"P:Word\", \"w\": \"%.64s\", \"msg\": \"%.64s\", \"truncated\": true, "
             "\"ident\": \"a\", \"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }",
             line, line);
    /* Captures are cut to max_message_bytes as well. */
    assert_json(harness_stderr(h, "a", line), expected);
    assert_true(h->outcome.truncated);

    /* Exactly the limit: not cut. */
    line[64] = '\0';
    snprintf(expected, sizeof expected,
             "{ \"n\": \"P:Word\", \"w\": \"%s\", \"msg\": \"%s\", \"ident\": \"a\", "
             "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }",
             line, line);
    assert_json(harness_stderr(h, "a", line), expected);
    assert_false(h->outcome.truncated);

    /* A two-byte character across the limit is left out whole; the prefix
     * is stripped before the limit applies. */
    char utf8[80] = "<4>";
    memset(utf8 + 3, 'b', 63);
    memcpy(utf8 + 66, "\xc3\xa9zz", 5);
    snprintf(expected, sizeof expected,
             "{ \"n\": \"P:Word\", \"w\": \"%.63s\", \"msg\": \"%.63s\", \"truncated\": true, "
             "\"ident\": \"a\", \"meta\": { \"level\": 3, \"keyword\": \"0x2\" } }",
             utf8 + 3, utf8 + 3);
    assert_json(harness_stderr(h, "a", utf8), expected);
    assert_true(h->outcome.truncated);

    /* Bytes that are not UTF-8 are cut at the limit exactly. */
    char binary[80];
    memset(binary, '\x80', 70);
    binary[70] = '\0';
    harness_stderr(h, "a", binary);
    assert_true(h->outcome.truncated);
    assert_non_null(strstr(h->json.chars, "\"truncated\": true"));
    harness_free(h);
}

static void test_long_ident_is_cut(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P' }");
    char ident[400];
    memset(ident, 'i', sizeof ident - 1);
    ident[sizeof ident - 1] = '\0';
    char expected[600];
    snprintf(expected, sizeof expected,
             "{ \"n\": \"P:Stderr\", \"msg\": \"x\", \"ident\": \"%.255s\", "
             "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }",
             ident);
    assert_json(harness_stderr(h, ident, "x"), expected);
    harness_free(h);
}

/* ---- regex details ---- */

static void test_group_that_did_not_take_part(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P', 'rules': [ { 'name': 'Opt', "
                             "'regex': '^(?<user>[a-z]+)(?: port (?<port>[0-9]+))?(?<rest>.*)$', "
                             "'fields': { 'port': 'port' } } ] }");
    assert_json(harness_stderr(h, "a", "root port 22"),
                "{ \"n\": \"P:Opt\", \"user\": \"root\", \"port\": 22, \"rest\": \"\", "
                "\"msg\": \"root port 22\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    assert_json(harness_stderr(h, "a", "root!"),
                "{ \"n\": \"P:Opt\", \"user\": \"root\", \"port\": null, \"rest\": \"!\", "
                "\"msg\": \"root!\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    /* Not taking part is not a failed conversion. */
    assert_int_equal(h->outcome.conversion_failures, 0);
    harness_free(h);
}

static void test_grok_rule(void **state)
{
    (void)state;
    harness *h = harness_new(
        "{ 'provider': 'MyService', 'patterns': { 'SSHUSER': '[A-Za-z0-9._-]+' }, 'rules': ["
        "  { 'name': 'LoginFailed', 'source': 'syslog', 'ident': 'sshd',"
        "    'grok': 'Failed password for (invalid user )?%{SSHUSER:user} from %{IP:ip} port %{INT:port}',"
        "    'fields': { 'port': 'port', 'ip': 'ip' }, 'level': 'warning', 'keyword': '0x10' } ] }");
    assert_json(harness_syslog(h, "sshd", 38,
                               "Failed password for invalid user admin from 203.0.113.45 port 52144 ssh2"),
                "{ \"n\": \"MyService:LoginFailed\", \"user\": \"admin\", \"ip\": \"203.0.113.45\", "
                "\"port\": 52144, \"msg\": \"Failed password for invalid user admin from "
                "203.0.113.45 port 52144 ssh2\", \"ident\": \"sshd\", \"facility\": 4, "
                "\"meta\": { \"level\": 3, \"keyword\": \"0x10\" } }");
    harness_free(h);
}

/* ---- kv ---- */

static void test_kv_rule(void **state)
{
    (void)state;
    harness *h = harness_new(
        "{ 'provider': 'P', 'rules': ["
        "  { 'name': 'Kv', 'source': 'stderr', 'kv': true,"
        "    'fields': { 'status': 'u16', 'ms': 'f64', 'ok': 'bool', 'flag': 'u8' } } ] }");
    assert_json(harness_stderr(h, "a",
                               "status=200 ms=12.5 path=\"/a b\" debug ok=yes msg=hi ident=me "
                               "status=500 flag q=\"x\\\"y\""),
                "{ \"n\": \"P:Kv\", \"status\": 200, \"ms\": 12.5, \"path\": \"/a b\", "
                "\"debug\": true, \"ok\": true, \"_msg\": \"hi\", \"_ident\": \"me\", "
                "\"flag\": null, \"q\": \"x\\\"y\", "
                "\"msg\": \"status=200 ms=12.5 path=\\\"/a b\\\" debug ok=yes msg=hi ident=me "
                "status=500 flag q=\\\"x\\\\\\\"y\\\"\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    /* A typed bare key converts "true": a u8 cannot. */
    assert_int_equal(h->outcome.conversion_failures, 1);
    assert_json(harness_stderr(h, "a", "status=abc"),
                "{ \"n\": \"P:Kv\", \"status\": null, \"msg\": \"status=abc\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    assert_int_equal(h->outcome.conversion_failures, 1);
    /* No key=value pair: the rule does not match. */
    assert_json(harness_stderr(h, "a", "just words"),
                "{ \"n\": \"P:Stderr\", \"msg\": \"just words\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    /* A kv rule only sees its source. */
    assert_json(harness_syslog(h, "a", 14, "a=1"),
                "{ \"n\": \"P:Syslog\", \"msg\": \"a=1\", \"ident\": \"a\", \"facility\": 1, "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x1\" } }");
    harness_free(h);
}

static void test_kv_level_and_drop(void **state)
{
    (void)state;
    harness *h = harness_new(
        "{ 'provider': 'P', 'rules': ["
        "  { 'name': 'Quiet', 'ident': 'quiet', 'kv': true, 'drop': true },"
        "  { 'name': 'Kv', 'kv': true, 'level_field': 'level',"
        "    'level_map': { 'error': 2, 'debug': 5 } } ] }");
    assert_string_equal(harness_stderr(h, "quiet", "a=1"), "DROPPED");
    assert_json(harness_stderr(h, "quiet", "no pairs"),
                "{ \"n\": \"P:Stderr\", \"msg\": \"no pairs\", \"ident\": \"quiet\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    assert_json(harness_stderr(h, "a", "level=error x=1"),
                "{ \"n\": \"P:Kv\", \"level\": \"error\", \"x\": \"1\", \"msg\": \"level=error x=1\", "
                "\"ident\": \"a\", \"meta\": { \"level\": 2, \"keyword\": \"0x2\" } }");
    assert_json(harness_stderr(h, "a", "level=\"debug\""),
                "{ \"n\": \"P:Kv\", \"level\": \"debug\", \"msg\": \"level=\\\"debug\\\"\", "
                "\"ident\": \"a\", \"meta\": { \"level\": 5, \"keyword\": \"0x2\" } }");
    assert_json(harness_stderr(h, "a", "<1>level=info"),
                "{ \"n\": \"P:Kv\", \"level\": \"info\", \"msg\": \"level=info\", "
                "\"ident\": \"a\", \"meta\": { \"level\": 1, \"keyword\": \"0x2\" } }");
    /* Duplicates keep the first, also for the level. */
    assert_json(harness_stderr(h, "a", "level=debug level=error"),
                "{ \"n\": \"P:Kv\", \"level\": \"debug\", \"msg\": \"level=debug level=error\", "
                "\"ident\": \"a\", \"meta\": { \"level\": 5, \"keyword\": \"0x2\" } }");
    harness_free(h);
}

static void test_kv_after_regex(void **state)
{
    (void)state;
    harness *h = harness_new(
        "{ 'provider': 'P', 'rules': ["
        "  { 'name': 'Req', 'regex': '^(?<method>GET|POST) ', 'kv': true,"
        "    'fields': { 'status': 'u16' } } ] }");
    assert_json(harness_stderr(h, "a", "GET status=404 method=dup path=/x"),
                "{ \"n\": \"P:Req\", \"method\": \"GET\", \"status\": 404, \"path\": \"/x\", "
                "\"msg\": \"GET status=404 method=dup path=/x\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    /* The regex decides: no pairs after it is still a match. */
    assert_json(harness_stderr(h, "a", "POST "),
                "{ \"n\": \"P:Req\", \"method\": \"POST\", \"msg\": \"POST \", \"ident\": \"a\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    harness_free(h);
}

static void test_many_kv_pairs_stay_decodable(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P', 'max_message_bytes': 65000, "
                             "'rules': [ { 'name': 'Kv', 'kv': true } ] }");
    static char line[8000];
    size_t n = 0;
    for (int i = 0; i < 600; i++)
        n += (size_t)snprintf(line + n, sizeof line - n, "k%d=%d ", i, i);
    harness_stderr(h, "a", line); /* the harness asserts it decodes */
    /* 248 pairs, then the message and ident. */
    assert_non_null(strstr(h->json.chars, "\"k247\": \"247\""));
    assert_null(strstr(h->json.chars, "\"k248\""));
    harness_free(h);
}

/* ---- limits ---- */

static void test_match_limit_gives_default_event(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P', 'rules': ["
                             "  { 'name': 'Evil', 'regex': '^(a+)+$' },"
                             "  { 'name': 'Deep', 'ident': 'deep', 'regex': '^(?:(x)|y)*z' },"
                             "  { 'name': 'Later', 'regex': 'a' } ] }");
    char line[64];
    memset(line, 'a', 40);
    strcpy(line + 40, "!");
    char expected[256];
    snprintf(expected, sizeof expected,
             "{ \"n\": \"P:Stderr\", \"msg\": \"%s\", \"ident\": \"a\", "
             "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }",
             line);
    assert_json(harness_stderr(h, "a", line), expected);
    assert_true(h->outcome.match_limit_hit);
    assert_null(h->outcome.rule);
    /* Deep backtracking: the JIT stack or the match limit. */
    static char deep[20001];
    for (size_t i = 0; i < 19998; i++)
        deep[i] = i % 2 ? 'x' : 'y';
    strcpy(deep + 19998, "wz");
    harness_stderr(h, "deep", deep);
    assert_true(h->outcome.match_limit_hit);
    /* A line the pattern handles quickly is unaffected. */
    assert_json(harness_stderr(h, "a", "aaaa"),
                "{ \"n\": \"P:Evil\", \"msg\": \"aaaa\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    assert_false(h->outcome.match_limit_hit);
    harness_free(h);
}

/* ---- literal prefixes that skip rules without PCRE2 (test_rule_index.c has
 * the literals themselves) ---- */

/* Rules skipped by their prefix still match everything they should. */
static void test_prefix_does_not_change_matching(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P', 'rules': ["
                             "  { 'name': 'Alt', 'regex': '^abc|xyz' },"
                             "  { 'name': 'Opt', 'regex': '^ab?c' },"
                             "  { 'name': 'Esc', 'regex': '^a\\\\.b' },"
                             "  { 'name': 'Short', 'regex': '^longer prefix' } ] }");
    assert_string_equal(h->config->rules[2].pattern, "^a\\.b");
    assert_non_null(strstr(harness_stderr(h, "a", "123xyz"), "\"P:Alt\""));
    assert_non_null(strstr(harness_stderr(h, "a", "abcd"), "\"P:Alt\""));
    assert_non_null(strstr(harness_stderr(h, "a", "ac"), "\"P:Opt\""));
    assert_non_null(strstr(harness_stderr(h, "a", "a.b"), "\"P:Esc\""));
    assert_non_null(strstr(harness_stderr(h, "a", "axb"), "\"P:Stderr\""));
    assert_non_null(strstr(harness_stderr(h, "a", "<3>longer prefix!"), "\"P:Short\""));
    assert_non_null(strstr(harness_stderr(h, "a", "longer"), "\"P:Stderr\""));
    harness_free(h);
}

/* Where JIT is refused (SELinux execmem), the interpreter matches the same
 * way, limits included. */
static void test_interpreter_without_jit(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P', 'rules': ["
                             "  { 'name': 'Evil', 'regex': '^(a+)+$' },"
                             "  { 'name': 'Deep', 'regex': '^(?:(x)|y)*z' },"
                             "  { 'name': 'Port', 'regex': '^port (?<p>[0-9]+)',"
                             "    'fields': { 'p': 'port' } } ] }");
    /* A state made after the change sees only the interpreter. */
    ehs_thread_state_free(h->state);
    for (size_t i = 0; i < h->config->rule_count; i++)
        h->config->rules[i].jit = false;
    h->state = ehs_thread_state_new(h->config);
    assert_non_null(h->state);

    assert_json(harness_stderr(h, "a", "port 8080"),
                "{ \"n\": \"P:Port\", \"p\": 8080, \"msg\": \"port 8080\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    char line[20001];
    memset(line, 'a', 40);
    strcpy(line + 40, "!");
    harness_stderr(h, "a", line);
    assert_true(h->outcome.match_limit_hit);
    assert_null(h->outcome.rule);
    /* Deep backtracking trips the depth or heap limit (the 'z' at the end
     * keeps PCRE2 from ruling the line out before matching). */
    for (size_t i = 0; i < 19998; i++)
        line[i] = i % 2 ? 'x' : 'y';
    strcpy(line + 19998, "wz");
    harness_stderr(h, "a", line);
    assert_true(h->outcome.match_limit_hit);
    harness_free(h);
}

/* ---- outcome counters across builds ---- */

static void test_outcome_is_reset(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P', 'max_message_bytes': 64, 'rules': ["
                             "  { 'name': 'N', 'regex': '^n=(?<n>.*)', 'fields': { 'n': 'u8' } } ] }");
    char line[100] = "n=";
    memset(line + 2, 'x', 90);
    harness_stderr(h, "a", line);
    assert_true(h->outcome.truncated);
    assert_int_equal(h->outcome.conversion_failures, 1);
    harness_stderr(h, "a", "n=5");
    assert_false(h->outcome.truncated);
    assert_int_equal(h->outcome.conversion_failures, 0);
    assert_false(h->outcome.match_limit_hit);
    harness_free(h);
}

/* ---- set keys ---- */

static size_t keys_of(const char *config_text, ehs_set_key *keys, size_t max)
{
    harness *h = harness_new(config_text);
    size_t n = ehs_config_set_keys(h->config, keys, max);
    /* A short buffer gets the same count and a prefix of the same list. */
    ehs_set_key few[2];
    assert_int_equal(ehs_config_set_keys(h->config, few, 2), n);
    for (size_t i = 0; i < 2 && i < n && i < max; i++) {
        assert_int_equal(few[i].level, keys[i].level);
        assert_int_equal(few[i].keyword, keys[i].keyword);
    }
    harness_free(h);
    return n;
}

static void expect_key(const ehs_set_key *key, uint8_t level, uint64_t keyword)
{
    if (key->level != level || key->keyword != keyword)
        fail_msg("got (%u, 0x%" PRIx64 "), expected (%u, 0x%" PRIx64 ")", key->level,
                 key->keyword, level, keyword);
}

static void test_set_keys_default_config(void **state)
{
    (void)state;
    ehs_set_key keys[32];
    /* syslog, stderr and the journal by default; stdout only when asked. */
    size_t n = keys_of("{ 'provider': 'P' }", keys, 32);
    assert_int_equal(n, 15);
    for (int l = 1; l <= 5; l++) {
        expect_key(&keys[l - 1], (uint8_t)l, 0x1);
        expect_key(&keys[5 + l - 1], (uint8_t)l, 0x2);
        expect_key(&keys[10 + l - 1], (uint8_t)l, 0x4);
    }
    n = keys_of("{ 'provider': 'P', 'capture': { 'stdout': true } }", keys, 32);
    assert_int_equal(n, 20);
    for (int l = 1; l <= 5; l++)
        expect_key(&keys[15 + l - 1], (uint8_t)l, 0x8);
    /* Only what is captured. */
    n = keys_of("{ 'provider': 'P', 'capture': { 'syslog': false, 'stderr': true, "
                "'journal': false } }",
                keys, 32);
    assert_int_equal(n, 5);
    expect_key(&keys[0], 1, 0x2);
}

static void test_set_keys_rules(void **state)
{
    (void)state;
    ehs_set_key keys[64];
    size_t n = keys_of(
        "{ 'provider': 'P', 'rules': ["
        "  { 'name': 'A', 'source': 'syslog', 'regex': 'a', 'level': 3, 'keyword': '0x10' },"
        "  { 'name': 'B', 'regex': 'b', 'level': 2, 'keyword': '0x10' },"
        "  { 'name': 'C', 'source': 'stderr', 'regex': 'c', 'level': 2 },"
        "  { 'name': 'D', 'regex': 'd', 'drop': true, 'level': 1, 'keyword': '0x99' },"
        "  { 'name': 'E', 'source': 'syslog', 'regex': '(?<s>x)', 'level': 5,"
        "    'level_field': 's', 'level_map': { 'x': 1, 'y': 200 }, 'keyword': '0x20' } ],"
        "  'default': { 'level': 'info', 'keyword': '0x10' } }",
        keys, 64);
    assert_int_equal(n, 7);
    expect_key(&keys[0], 2, 0x10); /* A, B and the default, ascending */
    expect_key(&keys[1], 3, 0x10);
    expect_key(&keys[2], 4, 0x10);
    expect_key(&keys[3], 2, 0x2);  /* C */
    expect_key(&keys[4], 1, 0x20); /* E: map levels and its fixed level */
    expect_key(&keys[5], 5, 0x20);
    expect_key(&keys[6], 200, 0x20);

    /* A dropping default and level maps over message levels. */
    n = keys_of("{ 'provider': 'P', 'capture': { 'syslog': true, 'stderr': false, "
                "'journal': false }, 'rules': ["
                "  { 'name': 'M', 'regex': '(?<s>x)', 'level_field': 's',"
                "    'level_map': { 'x': 9 } } ], 'default': { 'drop': true } }",
                keys, 64);
    assert_int_equal(n, 6);
    for (int l = 1; l <= 5; l++)
        expect_key(&keys[l - 1], (uint8_t)l, 0x1);
    expect_key(&keys[5], 9, 0x1);

    /* A journal rule without a matcher, and a stdout rule. */
    n = keys_of("{ 'provider': 'P', 'capture': { 'syslog': false, 'stderr': false, "
                "'stdout': true }, 'rules': ["
                "  { 'name': 'J', 'source': 'journal', 'level': 2 },"
                "  { 'name': 'O', 'source': 'stdout', 'regex': 'o', 'level': 3 } ],"
                "  'default': { 'drop': true } }",
                keys, 64);
    assert_int_equal(n, 2);
    expect_key(&keys[0], 2, 0x4);
    expect_key(&keys[1], 3, 0x8);
}

/* Every cut is flagged: kv pairs past the 248 top-level fields, and a
 * capture cut to max_message_bytes, set "truncated" though the message
 * itself fits; an event with nothing cut does not. */
static void test_cut_fields_are_flagged(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P', 'max_message_bytes': 4000, 'rules': ["
                             "  { 'name': 'Kv', 'kv': true },"
                             "  { 'name': 'Cap', 'regex': '^cap (?<v>.*)$' } ] }");
    char line[3000];
    size_t n = 0;
    for (int i = 0; i < 300 && n + 16 < sizeof line; i++)
        n += (size_t)snprintf(line + n, sizeof line - n, "%sk%d=%d", i ? " " : "", i, i % 10);
    assert_true(n < 4000);
    harness_stderr(h, "a", line);
    assert_non_null(strstr(h->json.chars, "\"k247\": \""));
    assert_null(strstr(h->json.chars, "\"k248\""));
    assert_true(h->outcome.truncated);
    assert_non_null(strstr(h->json.chars, "\"truncated\": true"));

    harness_stderr(h, "a", "k1=1 k2=2");
    assert_false(h->outcome.truncated);
    assert_null(strstr(h->json.chars, "truncated"));
    harness_free(h);

    /* A capture longer than max_message_bytes (the message field off, so
     * that the message itself is not what is cut). */
    h = harness_new("{ 'provider': 'P', 'max_message_bytes': 64, 'message_field': null,"
                    "  'rules': [ { 'name': 'Cap', 'regex': '^cap (?<v>.*)$' } ] }");
    char capture[200] = "cap ";
    memset(capture + 4, 'x', 150);
    harness_stderr(h, "a", capture);
    assert_true(h->outcome.truncated);
    assert_non_null(strstr(h->json.chars, "\"truncated\": true"));
    harness_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syslog_severity_levels),
        cmocka_unit_test(test_syslog_facilities),
        cmocka_unit_test(test_stderr_prefix_levels),
        cmocka_unit_test(test_fixed_levels),
        cmocka_unit_test(test_level_map),
        cmocka_unit_test(test_rule_order_source_ident),
        cmocka_unit_test(test_drop_rules),
        cmocka_unit_test(test_default_event),
        cmocka_unit_test(test_header_values),
        cmocka_unit_test(test_message_field_options),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_long_ident_is_cut),
        cmocka_unit_test(test_group_that_did_not_take_part),
        cmocka_unit_test(test_grok_rule),
        cmocka_unit_test(test_kv_rule),
        cmocka_unit_test(test_kv_level_and_drop),
        cmocka_unit_test(test_kv_after_regex),
        cmocka_unit_test(test_many_kv_pairs_stay_decodable),
        cmocka_unit_test(test_match_limit_gives_default_event),
        cmocka_unit_test(test_prefix_does_not_change_matching),
        cmocka_unit_test(test_interpreter_without_jit),
        cmocka_unit_test(test_outcome_is_reset),
        cmocka_unit_test(test_set_keys_default_config),
        cmocka_unit_test(test_set_keys_rules),
        cmocka_unit_test(test_cut_fields_are_flagged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
