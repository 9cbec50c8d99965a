/*
 * Messages that are JSON objects: a validating scanner and the fields they
 * become. Written for the hot path: no allocation, no copies but the
 * unescaping of strings into the engine's scratch buffer.
 *
 * Members become fields in message order:
 *   string            string (unescaped; cut like every string)
 *   integer fitting i64  i64 (signed_int, 8 bytes)
 *   other numbers     f64 (float, 8 bytes); one past the double range does
 *                     not convert: null, counted
 *   true / false      bool (boolean, 1 byte)
 *   null              null (zero-length, unsigned_int)
 *   object            struct of its members (up to 127; the rest are
 *                     dropped), nested up to EHS_JSON_STRUCT_DEPTH levels
 *   array             of numbers: i64 array, or f64 array when any element
 *                     is not an i64; of strings: string array; of booleans:
 *                     bool array; empty: empty string array
 *   anything else     (empty objects, objects nested deeper, arrays of
 *                     mixed kinds, of objects, of arrays, of nulls) a string
 *                     holding the value's JSON text
 * A member named in the rule's "fields" is converted to that type from its
 * string contents or its number/true/false text; null stays null; an object
 * or array does not convert (null, counted). Nested members are named there
 * by their dotted path ("outer.inner").
 * Duplicate member names in one object keep the first. Top-level members
 * named like a reserved field (message field, truncated, ident, facility)
 * get a '_' in front. Keys are cut at a NUL and at EHS_NAME_MAX bytes.
 */
#ifndef EHS_JSON_MESSAGE_H
#define EHS_JSON_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "engine_emit.h"
#include "json_depth.h"

enum {
    /* Objects nested deeper than this are kept as JSON text. */
    EHS_JSON_STRUCT_DEPTH = 5,
    /* Elements kept of a string array (the rest are dropped). */
    EHS_JSON_STRING_ARRAY_MAX = 1024,
};

/* True when `text` is exactly one JSON object (RFC 8259; whitespace around
 * it allowed, nesting up to EHS_JSON_MAX_DEPTH). */
bool ehs_json_is_object(const char *text, size_t len);

/* Storage for string arrays, EHS_JSON_STRING_ARRAY_MAX entries each. */
typedef struct ehs_json_scratch {
    const void **strings;
    size_t *lengths;
} ehs_json_scratch;

/*
 * Adds the members of `text`, which ehs_json_is_object accepted, as fields
 * through `emit` (level_field members are checked too). Returns the number
 * of top-level fields added.
 */
size_t ehs_json_emit(ehs_emit *emit, const ehs_json_scratch *scratch, const char *text,
                     size_t len);

#endif /* EHS_JSON_MESSAGE_H */
