/*
 * What the grok files share among themselves: finding a pattern by name,
 * the shape of names, copying them, and filling an error.
 */
#ifndef EHS_GROK_INTERNAL_H
#define EHS_GROK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "grok.h"

/* A pattern found by name: a user pattern or a built-in. */
typedef struct ehs_grok_entry {
    const char *name;
    size_t name_len;
    const char *body;
    size_t body_len;
    bool builtin;
} ehs_grok_entry;

/* Finds `name`, user patterns first (they replace built-ins). Returns false
 * when there is none. */
bool ehs_grok_lookup(const ehs_grok_library *library, const char *name, size_t name_len,
                     ehs_grok_entry *entry);

/* Pattern names: letters, digits and `_`, 1..EHS_GROK_NAME_MAX bytes. */
bool ehs_grok_name_chars_ok(const char *name, size_t len);

/*
 * Writes `text` into `out` (`size` bytes, at least 8) for quoting in a
 * message: control and non-ASCII bytes become '?', and text over 48 bytes is
 * cut with "...". Returns `out`.
 */
char *ehs_grok_show(char *out, size_t size, const char *text, size_t len);

/* Room for ehs_grok_show's output. */
#define EHS_GROK_SHOW_MAX 56

/* A malloc'ed, NUL-terminated copy of the `len` bytes at `text` (names and
 * pattern bodies, which are counted, not terminated), or NULL when out of
 * memory. The caller frees it. */
char *ehs_grok_copy(const char *text, size_t len);

/*
 * ehs_grok_expand and ehs_grok_locate with the text at the top named:
 * `root_name` NULL for an expression, else the user pattern whose body
 * `text` is (then locations name it even at the top).
 */
int ehs_grok_expand_root(const ehs_grok_library *library, const char *root_name,
                         size_t root_name_len, const char *text, size_t length,
                         ehs_grok_expansion *out, ehs_grok_error *error);
int ehs_grok_locate_root(const ehs_grok_library *library, const char *root_name,
                         size_t root_name_len, const char *text, size_t length,
                         size_t pattern_offset, ehs_grok_location *where);

/* Fills error->message (printf-style); leaves error->where alone. */
void ehs_grok_set_message(ehs_grok_error *error, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* EHS_GROK_INTERNAL_H */
