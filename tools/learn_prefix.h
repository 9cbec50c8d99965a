/*
 * Log-line prefixes for `ehshim learn`: the timestamp, level, pid, thread
 * and logger a logging library puts before every message (Python logging,
 * log4j and logback, PostgreSQL, syslog files, HDFS/Hadoop, the nginx error
 * log). `ehshim learn` detects one shared by the lines, mines templates
 * from the messages after it, and writes it into every rule made from
 * them as named captures (`time`, `level`, `pid`, `thread`, `logger`...).
 *
 * A format is one PCRE2 pattern, anchored at the line's start and ending
 * where the message begins: the same text splits lines while learning and
 * starts the learned rules' regex, so a rule matches the lines it was
 * learned from.
 *
 * Ownership: formats are static and never freed; a learn_prefix is the
 * caller's, freed with learn_prefix_free. Thread-safety: the formats and
 * every function taking only a format are thread-safe; one learn_prefix
 * (it holds its match data) serves one thread at a time.
 */
#ifndef EHSHIM_TOOLS_LEARN_PREFIX_H
#define EHSHIM_TOOLS_LEARN_PREFIX_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

enum {
    /* Bytes of a format's regex, at most (the rules' regex buffers). */
    LEARN_PREFIX_REGEX_MAX = 512,
    /* Named captures of a format, at most. */
    LEARN_PREFIX_CAPTURES_MAX = 8,
    /* Bytes of a line the prefix is looked for in: prefixes are short,
     * and a long line costs no more than a short one. */
    LEARN_PREFIX_SCAN_BYTES = 4096,
    /* Percent of the voting lines a format must fit to be chosen. */
    LEARN_PREFIX_MAJORITY = 90,
};

typedef struct learn_prefix_format {
    const char *name;   /* "postgresql", "python", ... */
    const char *regex;  /* starts with '^', ends where the message begins */
    const char *levels; /* the words the `level` capture takes, '|' between
                           them; NULL when the format has no level */
} learn_prefix_format;

/* The known formats, most specific first (the order detection tries them);
 * `*count` gets their number. */
const learn_prefix_format *learn_prefix_formats(size_t *count);

/*
 * The format shared by `lines` (`lens[i]` bytes each, no '\n'): the first
 * one, in learn_prefix_formats' order, that LEARN_PREFIX_MAJORITY percent
 * of the voting lines fit. Empty lines and lines starting with a space or a
 * tab (the continuation lines of tracebacks, stack traces and statements)
 * do not vote. NULL when no format is shared, no line votes, or memory ran
 * out (then no prefix is the safe answer). `*fitting`, when not NULL, gets
 * how many voting lines fit the format returned (0 with NULL).
 */
const learn_prefix_format *learn_prefix_detect(const char *const *lines, const size_t *lens,
                                               size_t count, size_t *fitting);

typedef struct learn_prefix learn_prefix;

/* The compiled `format`; NULL when out of memory. */
learn_prefix *learn_prefix_new(const learn_prefix_format *format);

/* Frees it; NULL-safe. */
void learn_prefix_free(learn_prefix *p);

/*
 * Whether `line` (`len` bytes) starts with the prefix and a message
 * follows it (some byte other than a space or a tab): then true, and
 * `*message` gets the offset of the message's first byte.
 */
bool learn_prefix_split(learn_prefix *p, const char *line, size_t len, size_t *message);

/*
 * The names of the format's captures, in the order of the regex, into
 * `names` (at most `max`, each under 32 bytes); returns their number. A
 * learned rule reserves them, so no capture of the message takes one.
 * NULL `format`: 0.
 */
size_t learn_prefix_capture_names(const learn_prefix_format *format, char (*names)[32],
                                  size_t max);

/*
 * Adds the types of the format's typed captures (`pid`: u32...) to a
 * rule's "fields" object; untyped ones are strings. False when out of
 * memory. NULL `format`: nothing, true.
 */
bool learn_prefix_add_types(const learn_prefix_format *format, cJSON *fields);

/*
 * Adds "level_field": "level" and a "level_map" from each of the format's
 * level words to the config's level names (critical, error, warning, info,
 * verbose) to `rule`. Words with no severity of their own (PostgreSQL's
 * DETAIL, STATEMENT...) are left out: such lines keep the source's level.
 * False when out of memory. NULL `format`, or a format without levels:
 * nothing, true.
 */
bool learn_prefix_add_level(const learn_prefix_format *format, cJSON *rule);

#endif /* EHSHIM_TOOLS_LEARN_PREFIX_H */
