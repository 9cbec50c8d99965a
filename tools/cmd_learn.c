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

/* `text` (`len` bytes) as a lower-case identifier (letters, digits, '_';
 * "totalSteps" is "total_steps"), at most 24 bytes, into `out`; "" when
 * nothing of it is usable. */
static void identifier(const char *text, size_t len, char out[32])
{
    size_t n = 0;
    char prev = '\0';
    for (size_t i = 0; i < len && n < 24; i++) {
        char c = text[i];
        bool upper = c >= 'A' && c <= 'Z';
        if (upper && n > 0 && out[n - 1] != '_' && prev >= 'a' && prev <= 'z')
            out[n++] = '_';
        if (upper)
            c = (char)(c - 'A' + 'a');
        if (n < 24 && ((c >= 'a' && c <= 'z') || (n > 0 && ((c >= '0' && c <= '9') || c == '_'))))
            out[n++] = c;
        else if (n > 0 && n < 24 && out[n - 1] != '_')
            out[n++] = '_';
        prev = text[i];
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

static unsigned piece_fits(const learn_token *t, size_t piece)
{
    return piece < LEARN_PIECES_MAX ? t->fits[piece] : 0;
}

/* The capture name of the variable piece at mask offset `at` of token
 * `i` (its `piece`th): an address is "ip", a number after an address
 * and ':' is "port", a piece after a word in its token ("user=", "blk_")
 * is named by it, a whole token by the word before it, else by its
 * position. */
static void capture_name(const learn_template *tpl, size_t i, size_t at, size_t piece,
                         char names[][32], size_t taken)
{
    char base[32] = "";
    const learn_token *t = &tpl->tokens[i];
    size_t start = at;
    while (start > 0 && t->mask[start - 1] != LEARN_VAR)
        start--;
    unsigned fits = piece_fits(t, piece);
    if (fits & LEARN_FITS_IP)
        strcpy(base, "ip");
    else if (fits & (LEARN_FITS_TIME | LEARN_FITS_TIME_ZONE))
        strcpy(base, "time");
    else if (fits & LEARN_FITS_ERRNO)
        strcpy(base, "errno");
    else if (fits & LEARN_FITS_UUID)
        strcpy(base, "uuid");
    else if (piece > 0 && (fits & LEARN_FITS_U16) && start + 1 == at && t->mask[start] == ':' &&
             !(piece_fits(t, piece - 1) & LEARN_FITS_U64))
        strcpy(base, "port");
    else if (t->mask[at + 1] == ':' && t->mask[at + 2] == LEARN_VAR && fits == 0 &&
             (piece_fits(t, piece + 1) & LEARN_FITS_U16))
        strcpy(base, "host");
    else if (at > start)
        identifier(t->mask + start, at - start, base);
    else if (fits & LEARN_FITS_PATH)
        strcpy(base, "path");
    if (base[0] == '\0' && start == 0 && i > 0 && tpl->tokens[i - 1].vars == 0) {
        const char *prev = tpl->tokens[i - 1].mask;
        identifier(prev, strlen(prev), base);
        if (is_filler(base))
            base[0] = '\0';
    }
    if (base[0] == '\0') {
        if (t->vars > 1)
            snprintf(base, sizeof base, "v%zu_%zu", i + 1, piece + 1);
        else
            snprintf(base, sizeof base, "v%zu", i + 1);
    }
    snprintf(names[taken], 32, "%s", base);
    for (unsigned k = 2; name_taken(names, taken, names[taken]); k++)
        snprintf(names[taken], 32, "%.24s_%u", base, k);
}

static const char *type_of(unsigned fits, const char *name)
{
    if (fits & LEARN_FITS_IP)
        return "ip";
    if ((fits & LEARN_FITS_U16) && strncmp(name, "port", 4) == 0)
        return "port";
    if (fits & LEARN_FITS_U32)
        return "u32";
    if (fits & LEARN_FITS_U64)
        return "u64";
    if (fits & LEARN_FITS_I64)
        return "i64";
    if (fits & LEARN_FITS_HEX)
        return "hex";
    if (fits & LEARN_FITS_F64)
        return "f64";
    if (fits & LEARN_FITS_UUID)
        return "uuid";
    if (fits & (LEARN_FITS_TIME | LEARN_FITS_TIME_ZONE))
        return "time";
    if (fits & LEARN_FITS_BOOL)
        return "bool";
    if (fits & LEARN_FITS_ERRNO)
        return "errno";
    return NULL;
}

/* The grok text that captures a variable piece as `name`: the library's
 * pattern for what every value was, else any non-blank bytes (as few as
 * will do inside a token). Returned in a static buffer. */
static const char *piece_pattern(unsigned fits, bool whole, bool last, bool greedy, const char *name)
{
    static char out[64];
    const char *grok = greedy                                          ? "GREEDYDATA"
                       : (fits & LEARN_FITS_IP)                        ? "IP"
                       : (fits & LEARN_FITS_UUID)                      ? "UUID"
                       : (fits & (LEARN_FITS_TIME | LEARN_FITS_TIME_ZONE)) ? "TIMESTAMP_ISO8601"
                       : (fits & (LEARN_FITS_U64 | LEARN_FITS_I64))    ? "INT"
                       : (fits & LEARN_FITS_HEX)                       ? "BASE16NUM"
                       : (fits & (LEARN_FITS_BOOL | LEARN_FITS_ERRNO)) ? "WORD"
                       : (fits & LEARN_FITS_F64)                       ? NULL
                       : whole                                         ? "NOTSPACE"
                                                                       : NULL;
    if (grok != NULL)
        snprintf(out, sizeof out, "%%{%s:%s}", grok, name);
    else if (fits & LEARN_FITS_F64)
        /* Not %{NUMBER}: it refuses a number right after '-' or '.'
           ("2.6.5-1.358"), where a piece may start. */
        snprintf(out, sizeof out, "(?<%s>[+-]?[0-9]+(?:\\.[0-9]+)?)", name);
    else
        snprintf(out, sizeof out, "(?<%s>\\S*%s)", name, last ? "" : "?");
    return out;
}

/* Appends `len` bytes of `s` to the buffer with regex metacharacters
 * escaped. */
static void append_escaped(char *buf, size_t size, size_t *used, const char *s, size_t len)
{
    for (size_t i = 0; i < len && *used + 3 < size; i++) {
        if (strchr("\\^$.|?*+()[]{}#%", s[i]) != NULL)
            buf[(*used)++] = '\\';
        buf[(*used)++] = s[i];
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
        n += tpl->tokens[i].vars == 0 && !tpl->tokens[i].optional;
    return n;
}

static size_t constant_bytes(const learn_template *tpl)
{
    size_t n = 0;
    for (size_t i = 0; i < tpl->count; i++)
        if (!tpl->tokens[i].optional)
            n += strlen(tpl->tokens[i].mask) - tpl->tokens[i].vars;
    return n;
}

/* Rules that need more constant text first: a rule that takes the lines
 * of another must come after it. */
static int by_specificity(const void *a, const void *b)
{
    const learn_template *x = *(const learn_template *const *)a;
    const learn_template *y = *(const learn_template *const *)b;
    size_t bx = constant_bytes(x), by = constant_bytes(y);
    if (bx != by)
        return bx > by ? -1 : 1;
    size_t cx = constants(x), cy = constants(y);
    if (cx != cy)
        return cx > cy ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    if (x->first_line != y->first_line)
        return x->first_line < y->first_line ? -1 : 1;
    return (x->split_at > y->split_at) - (x->split_at < y->split_at);
}

/* The event name from the template's first constant words, CamelCase;
 * from the constant text of tokens with variable pieces when it has no
 * word of its own ("setTodayTotalDetailSteps=<*>"). */
static void event_name(const learn_template *tpl, char out[64])
{
    size_t n = 0;
    for (int pass = 0; pass < 2 && n == 0; pass++) {
        unsigned words = 0;
        for (size_t i = 0; i < tpl->count && words < 5; i++) {
            const learn_token *t = &tpl->tokens[i];
            if (t->optional || (pass == 0 && t->vars != 0))
                continue;
            bool upper = true, any = false;
            for (const char *p = t->mask; *p != '\0' && n < 48; p++) {
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
    }
    if (n == 0)
        n = (size_t)snprintf(out, 64, "Message");
    out[n] = '\0';
}

/* The event names given so far, and an index over them: a clash is found
 * in a probe or two, not by a scan of thousands of rules. */
typedef struct name_set {
    char (*names)[64]; /* `count` of them, room for all */
    size_t count;
    size_t *slots;     /* name index + 1; 0 empty; a power of two of them */
    size_t slot_mask;
} name_set;

static size_t *name_slot(name_set *set, const char *name)
{
    size_t h = 5381;
    for (const char *p = name; *p != '\0'; p++)
        h = h * 33 + (unsigned char)*p;
    for (size_t i = h & set->slot_mask;; i = (i + 1) & set->slot_mask)
        if (set->slots[i] == 0 || strcmp(set->names[set->slots[i] - 1], name) == 0)
            return &set->slots[i];
}

/* Sets up room for `capacity` names; false when out of memory. */
static bool name_set_init(name_set *set, size_t capacity)
{
    size_t slots = 16;
    while (slots < 2 * capacity)
        slots *= 2;
    *set = (name_set){ .names = calloc(capacity + 1, sizeof *set->names),
                       .slots = calloc(slots, sizeof *set->slots),
                       .slot_mask = slots - 1 };
    return set->names != NULL && set->slots != NULL;
}

/* Adds `name` (as given, or with the first number from 2 that makes it
 * unique) and returns the name it got. */
static const char *name_set_add(name_set *set, const char *name)
{
    char *out = set->names[set->count];
    snprintf(out, 64, "%s", name);
    for (unsigned k = 2; *name_slot(set, out) != 0 && k < 100000; k++)
        snprintf(out, 64, "%.48s%u", name, k);
    *name_slot(set, out) = ++set->count;
    return out;
}

static void name_set_free(name_set *set)
{
    free(set->names);
    free(set->slots);
}

/* `prefix`: the log-line prefix the template's lines had, or NULL. */
static cJSON *rule_of(const learn_template *tpl, const learn_prefix_format *prefix,
                      const char *source, const char *ident, name_set *event_names)
{
    char names[LEARN_PREFIX_CAPTURES_MAX + LEARN_TOKENS_MAX * LEARN_PIECES_MAX][32];
    /* The prefix's capture names are taken: the message's get others. */
    size_t name_count = learn_prefix_capture_names(prefix, names, LEARN_PREFIX_CAPTURES_MAX);
    static char regex[LEARN_PREFIX_REGEX_MAX +
                      LEARN_TOKENS_MAX * (LEARN_TOKEN_BYTES * 2 + 48 * 8) + 8];
    static char template_text[LEARN_TOKENS_MAX * (LEARN_TOKEN_BYTES * 3 + 8) + 8];
    size_t r = 0, t = 0;
    regex[0] = template_text[0] = '\0';
    append(regex, sizeof regex, &r, prefix != NULL ? prefix->regex : "^");
    append(regex, sizeof regex, &r, "[ \\t]*");
    cJSON *fields = cJSON_CreateObject();
    learn_prefix_add_types(prefix, fields);
    /* Optional tokens (learner_finish) at the end belong to the variable
       before them; a run of them elsewhere is one optional capture. */
    size_t end = tpl->count;
    while (end > 0 && tpl->tokens[end - 1].optional)
        end--;
    bool glued = false; /* the template text has "<*>" with no blank */
    unsigned time_form = 0;
    for (size_t i = 0; i < end; i++) {
        const learn_token *tok = &tpl->tokens[i];
        if (tok->optional) {
            size_t first = i;
            while (i + 1 < end && tpl->tokens[i + 1].optional)
                i++;
            if (name_count == sizeof names / sizeof names[0])
                continue;
            capture_name(tpl, first, 0, 0, names, name_count);
            char group[80];
            snprintf(group, sizeof group, "(?:[ \\t]+%%{DATA:%s})?", names[name_count++]);
            append(regex, sizeof regex, &r, group);
            /* loghub's way: "bytes<*>sent" between two words; by a
               variable token it stands apart ("by <*> <*> port"). */
            bool by_words = i > 0 && tpl->tokens[first - 1].vars == 0 && i + 1 < end &&
                            tpl->tokens[i + 1].vars == 0;
            if (!by_words)
                append(template_text, sizeof template_text, &t, " ");
            append(template_text, sizeof template_text, &t, "<*>");
            glued = by_words;
            continue;
        }
        if (i > 0) {
            append(regex, sizeof regex, &r, "[ \\t]+");
            if (!glued)
                append(template_text, sizeof template_text, &t, " ");
        }
        glued = false;
        bool takes_tail = i + 1 == end && end < tpl->count;
        const char *m = tok->mask;
        size_t piece = 0;
        for (size_t at = 0; m[at] != '\0'; at++) {
            if (m[at] != LEARN_VAR) {
                size_t run = strcspn(m + at, "\x01");
                append_escaped(regex, sizeof regex, &r, m + at, run);
                char text[LEARN_TOKEN_BYTES * 3 + 1];
                snprintf(text, sizeof text, "%.*s", (int)run, m + at);
                append(template_text, sizeof template_text, &t, text);
                at += run - 1;
                continue;
            }
            if (name_count == sizeof names / sizeof names[0])
                break;
            capture_name(tpl, i, at, piece, names, name_count);
            const char *name = names[name_count++];
            append(template_text, sizeof template_text, &t, "<*>");
            bool whole = at == 0 && m[1] == '\0';
            bool last = m[at + 1] == '\0';
            bool greedy = (tpl->rest && i + 1 == tpl->count) || (takes_tail && last);
            unsigned fits = greedy ? 0 : piece_fits(tok, piece);
            append(regex, sizeof regex, &r, piece_pattern(fits, whole, last, greedy, name));
            /* A rule has one time_format: the first time's form. */
            unsigned form = fits & (LEARN_FITS_TIME | LEARN_FITS_TIME_ZONE);
            if (form != 0 && time_form == 0)
                time_form = form;
            const char *type = form != 0 && form != time_form ? NULL : type_of(fits, name);
            if (type != NULL)
                cJSON_AddStringToObject(fields, name, type);
            piece++;
        }
    }
    append(regex, sizeof regex, &r, "[ \\t]*$");

    char name[64];
    event_name(tpl, name);
    cJSON *rule = cJSON_CreateObject();
    cJSON_AddStringToObject(rule, "name", name_set_add(event_names, name));
    cJSON_AddStringToObject(rule, "source", source);
    if (ident != NULL)
        cJSON_AddStringToObject(rule, "ident", ident);
    cJSON_AddStringToObject(rule, "grok", regex);
    if (time_form != 0)
        cJSON_AddStringToObject(rule, "time_format", time_form == LEARN_FITS_TIME
                                                         ? "%Y-%m-%dT%H:%M:%S"
                                                         : "%Y-%m-%dT%H:%M:%S%z");
    if (fields->child != NULL)
        cJSON_AddItemToObject(rule, "fields", fields);
    else
        cJSON_Delete(fields);
    learn_prefix_add_level(prefix, rule);
    cJSON_AddStringToObject(rule, "template", template_text);
    return rule;
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
    name_set event_names;
    bool names_ok = name_set_init(&event_names, taken + template_count);
    cJSON *config = cJSON_CreateObject();
    if (order == NULL || !names_ok || config == NULL) {
        fprintf(stderr, "ehshim learn: out of memory\n");
        free(order);
        name_set_free(&event_names);
        cJSON_Delete(config);
        learn_input_close(&in);
        return 1;
    }
    learn_input_taken_names(&in, event_names.names);
    /* The taken names are unique among themselves only as far as the
       existing config is: each is indexed once. */
    for (size_t i = 0; i < taken; i++)
        if (*name_slot(&event_names, event_names.names[i]) == 0)
            *name_slot(&event_names, event_names.names[i]) = i + 1;
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
            qsort(order + n, count, sizeof *order, by_specificity);
            for (size_t i = 0; i < count; i++, n++)
                cJSON_AddItemToArray(rules, rule_of(order[n], k == 0 ? in.prefix : NULL, name,
                                                    ident, &event_names));
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
    name_set_free(&event_names);
    learn_input_close(&in);
    return status;
}
