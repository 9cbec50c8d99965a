/*
 * The config rule of a learned template (learn_rules.h): a grok expression
 * of its constant text and typed pieces, captures named from the text
 * around them, an event name from its words, the template for people.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn_rules.h"

/* Capture names a rule may not have: those events carry themselves. */
enum { RESERVED_MAX = 5 };

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
                                                                       : NULL;
    if (grok != NULL)
        snprintf(out, sizeof out, "%%{%s:%s}", grok, name);
    else if (fits & LEARN_FITS_F64)
        /* Not %{NUMBER}: it refuses a number right after '-' or '.'
           ("2.6.5-1.358"), where a piece may start. */
        snprintf(out, sizeof out, "(?<%s>[+-]?[0-9]+(?:\\.[0-9]+)?)", name);
    else
        /* Not \S: a token ends at a blank or tab only, and may hold a form
           feed or a vertical tab. */
        snprintf(out, sizeof out, "(?<%s>[^ \\t]%s)", name,
                 whole ? "+" : last ? "*" : "*?");
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
int learn_rule_order(const void *a, const void *b)
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

size_t *learn_name_slot(learn_names *set, const char *name)
{
    size_t h = 5381;
    for (const char *p = name; *p != '\0'; p++)
        h = h * 33 + (unsigned char)*p;
    for (size_t i = h & set->slot_mask;; i = (i + 1) & set->slot_mask)
        if (set->slots[i] == 0 || strcmp(set->names[set->slots[i] - 1], name) == 0)
            return &set->slots[i];
}

bool learn_names_init(learn_names *set, size_t capacity)
{
    size_t slots = 16;
    while (slots < 2 * capacity)
        slots *= 2;
    *set = (learn_names){ .names = calloc(capacity + 1, sizeof *set->names),
                       .slots = calloc(slots, sizeof *set->slots),
                       .slot_mask = slots - 1 };
    return set->names != NULL && set->slots != NULL;
}

const char *learn_names_add(learn_names *set, const char *name)
{
    char *out = set->names[set->count];
    snprintf(out, 64, "%s", name);
    for (unsigned k = 2; *learn_name_slot(set, out) != 0 && k < 100000; k++)
        snprintf(out, 64, "%.48s%u", name, k);
    *learn_name_slot(set, out) = ++set->count;
    return out;
}

void learn_names_free(learn_names *set)
{
    if (set == NULL)
        return;
    free(set->names);
    free(set->slots);
}

cJSON *learn_rule_of(const learn_template *tpl, const learn_prefix_format *prefix,
                     const char *source, const char *ident, const char *message_field,
                     learn_names *event_names)
{
    char names[RESERVED_MAX + LEARN_PREFIX_CAPTURES_MAX + LEARN_TOKENS_MAX * LEARN_PIECES_MAX][32];
    /* The names every event carries itself, and the prefix's captures, are
       taken: the message's captures get others. */
    size_t name_count = 0;
    static const char *const reserved[] = { "ident", "facility", "truncated", "msg" };
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        snprintf(names[name_count++], 32, "%s", reserved[i]);
    if (message_field != NULL)
        snprintf(names[name_count++], 32, "%.31s", message_field);
    name_count += learn_prefix_capture_names(prefix, names + name_count, LEARN_PREFIX_CAPTURES_MAX);
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
            /* As many tokens as the run has at most, blanks taken whole:
               no way to split a line the regex must try twice. */
            char group[128];
            snprintf(group, sizeof group, "(?:[ \\t]++(?<%s>[^ \\t]+(?:[ \\t]++[^ \\t]+){0,%zu}))?",
                     names[name_count++], i - first);
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
            append(regex, sizeof regex, &r, "[ \\t]++");
            if (!glued)
                append(template_text, sizeof template_text, &t, " ");
        }
        glued = false;
        bool takes_tail = i + 1 == end && end < tpl->count;
        const char *m = tok->mask;
        size_t piece = 0;
        /* The token's own regex first: one with a piece that may end at
           several places is made atomic, so a line that fails does not
           try every way to cut each token (a match limit would end it on
           the default event). */
        static char token_regex[LEARN_TOKEN_BYTES * 2 + 48 * 8 + 64];
        size_t tr = 0;
        token_regex[0] = '\0';
        for (size_t at = 0; m[at] != '\0'; at++) {
            if (m[at] != LEARN_VAR) {
                size_t run = strcspn(m + at, "\x01");
                append_escaped(token_regex, sizeof token_regex, &tr, m + at, run);
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
            append(token_regex, sizeof token_regex, &tr,
                   piece_pattern(fits, whole, last, greedy, name));
            /* A rule has one time_format: the first time's form. */
            unsigned form = fits & (LEARN_FITS_TIME | LEARN_FITS_TIME_ZONE);
            if (form != 0 && time_form == 0)
                time_form = form;
            const char *type = form != 0 && form != time_form ? NULL : type_of(fits, name);
            if (type != NULL)
                cJSON_AddStringToObject(fields, name, type);
            piece++;
        }
        bool atomic = strstr(token_regex, "*?)") != NULL;
        if (atomic)
            append(regex, sizeof regex, &r, "(?>");
        append(regex, sizeof regex, &r, token_regex);
        if (atomic)
            append(regex, sizeof regex, &r, "(?=[ \\t]|$))");
    }
    append(regex, sizeof regex, &r, "[ \\t]*$");

    char name[64];
    event_name(tpl, name);
    cJSON *rule = cJSON_CreateObject();
    cJSON_AddStringToObject(rule, "name", learn_names_add(event_names, name));
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
