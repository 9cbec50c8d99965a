/*
 * ehshim learn [-c EXISTING] [-o CONFIG] [--provider NAME]
 *              [--source syslog|stderr] [--ident NAME] [FILE ...]
 *
 * Reads messages, one per line, mines their templates (learn_templates.c)
 * and writes a config with one rule per template: anchored, the constant
 * words as they are, each variable part a named, typed capture, and the
 * template itself under "template" for people to read. Rules with more
 * constant words come first, so a specific rule wins over a general one.
 * What is read, and what an existing config (-c) keeps out, is
 * learn_input.c's; adding to the existing config's text, learn_merge.c's.
 * A log-line prefix the lines share (learn_prefix.h) starts every rule
 * learned from the messages after it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "learn_input.h"
#include "learn_merge.h"
#include "learn_prefix.h"
#include "learn_rules.h"
#include "learn_templates.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ehshim learn [-c EXISTING] [-o CONFIG] [--provider NAME]\n"
            "                    [--source syslog|stderr] [--ident NAME] [FILE ...]\n"
            "\n"
            "Reads messages, one per line (standard input without FILE), finds\n"
            "their templates and writes a config with one rule per template:\n"
            "the constant words as they are, each variable part a named capture\n"
            "typed as every value seen there allows (u32, u64, i64, port, ip, else\n"
            "string), and the template with <*> for each variable part under the\n"
            "rule's \"template\" key. Review it, then `ehshim check` and deploy.\n"
            "\n"
            "A FILE may be a capture file (.dat: `ehshim run -o`, EHSHIM_CAPTURE,\n"
            "`ehshim listen -o`), told apart by its first record: then the messages\n"
            "of its default events (Syslog, Stderr, Journal, Stdout: lines no rule\n"
            "matched) are learned, each rule with its event's source; other events\n"
            "are skipped and counted.\n"
            "\n"
            "A prefix shared by 90%% of the first 1000 lines of text (PostgreSQL,\n"
            "nginx error log, syslog files, Hadoop, log4j, logback, Python logging)\n"
            "is learned once: templates come from the messages after it, and its\n"
            "time, level, pid, thread, logger... are captures of every rule made\n"
            "from them.\n"
            "\n"
            "options:\n"
            "  -c EXISTING        keep this config's rules, first and unchanged, and\n"
            "                     learn only from messages none of them matches; the\n"
            "                     output is EXISTING with the learned rules added\n"
            "                     (an event name it uses gets a number)\n"
            "  -o CONFIG          write the config there (default: standard output)\n"
            "  --provider NAME    the config's provider (default: EXISTING's, else\n"
            "                     Learned)\n"
            "  --source SOURCE    'stderr' (default) or 'syslog': the rules' source\n"
            "                     for lines of text\n"
            "  --ident NAME       the rules' ident (default: none, any ident); with\n"
            "                     -c, also the ident (and exe) text lines are\n"
            "                     matched with, as `ehshim parse --ident` does\n"
            "  --                 ends the options: FILE names follow\n"
            "  -h, --help         show this help\n"
            "\n"
            "At most %d templates are kept; lines past that are counted on stderr.\n"
            "exit status: 0; 1 invalid EXISTING, unreadable or malformed input, or\n"
            "unwritable output; 2 bad usage.\n",
            LEARN_TEMPLATES_MAX);
}

/* Feeds every line of `in` to the learner; false on a read error. */
static bool learn_stream(learn_input *l, FILE *in)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, in)) >= 0) {
        size_t len = (size_t)n;
        if (len > 0 && line[len - 1] == '\n')
            len--;
        if (len > 0 && line[len - 1] == '\r')
            len--;
        /* A NUL byte cannot be part of a constant: it separates tokens. */
        for (size_t i = 0; i < len; i++)
            if (line[i] == '\0')
                line[i] = ' ';
        if (!learn_input_text_line(l, line, len)) {
            free(line);
            return false;
        }
    }
    bool ok = !ferror(in);
    free(line);
    return ok;
}

int cmd_learn(int argc, char **argv)
{
    const char *output = NULL, *provider = NULL, *source = "stderr", *ident = NULL;
    const char *existing = NULL;
    /* Options may come before or after the files; "--" ends them. */
    char **files = calloc((size_t)argc + 1, sizeof *files);
    int file_count = 0;
    if (files == NULL) {
        fprintf(stderr, "ehshim learn: out of memory\n");
        return 1;
    }
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options_done || a[0] != '-' || strcmp(a, "-") == 0) {
            files[file_count++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            free(files);
            return 0;
        }
        const char **value = strcmp(a, "-c") == 0           ? &existing
                             : strcmp(a, "-o") == 0         ? &output
                             : strcmp(a, "--provider") == 0 ? &provider
                             : strcmp(a, "--source") == 0   ? &source
                             : strcmp(a, "--ident") == 0    ? &ident
                                                            : NULL;
        if (value != NULL) {
            if (i + 1 == argc) {
                fprintf(stderr, "ehshim learn: missing value after %s\n", a);
                free(files);
                return 2;
            }
            *value = argv[++i];
            continue;
        }
        fprintf(stderr, "ehshim learn: unknown option %s\n", a);
        usage(stderr);
        free(files);
        return 2;
    }
    if (strcmp(source, "stderr") != 0 && strcmp(source, "syslog") != 0) {
        fprintf(stderr, "ehshim learn: --source is stderr or syslog, not %s\n", source);
        free(files);
        return 2;
    }

    learn_input in;
    int status = learn_input_open(&in, strcmp(source, "syslog") == 0 ? EHS_SOURCE_SYSLOG
                                                                    : EHS_SOURCE_STDERR,
                                  ident, existing);
    /* No FILE: standard input. */
    for (int i = 0; i < (file_count != 0 ? file_count : 1) && status == 0; i++)
        if (!learn_input_file(&in, file_count != 0 ? files[i] : "-", learn_stream))
            status = 1;
    free(files);
    if (status == 0 && !learn_input_end(&in)) {
        fprintf(stderr, "ehshim learn: out of memory\n");
        status = 1;
    }
    if (status != 0) {
        learn_input_close(&in);
        return status;
    }

    size_t template_count = learn_input_templates(&in);
    size_t taken = learn_input_taken_names(&in, NULL);
    const learn_template **order = calloc(template_count + 1, sizeof *order);
    learn_names event_names;
    bool names_ok = learn_names_init(&event_names, taken + template_count);
    cJSON *config = cJSON_CreateObject();
    if (order == NULL || !names_ok || config == NULL) {
        fprintf(stderr, "ehshim learn: out of memory\n");
        free(order);
        learn_names_free(&event_names);
        cJSON_Delete(config);
        learn_input_close(&in);
        return 1;
    }
    learn_input_taken_names(&in, event_names.names);
    /* The taken names are unique among themselves only as far as the
       existing config is: each is indexed once. */
    for (size_t i = 0; i < taken; i++)
        if (*learn_name_slot(&event_names, event_names.names[i]) == 0)
            *learn_name_slot(&event_names, event_names.names[i]) = i + 1;
    event_names.count = taken;
    cJSON_AddStringToObject(config, "provider", provider != NULL ? provider : "Learned");
    cJSON *capture = cJSON_AddObjectToObject(config, "capture");
    for (int s = EHS_SOURCE_ANY + 1; s < EHS_SOURCE_COUNT; s++) {
        const char *name = ehs_source_name((ehs_source)s);
        bool learned = in.learners[s].template_count != 0 || s == (int)in.source;
        if (learned || s == EHS_SOURCE_SYSLOG || s == EHS_SOURCE_STDERR)
            cJSON_AddBoolToObject(capture, name, learned);
    }
    cJSON *rules = cJSON_AddArrayToObject(config, "rules");
    /* With -c, the existing config's message field is no capture's name. */
    const char *message_field = in.existing != NULL ? in.existing->message_field : NULL;
    /* Each source's rules sorted on their own: a rule matches its source's
     * messages only, so only their order among themselves matters. Text
     * lines with the prefix come first, then those without it (a general
     * rule of theirs could take a prefixed line before its own rule), then
     * capture messages. */
    size_t n = 0;
    for (int s = EHS_SOURCE_ANY + 1; s < EHS_SOURCE_COUNT; s++) {
        const char *name = ehs_source_name((ehs_source)s);
        const learner *sets[3] = { &in.text, &in.bare, &in.learners[s] };
        for (int k = s == (int)in.source ? 0 : 2; k < 3; k++) {
            const learner *l = sets[k];
            size_t count = 0;
            for (size_t i = 0; i < l->template_count; i++)
                if (!l->templates[i].merged)
                    order[n + count++] = &l->templates[i];
            qsort(order + n, count, sizeof *order, learn_rule_order);
            for (size_t i = 0; i < count; i++, n++)
                cJSON_AddItemToArray(rules, learn_rule_of(order[n], k == 0 ? in.prefix : NULL, name,
                                                          ident, message_field, &event_names));
        }
    }
    /* With -c the output is the existing config's own text, with the rules
     * added and the final newline it has already. */
    char *text = existing != NULL ? learn_merge_file(existing, rules, provider)
                                  : cJSON_Print(config);
    FILE *out = text != NULL && output != NULL ? fopen(output, "w") : stdout;
    if (text == NULL && existing != NULL) {
        fprintf(stderr, "ehshim learn: %s: %s\n", existing, strerror(errno));
        status = 1;
    } else if (text == NULL || out == NULL ||
               fprintf(out, existing != NULL ? "%s" : "%s\n", text) < 0 ||
               (out != stdout ? fclose(out) != 0 : fflush(out) != 0)) {
        fprintf(stderr, "ehshim learn: cannot write %s\n", output != NULL ? output : "the config");
        status = 1;
    }
    learn_input_report(&in);
    if (existing != NULL)
        free(text);
    else
        cJSON_free(text);
    cJSON_Delete(config);
    free(order);
    learn_names_free(&event_names);
    learn_input_close(&in);
    return status;
}
