/*
 * Message templates mined from a log, for `ehshim learn`: lines in, one
 * template per kind of message out.
 *
 * A line is split at blanks into tokens, and each token into pieces: a
 * number, an address, a hex string, a month or day name is a variable
 * piece from the start; the rest (words, punctuation) is constant until
 * two lines of one template differ there. A token is kept as a mask: its
 * constant bytes as they are and LEARN_VAR for each variable piece, so
 * "/10.0.0.1:50010" is "/\x01:\x01" and reads "/<*>:<*>".
 *
 * Streaming: a line is compared with the templates of its token count and
 * first word and joins the most similar one, or starts a new one. Memory
 * is bounded by LEARN_TEMPLATES_MAX templates of at most LEARN_TOKENS_MAX
 * tokens; lines past the cap are counted, not learned. learner_finish()
 * then merges a template into a longer one that holds it plus runs of
 * tokens with variable pieces ("0 bytes sent", "451 bytes (1.2 KB)
 * sent"), and splits a template whose only difference at some position is
 * between two words ("cupsd startup succeeded", "cupsd shutdown
 * succeeded"), so there are at most 3 * LEARN_TEMPLATES_MAX in the end.
 * Not thread-safe; one learner per thread.
 */
#ifndef EHSHIM_TOOLS_LEARN_TEMPLATES_H
#define EHSHIM_TOOLS_LEARN_TEMPLATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    LEARN_TEMPLATES_MAX = 2000,
    LEARN_TOKENS_MAX = 48,
    LEARN_TOKEN_BYTES = 256,
    /* Variable pieces of one token whose types are tracked; later ones
       are strings. */
    LEARN_PIECES_MAX = 8,
};

/* The byte that stands for a variable piece in a mask. */
#define LEARN_VAR '\x01'

/* What every value seen at a variable piece fits (bits). */
enum {
    LEARN_FITS_U32 = 1u,
    LEARN_FITS_U64 = 2u,
    LEARN_FITS_I64 = 4u,
    LEARN_FITS_IP = 8u,
    LEARN_FITS_U16 = 16u,
    LEARN_FITS_HEX = 32u,  /* 0x and hex digits */
    LEARN_FITS_F64 = 64u,  /* a decimal number, maybe with a fraction */
    LEARN_FITS_UUID = 128u,
    LEARN_FITS_TIME = 256u, /* ISO 8601 date and time, whole seconds */
    LEARN_FITS_BOOL = 512u, /* true/false, yes/no, on/off */
    LEARN_FITS_TIME_ZONE = 1024u, /* the same with a zone: Z or +hh:mm */
    LEARN_FITS_ERRNO = 2048u, /* an errno name: ENOENT */
    LEARN_FITS_PATH = 4096u,  /* an absolute file path (a string; named so) */
};

/* How a position's constants have differed so far. */
enum learn_words {
    LEARN_WORDS_CONSTANT, /* never: the mask is its one constant */
    LEARN_WORDS_TWO,      /* between `words[0]` and `words[1]` only */
    LEARN_WORDS_MANY,     /* more, or values that were not words */
};

typedef struct learn_token {
    char *mask;                        /* owned, NUL-terminated */
    uint32_t hash;                     /* of `mask`: masks differ fast */
    size_t vars;                       /* LEARN_VAR bytes in `mask` */
    unsigned fits[LEARN_PIECES_MAX];   /* LEARN_FITS_* per variable piece */
    enum learn_words words_state;
    /* Set by learner_finish(): lines of a template merged into this one
       lack the token. A run of them between two tokens reads "<*>"; a
       run at the end belongs to the variable token before it. */
    bool optional;
    char *words[2];                    /* owned, when LEARN_WORDS_TWO */
    unsigned long word_lines[2];       /* lines with each word */
} learn_token;

typedef struct learn_template {
    learn_token tokens[LEARN_TOKENS_MAX];
    size_t count;
    bool rest;                /* the last token took the rest of a line
                                 longer than LEARN_TOKENS_MAX tokens */
    unsigned long lines;      /* lines that joined it */
    unsigned long first_line; /* 1-based number of its first line */
    bool merged;              /* learner_finish() merged its lines into a
                                 longer template: it has no rule */
    size_t split_at;          /* learner_finish(): a template split from
                                 another per word, at this position + 1; the
                                 one it came from stays, for words not seen */
    size_t bucket_next;       /* the learner's index: next template + 1 */
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
    /* Index from (token count, first word) to templates; owned. */
    struct learn_bucket *buckets;
    size_t bucket_capacity;
} learner;

/* Adds one line (`len` bytes, no '\n'); false when out of memory (the
 * learner stays usable and freeable). */
bool learner_add(learner *l, const char *line, size_t len);

/* Merges templates into longer ones that hold them plus runs of tokens
 * with variable pieces (`merged`, `optional`), then splits a template
 * whose constants differed at one position between two words only into
 * one template per word (`split_at`), the one it came from kept for words
 * not seen yet. Call once, after the last learner_add(); false when out of
 * memory (the learner then holds what it had). */
bool learner_finish(learner *l);

/* Frees what the learner holds; NULL-safe. */
void learner_free(learner *l);

#endif /* EHSHIM_TOOLS_LEARN_TEMPLATES_H */
