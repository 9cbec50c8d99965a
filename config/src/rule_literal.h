/*
 * What a rule's pattern says about every line it can match, found once when
 * the config is loaded, so the engine can rule a line out without calling
 * PCRE2: the literal text a match must start with (after the optional
 * leading blanks `ehshim learn` writes, "^[ \t]*"), and a literal text it
 * must contain after that.
 *
 * Conservative by construction: whatever the scanner does not fully
 * understand gives nothing, which only means PCRE2 decides, as it would
 * without the scan.
 */
#ifndef EHS_RULE_LITERAL_H
#define EHS_RULE_LITERAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Longest text kept of either kind: longer would rarely rule out more. */
enum { EHS_LITERAL_MAX = 24 };

/* Which bytes a pattern lets come before its prefix ("^X*" for a class X). */
typedef enum ehs_skip {
    EHS_SKIP_NONE = 0,   /* "^Failed": the prefix starts the line */
    EHS_SKIP_BLANKS = 1, /* "^[ \t]*Failed" */
    EHS_SKIP_SPACES = 2, /* "^ *Failed" */
    EHS_SKIP_WHITE = 3,  /* "^\s*Failed": space, \t, \n, \v, \f, \r */
    EHS_SKIP_WORD = 4,   /* "^[ \t]*W[ \t]++Failed", W taking no space or tab: the
                            prefix starts the second word (or the first, when
                            the line starts with blanks and W can be empty) */
    EHS_SKIP_WORDS = 5,  /* the same with two such W: the prefix starts one of
                            the first three words */
    EHS_SKIP_KINDS
} ehs_skip;

typedef struct ehs_literals {
    uint8_t skip;            /* ehs_skip: what may come before `prefix` */
    uint8_t prefix_len;      /* 0: no prefix known */
    uint8_t needle_len;      /* 0: no contained text known */
    uint8_t key_len;         /* 0 when prefix_len is 0; else at least 1 */
    char prefix[EHS_LITERAL_MAX]; /* a match starts with the longest run of `skip`
                                     bytes of the subject, then this */
    char needle[EHS_LITERAL_MAX]; /* every match contains this, after the prefix
                                     when there is one: the longest other run of
                                     literal bytes */
    char key[EHS_LITERAL_MAX];    /* the prefix carried on across runs of blanks
                                     ("[ \t]++"), folded as below: a match
                                     folded starts with this; longer than the
                                     prefix for learned templates, whose prefix
                                     ends at their first blank */
} ehs_literals;

/*
 * Folding, as `key` is: every run of spaces and tabs becomes one ' ', all
 * other bytes stay. A text a pattern matches from a prefix start, folded,
 * starts with the pattern's key; the converse need not hold (the key is a
 * filter, the prefix and the pattern decide). ehs_fold_blank: whether
 * `c` is one of the bytes folding merges.
 */
static inline bool ehs_fold_blank(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/*
 * Fills *out with what `pattern`, compiled with `compile_options`
 * (PCRE2_INFO_ARGOPTIONS), certainly requires of a subject; all zero when
 * nothing is certain: caseless, extended, multiline or literal options,
 * alternation outside parentheses, inline option settings outside them,
 * verbs such as (*ACCEPT), \Q..\E quoting, comments.
 */
void ehs_pattern_literals(const char *pattern, uint32_t compile_options, ehs_literals *out);

/* Most places in a line a prefix may start at. */
enum { EHS_STARTS_MAX = 3 };

/* Where in `text` (`len` bytes) the prefix of a pattern with `skip` may
 * start: fills `starts` and returns how many (1; up to 2 for EHS_SKIP_WORD,
 * 3 for EHS_SKIP_WORDS). */
size_t ehs_skip_starts(uint8_t skip, const char *text, size_t len,
                       size_t starts[EHS_STARTS_MAX]);

/* Where a line's first three words start (past the blanks that start it;
 * `len` for words it lacks): what the word kinds' starts are made of. */
void ehs_line_words(const char *text, size_t len, size_t words[EHS_STARTS_MAX]);

#if defined(__SSE2__)
/* Bit i set where byte i of the 16 at `p` is a space or a tab. */
static inline uint64_t ehs_blanks_of16(const char *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i blank = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                                 _mm_cmpeq_epi8(v, _mm_set1_epi8('\t')));
    return (uint64_t)(uint32_t)_mm_movemask_epi8(blank);
}
#endif

/*
 * ehs_line_words for most lines, inline: fills `words` and returns true
 * when the line's first 32 bytes (or 48 or 64, as far as the line has 16
 * bytes more) hold the starts of all three words, else returns false
 * (`words` then unspecified) for ehs_line_words to answer. The index asks
 * once a line whatever the config; a call and a loop over the starts cost
 * more than the look itself.
 */
static inline bool ehs_line_words_quick(const char *text, size_t len,
                                        size_t words[EHS_STARTS_MAX])
{
#if defined(__SSE2__)
    if (len < 32)
        return false;
    uint64_t known = ehs_blanks_of16(text) | ehs_blanks_of16(text + 16) << 16;
    /* Bytes not looked at count as blanks: no word starts there. A word
     * starts at a byte that is no blank, first or after a blank. */
    uint64_t blanks = known | ~(uint64_t)0 << 32;
    uint64_t first = ~blanks & (blanks << 1 | 1);
    uint64_t second = first & (first - 1), third = second & (second - 1);
    if (third == 0) {
        if (len < 48)
            return false;
        known |= ehs_blanks_of16(text + 32) << 32;
        blanks = known | ~(uint64_t)0 << 48;
        if (len >= 64) {
            known |= ehs_blanks_of16(text + 48) << 48;
            blanks = known;
        }
        first = ~blanks & (blanks << 1 | 1);
        second = first & (first - 1);
        third = second & (second - 1);
        if (third == 0)
            return false;
    }
    words[0] = (size_t)__builtin_ctzll(first);
    words[1] = (size_t)__builtin_ctzll(second);
    words[2] = (size_t)__builtin_ctzll(third);
    return true;
#else
    (void)text;
    (void)len;
    (void)words;
    return false;
#endif
}

/* ehs_skip_starts for EHS_SKIP_WORD or EHS_SKIP_WORDS, from the line's
 * ehs_line_words: one look for the words serves both kinds. */
size_t ehs_word_starts(uint8_t skip, const size_t words[EHS_STARTS_MAX],
                       size_t starts[EHS_STARTS_MAX]);

/* Whether byte `c` is in `skip`'s set (blanks for the WORD kinds; never for
 * EHS_SKIP_NONE). */
bool ehs_skip_has(uint8_t skip, unsigned char c);

/* Whether `needle` (`n` > 0 bytes) occurs in `text` (`len` bytes): what
 * memmem answers, without its set-up per call. */
bool ehs_literal_contains(const char *text, size_t len, const char *needle, size_t n);

/* Whether `text` (`len` bytes, the subject PCRE2 would see) can match a
 * pattern whose literals are `lit`; false only when it certainly cannot. */
bool ehs_literals_allow(const ehs_literals *lit, const char *text, size_t len);

#endif /* EHS_RULE_LITERAL_H */
