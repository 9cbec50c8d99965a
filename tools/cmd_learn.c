/*
 * ehshim learn [-o CONFIG] [--provider NAME] [--source syslog|stderr]
 *              [--ident NAME] [FILE ...]
 *
 * Reads messages, one per line, mines their templates (learn_templates.c)
 * and writes a config with one rule per template: anchored, the constant
 * words as they are, each variable part a named, typed capture, and the
 * template itself under "template" for people to read. Rules with more
 * constant words come first, so a specific rule wins over a general one.
 * A log-line prefix the lines share (learn_prefix.h) starts every rule
 * learned from the messages after it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "learn_feed.h"
#include "learn_templates.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ehshim learn [-o CONFIG] [--provider NAME] [--source syslog|stderr]\n"
            "                    [--ident NAME] [FILE ...]\n"
            "\n"
            "Reads messages, one per line (standard input without FILE), finds\n"
            "their templates and writes a config with one rule per template:\n"
            "the constant words as they are, each variable part a named capture\n"
            "typed as every value seen there allows (u32, u64, i64, port, ip, else\n"
            "string), and the template with <*> for each variable part under the\n"
            "rule's \"template\" key. Review it, then `ehshim check` and deploy.\n"
            "\n"
            "A prefix shared by 90%% of the first 1000 lines (PostgreSQL, nginx error\n"
            "log, syslog files, Hadoop, log4j, logback, Python logging) is learned\n"
            "once: templates come from the messages after it, and its time, level,\n"
            "pid, thread, logger... are captures of every rule made from them.\n"
            "\n"
            "options:\n"
            "  -o CONFIG          write the config there (default: standard output)\n"
            "  --provider NAME    the config's provider (default Learned)\n"
            "  --source SOURCE    'stderr' (default) or 'syslog': the rules' source\n"
            "  --ident NAME       the rules' ident (default: none, any ident)\n"
            "  --                 ends the options: FILE names follow\n"
            "  -h, --help         show this help\n"
            "\n"
            "At most %d templates are kept; lines past that are counted on stderr.\n"
            "exit status: 0; 1 unreadable input or unwritable output; 2 bad usage.\n",
            LEARN_TEMPLATES_MAX);
}

/* Words with no meaning of their own as a field name. */
static bool is_filler(const char *w)
{
    static const char *const fillers[] = { "from", "for", "to", "of", "in", "on", "at", "by",
                                           "with", "the", "a", "an", "is", "was", "and", "or" };
    for (size_t i = 0; i < sizeof fillers / sizeof fillers[0]; i++)
        if (strcmp(w, fillers[i]) == 0)
            return true;
    return false;
}

/* `text` as a lower-case identifier (letters, digits, '_'), at most 24
 * bytes, into `out`; "" when nothing of it is usable. */
static void identifier(const char *text, char out[32])
{
    size_t n = 0;
    for (const char *p = text; *p != '\0' && n < 24; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (n > 0 && ((c >= '0' && c <= '9') || c == '_')))
            out[n++] = c;
        else if (n > 0 && out[n - 1] != '_' && c != '=' && c != ':')
            out[n++] = '_';
    }
    while (n > 0 && out[n - 1] == '_')
        n--;
    out[n] = '\0';
}

static bool name_taken(char names[][32], size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

/* The capture name of variable position `i`: an address is "ip", the
 * value after "port" is "port", a key=value token its key, else the word
 * before it, else its position. */
static void capture_name(const learn_template *tpl, size_t i, char names[][32], size_t taken)
{
    char base[32] = "";
    const learn_token *t = &tpl->tokens[i];
    if (t->text[0] != '\0')
        identifier(t->text, base);
    else if (t->fits & LEARN_FITS_IP)
        strcpy(base, "ip");
    else if (i > 0 && !tpl->tokens[i - 1].variable) {
        identifier(tpl->tokens[i - 1].text, base);
        if (is_filler(base))
            base[0] = '\0';
    }
    if (base[0] == '\0')
        snprintf(base, sizeof base, "v%zu", i + 1);
    snprintf(names[taken], 32, "%s", base);
    for (unsigned k = 2; name_taken(names, taken, names[taken]); k++)
        snprintf(names[taken], 32, "%.24s_%u", base, k);
}

static const char *type_of(const learn_token *t, const char *name)
{
    if (t->fits & LEARN_FITS_IP)
        return "ip";
    if ((t->fits & LEARN_FITS_U16) && strncmp(name, "port", 4) == 0)
        return "port";
    if (t->fits & LEARN_FITS_U32)
        return "u32";
    if (t->fits & LEARN_FITS_U64)
        return "u64";
    if (t->fits & LEARN_FITS_I64)
        return "i64";
    return NULL;
}

/* Appends `s` to the buffer with regex metacharacters escaped. */
static void append_escaped(char *buf, size_t size, size_t *used, const char *s)
{
    for (; *s != '\0' && *used + 3 < size; s++) {
        if (strchr("\\^$.|?*+()[]{}#", *s) != NULL)
            buf[(*used)++] = '\\';
        buf[(*used)++] = *s;
    }
    buf[*used] = '\0';
}

static void append(char *buf, size_t size, size_t *used, const char *s)
{
    int n = snprintf(buf + *used, size - *used, "%s", s);
    if (n > 0)
        *used = *used + (size_t)n < size ? *used + (size_t)n : size - 1;
}

static size_t constants(const learn_template *tpl)
{
    size_t n = 0;
    for (size_t i = 0; i < tpl->count; i++)
        n += !tpl->tokens[i].variable;
    return n;
}

static int by_specificity(const void *a, const void *b)
{
    const learn_template *x = *(const learn_template *const *)a;
    const learn_template *y = *(const learn_template *const *)b;
    size_t cx = constants(x), cy = constants(y);
    if (cx != cy)
        return cx > cy ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->first_line > y->first_line) - (x->first_line < y->first_line);
}

/* The event name from the template's first constant words, CamelCase. */
static void event_name(const learn_template *tpl, char out[64])
{
    size_t n = 0;
    unsigned words = 0;
    for (size_t i = 0; i < tpl->count && words < 4; i++) {
        const learn_token *t = &tpl->tokens[i];
        if (t->variable)
            continue;
        bool upper = true, any = false;
        for (const char *p = t->text; *p != '\0' && n < 48; p++) {
            char c = *p;
            bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!letter) {
                upper = true;
                continue;
            }
            out[n++] = upper && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
            upper = false;
            any = true;
        }
        words += any;
    }
    if (n == 0)
        n = (size_t)snprintf(out, 64, "Message");
    out[n] = '\0';
}

/* `prefix`: the log-line prefix the template's lines had, or NULL. */
static cJSON *rule_of(const learn_template *tpl, const learn_prefix_format *prefix,
                      const char *source, const char *ident, char event_names[][64],
                      size_t rule_index)
{
    char names[LEARN_PREFIX_CAPTURES_MAX + LEARN_TOKENS_MAX][32];
    /* The prefix's capture names are taken: the message's get others. */
    size_t name_count = learn_prefix_capture_names(prefix, names, LEARN_PREFIX_CAPTURES_MAX);
    static char regex[LEARN_PREFIX_REGEX_MAX + LEARN_TOKENS_MAX * (LEARN_TOKEN_BYTES * 2 + 48) + 8];
    static char template_text[LEARN_TOKENS_MAX * (LEARN_TOKEN_BYTES + 8) + 8];
    size_t r = 0, t = 0;
    regex[0] = template_text[0] = '\0';
    append(regex, sizeof regex, &r, prefix != NULL ? prefix->regex : "^");
    append(regex, sizeof regex, &r, "[ \\t]*");
    cJSON *fields = cJSON_CreateObject();
    learn_prefix_add_types(prefix, fields);
    for (size_t i = 0; i < tpl->count; i++) {
        const learn_token *tok = &tpl->tokens[i];
        if (i > 0) {
            append(regex, sizeof regex, &r, "[ \\t]+");
            append(template_text, sizeof template_text, &t, " ");
        }
        if (!tok->variable) {
            append_escaped(regex, sizeof regex, &r, tok->text);
            append(template_text, sizeof template_text, &t, tok->text);
            continue;
        }
        capture_name(tpl, i, names, name_count);
        const char *name = names[name_count++];
        append_escaped(regex, sizeof regex, &r, tok->text);
        append(template_text, sizeof template_text, &t, tok->text);
        append(template_text, sizeof template_text, &t, "<*>");
        char group[64];
        bool rest = i + 1 == LEARN_TOKENS_MAX;
        snprintf(group, sizeof group, "(?<%s>%s)", name,
                 rest ? ".*" : tok->text[0] != '\0' ? "\\S*" : "\\S+");
        append(regex, sizeof regex, &r, group);
        const char *type = type_of(tok, name);
        if (type != NULL)
            cJSON_AddStringToObject(fields, name, type);
    }
    append(regex, sizeof regex, &r, "[ \\t]*$");

    char name[64];
    event_name(tpl, name);
    snprintf(event_names[rule_index], 64, "%s", name);
    for (unsigned k = 2; k < 100000; k++) {
        bool clash = false;
        for (size_t j = 0; j < rule_index && !clash; j++)
            clash = strcmp(event_names[j], event_names[rule_index]) == 0;
        if (!clash)
            break;
        snprintf(event_names[rule_index], 64, "%.48s%u", name, k);
    }
    cJSON *rule = cJSON_CreateObject();
    cJSON_AddStringToObject(rule, "name", event_names[rule_index]);
    cJSON_AddStringToObject(rule, "source", source);
    if (ident != NULL)
        cJSON_AddStringToObject(rule, "ident", ident);
    cJSON_AddStringToObject(rule, "regex", regex);
    if (fields->child != NULL)
        cJSON_AddItemToObject(rule, "fields", fields);
    else
        cJSON_Delete(fields);
    learn_prefix_add_level(prefix, rule);
    cJSON_AddStringToObject(rule, "template", template_text);
    return rule;
}

/* Feeds every line of `in` to the learners; false on a read error. */
static bool learn_stream(learn_feed *feed, FILE *in)
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
        if (!learn_feed_line(feed, line, len)) {
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
    const char *output = NULL, *provider = "Learned", *source = "stderr", *ident = NULL;
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
        const char **value = strcmp(a, "-o") == 0            ? &output
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

    /* `l` learns the messages after the lines' prefix (or every line when
     * they share none), `bare` the lines without it. */
    learner l = { 0 }, bare = { 0 };
    learn_feed feed = { .main = &l, .bare = &bare };
    int status = 0;
    if (file_count == 0 && !learn_stream(&feed, stdin)) {
        fprintf(stderr, "ehshim learn: reading standard input failed\n");
        status = 1;
    }
    for (int i = 0; i < file_count && status == 0; i++) {
        FILE *in = strcmp(files[i], "-") == 0 ? stdin : fopen(files[i], "r");
        if (in == NULL) {
            fprintf(stderr, "ehshim learn: %s: %s\n", files[i], strerror(errno));
            status = 1;
            break;
        }
        if (!learn_stream(&feed, in)) {
            fprintf(stderr, "ehshim learn: %s: read failed or out of memory\n", files[i]);
            status = 1;
        }
        if (in != stdin)
            fclose(in);
    }
    free(files);
    if (status == 0 && !learn_feed_end(&feed)) {
        fprintf(stderr, "ehshim learn: out of memory\n");
        status = 1;
    }
    const learn_prefix_format *prefix = feed.format;
    learn_feed_free(&feed);
    if (status != 0) {
        learner_free(&l);
        learner_free(&bare);
        return status;
    }

    size_t rule_count = l.template_count + bare.template_count;
    const learn_template **order = calloc(rule_count + 1, sizeof *order);
    char(*event_names)[64] = calloc(rule_count + 1, sizeof *event_names);
    cJSON *config = cJSON_CreateObject();
    if (order == NULL || event_names == NULL || config == NULL) {
        fprintf(stderr, "ehshim learn: out of memory\n");
        free(order);
        free(event_names);
        cJSON_Delete(config);
        learner_free(&l);
        learner_free(&bare);
        return 1;
    }
    for (size_t i = 0; i < l.template_count; i++)
        order[i] = &l.templates[i];
    qsort(order, l.template_count, sizeof *order, by_specificity);
    /* After every prefixed rule: a general one of these could take a
     * prefixed line before its own rule. */
    for (size_t i = 0; i < bare.template_count; i++)
        order[l.template_count + i] = &bare.templates[i];
    qsort(order + l.template_count, bare.template_count, sizeof *order, by_specificity);
    cJSON_AddStringToObject(config, "provider", provider);
    cJSON *capture = cJSON_AddObjectToObject(config, "capture");
    cJSON_AddBoolToObject(capture, "syslog", strcmp(source, "syslog") == 0);
    cJSON_AddBoolToObject(capture, "stderr", strcmp(source, "stderr") == 0);
    cJSON *rules = cJSON_AddArrayToObject(config, "rules");
    for (size_t i = 0; i < rule_count; i++)
        cJSON_AddItemToArray(rules, rule_of(order[i], i < l.template_count ? prefix : NULL, source,
                                            ident, event_names, i));
    char *text = cJSON_Print(config);
    FILE *out = output != NULL ? fopen(output, "w") : stdout;
    if (text == NULL || out == NULL || fprintf(out, "%s\n", text) < 0 ||
        (out != stdout ? fclose(out) != 0 : fflush(out) != 0)) {
        fprintf(stderr, "ehshim learn: cannot write %s\n", output != NULL ? output : "the config");
        status = 1;
    }
    l.lines += bare.lines;
    l.skipped += bare.skipped;
    fprintf(stderr, "ehshim learn: %lu lines, %zu templates%s", l.lines, rule_count,
            l.skipped != 0 ? "" : "\n");
    if (l.skipped != 0)
        fprintf(stderr, ", %lu lines not learned (empty, or past %d templates)\n", l.skipped,
                LEARN_TEMPLATES_MAX);
    if (prefix != NULL)
        fprintf(stderr, "ehshim learn: prefix %s on %lu lines, in every rule of theirs\n",
                prefix->name, feed.fitted);
    cJSON_free(text);
    cJSON_Delete(config);
    free(order);
    free(event_names);
    learner_free(&l);
    learner_free(&bare);
    return status;
}
