/*
 * A strict JSON reader (RFC 8259) that builds a cJSON tree and remembers
 * where every value and member key sits in the text, which cJSON itself does
 * not keep. Positions are 1-based; a column counts bytes from the start of its
 * line, so a tab is one column and a multi-byte UTF-8 character several.
 *
 * Stricter than cJSON on purpose: it rejects what cJSON lets through (raw
 * control characters and invalid UTF-8 in strings, "01", "1.", trailing
 * text) and refuses \u0000, which a C string cannot carry. It allocates the
 * tree through cJSON's own constructors and never touches cJSON's hooks.
 */
#ifndef EHS_JSON_POS_H
#define EHS_JSON_POS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config_diag.h"
#include "ehs/ehs_config.h"
#include "json_depth.h"

/* Where one value is written. */
typedef struct ehs_json_span {
    ehs_position key;    /* opening quote of the member's key; 0:0 for array elements and the root */
    ehs_position value;  /* first byte of the value */
    size_t offset;       /* byte offset of the value's first byte */
    size_t length;       /* bytes the value's text takes, quotes included */
} ehs_json_span;

typedef struct ehs_json_entry {
    const cJSON *node;
    ehs_json_span span;
} ehs_json_entry;

/* A parsed text: the tree and the positions of its nodes. */
typedef struct ehs_json_doc {
    cJSON *root;             /* owned; NULL until parsed */
    const char *text;        /* borrowed: must outlive the doc's use */
    size_t len;
    ehs_json_entry *entries;
    size_t count;
    size_t capacity;
    uint32_t *slots;         /* hash of node pointers: entry index + 1, 0 empty */
    size_t slot_count;       /* a power of two */
} ehs_json_doc;

/*
 * Parses `text` into `doc` (zero-initialised). Returns 0; EINVAL after
 * reporting the first syntax error to `diag` (at the offending byte); or
 * ENOMEM. `doc` must be freed with ehs_json_doc_free in every case.
 */
int ehs_json_parse(ehs_json_doc *doc, const char *text, size_t len, ehs_diag *diag);

/* Frees the tree and the positions and zeroes `doc`; a zeroed doc is fine.
 * The borrowed text is not freed. */
void ehs_json_doc_free(ehs_json_doc *doc);

/* Where `node` is written; a zero span for nodes not from this doc. */
ehs_json_span ehs_json_span_of(const ehs_json_doc *doc, const cJSON *node);

/*
 * Position in the file of the decoded byte `offset` of the string value
 * `node`, following the JSON escapes in its literal (so "\\d" advances two
 * columns for one decoded byte). An offset at or past the end maps to the
 * closing quote.
 */
ehs_position ehs_json_string_position(const ehs_json_doc *doc, const cJSON *node, size_t offset);

/* Results of ehs_json_integer */
enum {
    EHS_JSON_INTEGER = 0,     /* *value holds it */
    EHS_JSON_NOT_INTEGER = 1, /* has a fraction or an exponent */
    EHS_JSON_OUT_OF_RANGE = 2 /* negative, or above UINT64_MAX */
};

/*
 * Reads the number `node` exactly from its text (a double would round large
 * keywords). Only plain non-negative integers qualify.
 */
int ehs_json_integer(const ehs_json_doc *doc, const cJSON *node, uint64_t *value);

#endif /* EHS_JSON_POS_H */
