/*
 * Template mining for `ehshim learn` (learn_templates.h). A token holding
 * a digit is taken as variable from the start (counts, ids, addresses,
 * times); other positions become variable when two lines of one template
 * differ there. Two lines belong to one template when they have as many
 * tokens and at least half of the positions agree, constant for constant.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow_array.h"
#include "learn_templates.h"

/* Share of positions that must agree for a line to join a template. */
#define SIMILARITY_MIN 0.5

/* A digit, or a byte a readable constant never holds (control bytes,
 * anything not ASCII): such a token is a value, captured as it is. */
static bool has_digit(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= '0' && c <= '9') || c < 0x20 || c >= 0x7f)
            return true;
    }
    return false;
}

/* The LEARN_FITS_* bits `len` bytes of `s` fit. */
static unsigned fits_of(const char *s, size_t len)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    unsigned fits = 0;
    unsigned char addr[16];
    if (inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1)
        fits |= LEARN_FITS_IP;
    bool negative = buf[0] == '-';
    size_t digits = negative ? 1 : 0;
    if (digits < len && strspn(buf + digits, "0123456789") == len - digits) {
        errno = 0;
        char *end;
        if (negative) {
            long long v = strtoll(buf, &end, 10);
            if (errno == 0 && *end == '\0')
                fits |= LEARN_FITS_I64;
            (void)v;
        } else {
            unsigned long long v = strtoull(buf, &end, 10);
            if (errno == 0 && *end == '\0') {
                fits |= LEARN_FITS_U64;
                if (v <= 0xFFFFFFFFull)
                    fits |= LEARN_FITS_U32;
                if (v <= 0xFFFFull)
                    fits |= LEARN_FITS_U16;
                if (v <= 0x7FFFFFFFFFFFFFFFull)
                    fits |= LEARN_FITS_I64;
            }
        }
    }
    return fits;
}

/* One token of a line, split as a template sees it. */
typedef struct line_token {
    const char *text;
    size_t len;
    size_t key_len;    /* "key=" of a key=value token whose value varies; 0 */
    bool variable;
} line_token;

static size_t tokenize(const char *line, size_t len, line_token *out)
{
    size_t n = 0;
    size_t i = 0;
    while (i < len && n < LEARN_TOKENS_MAX) {
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == len)
            break;
        size_t start = i;
        /* The last token takes the rest of a line longer than the cap. */
        if (n + 1 == LEARN_TOKENS_MAX)
            i = len;
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
        line_token *t = &out[n++];
        t->text = line + start;
        t->len = i - start;
        t->key_len = 0;
        const char *eq = memchr(t->text, '=', t->len);
        if (eq != NULL && eq != t->text) {
            size_t key = (size_t)(eq - t->text) + 1;
            if (has_digit(t->text + key, t->len - key) && !has_digit(t->text, key))
                t->key_len = key;
        }
        t->variable = t->key_len != 0 || has_digit(t->text, t->len) || t->len >= LEARN_TOKEN_BYTES;
    }
    return n;
}

/* The constant text a token shows a template: all of it, or its key. */
static size_t constant_len(const line_token *t)
{
    return t->key_len != 0 ? t->key_len : t->len;
}

static bool same_constant(const learn_token *a, const line_token *b)
{
    size_t n = constant_len(b);
    return strlen(a->text) == n && memcmp(a->text, b->text, n) == 0;
}

/* How many positions of `tpl` a line's tokens agree with; SIZE_MAX when a
 * key=value token meets anything but the same key. */
static size_t agreement(const learn_template *tpl, const line_token *tokens)
{
    size_t same = 0;
    for (size_t i = 0; i < tpl->count; i++) {
        const learn_token *t = &tpl->tokens[i];
        const line_token *lt = &tokens[i];
        bool t_keyed = t->variable && t->text[0] != '\0';
        if (t_keyed || lt->key_len != 0) {
            if (!(t_keyed && lt->key_len != 0 && same_constant(t, lt)))
                return SIZE_MAX;
            same++;
        } else if (!t->variable && !lt->variable && same_constant(t, lt)) {
            same++;
        } else if (t->variable && lt->variable) {
            same++;
        }
    }
    return same;
}

static unsigned value_fits(const line_token *lt)
{
    return fits_of(lt->text + lt->key_len, lt->len - lt->key_len);
}

static bool take_token(learn_token *t, const line_token *lt)
{
    t->text = strndup(lt->text, lt->variable ? lt->key_len : lt->len);
    t->variable = lt->variable;
    t->fits = lt->variable ? value_fits(lt) : 0;
    return t->text != NULL;
}

/* Merges a line into `tpl`: positions that differ become variable. */
static void merge(learn_template *tpl, const line_token *tokens)
{
    for (size_t i = 0; i < tpl->count; i++) {
        learn_token *t = &tpl->tokens[i];
        const line_token *lt = &tokens[i];
        if (t->variable) {
            t->fits &= value_fits(lt);
        } else if (lt->variable || !same_constant(t, lt)) {
            /* The constant seen so far is one of the values now. */
            unsigned was = fits_of(t->text, strlen(t->text));
            t->text[0] = '\0';
            t->variable = true;
            t->fits = was & value_fits(lt);
        }
    }
    tpl->lines++;
}

bool learner_add(learner *l, const char *line, size_t len)
{
    l->lines++;
    if (l->wanted != NULL && !l->wanted(l->wanted_context, line, len)) {
        l->known++;
        return true;
    }
    line_token tokens[LEARN_TOKENS_MAX];
    size_t n = tokenize(line, len, tokens);
    if (n == 0) {
        l->skipped++;
        return true;
    }
    learn_template *best = NULL;
    size_t best_same = 0;
    for (size_t i = 0; i < l->template_count; i++) {
        learn_template *tpl = &l->templates[i];
        if (tpl->count != n)
            continue;
        size_t same = agreement(tpl, tokens);
        if (same == SIZE_MAX || (double)same < SIMILARITY_MIN * (double)n)
            continue;
        if (best == NULL || same > best_same) {
            best = tpl;
            best_same = same;
        }
    }
    if (best != NULL) {
        merge(best, tokens);
        return true;
    }
    if (l->template_count == LEARN_TEMPLATES_MAX) {
        l->skipped++;
        return true;
    }
    if (l->template_count == l->template_capacity) {
        learn_template *grown = ehd__grow_array(l->templates, &l->template_capacity,
                                                l->template_count + 1, sizeof *l->templates, 64);
        if (grown == NULL)
            return false;
        l->templates = grown;
    }
    learn_template *tpl = &l->templates[l->template_count];
    memset(tpl, 0, sizeof *tpl);
    for (size_t i = 0; i < n; i++) {
        if (!take_token(&tpl->tokens[i], &tokens[i])) {
            for (size_t j = 0; j < i; j++)
                free(tpl->tokens[j].text);
            return false;
        }
    }
    tpl->count = n;
    tpl->lines = 1;
    tpl->first_line = l->lines;
    l->template_count++;
    return true;
}

void learner_free(learner *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->template_count; i++)
        for (size_t j = 0; j < l->templates[i].count; j++)
            free(l->templates[i].tokens[j].text);
    free(l->templates);
    l->templates = NULL;
    l->template_count = 0;
    l->template_capacity = 0;
}
