/*
 * The rule index and the literals it files rules under: every line gets
 * the same event with the index as without it (each rule's pattern run in
 * config order), over rules chosen to trip a careless index; and the index
 * does rule out rules: with a thousand of them a line runs one or two
 * patterns, not a thousand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "engine_harness.h"
#include "engine_match.h"
#include "rule_literal.h"

static void check_literals(const char *pattern, int skip, const char *prefix, const char *needle)
{
    ehs_literals lit;
    ehs_pattern_literals(pattern, 0, &lit);
    char got_prefix[EHS_LITERAL_MAX + 1], got_needle[EHS_LITERAL_MAX + 1];
    memcpy(got_prefix, lit.prefix, lit.prefix_len);
    got_prefix[lit.prefix_len] = '\0';
    memcpy(got_needle, lit.needle, lit.needle_len);
    got_needle[lit.needle_len] = '\0';
    if (lit.skip != skip || strcmp(got_prefix, prefix) != 0 || strcmp(got_needle, needle) != 0)
        fail_msg("%s: skip %d prefix [%s] needle [%s]; expected %d [%s] [%s]", pattern, lit.skip,
                 got_prefix, got_needle, skip, prefix, needle);
}

static void test_literals(void **state)
{
    (void)state;
    check_literals("^Failed password for (?<u>\\S+)$", 0, "Failed password for ", "");
    check_literals("^[ \\t]*Linux[ \\t]++version[ \\t]++%", 1, "Linux", "version");
    check_literals("^ *Served (?<n>\\d+)", 2, "Served ", "");
    check_literals("^\\s*x y", 3, "x y", "");
    /* The prefix may not start with what the leading class takes. */
    check_literals("^ * x", 0, "", " x");
    /* Groups every match passes once are read through. */
    check_literals("^(?>BIOS-(?<b>e))[ \\t]++", 0, "BIOS-e", "");
    check_literals("^(?:ab|cd)ef", 0, "", "ef");
    check_literals("^(?:error: )?maximum", 0, "", "maximum");
    check_literals("^a(?=bc)d", 0, "a", "d");
    check_literals("^ab?c", 0, "a", "c");
    check_literals("^ab{2}cd", 0, "a", "cd");
    check_literals("^\\x41BC (?<v>\\d+)", 0, "", "BC ");
    check_literals("^\\p{Lu}xy", 0, "", "xy");
    check_literals("^\\cAxy", 0, "", "xy");
    check_literals("deadline exceeded", 0, "", "deadline exceeded");
    /* Variable first words that take no blank: the literal after them. */
    check_literals("^[ \\t]*(?<h>[^ \\t]+)[ \\t]++error[ \\t]++x", 4, "error", "x");
    check_literals("^(?>(?<h>[^ \\t]*?):(?<p>\\d+)(?=[ \\t]|$))[ \\t]+ok", 4, "ok", "");
    check_literals("^(?<a>\\S+)[ \\t]+(?<b>[0-9a-f]+)[ \\t]+done$", 5, "done", "");
    check_literals("^(?<a>.+)[ \\t]+x", 0, "", "x");       /* '.' takes blanks */
    check_literals("^(?<a>[^ ]+)[ \\t]+x", 0, "", "x");     /* [^ ] takes a tab */
    check_literals("^(?<a>[!-~]+)[ \\t]+x", 4, "x", "");
    check_literals("^(?<a>[ -~]+)[ \\t]+x", 0, "", "x");
    /* Nothing certain: inline options, verbs, quoting, top-level '|'. */
    check_literals("(?i)^accepted", 0, "", "");
    check_literals("^a(?i)bc", 0, "", "");
    check_literals("^a(*ACCEPT)b", 0, "", "");
    check_literals("^\\Qa.b\\E", 0, "", "");
    check_literals("^start|stop now", 0, "", "");
    check_literals("^Accepted (?<m>\\w+)", 0, "Accepted ", "");
    check_literals("\\AFailed", 0, "Failed", "");
    check_literals("^pam_unix\\(sshd\\): x", 0, "pam_unix(sshd): x", "");
    check_literals("^abcdefghijklmnopqrstuvwxyz", 0, "abcdefghijklmnopqrstuvwx", "");
    check_literals("^ab*", 0, "a", "");
    check_literals("^ab+", 0, "a", "");
    check_literals("^a.b", 0, "a", "b");
    check_literals("^a\\db", 0, "a", "b");   /* \d is a class */
    check_literals("^a[b|c]d", 0, "a", "d");  /* '|' in a class */
    check_literals("^a(b|c)d", 0, "a", "d");  /* '|' in a group */
    check_literals("^[[:alpha:]|]x", 0, "", "x");
    check_literals("^a(b)|c", 0, "", "");
    check_literals("^a(?#x|)b", 0, "", "");
    static const uint32_t unsafe[] = { PCRE2_CASELESS, PCRE2_MULTILINE, PCRE2_EXTENDED,
                                       PCRE2_LITERAL };
    for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
        ehs_literals lit;
        ehs_pattern_literals("^abc", unsafe[i], &lit);
        assert_int_equal(lit.prefix_len + lit.needle_len, 0);
    }
    ehs_literals lit;
    ehs_pattern_literals("^abc", PCRE2_DOTALL | PCRE2_UCP, &lit);
    assert_int_equal(lit.prefix_len, 3);
}

/* Rules that each trip a careless index or prefilter; order matters. */
static const char tricky_config[] =
    "{ 'capture': { 'syslog': true, 'stderr': true }, 'rules': ["
    " { 'name': 'DropDebug', 'regex': '^DEBUG ', 'drop': true },"
    " { 'name': 'Anchored', 'ident': 'app', 'regex': '^Failed password for (?<user>\\\\S+)$' },"
    " { 'name': 'Caseless', 'regex': '(?i)^accepted (?<user>\\\\S+)$' },"
    " { 'name': 'TopAlternation', 'regex': '^start (?<n>\\\\d+)|stop now$' },"
    " { 'name': 'GroupAlternation', 'regex': '^(?:Opened|Closed) (?<what>\\\\S+)$' },"
    " { 'name': 'ClassFirst', 'regex': '^[A-Z]rror: (?<m>.*)$' },"
    " { 'name': 'OptionalFirst', 'regex': '^(?:warn: )?disk (?<d>\\\\S+) full$' },"
    " { 'name': 'OptionalChar', 'regex': '^colou?r (?<c>\\\\w+)$' },"
    " { 'name': 'Learned', 'grok': '^[ \\\\t]*Served[ \\\\t]++%{INT:n:u32}[ \\\\t]++requests[ \\\\t]*$' },"
    " { 'name': 'GlobIdent', 'ident': 'worker-*', 'regex': '^job (?<id>\\\\d+) done$' },"
    " { 'name': 'TwoIdents', 'ident': ['alpha', 'beta', 'alpha'], 'regex': '^ping$' },"
    " { 'name': 'StderrOnly', 'source': 'stderr', 'regex': '^Failed password for (?<who>.*)$' },"
    " { 'name': 'AnyWhere', 'source': 'any', 'regex': '\\\\bdeadline exceeded\\\\b' },"
    " { 'name': 'Escapes', 'regex': '^\\\\x41BC (?<v>\\\\d+)$' },"
    " { 'name': 'Lookahead', 'regex': '^(?=.*secret)(?<all>.{6})' },"
    " { 'name': 'Atomic', 'regex': '^[ \\\\t]*(?>(?<v>[^ \\\\t]*?)\\\\|(?<w>\\\\d+))[ \\\\t]*$' },"
    " { 'name': 'Spaces', 'regex': '^\\\\s*tabbed (?<x>\\\\w+)$' },"
    " { 'name': 'KvApp', 'ident': 'kvapp', 'kv': true },"
    " { 'name': 'WordFirst', 'regex': '^[ \\\\t]*(?<h>[^ \\\\t]+)[ \\\\t]++error[ \\\\t]++(?<n>\\\\d+)$' },"
    " { 'name': 'WordMaybe', 'regex': '^[ \\\\t]*(?<v>[^ \\\\t]*?)[ \\\\t]++warn[ \\\\t]++(?<n>\\\\d+)$' },"
    " { 'name': 'TwoWords', 'ident': 'two', 'regex': '^(?<a>\\\\S*)[ \\\\t]+(?<b>\\\\S*)[ \\\\t]+done$' },"
    " { 'name': 'Shadow', 'regex': '^Failed (?<rest>.*)$' },"
    " { 'name': 'Record', 'match_text': 'record', 'regex': '^first\\\\nsecond$' }"
    "] }";

typedef struct tricky_line {
    ehs_source source;
    const char *ident;
    const char *text;
    const char *rule;    /* the rule that takes it; "-" the default event */
} tricky_line;

static const tricky_line tricky_lines[] = {
    { EHS_SOURCE_SYSLOG, "app", "DEBUG x", "DropDebug" },
    { EHS_SOURCE_SYSLOG, "app", "Failed password for root", "Anchored" },
    { EHS_SOURCE_SYSLOG, "other", "Failed password for root", "Shadow" },
    { EHS_SOURCE_STDERR, "other", "Failed password for root", "StderrOnly" },
    { EHS_SOURCE_SYSLOG, "app", "ACCEPTED bob", "Caseless" },
    { EHS_SOURCE_SYSLOG, "app", "Accepted bob", "Caseless" },
    { EHS_SOURCE_SYSLOG, "app", "start 12", "TopAlternation" },
    { EHS_SOURCE_SYSLOG, "app", "we stop now", "TopAlternation" },
    { EHS_SOURCE_SYSLOG, "app", "Closed door", "GroupAlternation" },
    { EHS_SOURCE_SYSLOG, "app", "Error: boom", "ClassFirst" },
    { EHS_SOURCE_SYSLOG, "app", "disk sda full", "OptionalFirst" },
    { EHS_SOURCE_SYSLOG, "app", "warn: disk sdb full", "OptionalFirst" },
    { EHS_SOURCE_SYSLOG, "app", "color red", "OptionalChar" },
    { EHS_SOURCE_SYSLOG, "app", "colour red", "OptionalChar" },
    { EHS_SOURCE_SYSLOG, "app", "Served 5 requests", "Learned" },
    { EHS_SOURCE_SYSLOG, "app", " \t Served  7\trequests ", "Learned" },
    { EHS_SOURCE_SYSLOG, "app", "Serve 7 requests", "-" },
    { EHS_SOURCE_SYSLOG, "worker-3", "job 9 done", "GlobIdent" },
    { EHS_SOURCE_SYSLOG, "worker", "job 9 done", "-" },
    { EHS_SOURCE_SYSLOG, "alpha", "ping", "TwoIdents" },
    { EHS_SOURCE_SYSLOG, "beta", "ping", "TwoIdents" },
    { EHS_SOURCE_SYSLOG, "gamma", "ping", "-" },
    { EHS_SOURCE_JOURNAL, "app", "rpc: deadline exceeded", "AnyWhere" },
    { EHS_SOURCE_SYSLOG, "app", "deadline exceededly", "-" },
    { EHS_SOURCE_SYSLOG, "app", "ABC 42", "Escapes" },
    { EHS_SOURCE_SYSLOG, "app", "41BC 42", "-" },
    { EHS_SOURCE_SYSLOG, "app", "my secret", "Lookahead" },
    { EHS_SOURCE_SYSLOG, "app", " a|12 ", "Atomic" },
    { EHS_SOURCE_SYSLOG, "app", "\n\ttabbed x", "Spaces" },
    { EHS_SOURCE_SYSLOG, "app", "\v tabbed x", "Spaces" },
    { EHS_SOURCE_SYSLOG, "kvapp", "a=1 b=2", "KvApp" },
    { EHS_SOURCE_SYSLOG, "app", "a=1 b=2", "-" },
    { EHS_SOURCE_SYSLOG, "app", "Failed", "-" },
    { EHS_SOURCE_SYSLOG, "app", "db1 error 5", "WordFirst" },
    { EHS_SOURCE_SYSLOG, "app", " \tdb1\t error 5", "WordFirst" },
    { EHS_SOURCE_SYSLOG, "app", "  error 5", "-" },
    { EHS_SOURCE_SYSLOG, "app", "x warn 5", "WordMaybe" },
    { EHS_SOURCE_SYSLOG, "app", "  warn 5", "WordMaybe" },
    { EHS_SOURCE_SYSLOG, "app", "warn 5", "-" },
    { EHS_SOURCE_SYSLOG, "two", "a b done", "TwoWords" },
    { EHS_SOURCE_SYSLOG, "two", "a  done", "TwoWords" },
    { EHS_SOURCE_SYSLOG, "two", "   done", "TwoWords" },
    { EHS_SOURCE_SYSLOG, "two", "a b c done", "-" },
    { EHS_SOURCE_SYSLOG, "app", "", "-" },
    { EHS_SOURCE_SYSLOG, "", "F", "-" },
    { EHS_SOURCE_SYSLOG, NULL, "Failed x", "Shadow" },
    { (ehs_source)9, "app", "rpc: deadline exceeded", "AnyWhere" },
    { (ehs_source)9, "app", "Failed x", "Shadow" }, /* no "source": any */
    { (ehs_source)9, "app", "Failed password for x", "Anchored" },
};

/* Builds `line` and returns a copy of its JSON line (or "DROPPED"). */
static char *build_line(harness *h, const tricky_line *line, uint32_t record_lines)
{
    ehs_message message = {
        .source = line->source,
        .ident = line->ident,
        .ident_len = line->ident != NULL ? strlen(line->ident) : 0,
        .priority = 14,
        .text = line->text,
        .len = strlen(line->text),
        .record_lines = record_lines,
    };
    char *json = strdup(harness_build(h, &message));
    assert_non_null(json);
    return json;
}

static void test_same_events(void **state)
{
    (void)state;
    harness *h = harness_new(tricky_config);
    for (size_t i = 0; i < sizeof tricky_lines / sizeof tricky_lines[0]; i++) {
        const tricky_line *line = &tricky_lines[i];
        ehs_engine_set_linear(h->state, false);
        char *indexed = build_line(h, line, 0);
        const char *rule = h->outcome.rule != NULL ? h->outcome.rule->name : "-";
        if (strcmp(rule, line->rule) != 0)
            fail_msg("line %zu \"%s\": rule %s, expected %s", i, line->text, rule, line->rule);
        ehs_engine_set_linear(h->state, true);
        char *linear = build_line(h, line, 0);
        if (strcmp(indexed, linear) != 0)
            fail_msg("line %zu \"%s\":\n  indexed: %s\n  linear:  %s", i, line->text, indexed,
                     linear);
        free(indexed);
        free(linear);
    }
    /* A record matched whole by a rule that the first line alone fails. */
    const tricky_line record = { EHS_SOURCE_SYSLOG, "app", "first\nsecond", "Record" };
    ehs_engine_set_linear(h->state, false);
    char *indexed = build_line(h, &record, 2);
    assert_string_equal(h->outcome.rule->name, "Record");
    ehs_engine_set_linear(h->state, true);
    char *linear = build_line(h, &record, 2);
    assert_string_equal(indexed, linear);
    free(indexed);
    free(linear);
    harness_free(h);
}

/* A thousand rules before the two that matter, each for a message of its
 * own, none of whose literal starts is the start of another's; returns the config's text (double quotes, for ehs_config_load_text). */
static char *thousand_rules(void)
{
    size_t size = 200000, used = 0;
    char *text = malloc(size);
    assert_non_null(text);
    used += (size_t)snprintf(text, size, "{ \"rules\": [");
    for (int i = 0; i < 1000; i++) {
        /* Learned-style, plain-anchored and ident-bound rules in turn. */
        const char *formats[] = {
            "{ \"name\": \"L%d\", \"regex\": \"^[ \\\\t]*T%03d[ \\\\t]++finished$\" },",
            "{ \"name\": \"P%d\", \"regex\": \"^J%03d started (?<x>\\\\d+)$\" },",
            "{ \"name\": \"I%d\", \"ident\": \"app%d\", \"regex\": \"^Target (?<x>\\\\d+)$\" },",
        };
        used += (size_t)snprintf(text + used, size - used, formats[i % 3], i, i);
    }
    snprintf(text + used, size - used,
             "{ \"name\": \"Target\", \"regex\": \"^Target (?<x>\\\\d+)$\" },"
             "{ \"name\": \"Shout\", \"regex\": \"(?i)^hey\" } ] }");
    return text;
}

static uint64_t tried_for(harness *h, const char *ident, const char *text)
{
    uint64_t before = ehs_thread_state_rules_tried(h->state);
    harness_syslog(h, ident, 14, text);
    return ehs_thread_state_rules_tried(h->state) - before;
}

static void test_rules_tried(void **state)
{
    (void)state;
    char *text = thousand_rules();
    harness *h = calloc(1, sizeof *h);
    assert_non_null(h);
    ehs_errors errors = { 0 };
    assert_int_equal(ehs_config_load_text("thousand.json", text, strlen(text), &h->config, &errors),
                     0);
    ehs_errors_free(&errors);
    free(text);
    h->state = ehs_thread_state_new(h->config);
    h->builder = ehd_builder_new(NULL);
    ehd_text_init(&h->json);
    assert_int_equal(h->config->rule_count, 1002);

    /* The caseless rule has no literal: it is tried on every line that
     * gets to it. */
    assert_int_equal(tried_for(h, "x", "Target 5"), 1);
    assert_string_equal(h->outcome.rule->name, "Target");
    assert_int_equal(tried_for(h, "app5", "Target 5"), 1);
    assert_string_equal(h->outcome.rule->name, "I5");
    assert_int_equal(tried_for(h, "x", "J301 started 7"), 1);
    assert_string_equal(h->outcome.rule->name, "P301");
    assert_int_equal(tried_for(h, "x", "  T993   finished"), 1);
    assert_string_equal(h->outcome.rule->name, "L993");
    assert_int_equal(tried_for(h, "x", "T994 finished"), 1); /* no such rule: Shout */
    assert_null(h->outcome.rule);
    assert_int_equal(tried_for(h, "x", "hey"), 1);
    assert_string_equal(h->outcome.rule->name, "Shout");

    /* What it was without the work: every rule for the source and ident. */
    ehs_engine_set_linear(h->state, true);
    assert_int_equal(tried_for(h, "x", "Target 5"), 668);
    assert_string_equal(h->outcome.rule->name, "Target");
    harness_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_same_events),
        cmocka_unit_test(test_rules_tried),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
