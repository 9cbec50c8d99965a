/*
 * What `ehshim learn` learns from, and which learner each message goes to:
 *   - a text file: every line, through the caller's line reader and
 *     learn_input_text_line, to the text learners of --source: the log-line
 *     prefix the lines share is found first (learn_feed.h), then `text`
 *     learns each line's message after it (every line whole when there is
 *     none) and `bare` the lines without it;
 *   - a capture file (.dat; see capture_reader_sniff, and any file named
 *     *.dat): the message field of each default event - an event no rule
 *     matched when it was captured - to the learner of the event's source,
 *     so its rule gets that source. Other events are counted and skipped;
 *   - with an existing config (-c): a message one of its rules matches is
 *     counted in its learner's `known`, not learned, so rules are learned
 *     only for what the config does not cover yet.
 * Not thread-safe; one learn_input per command.
 */
#ifndef EHSHIM_TOOLS_LEARN_INPUT_H
#define EHSHIM_TOOLS_LEARN_INPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "ehd/ehd.h"
#include "ehs/ehs_config.h"
#include "ehs/ehs_engine.h"
#include "learn_feed.h"
#include "learn_templates.h"

struct learn_input;

/* Gives every line of `file` to learn_input_text_line; false on a read
 * error or out of memory. */
typedef bool (*learn_line_reader)(struct learn_input *in, FILE *file);

/* The context of one learner's `wanted`: the input and the learner's
 * source, which the existing config's rules are matched with. */
typedef struct learn_filter {
    struct learn_input *in;
    ehs_source source;
} learn_filter;

typedef struct learn_input {
    learner learners[EHS_SOURCE_COUNT]; /* capture messages, by the source
                                           their rules get; [EHS_SOURCE_ANY]
                                           stays empty */
    learner text;             /* text lines: the messages after the prefix,
                                 or whole lines when there is none */
    learner bare;             /* text lines without the prefix */
    const learn_prefix_format *prefix; /* the text lines' prefix, known after
                                          learn_input_end; NULL: none */
    ehs_source source;        /* --source: text lines, and events whose source
                                 their name does not tell */
    const char *ident;        /* --ident: text lines' ident, for -c; NULL */
    ehs_config *existing;     /* -c, or NULL */
    unsigned long events;     /* capture records read */
    unsigned long matched;    /* of them, events a rule had matched: skipped */
    /* Private. */
    ehs_thread_state *state;
    ehd_builder *builder;
    const char *message_ident; /* ident of the capture event being learned;
                                  NULL: a text line's (`ident`) */
    size_t message_ident_len;
    char *message;            /* a capture message's first line, NULs made spaces */
    size_t message_capacity;
    learn_filter filters[EHS_SOURCE_COUNT];
    learn_feed feed;
} learn_input;

/*
 * Sets up `in` (which must not move afterwards) for text lines of `source`
 * with `ident` (may be NULL), and loads the config at `existing_path`
 * unless it is NULL, its problems printed as "FILE:LINE:COL: ..." lines.
 * Returns 0, or 1 after printing why not (learn_input_close is still due).
 */
int learn_input_open(learn_input *in, ehs_source source, const char *ident,
                     const char *existing_path);

/*
 * Learns from the file at `path` ("-": standard input), a capture file or
 * lines of text (given to `read_lines`). Returns false after printing
 * "ehshim learn: FILE: what is wrong" (a capture file's broken record as
 * "FILE: record N at offset X: what"), having read nothing past the end.
 */
bool learn_input_file(learn_input *in, const char *path, learn_line_reader read_lines);

/* Learns one text line (`len` bytes, no '\n'), unless a rule of the
 * existing config matches it; false when out of memory. */
bool learn_input_text_line(learn_input *in, const char *line, size_t len);

/* After the last file: learns the text lines still held for the prefix
 * and finishes every learner (learner_finish); false when out of memory. */
bool learn_input_end(learn_input *in);

/* Rules the learners make: their templates but those merged into longer
 * ones (learner_finish()). Call after learner_finish(). */
size_t learn_input_rules(const learn_input *in);

/* Messages and templates of every learner together. */
unsigned long learn_input_messages(const learn_input *in);
size_t learn_input_templates(const learn_input *in);

/*
 * The event names a learned rule must not take, so that its events stay
 * apart from the existing config's and from default events: the names of
 * the existing config's rules and default event, and the default event
 * names of every source. Fills `names` unless it is NULL (a name of 64
 * bytes or more, which no learned name can equal, is cut) and returns how
 * many there are.
 */
size_t learn_input_taken_names(const learn_input *in, char (*names)[64]);

/* Prints the summary line on stderr: messages, templates, what was not
 * learned and why. */
void learn_input_report(const learn_input *in);

/* Frees what `in` holds; the learners too. */
void learn_input_close(learn_input *in);

#endif /* EHSHIM_TOOLS_LEARN_INPUT_H */
