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

#include "../lib/xorshift.h"
#include "engine_harness.h"
#include "engine_match.h"
#include "rule_index.h"
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

static void check_key(const char *pattern, const char *key)
{
    ehs_literals lit;
    ehs_pattern_literals(pattern, 0, &lit);
    char got[EHS_LITERAL_MAX + 1];
    memcpy(got, lit.key, lit.key_len);
    got[lit.key_len] = '\0';
    if (strcmp(got, key) != 0)
        fail_msg("%s: key [%s]; expected [%s]", pattern, got, key);
}

/* The key: the prefix carried on across runs of blanks, folded. */
static void test_keys(void **state)
{
    (void)state;
    check_key("^[ \\t]*Linux[ \\t]++version[ \\t]++%", "Linux version %");
    check_key("^[ \\t]*a[ \\t]+b[ \\t]++(?<x>\\d+)", "a b ");
    check_key("^Failed password for (?<u>\\S+)$", "Failed password for ");
    check_key("^a  b\tc", "a b c");               /* literal blanks fold too */
    check_key("^a[ \\t]++ \tb", "a b");          /* a run next to literal blanks */
    check_key("^a[ \\t]+?b", "a");                /* lazy: not a plain run */
    check_key("^a[ \\t]*b", "a");                 /* may be empty */
    check_key("^a[ \\t]++b?c", "a ");             /* a quantified byte ends it */
    check_key("^a[ \\t]++(?:bc)d", "a bcd");      /* groups passed once */
    check_key("^a[ \\t]++(?:b|c)d", "a ");
    check_key("^a\\tb", "a");                      /* \t is no literal to the scan */
    check_key("^[ \\t]*(?<h>[^ \\t]+)[ \\t]++error[ \\t]++x", "error x");
    check_key("^0123456789[ \\t]++0123456789[ \\t]++0123456789", "0123456789 0123456789 01");
    check_key("^ * x", "");                          /* no prefix: no key */
    check_key("x[ \\t]++y", "");                   /* not anchored */
    check_key("(?i)^a b", "");
}

/* The word starts the word kinds use, against a byte at a time. */
static size_t naive_next_word(const char *t, size_t len, size_t at)
{
    while (at < len && t[at] != ' ' && t[at] != '\t')
        at++;
    while (at < len && (t[at] == ' ' || t[at] == '\t'))
        at++;
    return at;
}

static void test_word_starts(void **state)
{
    (void)state;
    static const char others[] = { 'a', 'b', '\n', (char)0x89, (char)0xa0, '\0', 'z' };
    uint64_t seed = 0x5eed1dc5u;
    char buffer[8 + 100];
    size_t quick_far = 0;
    for (int round = 0; round < 200000; round++) {
        /* Past 16, 32, 48 and 64 bytes too: the words found in a line's
         * first bytes at once, then a byte at a time. Blanks as rare as one
         * byte in 1 to 16, so the third word starts anywhere up to past 64. */
        size_t offset = xorshift_next(&seed) % 8;
        size_t len = xorshift_next(&seed) % 100;
        uint64_t rarity = 1 + xorshift_next(&seed) % 16;
        for (size_t i = 0; i < len; i++)
            buffer[offset + i] = xorshift_next(&seed) % rarity == 0
                                     ? (xorshift_next(&seed) % 2 ? ' ' : '\t')
                                     : others[xorshift_next(&seed) % sizeof others];
        const char *t = buffer + offset;
        size_t first = 0;
        while (first < len && (t[first] == ' ' || t[first] == '\t'))
            first++;
        size_t w1 = naive_next_word(t, len, first), w2 = naive_next_word(t, len, w1);
        size_t starts[EHS_STARTS_MAX];
        assert_int_equal(ehs_skip_starts(EHS_SKIP_WORDS, t, len, starts), 3);
        assert_int_equal(starts[0], first);
        assert_int_equal(starts[1], w1);
        assert_int_equal(starts[2], w2);
        size_t n = ehs_skip_starts(EHS_SKIP_WORD, t, len, starts);
        assert_int_equal(n, first == 0 ? 1 : 2);
        assert_int_equal(starts[0], w1);
        if (n == 2)
            assert_int_equal(starts[1], first);
        /* The inline look the index makes: right whenever it answers. */
        size_t words[EHS_STARTS_MAX];
        if (ehs_line_words_quick(t, len, words)) {
            assert_int_equal(words[0], first);
            assert_int_equal(words[1], w1);
            assert_int_equal(words[2], w2);
            quick_far += w2 >= 32;
        }
    }
#if defined(__SSE2__)
    /* It did answer for lines whose third word starts past 32 bytes. */
    assert_true(quick_far > 100);
#endif
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

/* A line's event built with the index, and again by trying every rule in
 * turn (which the index must agree with), with the rule each took. The
 * texts are the caller's: both_ways_free. Leaves the state linear. */
typedef struct both_ways {
    char *indexed, *linear;
    const ehs_rule *indexed_rule, *linear_rule;
} both_ways;

static both_ways build_both_ways(harness *h, const tricky_line *line, uint32_t record_lines)
{
    both_ways b;
    ehs_engine_set_linear(h->state, false);
    b.indexed = build_line(h, line, record_lines);
    b.indexed_rule = h->outcome.rule;
    ehs_engine_set_linear(h->state, true);
    b.linear = build_line(h, line, record_lines);
    b.linear_rule = h->outcome.rule;
    return b;
}

static void both_ways_free(both_ways *b)
{
    free(b->indexed);
    free(b->linear);
}

static void test_same_events(void **state)
{
    (void)state;
    harness *h = harness_new(tricky_config);
    for (size_t i = 0; i < sizeof tricky_lines / sizeof tricky_lines[0]; i++) {
        const tricky_line *line = &tricky_lines[i];
        both_ways b = build_both_ways(h, line, 0);
        const char *rule = b.indexed_rule != NULL ? b.indexed_rule->name : "-";
        if (strcmp(rule, line->rule) != 0)
            fail_msg("line %zu \"%s\": rule %s, expected %s", i, line->text, rule, line->rule);
        if (strcmp(b.indexed, b.linear) != 0)
            fail_msg("line %zu \"%s\":\n  indexed: %s\n  linear:  %s", i, line->text, b.indexed,
                     b.linear);
        both_ways_free(&b);
    }
    /* A record matched whole by a rule that the first line alone fails. */
    const tricky_line record = { EHS_SOURCE_SYSLOG, "app", "first\nsecond", "Record" };
    both_ways b = build_both_ways(h, &record, 2);
    assert_string_equal(b.indexed_rule->name, "Record");
    assert_string_equal(b.indexed, b.linear);
    both_ways_free(&b);
    harness_free(h);
}

/* Appends `text` to the JSON string being built in `out` (`used` of
 * `size`), escaped. */
static void append_json(char *out, size_t size, size_t *used, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        const char *piece = *p == '\\' ? "\\\\" : *p == '"' ? "\\\"" : *p == '\t' ? "\\t" : NULL;
        char one[2] = { *p, '\0' };
        *used += (size_t)snprintf(out + *used, size - *used, "%s", piece != NULL ? piece : one);
        assert_true(*used < size);
    }
}

static const char *pick(uint64_t *seed, const char *const *items, size_t count)
{
    return items[xorshift_next(seed) % count];
}

#define PICK(seed, items) pick(seed, items, sizeof items / sizeof items[0])

/* Words few enough that rules and lines share them often; long ones put a
 * line's second and third words past its first 32 bytes, where the index
 * finds them another way. */
static const char *const words[] = { "a",    "ab",     "abc", "b", "ba", "x|y",
                                     "Fail", "Failed", "abcdefghijklmnopqrstu" };

/* A random rule's pattern: a start the scan knows (or not), then words,
 * runs of blanks, literal blanks, groups, optional bytes and variables. */
static void random_pattern(uint64_t *seed, char *out, size_t size)
{
    static const char *const heads[] = {
        "^", "^", "^[ \\t]*", "^[ \\t]*", "^ *", "^\\s*", "",
        "^[ \\t]*(?<w>[^ \\t]+)[ \\t]++", "^(?<p>\\S*)[ \\t]+(?<q>\\S*)[ \\t]+",
        "(?i)^", "^[ \\t]*(?>(?<v>[^ \\t]*?)\\|(?<n>\\d*))",
    };
    static const char *const blanks[] = { " ", "  ", "\t", "[ \\t]++", "[ \\t]+", "[ \\t]*",
                                          "\\s+", " ?" };
    static const char *const others[] = { "(?:ab)", "(?:a|b)", "b?", "(?<v>\\S+)", "\\d*",
                                          "[ab]", ".", "(?<r>.*)" };
    static const char *const tails[] = { "", "", "$", "[ \\t]*$", "(?<rest>.*)$" };
    size_t used = (size_t)snprintf(out, size, "%s", PICK(seed, heads));
    size_t tokens = 1 + xorshift_next(seed) % 5;
    for (size_t t = 0; t < tokens; t++) {
        uint64_t kind = xorshift_next(seed) % 8;
        const char *piece = kind < 4 ? PICK(seed, words) : kind < 7 ? PICK(seed, blanks)
                                                                    : PICK(seed, others);
        /* A '|' of a word is a literal to PCRE2 only escaped. */
        for (const char *p = piece; *p != '\0' && used + 3 < size; p++) {
            if (*p == '|' && kind < 4)
                out[used++] = '\\';
            out[used++] = *p;
        }
        out[used] = '\0';
    }
    snprintf(out + used, size - used, "%s", PICK(seed, tails));
    /* Each named group a name of its own. */
    char copy[400];
    snprintf(copy, sizeof copy, "%s", out);
    used = 0;
    int groups = 0;
    for (const char *p = copy; *p != '\0' && used + 8 < size;) {
        if (strncmp(p, "(?<", 3) == 0 && p[3] >= 'a' && p[3] <= 'z') {
            used += (size_t)snprintf(out + used, size - used, "(?<g%d", groups++);
            for (p += 3; *p != '>'; p++)
                ;
            continue;
        }
        out[used++] = *p++;
    }
    out[used] = '\0';
}

/* A random line of the same words, with runs of blanks between. */
static void random_line(uint64_t *seed, char *out, size_t size)
{
    static const char *const gaps[] = { " ", " ", " ", "  ", "\t", " \t ", "" };
    size_t used = 0;
    if (xorshift_next(seed) % 4 == 0)
        used += (size_t)snprintf(out, size, "%s", PICK(seed, gaps));
    size_t count = xorshift_next(seed) % 6;
    for (size_t w = 0; w < count; w++) {
        used += (size_t)snprintf(out + used, size - used, "%s%s", w ? PICK(seed, gaps) : "",
                                 PICK(seed, words));
        assert_true(used < size);
    }
    if (xorshift_next(seed) % 5 == 0)
        snprintf(out + used, size - used, "%s", PICK(seed, gaps));
}

/* Random configs and lines: the index gives the event trying every rule in
 * order gives, on lines built to share words and blanks with the rules. */
static void test_random_rules(void **state)
{
    (void)state;
    uint64_t seed = 0x1dc0ffeeu;
    size_t lines_total = 0, taken = 0;
    for (int round = 0; round < 400; round++) {
        char config[40000], pattern[400];
        size_t used = (size_t)snprintf(config, sizeof config,
                                       "{ \"capture\": { \"syslog\": true }, \"rules\": [");
        size_t rules = 1 + xorshift_next(&seed) % 40;
        for (size_t r = 0; r < rules; r++) {
            random_pattern(&seed, pattern, sizeof pattern);
            used += (size_t)snprintf(config + used, sizeof config - used,
                                     "%s{ \"name\": \"R%zu\", %s\"regex\": \"", r ? "," : "", r,
                                     xorshift_next(&seed) % 6 == 0 ? "\"ident\": \"app\", " : "");
            append_json(config, sizeof config, &used, pattern);
            used += (size_t)snprintf(config + used, sizeof config - used, "\" }");
        }
        snprintf(config + used, sizeof config - used, "] }");
        harness *h = harness_new(config);
        for (int l = 0; l < 60; l++) {
            char text[200];
            random_line(&seed, text, sizeof text);
            tricky_line line = { EHS_SOURCE_SYSLOG, l % 3 ? "app" : "other", text, NULL };
            both_ways b = build_both_ways(h, &line, 0);
            if (strcmp(b.indexed, b.linear) != 0 || b.indexed_rule != b.linear_rule)
                fail_msg("round %d, line \"%s\", config %s:\n  indexed: %s\n  linear:  %s", round,
                         text, config, b.indexed, b.linear);
            lines_total++;
            taken += b.indexed_rule != NULL;
            both_ways_free(&b);
        }
        harness_free(h);
    }
    /* The lines did meet the rules: a test of default events only would
     * prove little. */
    assert_true(taken * 4 > lines_total);
}

/* A line that passes the end of more keys than the candidates hold gets
 * every rule of the bucket instead, still in config order. */
static void test_too_many_keys(void **state)
{
    (void)state;
    char config[8000];
    size_t used = (size_t)snprintf(config, sizeof config,
                                   "{ 'rules': [ { 'name': 'Anyone', 'regex': '(?i)^never' }");
    /* "^y", "^yy", ... each a key the line "yyy...y" starts with; the
     * longest first, so it is the one that must win. */
    for (int n = EHS_LITERAL_MAX; n >= 1; n--)
        used += (size_t)snprintf(config + used, sizeof config - used,
                                 ", { 'name': 'Y%d', 'regex': '^%.*s' }", n, n,
                                 "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
    snprintf(config + used, sizeof config - used,
             ", { 'name': 'Z', 'ident': 'app', 'regex': '^yy' } ] }");
    harness *h = harness_new(config);
    static const char *const texts[] = { "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "yyyyy", "yy", "y", "x" };
    static const char *const expected[] = { "Y24", "Y5", "Y2", "Y1", "-" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        for (int ident = 0; ident < 2; ident++) {
            tricky_line line = { EHS_SOURCE_SYSLOG, ident ? "app" : "x", texts[i], NULL };
            both_ways b = build_both_ways(h, &line, 0);
            const char *rule = b.indexed_rule != NULL ? b.indexed_rule->name : "-";
            if (strcmp(rule, expected[i]) != 0)
                fail_msg("\"%s\" (%s): rule %s, expected %s", texts[i], line.ident, rule,
                         expected[i]);
            assert_string_equal(b.indexed, b.linear);
            both_ways_free(&b);
        }
    }
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

/* A trie node with two to seven children (looked up by the bytes of all
 * its children at once up to five, a table past): every byte after it,
 * NUL and the bytes no child has included, leads to its child's rule or
 * to none. */
static void test_branch_bytes(void **state)
{
    (void)state;
    static const char kid_bytes[] = "AzbQ%7~";
    for (size_t kids = 2; kids < sizeof kid_bytes; kids++) {
        char config[1000];
        size_t used = (size_t)snprintf(config, sizeof config, "{ 'rules': [");
        for (size_t k = 0; k < kids; k++)
            used += (size_t)snprintf(config + used, sizeof config - used,
                                     "%s { 'name': 'K%zu', 'regex': '^ab%c x' }", k ? "," : "", k,
                                     kid_bytes[k]);
        snprintf(config + used, sizeof config - used, " ] }");
        harness *h = harness_new(config);
        const ehs_rule_index *index = h->config->rule_index;
        for (unsigned byte = 0; byte < 256; byte++) {
            char line[] = { 'a', 'b', (char)byte, ' ', 'x' };
            ehs_candidates candidates;
            ehs_rule_index_candidates(index, EHS_SOURCE_SYSLOG, "x", 1, line, sizeof line,
                                      &candidates);
            const char *kid = memchr(kid_bytes, (int)byte, kids);
            size_t expected = kid != NULL ? (size_t)(kid - kid_bytes) : SIZE_MAX;
            size_t got = ehs_candidates_next(&candidates);
            if (got != expected)
                fail_msg("%zu children, byte %u: candidate %zu, expected %zu", kids, byte, got,
                         expected);
            if (got != SIZE_MAX)
                assert_int_equal(ehs_candidates_next(&candidates), SIZE_MAX);
        }
        harness_free(h);
    }
}

/* A harness for thousand_rules(). */
static harness *thousand_harness(void)
{
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
    return h;
}

static void test_rules_tried(void **state)
{
    (void)state;
    harness *h = thousand_harness();

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

/* Too many idents to copy the rules for any ident into each ident's
 * bucket (333 idents, 667 such rules): a message looks in both buckets,
 * and still gets what trying every rule in order gives. */
static void test_separate_buckets(void **state)
{
    (void)state;
    harness *h = thousand_harness();
    uint64_t seed = 0x5eedbeefu;
    size_t taken = 0;
    for (int l = 0; l < 3000; l++) {
        char ident[16], text[64];
        unsigned n = (unsigned)(xorshift_next(&seed) % 1000);
        uint64_t kind = xorshift_next(&seed) % 3;
        snprintf(ident, sizeof ident, kind == 0 ? "x" : "app%u", n);
        static const char *const formats[] = { "Target %u", "J%03u started 7", "T%03u finished",
                                               " \t T%03u  finished", "hey %u", "Target x%u" };
        snprintf(text, sizeof text, formats[xorshift_next(&seed) % 6],
                 (unsigned)(xorshift_next(&seed) % 1000));
        tricky_line line = { EHS_SOURCE_SYSLOG, kind == 2 ? NULL : ident, text, NULL };
        both_ways b = build_both_ways(h, &line, 0);
        if (strcmp(b.indexed, b.linear) != 0 || b.indexed_rule != b.linear_rule)
            fail_msg("ident %s, line \"%s\":\n  indexed: %s\n  linear:  %s", ident, text,
                     b.indexed, b.linear);
        taken += b.indexed_rule != NULL;
        both_ways_free(&b);
    }
    assert_true(taken > 1000);
    harness_free(h);
}

/* The key rules out what neither the prefix nor the needle can: a learned
 * template's words past its longest literal run. A line that differs from
 * the key in any one byte of those runs no pattern; one that fits runs one. */
static void test_key_rules_out(void **state)
{
    (void)state;
    static const char tail[] = "nopqrstu";
    for (size_t k = 1; k < sizeof tail; k++) {
        /* Prefix "ab", needle "cdefghijklm", key "ab cdefghijklm " plus
         * the first k bytes of `tail` and a blank: 16 + k bytes. */
        char config[400];
        snprintf(config, sizeof config,
                 "{ 'rules': [ { 'name': 'K', 'regex': "
                 "'^[ \\\\t]*ab[ \\\\t]++cdefghijklm[ \\\\t]++%.*s[ \\\\t]++(?<n>\\\\d+)$' } ] }",
                 (int)k, tail);
        harness *h = harness_new(config);
        char line[64];
        snprintf(line, sizeof line, "ab cdefghijklm %.*s 5", (int)k, tail);
        assert_int_equal(tried_for(h, "x", line), 1);
        assert_non_null(h->outcome.rule);
        for (size_t at = 15; at <= 15 + k; at++) {
            char changed[64];
            memcpy(changed, line, sizeof line);
            changed[at] = 'Z';
            if (tried_for(h, "x", changed) != 0)
                fail_msg("\"%s\": a pattern ran", changed);
        }
        harness_free(h);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_word_starts),
        cmocka_unit_test(test_random_rules),
        cmocka_unit_test(test_too_many_keys),
        cmocka_unit_test(test_same_events),
        cmocka_unit_test(test_rules_tried),
        cmocka_unit_test(test_separate_buckets),
        cmocka_unit_test(test_key_rules_out),
        cmocka_unit_test(test_branch_bytes),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
