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
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "learn_input.h"
#include "learn_merge.h"
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

static cJSON *rule_of(const learn_template *tpl, const char *source, const char *ident,
                      char event_names[][64], size_t rule_index)
{
    char names[LEARN_TOKENS_MAX][32];
    size_t name_count = 0;
    static char regex[LEARN_TOKENS_MAX * (LEARN_TOKEN_BYTES * 2 + 48) + 8];
    static char template_text[LEARN_TOKENS_MAX * (LEARN_TOKEN_BYTES + 8) + 8];
    size_t r = 0, t = 0;
    regex[0] = template_text[0] = '\0';
    append(regex, sizeof regex, &r, "^[ \\t]*");
    cJSON *fields = cJSON_CreateObject();
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
    cJSON_AddStringToObject(rule, "template", template_text);
    return rule;
}

/* Feeds every line of `in` to the learner; false on a read error. */
static bool learn_stream(learner *l, FILE *in)
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
        if (!learner_add(l, line, len)) {
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
    if (status != 0) {
        learn_input_close(&in);
        return status;
    }

    size_t template_count = learn_input_templates(&in);
    size_t taken = learn_input_taken_names(&in, NULL);
    const learn_template **order = calloc(template_count + 1, sizeof *order);
    char(*event_names)[64] = calloc(taken + template_count + 1, sizeof *event_names);
    cJSON *config = cJSON_CreateObject();
    if (order == NULL || event_names == NULL || config == NULL) {
        fprintf(stderr, "ehshim learn: out of memory\n");
        free(order);
        free(event_names);
        cJSON_Delete(config);
        learn_input_close(&in);
        return 1;
    }
    learn_input_taken_names(&in, event_names);
    cJSON_AddStringToObject(config, "provider", provider != NULL ? provider : "Learned");
    cJSON *capture = cJSON_AddObjectToObject(config, "capture");
    for (int s = EHS_SOURCE_ANY + 1; s < EHS_SOURCE_COUNT; s++) {
        const char *name = ehs_source_name((ehs_source)s);
        bool learned = in.learners[s].template_count != 0 || strcmp(name, source) == 0;
        if (learned || s == EHS_SOURCE_SYSLOG || s == EHS_SOURCE_STDERR)
            cJSON_AddBoolToObject(capture, name, learned);
    }
    cJSON *rules = cJSON_AddArrayToObject(config, "rules");
    /* Each source's rules sorted on their own: a rule matches its source's
     * messages only, so only their order among themselves matters. */
    for (size_t s = EHS_SOURCE_ANY + 1, n = 0; s < EHS_SOURCE_COUNT; s++) {
        const learner *l = &in.learners[s];
        const char *name = ehs_source_name((ehs_source)s);
        for (size_t i = 0; i < l->template_count; i++)
            order[n + i] = &l->templates[i];
        qsort(order + n, l->template_count, sizeof *order, by_specificity);
        for (size_t i = 0; i < l->template_count; i++, n++)
            cJSON_AddItemToArray(rules, rule_of(order[n], name, ident, event_names, taken + n));
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
    free(event_names);
    learn_input_close(&in);
    return status;
}
