/*
 * Message templates mined from a log, for `ehshim learn`: lines in, one
 * template per kind of message out, each position a constant token or a
 * variable part with the types every value seen there fits.
 *
 * Streaming: a line is compared with the templates of its token count and
 * joins the most similar one (positions that differ become variable) or
 * starts a new one. Memory is bounded by LEARN_TEMPLATES_MAX templates of
 * at most LEARN_TOKENS_MAX tokens; lines past the cap are counted, not
 * learned. Not thread-safe; one learner per thread.
 */
#ifndef EHSHIM_TOOLS_LEARN_TEMPLATES_H
#define EHSHIM_TOOLS_LEARN_TEMPLATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { LEARN_TEMPLATES_MAX = 2000, LEARN_TOKENS_MAX = 48, LEARN_TOKEN_BYTES = 256 };

/* What every value seen at a variable position fits (bits). */
enum {
    LEARN_FITS_U32 = 1u,
    LEARN_FITS_U64 = 2u,
    LEARN_FITS_I64 = 4u,
    LEARN_FITS_IP = 8u,
    LEARN_FITS_U16 = 16u,
};

typedef struct learn_token {
    char *text;        /* the constant text, or the key of a "key=value" token
                          whose value varies ("uid="); owned */
    bool variable;     /* all of it (or its value after `text`) varies */
    unsigned fits;     /* LEARN_FITS_* of the values seen, when variable */
} learn_token;

typedef struct learn_template {
    learn_token tokens[LEARN_TOKENS_MAX];
    size_t count;
    unsigned long lines;      /* lines that joined it */
    unsigned long first_line; /* 1-based number of its first line */
} learn_template;

typedef struct learner {
    learn_template *templates; /* `template_count` of them, owned */
    size_t template_count;
    size_t template_capacity;  /* of `templates` */
    unsigned long lines;       /* lines read */
    unsigned long skipped;     /* lines not learned: empty, or past the cap */
    /* When set, a line it refuses is counted in `known` and not learned:
     * `ehshim learn -c` keeps out what an existing config's rules match. */
    bool (*wanted)(void *context, const char *line, size_t len);
    void *wanted_context;
    unsigned long known;       /* lines `wanted` refused */
} learner;

/* Adds one line (`len` bytes, no '\n'); false when out of memory. */
bool learner_add(learner *l, const char *line, size_t len);

/* Frees what the learner holds; NULL-safe. */
void learner_free(learner *l);

#endif /* EHSHIM_TOOLS_LEARN_TEMPLATES_H */
