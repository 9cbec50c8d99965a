/*
 * grok: `%{PATTERN}`, `%{PATTERN:field}` and `%{PATTERN:field:type}` turned
 * into one PCRE2 pattern, from a library of built-in patterns (the names and
 * meanings of the logstash/elastic grok-patterns file) plus a config's own
 * `patterns`.
 *
 * Expansion rules:
 * - `%{NAME:field}` and `%{NAME:field:type}` become `(?<field>BODY)`,
 *   `%{NAME}` becomes `(?:BODY)`, where BODY is NAME's body, itself expanded.
 *   Everything else is regex text and is kept byte for byte. Every `%{` starts
 *   a reference, wherever it is (grok has no escape); write `%\{` for a
 *   literal "%{", and `(?:%){2}` rather than `%{2}`.
 * - NAME: letters, digits and `_`, at most EHS_GROK_NAME_MAX bytes.
 *   field: letters, digits and `_`, not starting with a digit, at most
 *   EHS_GROK_FIELD_MAX bytes (PCRE2's rule for group names). grok's nested
 *   `[a][b]` field names are rejected. type: letters, digits and `_`, kept
 *   as written ("int", "u16"); mapping it to a type is the loader's job.
 * - Built-in bodies contain no capturing group, so only the fields written in
 *   `%{...:field}` (and groups written as plain regex) capture. Where the
 *   logstash library captures inside a pattern (SYSLOGPROG's program and pid,
 *   SYSLOGBASE, URIHOST's port, SYSLOGFACILITY), these bodies do not: write
 *   `%{PROG:program}(?:\[%{POSINT:pid}\])?` to get them.
 * - A user pattern may use built-ins and other user patterns, defined in any
 *   order; references are resolved at expansion. A user pattern with the name
 *   of a built-in replaces it everywhere, inside other built-ins too (as
 *   logstash's pattern_definitions do): overriding HOSTNAME changes IPORHOST,
 *   URI and the rest.
 * - A user pattern's body is regex text like the expression and may hold
 *   capturing groups of its own, named or not. They are kept: a named group
 *   there becomes a field of every rule using the pattern (untyped, and absent
 *   from the capture list below), using the pattern twice in one expression
 *   makes PCRE2 refuse the duplicate name, and unnamed groups shift group
 *   numbers. Take group numbers from PCRE2 (pcre2_substring_number_from_name
 *   or PCRE2_INFO_NAMETABLE), never from positions in the capture list.
 *
 * Error convention: calls return 0 or a positive errno. EINVAL means a
 * problem with the text and comes with an ehs_grok_error saying what and
 * where; ENOMEM fills the error too ("out of memory", offset 0).
 */
#ifndef EHS_GROK_H
#define EHS_GROK_H

#include <stddef.h>
#include <stdint.h>

#define EHS_GROK_NAME_MAX 64            /* longest pattern name, bytes */
#define EHS_GROK_FIELD_MAX 32           /* longest field name: PCRE2's group-name limit */
#define EHS_GROK_DEPTH_MAX 64           /* deepest nesting of pattern references */
#define EHS_GROK_EXPANSION_MAX (1u << 20) /* longest expanded pattern, bytes */

/* A built-in pattern. Bodies are PCRE2 text, valid with and without
 * PCRE2_UTF, without capturing groups. */
typedef struct ehs_grok_builtin {
    const char *name;
    const char *body;
} ehs_grok_builtin;

/* The built-in library, in no particular order (grouped by theme). */
extern const ehs_grok_builtin ehs_grok_builtins[];
extern const size_t ehs_grok_builtin_count;

/*
 * A place in the text a user wrote: the expression, or the body of one of
 * the user patterns. Offsets count bytes of the strings as passed in (after
 * JSON unescaping); mapping them to a line and column is the caller's job.
 */
typedef struct ehs_grok_location {
    char pattern[EHS_GROK_NAME_MAX + 1]; /* "": in the expression; else the
                                            user pattern whose body holds the
                                            spot (never "" in an EINVAL
                                            from ehs_grok_check) */
    size_t offset;                       /* byte offset in that text */
    size_t expression_offset;            /* byte offset in the expression of
                                            the spot itself, or of the
                                            outermost `%{` that leads to it */
} ehs_grok_location;

/* What went wrong and where. Fixed size so callers can keep it on the stack. */
typedef struct ehs_grok_error {
    char message[256];      /* e.g. "unknown grok pattern 'FOO'"; no position in it */
    ehs_grok_location where;
} ehs_grok_error;

/* One `%{NAME:field}` or `%{NAME:field:type}` of an expansion. */
typedef struct ehs_grok_capture {
    char *name;                 /* field name, NUL-terminated, owned by the expansion */
    char *type;                 /* type text as written, NUL-terminated and owned; NULL when none */
    ehs_grok_location where;    /* where the field name is written (for errors about it) */
} ehs_grok_capture;

/* The result of ehs_grok_expand; free with ehs_grok_expansion_free. */
typedef struct ehs_grok_expansion {
    char *pattern;              /* PCRE2 pattern, NUL-terminated, owned */
    size_t pattern_len;         /* bytes before the NUL */
    ehs_grok_capture *captures; /* every grok field in order of appearance in
                                   `pattern` (which is PCRE2's group order
                                   among them); owned */
    size_t capture_count;
} ehs_grok_expansion;

/* Built-ins plus user patterns; opaque. Read-only calls (expand, locate,
 * check) may run on one library from many threads at once. */
typedef struct ehs_grok_library ehs_grok_library;

/* Stores a new library holding the built-ins in *out (owned by the caller,
 * free with ehs_grok_library_free). Returns 0 or ENOMEM. */
int ehs_grok_library_new(ehs_grok_library **out);

/* Frees a library; NULL is fine. */
void ehs_grok_library_free(ehs_grok_library *library);

/*
 * Adds user pattern `name` (`name_len` bytes) with regex `body` (`body_len`
 * bytes); both are copied. Nothing in the body is checked here, so patterns
 * may be added in any order: call ehs_grok_check once all are in. Returns 0;
 * EINVAL for a bad name ("bad grok pattern name 'x': use letters, digits
 * and _", "grok pattern name 'x...' is longer than 64 bytes") or a name added before ("duplicate grok
 * pattern 'X'"), with where.offset 0 and where.pattern ""; or ENOMEM.
 * Replacing a built-in is not an error (see above).
 */
int ehs_grok_library_add(ehs_grok_library *library, const char *name, size_t name_len,
                         const char *body, size_t body_len, ehs_grok_error *error);

/*
 * Expands `expression` (`length` bytes, need not be NUL-terminated) into
 * *out, which the caller frees with ehs_grok_expansion_free. Returns 0;
 * EINVAL with *error filled; or ENOMEM. On failure *out is zeroed.
 *
 * Errors, each at the `%{` of the reference unless said otherwise:
 *   "unterminated %{"
 *   "empty grok pattern name", "bad grok pattern name 'x'" (with a hint
 *       when it looks like logstash's inline %{NAME=regex})
 *   "unknown grok pattern 'FOO'"
 *   "too many ':' in grok reference"
 *   "empty field name", "bad field name 'x': ..." (at the field name)
 *   "field name 'x' is longer than 32 bytes"       (at the field name)
 *   "empty field type", "bad field type 'x'"        (at the type)
 *   "duplicate field name 'x'": at the second field, or, when the two come
 *       from different uses of a pattern, at the `%{` of the use holding the
 *       second, in the innermost text holding both uses
 *   "grok pattern cycle: A -> B -> A": at the reference closing the cycle
 *   "grok patterns nested more than 64 deep"
 *   "grok expansion longer than 1048576 bytes": at the reference being
 *       expanded when the limit was passed
 * An error inside a built-in body (only possible when a user pattern
 * replaced a built-in it uses) is reported at the reference to that built-in
 * in the nearest user-written text.
 */
int ehs_grok_expand(const ehs_grok_library *library, const char *expression, size_t length,
                    ehs_grok_expansion *out, ehs_grok_error *error);

/* Frees what an expansion owns and zeroes it; a zeroed one is fine. */
void ehs_grok_expansion_free(ehs_grok_expansion *expansion);

/*
 * Tells where byte `pattern_offset` of the expansion of `expression` came
 * from, for reporting a PCRE2 compile error (its erroroffset) in the user's
 * terms. Text copied from the expression or a user body maps to its byte
 * there; text the expansion added (group wrappers, built-in bodies) maps to
 * the `%{` of the reference that produced it, in the nearest user-written
 * text; the end of the pattern maps to the end of the expression. Expands
 * again, so the library and expression must be the ones expanded. Returns 0;
 * EINVAL when `expression` does not expand (*where is then zeroed); ENOMEM.
 */
int ehs_grok_locate(const ehs_grok_library *library, const char *expression, size_t length,
                    size_t pattern_offset, ehs_grok_location *where);

/*
 * Checks user pattern `name`: that its body expands (every reference known,
 * no cycle, no duplicate field) and that it compiles with PCRE2 under
 * `pcre2_options` both on its own and wrapped as `(?:BODY)`, so it can sit
 * inside any expression without changing the text around it (an unbalanced
 * `)` or a `\Q` without `\E` would). Locations name the pattern even at the
 * top of its body; expression_offset is then the offset in that body.
 * Call it for every user pattern after adding them all, so a broken pattern
 * is reported once, where it is written, even when no rule uses it. Returns
 * 0; EINVAL with *error filled ("bad regex in grok pattern 'X': <PCRE2
 * message>" for a compile failure); ENOENT when there is no user pattern
 * `name`; ENOMEM.
 */
int ehs_grok_check(const ehs_grok_library *library, const char *name, size_t name_len,
                   uint32_t pcre2_options, ehs_grok_error *error);

#endif /* EHS_GROK_H */
