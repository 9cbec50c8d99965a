/*
 * The journal's native protocol, as programs linked to libsystemd send it to
 * /run/systemd/journal/socket (sd_journal_print, sd_journal_send,
 * sd_journal_sendv): one datagram (or sealed memfd) per entry, one field
 * after another, each "NAME=value\n", or "NAME\n" + the value's length as
 * 64-bit little-endian + the value + "\n" when the value may hold newlines
 * (systemd's docs/JOURNAL_NATIVE_PROTOCOL.md; tests/real/wire/README.md has
 * the bytes libsystemd 252 sends). Pure functions over the caller's bytes:
 * no allocation, no system calls; testable on their own.
 */
#ifndef SHIM_JOURNAL_WIRE_H
#define SHIM_JOURNAL_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "ehs/ehs_engine.h"

/* Longest field name the journal accepts. */
#define SHIM_JOURNAL_NAME_MAX 64

/* One field, pointing into the entry: what the rules engine takes as an
 * entry field. */
typedef ehs_entry_field shim_journal_field;

enum {
    SHIM_JOURNAL_END = 0,       /* no field left */
    SHIM_JOURNAL_FIELD = 1,     /* *field is the next one */
    SHIM_JOURNAL_MALFORMED = -1 /* the rest of the entry is not a field: stop */
};

/*
 * The field at *at of the entry (`len` bytes): fills *field, moves *at past
 * it and returns SHIM_JOURNAL_FIELD; SHIM_JOURNAL_END at the end;
 * SHIM_JOURNAL_MALFORMED when what follows is not a field (a name that is
 * empty, too long or not uppercase letters, digits and '_' starting with a
 * letter or '_'; a binary length running past the end, or not followed by
 * its '\n'). A last "NAME=value" without its '\n' is a field.
 */
int shim_journal_next_field(const char *entry, size_t len, size_t *at,
                            shim_journal_field *field);

/* What an event needs of an entry: its syslog-like parts. */
typedef struct shim_journal_summary {
    const char *message;   /* MESSAGE, NULL when the entry has none */
    size_t message_len;
    int priority;          /* PRIORITY (0..7), LOG_INFO (6) when absent or not a digit */
    const char *ident;     /* SYSLOG_IDENTIFIER, NULL when absent */
    size_t ident_len;
    int facility;          /* SYSLOG_FACILITY (0..23), -1 when absent or not a number */
    size_t fields;         /* fields read */
    size_t length;         /* bytes of the entry: up to its end, or to the empty
                              line that ends it and starts the next one */
    bool malformed;        /* a line that was no field was skipped, or the
                              entry stopped being fields before its end */
} shim_journal_summary;

/* Reads the entry at the start of `entry` into *summary, as journald reads
 * it: up to an empty line (which ends it: a datagram may hold several) or
 * the end; a text line whose name is not valid is skipped; fields named
 * with a leading '_' (journald's own, which a program cannot set) are left
 * out; the first of repeated fields wins. */
void shim_journal_summarize(const char *entry, size_t len, shim_journal_summary *summary);

/*
 * Like shim_journal_summarize, and also puts the entry's other fields in
 * `others` (up to `max` of them; NULL when `max` is 0), in the entry's
 * order: every field but the first MESSAGE, PRIORITY, SYSLOG_IDENTIFIER and
 * SYSLOG_FACILITY, which the summary holds (a repeated one is an other
 * field: the journal keeps every value), and but those named with a
 * leading '_'. Returns how many other fields there are, which may exceed
 * `max`. The next entry, if any, starts at summary->length + 1.
 */
size_t shim_journal_split(const char *entry, size_t len, shim_journal_summary *summary,
                          shim_journal_field *others, size_t max);

/*
 * The message the rules engine takes for an entry: source journal, the
 * summary's MESSAGE ("" without one), priority and facility (unknown
 * without SYSLOG_FACILITY), SYSLOG_IDENTIFIER as ident, else `ident`
 * (`ident_len` bytes), and `count` of the entry's other fields. exe is left
 * NULL for the caller. Points into the entry and `fields`.
 */
void shim_journal_message(const shim_journal_summary *summary, const char *ident,
                          size_t ident_len, const shim_journal_field *fields, size_t count,
                          ehs_message *out);

#endif /* SHIM_JOURNAL_WIRE_H */
