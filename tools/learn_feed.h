/*
 * The lines `ehshim learn` reads, on their way to the template learners:
 * the first LEARN_FEED_SAMPLE_LINES lines (at most LEARN_FEED_SAMPLE_BYTES)
 * are held until the log-line prefix they share is known
 * (learn_prefix_detect), then every line is learned, those held first, in
 * order. With a prefix, a line that fits it gives its message to `main`
 * and one that does not is learned whole by `bare`, whose rules then carry
 * no prefix; without one every line goes to `main` whole.
 *
 * Ownership: the two learners are the caller's (learner_free frees them);
 * the feed owns its sample and its compiled prefix, freed by
 * learn_feed_free. Not thread-safe; one feed per thread.
 */
#ifndef EHSHIM_TOOLS_LEARN_FEED_H
#define EHSHIM_TOOLS_LEARN_FEED_H

#include <stdbool.h>
#include <stddef.h>

#include "learn_prefix.h"
#include "learn_templates.h"

enum { LEARN_FEED_SAMPLE_LINES = 1000, LEARN_FEED_SAMPLE_BYTES = 8 << 20 };

typedef struct learn_feed {
    learner *main;                     /* set by the caller */
    learner *bare;                     /* set by the caller */
    const learn_prefix_format *format; /* the prefix chosen; NULL: none */
    unsigned long fitted;              /* lines learned after their prefix */
    size_t sample_fitting;             /* held lines that voted for it */
    /* private */
    bool decided;
    learn_prefix *prefix;
    char *bytes;                       /* the held lines, one after another */
    size_t bytes_used, bytes_capacity;
    size_t *ends;                      /* end offset of each held line */
    size_t count, ends_capacity;
} learn_feed;

/* Takes one line (`len` bytes, no '\n'); false when out of memory. */
bool learn_feed_line(learn_feed *f, const char *line, size_t len);

/* After the last line: decides on the lines held if not yet done and
 * learns them; false when out of memory. */
bool learn_feed_end(learn_feed *f);

/* Frees what the feed holds (not the learners); NULL-safe. */
void learn_feed_free(learn_feed *f);

#endif /* EHSHIM_TOOLS_LEARN_FEED_H */
