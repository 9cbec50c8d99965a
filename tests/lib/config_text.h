/*
 * Configs from text in unit tests, through the real loader. Header-only:
 * it uses cmocka's checks, and tests/lib's objects are linked into the
 * kernel test helpers too, which have no cmocka. Include <cmocka.h> first.
 */
#ifndef EHSHIM_TEST_CONFIG_TEXT_H
#define EHSHIM_TEST_CONFIG_TEXT_H

#include <errno.h>
#include <string.h>

#include "ehs/ehs_config.h"

/* The config of `text` (named "t.json"); the test fails, printing every
 * problem, when it does not load. Free it with ehs_config_free. */
static inline ehs_config *test_config_load(const char *text)
{
    ehs_config *config = NULL;
    ehs_errors errors = { 0 };
    int rc = ehs_config_load_text("t.json", text, strlen(text), &config, &errors);
    for (size_t i = 0; i < errors.count; i++)
        print_error("%s\n", errors.lines[i]);
    ehs_errors_free(&errors);
    assert_int_equal(rc, 0);
    return config;
}

/* `text` must be refused with exactly one problem, `line`. */
static inline void test_config_refused(const char *text, const char *line)
{
    ehs_config *config = NULL;
    ehs_errors errors = { 0 };
    assert_int_equal(ehs_config_load_text("t.json", text, strlen(text), &config, &errors), EINVAL);
    if (errors.count != 1 || strcmp(errors.lines[0], line) != 0)
        fail_msg("%s: got %zu problems, the first '%s'; want '%s'", text, errors.count,
                 errors.count != 0 ? errors.lines[0] : "", line);
    ehs_errors_free(&errors);
}

#endif /* EHSHIM_TEST_CONFIG_TEXT_H */
