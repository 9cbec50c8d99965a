/*
 * A rule's `ident` and `exe` (a name, a list, globs) and the level of an
 * unmatched stderr line from its severity words: the matcher on its own,
 * the config keys with their errors, and the engine choosing rules and
 * levels with them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/config_text.h"

#include "../lib/xorshift.h"

#include "ehs/ehs_config.h"
#include "ehs/ehs_engine.h"
#include "level.h"

static bool glob(const char *pattern, const char *text)
{
    return ehs_glob_match(pattern, strlen(pattern), text, strlen(text));
}

static void test_glob(void **state)
{
    (void)state;
    assert_true(glob("python3*", "python3"));
    assert_true(glob("python3*", "python3.11"));
    assert_false(glob("python3*", "python"));
    assert_true(glob("*", ""));
    assert_true(glob("", ""));
    assert_false(glob("", "a"));
    assert_true(glob("a?c", "abc"));
    assert_false(glob("a?c", "ac"));
    assert_true(glob("*d*", "sshd-session"));
    assert_true(glob("s*d*n", "sshd-session"));
    assert_false(glob("s*d*x", "sshd-session"));
    assert_true(glob("[ps]ython", "python"));
    assert_true(glob("[a-z]x", "qx"));
    assert_false(glob("[a-z]x", "Qx"));
    assert_true(glob("[!a-z]x", "Qx"));
    assert_true(glob("[^a]", "b"));
    assert_true(glob("[]]", "]"));
    assert_true(glob("a[", "a["));
    assert_true(glob("\\*", "*"));
    assert_false(glob("\\*", "x"));
    assert_true(glob("**a**b", "xxaxxb"));
    /* Quadratic at worst: this must finish at once. */
    char text[4001];
    memset(text, 'a', 4000);
    text[4000] = '\0';
    assert_false(glob("*a*a*a*a*a*a*a*b", text));
}

static void test_names_config(void **state)
{
    (void)state;
    ehs_config *config = test_config_load("{\"rules\": [\n"
                                          " {\"name\": \"A\", \"ident\": [\"sshd\", \"sshd-*\"],\n"
                                          "  \"exe\": \"python3*\", \"kv\": true}]}");
    const ehs_rule *rule = &config->rules[0];
    assert_int_equal(rule->ident.count, 2);
    assert_string_equal(rule->ident.items[1].text, "sshd-*");
    assert_false(rule->ident.items[0].glob);
    assert_true(rule->ident.items[1].glob);
    assert_int_equal(rule->exe.count, 1);
    assert_true(ehs_names_match(&rule->ident, "sshd-session", 12));
    assert_true(ehs_names_match(&rule->ident, "sshd", 4));
    assert_false(ehs_names_match(&rule->ident, "sshd2", 5));
    assert_true(ehs_names_match(&rule->exe, "python3.11", 10));
    ehs_config_free(config);

    test_config_refused("{\"rules\": [{\"name\": \"A\", \"ident\": [], \"kv\": true}]}",
                        "t.json:1:35: 'ident' must list at least one name (leave it out for any)");
    test_config_refused("{\"rules\": [{\"name\": \"A\", \"exe\": [\"a\", 3], \"kv\": true}]}",
                        "t.json:1:39: 'exe' must be a name or a list of names, not a number");
    test_config_refused("{\"rules\": [{\"name\": \"A\", \"exe\": \"\", \"kv\": true}]}",
                        "t.json:1:33: 'exe' must not be empty (leave it out for any)");
    test_config_refused("{\"rules\": [{\"name\": \"A\", \"ident\": {}, \"kv\": true}]}",
                        "t.json:1:35: 'ident' must be a name or a list of names, not an object");
    test_config_refused(
        "{\"strip_cr\": 1}",
        "t.json:1:14: 'strip_cr' must be true or false, not a number");
    test_config_refused("{\"default\": {\"level_words\": \"no\"}}",
                        "t.json:1:29: 'level_words' must be true or false, not a string");
}

/* The event name and level the engine picks for one message. */
static void pick(const ehs_config *config, ehs_source source, const char *ident, const char *exe,
                 const char *text, const char *want_name, uint8_t want_level)
{
    ehs_thread_state *state = ehs_thread_state_new(config);
    ehd_builder *builder = ehd_builder_new(NULL);
    assert_non_null(builder);
    ehs_message message = {
        .source = source,
        .ident = ident,
        .ident_len = strlen(ident),
        .exe = exe,
        .exe_len = exe != NULL ? strlen(exe) : 0,
        .priority = 14,
        .text = text,
        .len = strlen(text),
    };
    ehs_outcome outcome;
    assert_int_equal(ehs_engine_build(config, state, &message, builder, &outcome), EHS_BUILT);
    const char *name = outcome.rule != NULL ? outcome.rule->name
                       : source == EHS_SOURCE_SYSLOG ? "Syslog"
                                                     : "Stderr";
    if (strcmp(name, want_name) != 0 || outcome.level != want_level)
        fail_msg("'%s' (ident %s, exe %s): got %s level %u, want %s level %u", text, ident,
                 exe != NULL ? exe : "(none)", name, outcome.level, want_name, want_level);
    ehd_builder_free(builder);
    ehs_thread_state_free(state);
}

static void test_engine_names(void **state)
{
    (void)state;
    ehs_config *config = test_config_load(
        "{\"rules\": [\n"
        " {\"name\": \"Py\", \"exe\": [\"python3*\"], \"regex\": \"^x\"},\n"
        " {\"name\": \"Both\", \"ident\": \"a*\", \"exe\": \"b\", \"regex\": \"^y\"},\n"
        " {\"name\": \"List\", \"ident\": [\"nginx\", \"postgres\"], \"regex\": \"^\"}]}");
    pick(config, EHS_SOURCE_STDERR, "python3", "python3.11", "x", "Py", 4);
    pick(config, EHS_SOURCE_STDERR, "python", "python3.11", "x", "Py", 4);
    pick(config, EHS_SOURCE_STDERR, "python3", NULL, "x", "Stderr", 4);
    pick(config, EHS_SOURCE_STDERR, "app", "b", "y", "Both", 4);
    pick(config, EHS_SOURCE_STDERR, "app", "c", "y", "Stderr", 4);
    pick(config, EHS_SOURCE_STDERR, "zap", "b", "y", "Stderr", 4);
    pick(config, EHS_SOURCE_SYSLOG, "postgres", NULL, "y", "List", 4);
    pick(config, EHS_SOURCE_STDERR, "nginx", NULL, "q", "List", 4);
    pick(config, EHS_SOURCE_STDERR, "nginx: worker", NULL, "q", "Stderr", 4);
    ehs_config_free(config);
}

static void words(const char *text, uint8_t want)
{
    uint8_t level = 0;
    bool found = ehs_level_from_words(text, strlen(text), &level);
    if (want == 0 ? found : !found || level != want)
        fail_msg("'%s': got %s %u, want %u", text, found ? "level" : "none", level, want);
}

/* The word scan as it was written first, one byte at a time: the
 * specification the faster scan in level_words.c is held to below. */
static bool oracle_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static size_t oracle_letters_from(const char *text, size_t len, size_t at)
{
    while (at < len && oracle_letter(text[at]))
        at++;
    return at;
}

static uint8_t oracle_word(const char *word, size_t len)
{
    static const struct {
        const char *word;
        uint8_t level;
    } known[] = {
        { "emerg", 1 }, { "emergency", 1 }, { "alert", 1 },   { "crit", 1 },  { "critical", 1 },
        { "fatal", 1 }, { "panic", 1 },     { "err", 2 },     { "error", 2 }, { "severe", 2 },
        { "warn", 3 },  { "warning", 3 },   { "notice", 4 },  { "info", 4 },  { "debug", 5 },
        { "trace", 5 },
    };
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
        if (strlen(known[k].word) != len)
            continue;
        size_t i = 0;
        while (i < len && (word[i] | 0x20) == known[k].word[i])
            i++;
        if (i == len)
            return known[k].level;
    }
    return 0;
}

static bool oracle_key(const char *word, size_t len)
{
    static const char *const keys[] = { "level", "lvl", "severity", "loglevel" };
    for (size_t k = 0; k < 4; k++) {
        if (strlen(keys[k]) != len)
            continue;
        size_t i = 0;
        while (i < len && (word[i] | 0x20) == keys[k][i])
            i++;
        if (i == len)
            return true;
    }
    return false;
}

static uint8_t oracle_level(const char *text, size_t len)
{
    size_t limit = len < 160 ? len : 160, start = 0;
    while (start < limit && (text[start] == ' ' || text[start] == '\t'))
        start++;
    for (size_t i = start; i < limit; i++) {
        if (text[i] == '[') {
            size_t end = oracle_letters_from(text, limit, i + 1);
            uint8_t found = oracle_word(text + i + 1, end - i - 1);
            if (end < limit && text[end] == ']' && found != 0)
                return found;
            continue;
        }
        if (!oracle_letter(text[i]) ||
            (i > 0 && (oracle_letter(text[i - 1]) || (text[i - 1] >= '0' && text[i - 1] <= '9'))))
            continue;
        size_t end = oracle_letters_from(text, limit, i);
        char next = end < len ? text[end] : '\0';
        if (next == '=' && oracle_key(text + i, end - i)) {
            size_t value = end + 1;
            if (value < limit && (text[value] == '"' || text[value] == '\''))
                value++;
            uint8_t found = oracle_word(text + value, oracle_letters_from(text, len, value) - value);
            if (found != 0)
                return found;
        }
        uint8_t found = oracle_word(text + i, end - i);
        if (found != 0) {
            bool upper = true;
            for (size_t k = i; k < end; k++)
                upper = upper && text[k] >= 'A' && text[k] <= 'Z';
            if ((upper && strchr(":]-|, ", next) != NULL) || (i == start && next == ':'))
                return found;
        }
        i = end - 1;
    }
    return 0;
}

/* Random lines from pieces that meet at every boundary the scan cares
 * about: the fast scan gives what the first one gave, line by line. */
static void test_level_words_random(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "ERROR", "error", "Err", "WARN", "warning", "[", "]", "[error]", "level", "lvl",
        "=", "\"", "'", ":", " ", "  ", "\t", "-", "|", ",", "3", "42", "x", "info", "FATAL",
        "notice", "DEBUG", "trace", "crit", "severity=", "loglevel", "e", "\xc3\xa9", ".", "_",
    };
    uint64_t random_state = 0x5DEECE66DULL;
    char line[400];
    for (int n = 0; n < 200000; n++) {
        size_t len = 0;
        size_t count = xorshift_next(&random_state) % 24;
        for (size_t k = 0; k < count; k++) {
            const char *piece = pieces[xorshift_next(&random_state) % (sizeof pieces / sizeof pieces[0])];
            size_t piece_len = strlen(piece);
            if (len + piece_len >= sizeof line)
                break;
            memcpy(line + len, piece, piece_len);
            len += piece_len;
        }
        /* Past the 160 bytes looked at, sometimes. */
        if (n % 50 == 0) {
            memmove(line + 150, line, len < 240 ? len : 240);
            memset(line, 'a', 150);
            len = 150 + (len < 240 ? len : 240);
        }
        uint8_t level = 0;
        bool found = ehs_level_from_words(line, len, &level);
        uint8_t want = oracle_level(line, len);
        if ((found ? level : 0) != want || found != (want != 0))
            fail_msg("'%.*s': got %u, want %u", (int)len, line, found ? level : 0, want);
    }
}

static void test_level_words(void **state)
{
    (void)state;
    words("ERROR:root:boom", 2);
    words("CRITICAL:app.api:pool exhausted", 1);
    words("WARNING:py.warnings:careful", 3);
    words("DEBUG:x", 5);
    words("INFO something", 4);
    words("2024/01/02 03:04:05 [error] 12#12: *1 open() failed", 2);
    words("2024/01/02 03:04:05 [emerg] 1#1: bind() failed", 1);
    words("2024/01/02 03:04:05 [notice] 1#1: start", 4);
    words("[WARN] x", 3);
    words("[Warning] x", 3);
    words("2024-01-02 03:04:05.123 UTC [42] FATAL:  password authentication failed", 1);
    words("2024-01-02 03:04:05.123 CET [42] LOG:  statement: select 1", 0);
    words("2024-01-02 03:04:05,123 - app - ERROR - failed", 2);
    words("time=2024 level=warn msg=\"x\"", 3);
    words("time=2024 level=\"error\" msg=x", 2);
    words("ts=1 severity=CRITICAL", 1);
    words("lvl=trace", 5);
    words("error: file not found", 2);
    words("Warning: deprecated", 3);
    words("  fatal: not a git repository", 1);
    words("PANIC: out of memory", 1);
    words("ALERT x", 1);
    words("EMERG x", 1);
    words("NOTICE|x", 4);
    words("TRACE", 5);
    words("SEVERE: x", 2);
    /* Every severity word, in both forms, its level each. */
    static const struct {
        const char *start_form, *upper_form;
        uint8_t level;
    } every[] = {
        { "emerg: x", "EMERG x", 1 },   { "emergency: x", "EMERGENCY x", 1 },
        { "alert: x", "ALERT x", 1 },   { "crit: x", "CRIT x", 1 },
        { "critical: x", "CRITICAL x", 1 }, { "fatal: x", "FATAL x", 1 },
        { "panic: x", "PANIC x", 1 },   { "err: x", "ERR x", 2 },
        { "error: x", "ERROR x", 2 },   { "severe: x", "SEVERE x", 2 },
        { "warn: x", "WARN x", 3 },     { "warning: x", "WARNING x", 3 },
        { "notice: x", "NOTICE x", 4 }, { "info: x", "INFO x", 4 },
        { "debug: x", "DEBUG x", 5 },   { "trace: x", "TRACE x", 5 },
    };
    for (size_t i = 0; i < sizeof every / sizeof every[0]; i++) {
        words(every[i].start_form, every[i].level);
        words(every[i].upper_form, every[i].level);
    }
    words("ERRO: x", 0);
    words("WARNINGS x", 0);
    words("EMERGENCYX x", 0);
    /* Prose and near misses are not severity words. */
    words("no error here", 0);
    words("errors: 0", 0);
    words("ERRORS: 3", 0);
    words("connection error: reset", 0);
    words("INFORMATION x", 0);
    words("xERROR: x", 0);
    words("3ERROR: x", 0);
    words("ERROR.x", 0);
    words("[errorx]", 0);
    words("levelx=error", 0);
    words("", 0);
    /* Only the first 160 bytes are looked at. */
    char text[300];
    memset(text, 'a', sizeof text);
    memcpy(text + 200, " ERROR: x", 9);
    text[209] = '\0';
    words(text, 0);
    memcpy(text + 100, " ERROR: x", 9);
    words(text, 2);
}

static void test_engine_levels(void **state)
{
    (void)state;
    ehs_config *config = test_config_load("{\"rules\": [{\"name\": \"R\", \"regex\": \"^rule\"}]}");
    pick(config, EHS_SOURCE_STDERR, "a", NULL, "ERROR: x", "Stderr", 2);
    pick(config, EHS_SOURCE_STDERR, "a", NULL, "<6>ERROR: x", "Stderr", 4);
    pick(config, EHS_SOURCE_SYSLOG, "a", NULL, "ERROR: x", "Syslog", 4);
    pick(config, EHS_SOURCE_STDERR, "a", NULL, "rule ERROR: x", "R", 4);
    ehs_config_free(config);
    config = test_config_load("{\"default\": {\"level_words\": false}}");
    pick(config, EHS_SOURCE_STDERR, "a", NULL, "ERROR: x", "Stderr", 4);
    ehs_config_free(config);
    config = test_config_load("{\"default\": {\"level\": \"verbose\"}}");
    pick(config, EHS_SOURCE_STDERR, "a", NULL, "ERROR: x", "Stderr", 5);
    ehs_config_free(config);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glob),
        cmocka_unit_test(test_names_config),
        cmocka_unit_test(test_engine_names),
        cmocka_unit_test(test_level_words),
        cmocka_unit_test(test_level_words_random),
        cmocka_unit_test(test_engine_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
