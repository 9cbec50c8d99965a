/*
 * ehshim check CONFIG: validates a config as the shim would load it.
 *
 * Silent on success, like a compiler without warnings, so that
 * `ehshim check c.json && ...` composes; every problem is one
 * "FILE:LINE:COL: message" line on stderr (FILE as given), which editors
 * and CI logs turn into links. A warning (a valid config that will not do
 * all it says) is such a line too, "FILE:LINE:COL: warning: ...", and
 * leaves the exit status 0.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "config_report.h"
#include "ehd/ehd.h"
#include "ehs/ehs_config.h"
#include "ehs/ehs_engine.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ehshim check CONFIG\n"
            "\n"
            "Validates a JSON config: syntax, keys, types, rule names, regex and\n"
            "grok patterns. Prints nothing and exits 0 when the config is valid;\n"
            "otherwise prints every problem on stderr as FILE:LINE:COL: message\n"
            "(lines and columns count from 1, columns in bytes) and exits 1.\n"
            "A valid config that cannot do all it says gets a warning line,\n"
            "FILE:LINE:COL: warning: message, and still exits 0: a max_message_bytes\n"
            "that a user_events event (8184 bytes) cannot carry whole, a rule for a\n"
            "source the config does not capture (stdout is off by default), or\n"
            "multiline grouping for one.\n"
            "\n"
            "options:\n"
            "  -h, --help   show this help\n");
}

/* A max_message_bytes past what user_events carries: messages are cut
 * shorter there, which the key alone does not say. */
static void warn_event_size(const char *path, const ehs_config *config)
{
    size_t room = ehs_config_message_room(config, EHD_USER_EVENTS_EVENT_MAX);
    if (config->max_message_bytes <= room)
        return;
    fprintf(stderr,
            "%s:%u:%u: warning: 'max_message_bytes' is %zu, but a user_events event carries "
            "at most %u bytes: there, messages are cut to %zu bytes (less when rules capture "
            "fields) and flagged truncated; capture files keep %zu\n",
            path, config->max_message_bytes_at.line, config->max_message_bytes_at.column,
            config->max_message_bytes, EHD_USER_EVENTS_EVENT_MAX, room,
            config->max_message_bytes);
}

/* A rule for a source the config does not capture never sees a message:
 * most often a forgotten "capture": { "stdout": true }. */
static void warn_uncaptured_sources(const char *path, const ehs_config *config)
{
    for (size_t i = 0; i < config->rule_count; i++) {
        const ehs_rule *rule = &config->rules[i];
        if (rule->source == EHS_SOURCE_ANY || ehs_config_captures(config, rule->source))
            continue;
        const char *source = ehs_source_name(rule->source);
        fprintf(stderr,
                "%s:%u:%u: warning: rule '%s' is for %s, which the config does not capture: "
                "it never matches (\"capture\": { \"%s\": true } turns %s on)\n",
                path, rule->position.line, rule->position.column,
                rule->name != NULL ? rule->name : "", source, source, source);
    }
}

/* Grouping for a source the config does not capture groups nothing. */
static void warn_uncaptured_grouping(const char *path, const ehs_config *config)
{
    for (int s = 0; s < EHS_SOURCE_COUNT; s++) {
        const ehs_multiline *spec = config->multiline[s];
        if (spec == NULL || ehs_config_captures(config, (ehs_source)s))
            continue;
        const char *source = ehs_source_name((ehs_source)s);
        fprintf(stderr,
                "%s:%u:%u: warning: 'multiline.%s' groups lines of %s, which the config does "
                "not capture (\"capture\": { \"%s\": true } turns %s on)\n",
                path, spec->position.line, spec->position.column, source, source, source,
                source);
    }
}

int cmd_check(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(arg, "--") == 0 && i + 2 == argc) {
            path = argv[i + 1];
            break;
        }
        if (arg[0] == '-' || path != NULL) {
            usage(stderr);
            return 2;
        }
        path = arg;
    }
    if (path == NULL) {
        usage(stderr);
        return 2;
    }
    ehs_config *config = config_load_reporting(path);
    if (config == NULL)
        return 1;
    warn_event_size(path, config);
    warn_uncaptured_sources(path, config);
    warn_uncaptured_grouping(path, config);
    ehs_config_free(config);
    return 0;
}
