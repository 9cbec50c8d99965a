/*
 * The rules of a config indexed, so a message walks only the rules that
 * could match it, still in config order (the first match wins).
 *
 * Rules are bucketed by the message source they apply to and by exact
 * ident: a message looks at the bucket of its ident and the bucket of rules
 * for any ident (no `ident`, or a glob); when the rules for any ident are
 * few enough to copy into every ident's bucket, it looks at its ident's
 * bucket alone, which then holds both. Within a bucket, a regex or grok
 * rule whose pattern starts with known literal text (rule_literal.h) is
 * filed under its key: that text carried on across runs of blanks and
 * folded, up to EHS_LITERAL_MAX bytes, after the blanks or words the
 * pattern lets come first. The keys of a bucket form a trie per kind of
 * start; the line, folded the same way as it is read, walks down it and
 * meets exactly the rules whose key it starts with, one byte a step,
 * whatever the number of rules. Every other rule of a bucket is always a
 * candidate.
 *
 * Candidates are only candidates: the engine still checks each rule's
 * source, ident and exe, its literal text in full, and runs its pattern.
 * Built once per config; read-only afterwards, so threads share it.
 */
#ifndef EHS_RULE_INDEX_H
#define EHS_RULE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ehs/ehs_config.h"
#include "rule_literal.h"

typedef struct ehs_rule_index ehs_rule_index;

/*
 * Indexes `rules` (`count` of them, which must outlive the index and not
 * change). NULL when out of memory (the engine then tries every rule in
 * order, as correct, only slower).
 */
ehs_rule_index *ehs_rule_index_new(const ehs_rule *rules, size_t count);

/* Frees the index; NULL is fine. */
void ehs_rule_index_free(ehs_rule_index *index);

/* The literals found in rule `i`'s pattern (all zero for none). */
const ehs_literals *ehs_rule_index_literals(const ehs_rule_index *index, size_t i);

/* Whether a message that has rule `i` among its candidates certainly has
 * the rule's source and ident, so the engine need not compare them. */
bool ehs_rule_index_placed(const ehs_rule_index *index, size_t i);

/* Most sorted runs of rule numbers one message gathers: per bucket, its
 * always list and one run per key the line starts with, at each start.
 * Lines that would need more (keys that start one another, many deep) get
 * all the rules of the bucket instead: the same events, only slower. */
enum { EHS_CANDIDATE_RUNS = 24 };

/* The candidates of one message: sorted runs merged on the fly. */
typedef struct ehs_candidates {
    const uint32_t *at[EHS_CANDIDATE_RUNS];
    const uint32_t *end[EHS_CANDIDATE_RUNS];
    const ehs_literals *check[EHS_CANDIDATE_RUNS]; /* a needle the text must hold
                                for the run to count, looked for only when the
                                run's first rule comes up (most lines are taken
                                before); NULL: none, or looked for already (a
                                needle of one byte, one memchr) */
    const char *text;
    size_t len;
    unsigned runs;
    size_t last;             /* the rule given last: a rule filed under the two
                                starts of a line is one candidate */
} ehs_candidates;

/*
 * The candidates for a message from `source` with ident `ident` (`ident_len`
 * bytes) whose text (what first-line rules match) is `text`, `len` bytes.
 */
void ehs_rule_index_candidates(const ehs_rule_index *index, ehs_source source, const char *ident,
                               size_t ident_len, const char *text, size_t len,
                               ehs_candidates *out);

/* The next candidate in config order, or SIZE_MAX when there is none left. */
static inline size_t ehs_candidates_next(ehs_candidates *c)
{
    for (;;) {
        unsigned best = c->runs;
        uint32_t low = UINT32_MAX;
        for (unsigned r = 0; r < c->runs; r++) {
            if (*c->at[r] < low) {
                low = *c->at[r];
                best = r;
            }
        }
        if (best == c->runs)
            return SIZE_MAX;
        bool take = true;
        if (c->check[best] != NULL) {
            take = ehs_literals_allow(c->check[best], c->text, c->len);
            c->check[best] = NULL;
            if (!take)
                c->at[best] = c->end[best] - 1; /* the whole run is spent below */
        }
        if (++c->at[best] == c->end[best]) {
            /* Spent: the last run takes its place, so later calls look at
             * live runs only (their order does not matter). */
            c->runs--;
            c->at[best] = c->at[c->runs];
            c->end[best] = c->end[c->runs];
            c->check[best] = c->check[c->runs];
        }
        if (take && low != c->last)
            return c->last = low;
    }
}

#endif /* EHS_RULE_INDEX_H */
