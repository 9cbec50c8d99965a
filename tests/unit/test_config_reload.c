/*
 * What a config says about reloads: the "reload" key with its errors, and
 * which keys a running program cannot change without a restart
 * (ehs_config_restart_key_changed), each named when it differs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/config_text.h"

#include "ehs/ehs_config.h"
#include "ehs/ehs_engine.h"

static void test_reload_key(void **unused)
{
    (void)unused;
    ehs_config *config = test_config_load("{}");
    assert_int_equal(config->reload_check_ms, 0);
    ehs_config_free(config);
    config = test_config_load("{\"reload\": {}}");
    assert_int_equal(config->reload_check_ms, 1000);
    ehs_config_free(config);
    config = test_config_load("{\"reload\": {\"check_ms\": 5}}");
    assert_int_equal(config->reload_check_ms, 5);
    ehs_config_free(config);
    /* Its own events' sets come last, so a listener of the config gets them. */
    config = test_config_load(
        "{\"capture\": {\"syslog\": false, \"journal\": false}, \"reload\": {},"
        " \"default\": {\"level\": 4}}");
    ehs_set_key keys[8];
    assert_int_equal(ehs_config_set_keys(config, keys, 8), 3);
    assert_int_equal(keys[0].level, 4);
    assert_int_equal(keys[0].keyword, 2);
    assert_int_equal(keys[1].level, 2);
    assert_int_equal(keys[1].keyword, EHS_KEYWORD_SHIM);
    assert_int_equal(keys[2].level, 4);
    assert_int_equal(keys[2].keyword, EHS_KEYWORD_SHIM);
    ehs_config_free(config);
    config = test_config_load("{\"reload\": null}");
    assert_int_equal(config->reload_check_ms, 0);
    ehs_config_free(config);

    test_config_refused("{\"reload\": true}", "t.json:1:12: 'reload' must be an object such as { "
                        "\"check_ms\": 1000 } or null, not a boolean");
    test_config_refused("{\"reload\": {\"check_ms\": 0}}",
                        "t.json:1:25: 'check_ms' must be an integer 1..3600000");
    test_config_refused("{\"reload\": {\"check\": 5}}",
                        "t.json:1:13: unknown key 'check' in 'reload'");
}

/* The key ehs_config_restart_key_changed names for two config texts, or
 * "" when the second may replace the first. */
static void expect_change(const char *before, const char *after, const char *want)
{
    ehs_config *a = test_config_load(before);
    ehs_config *b = test_config_load(after);
    char key[64];
    const char *got = ehs_config_restart_key_changed(a, b, key, sizeof key);
    if (strcmp(got != NULL ? got : "", want) != 0)
        fail_msg("%s -> %s: got '%s', want '%s'", before, after, got != NULL ? got : "", want);
    ehs_config_free(a);
    ehs_config_free(b);
}

static void test_restart_keys(void **unused)
{
    (void)unused;
    static const char base[] = "{\"rules\": [{\"name\": \"A\", \"regex\": \"a\"}]}";
    /* Rules, defaults, rate limits, the message field and the reload key
     * itself may change while the program runs. */
    expect_change(base,
                  "{\"rules\": [{\"name\": \"B\", \"regex\": \"b\", \"level\": 2}], "
                  "\"default\": {\"drop\": true}, \"rate_limit\": {\"burst\": 3}, "
                  "\"message_field\": \"m\", \"strip_cr\": false, \"reload\": {}, "
                  "\"patterns\": {\"X\": \"x\"}}",
                  "");
    /* The same values written another way are no change. */
    expect_change("{\"multiline\": {\"stderr\": {\"detectors\": [\"python\"]}}}",
                  "{\"multiline\":{\"stderr\":{\"detectors\":[\"python\"]}},"
                  "\"provider\":\"ehshim\"}",
                  "");
    expect_change(base, "{\"provider\": \"Other\"}", "provider");
    expect_change(base, "{\"group\": \"g1\"}", "group");
    expect_change(base, "{\"capture\": {\"syslog\": false}}", "capture.syslog");
    expect_change(base, "{\"capture\": {\"stderr\": false}}", "capture.stderr");
    expect_change(base, "{\"capture\": {\"journal\": false}}", "capture.journal");
    expect_change(base, "{\"capture\": {\"stdout\": true}}", "capture.stdout");
    expect_change(base, "{\"max_message_bytes\": 100}", "max_message_bytes");
    expect_change(base, "{\"inherit\": false}", "inherit");
    expect_change(base, "{\"multiline\": {\"stderr\": {\"detectors\": [\"java\"]}}}", "multiline");
    expect_change("{\"multiline\": {\"stderr\": {\"detectors\": [\"java\"]}}}",
                  "{\"multiline\": {\"stderr\": {\"detectors\": [\"java\"], \"hold_ms\": 5}}}",
                  "multiline");
    /* The first that differs is named. */
    expect_change(base, "{\"inherit\": false, \"provider\": \"Z\"}", "provider");
    /* A key cut to the room given, NUL-terminated. */
    ehs_config *a = test_config_load(base);
    ehs_config *b = test_config_load("{\"max_message_bytes\": 100}");
    char key[4];
    assert_string_equal(ehs_config_restart_key_changed(a, b, key, sizeof key), "max");
    assert_null(ehs_config_restart_key_changed(a, a, key, sizeof key));
    assert_null(ehs_config_restart_key_changed(NULL, a, key, sizeof key));
    ehs_config_free(a);
    ehs_config_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reload_key),
        cmocka_unit_test(test_restart_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
