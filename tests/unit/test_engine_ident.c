/*
 * The engine remembers the last ident no rule lists (and where the last
 * listed one was) to skip the rule index when every rule has an "ident"
 * list. Against the linear engine, which asks every rule every time:
 * random messages whose idents are listed, unlisted, matched by a glob,
 * empty, missing, longer than what is remembered, and rewritten in place
 * between messages (the same pointer with other bytes), on one state that
 * lives through all of them. The same JSON line, or both dropped, for each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/xorshift.h"
#include "engine_harness.h"
#include "engine_match.h"

/* Every rule names its idents (so the engine may skip the index), one by a
 * glob; syslog and stderr rules, a drop. */
static const char every_rule_listed[] =
    "{ 'provider': 'IdentTest', 'capture': { 'syslog': true, 'stderr': true },\n"
    "  'rules': [\n"
    "    { 'name': 'Sshd', 'ident': ['sshd', 'sshd-session'], 'regex': '^Failed (?<how>\\\\w+)' },\n"
    "    { 'name': 'Cron', 'ident': ['cron*'], 'source': 'syslog', 'regex': '^\\\\((?<user>\\\\w+)\\\\)' },\n"
    "    { 'name': 'Quiet', 'ident': ['noisy', 'ab', 'abc'], 'regex': '^tick', 'drop': true },\n"
    "    { 'name': 'Any', 'ident': ['a-rather-long-ident-name-past-the-sixty-four-bytes-kept-here-x'],\n"
    "      'regex': '.' }\n"
    "  ] }";

/* One rule without an ident list: nothing may be skipped. */
static const char one_rule_unlisted[] =
    "{ 'provider': 'IdentTest', 'capture': { 'syslog': true, 'stderr': true },\n"
    "  'rules': [\n"
    "    { 'name': 'Sshd', 'ident': ['sshd'], 'regex': '^Failed (?<how>\\\\w+)' },\n"
    "    { 'name': 'Everyone', 'regex': '^tick (?<n>\\\\d+)' }\n"
    "  ] }";

static const char *const idents[] = {
    "sshd", "sshd-session", "cron", "crond", "cro", "noisy", "stderr_loop", "ehshim", "", NULL,
    "a-rather-long-ident-name-past-the-sixty-four-bytes-kept-here-x",
    "a-rather-long-ident-name-past-the-sixty-four-bytes-kept-here-y",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "sshd ", "SSHD", "s", "sshd-sessiox", "sshd-sessio", "sshe", "noisz", "noiy", "ab", "ax", "abc", "abx", "xbc", "a",
};

static const char *const texts[] = {
    "Failed password for root", "(alice) CMD (run-parts)", "tick 42", "tick", "hello", "",
};

static void compare(const char *config_text)
{
    harness *memo = harness_new(config_text);
    harness *linear = harness_new(config_text);
    ehs_engine_set_linear(linear->state, true);
    uint64_t seed = 0x6a09e667f3bcc908u;
    /* An ident rewritten in place: the same pointer, other bytes. */
    char in_place[80];
    for (int n = 0; n < 60000; n++) {
        const char *ident = idents[xorshift_next(&seed) % (sizeof idents / sizeof idents[0])];
        if (n % 7 == 0 && ident != NULL) {
            snprintf(in_place, sizeof in_place, "%s", ident);
            ident = in_place;
        }
        const char *text = texts[xorshift_next(&seed) % (sizeof texts / sizeof texts[0])];
        ehs_source source = xorshift_next(&seed) % 2 ? EHS_SOURCE_SYSLOG : EHS_SOURCE_STDERR;
        char *want = strdup(harness_message(linear, source, ident, 14, text, strlen(text)));
        assert_non_null(want);
        const char *got = harness_message(memo, source, ident, 14, text, strlen(text));
        if (strcmp(got, want) != 0)
            fail_msg("message %d, ident %s, \"%s\":\n  remembered: %s\n  linear:     %s", n,
                     ident != NULL ? ident : "(none)", text, got, want);
        free(want);
    }
    harness_free(memo);
    harness_free(linear);
}

static void test_every_rule_listed(void **state)
{
    (void)state;
    compare(every_rule_listed);
}

static void test_one_rule_unlisted(void **state)
{
    (void)state;
    compare(one_rule_unlisted);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_rule_listed),
        cmocka_unit_test(test_one_rule_unlisted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
