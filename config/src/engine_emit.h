/*
 * Adding fields to the event being built, shared by the regex, kv and JSON
 * paths of the engine: typed values with null on failure, strings cut to a
 * limit, and the budgets that keep every event decodable (fields per
 * level, items per event, payload bytes).
 *
 * Encoding of a field of each type (see convert.h for the formats):
 *   string      counted UTF-8 (ehd_builder_add_string_n, default format)
 *   other types counted 8-bit field (ehd_builder_add_binary_n) with the
 *               type's format holding the value's bytes
 *   null        the same counted 8-bit field with zero bytes: the type's
 *               format for fixed-size types, unsigned_int for string and
 *               hexbytes (whose own formats would show "")
 */
#ifndef EHS_ENGINE_EMIT_H
#define EHS_ENGINE_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ehd/ehd.h"
#include "ehd_builder_layout.h" /* the builder's inline appends: the hot path */
#include "ehs/ehs_config.h"
#include "ehs/ehs_engine.h"

enum {
    /* Fields the decoder walks per event; ours stay under its 4096 with room
     * for the fixed fields. */
    EHS_EMIT_ITEMS = 3800,
    /* Top-level fields from captures, kv pairs and JSON members: the
     * decoder's limit is 255, and message, truncated, ident and facility
     * come after them. */
    EHS_EMIT_TOP_FIELDS = 248,
    /* Event bytes kept back once a message's members pass the budget, for
     * the forced first members of open structs (names up to 255 bytes). */
    EHS_EMIT_BYTES_RESERVE = 2048,
    /* Items kept back once a message's members pass the budget: enough for
     * the first member of every struct already opened (see json_message.c). */
    EHS_EMIT_RESERVE = 64,
    /* Longest field name from a kv key or JSON member; longer ones are cut. */
    EHS_NAME_MAX = 255,
    /* Names remembered per event to drop duplicate kv keys / JSON members. */
    EHS_NAME_SET_ENTRIES = 1024,
    EHS_NAME_SET_BYTES = 32 * 1024,
};

/* Names already used at each struct level, to keep the first of
 * duplicates. A stack: a nested object's names are forgotten at its end. */
typedef struct ehs_name_set {
    char *bytes;            /* EHS_NAME_SET_BYTES */
    uint32_t *ends;         /* EHS_NAME_SET_ENTRIES: end offset of each name */
    uint32_t count;         /* names stored */
    uint32_t level_start;   /* first name of the innermost level */
} ehs_name_set;

/* Everything a field append needs; lives on the stack of one build. */
typedef struct ehs_emit {
    ehd_builder *builder;
    const ehs_rule *rule;       /* for time_format, typed kv/json members, level */
    uint8_t *value_scratch;     /* converted values (hexbytes) */
    size_t value_scratch_size;
    char *text_scratch;         /* unescaped kv/JSON strings */
    size_t text_scratch_size;
    size_t max_string;          /* string values are cut to this many bytes */
    const char *message_field;  /* the config's, for reserved names; may be NULL */
    size_t message_field_len;
    ehs_name_set *names;
    unsigned failures;          /* values that did not convert */
    unsigned items_left;        /* EHS_EMIT_ITEMS budget */
    unsigned top_fields_left;   /* EHS_EMIT_TOP_FIELDS budget */
    size_t bytes_left;          /* event bytes (metadata and data) still free
                                   under the 64 KiB limit for these fields */
    bool cut;                   /* something was cut short or left out by a
                                   budget: the event says truncated */
    bool level_found;           /* the level_field's value was seen and mapped */
    uint8_t level;              /* its level when level_found */
} ehs_emit;

/* ehs_utf8_cut of a text longer than `max`. */
size_t ehs_utf8_cut_over(const char *text, size_t len, size_t max);

/* Length of the longest prefix of `text` (at most `max` bytes) that does not
 * split a UTF-8 character, when the text is valid UTF-8 where it is cut.
 * Inline: asked of every field, and most texts are within `max`. */
static inline size_t ehs_utf8_cut(const char *text, size_t len, size_t max)
{
    return len <= max ? len : ehs_utf8_cut_over(text, len, max);
}

/* Counts `items` decoder items and `bytes` event bytes against the budgets. */
static inline void ehs_emit_spend(ehs_emit *emit, unsigned items, size_t bytes)
{
    emit->items_left = emit->items_left > items ? emit->items_left - items : 0;
    emit->bytes_left = emit->bytes_left > bytes ? emit->bytes_left - bytes : 0;
}

/* Event bytes of a field named `name_len` bytes besides its value: the
 * name's NUL, encoding, format, and a 16-bit length or count. */
static inline size_t ehs_field_overhead(size_t name_len)
{
    return name_len + 5;
}

/* True while members may still be added (beyond forced ones). */
static inline bool ehs_emit_has_room(const ehs_emit *emit)
{
    return emit->items_left > EHS_EMIT_RESERVE && emit->bytes_left > EHS_EMIT_BYTES_RESERVE;
}

/* Adds a string field, cut to emit->max_string and the byte budget. */
void ehs_emit_string(ehs_emit *emit, const char *name, size_t name_len, const char *text,
                     size_t len);

/* Adds a null field for `type`: the counted field with zero bytes, in the
 * type's format (unsigned_int for string and hexbytes). Always added, even
 * past the budgets; spends one item and the name's overhead. */
void ehs_emit_null(ehs_emit *emit, const char *name, size_t name_len, ehs_type type);

/* Adds `text` converted to `type`; a value that does not convert becomes
 * null and is counted in emit->failures. */
void ehs_emit_typed(ehs_emit *emit, const char *name, size_t name_len, ehs_type type,
                    const char *text, size_t len);

/* The type a kv key or JSON member (dotted path) of `name` has in the
 * rule's "fields" (its group-0 entries); EHS_TYPE_STRING when the rule does
 * not name it. Sets *typed when the rule names it. */
ehs_type ehs_emit_member_type(const ehs_emit *emit, const char *name, size_t name_len,
                              bool *typed);

/* ehs_emit_check_level for a rule with a level_field, no level found yet. */
void ehs_emit_check_level_field(ehs_emit *emit, const char *name, size_t name_len,
                                const char *value, size_t value_len);

/* When `name` is the rule's level_field and the rule's level_map has
 * `value`, remembers that level (first one wins). Inline: asked of every
 * kv pair and JSON member, and most rules have no level_field. */
static inline void ehs_emit_check_level(ehs_emit *emit, const char *name, size_t name_len,
                                        const char *value, size_t value_len)
{
    if (!emit->level_found && emit->rule != NULL && emit->rule->level_field != NULL)
        ehs_emit_check_level_field(emit, name, name_len, value, value_len);
}

/* The level_map entry for `value`, or 0. */
uint8_t ehs_level_map_find(const ehs_rule *rule, const char *value, size_t len);

/* True when `name` is one of the fields every event carries (the message
 * field, truncated, ident, facility): kv keys and JSON members of those
 * names get a '_' in front. */
bool ehs_emit_is_reserved(const char *message_field, size_t message_field_len, const char *name,
                          size_t name_len);

/*
 * Adds the logfmt pairs of `text` (kv.h) as top-level fields in message
 * order: a key the rule types is converted, others are strings, a bare key
 * is true (bool; a typed bare key converts the text "true"). Duplicate keys
 * keep the first (captures added before count, when seeded into
 * emit->names); keys named like reserved fields get a '_' in front; keys
 * are cut to EHS_NAME_MAX bytes. Checks the rule's level_field. Returns the
 * number of key=value pairs seen (bare keys not counted, dropped duplicates
 * counted), which tells a kv rule whether the line matched.
 */
size_t ehs_emit_kv(ehs_emit *emit, const char *text, size_t len);

/*
 * Adds the fields of a journal entry (ehs_message.entry_fields) as
 * top-level fields in the order given: a field the rule types is converted,
 * one of journald's typed fields (CODE_LINE, ERRNO, MESSAGE_ID, SYSLOG_PID,
 * TID) gets its type, others are strings. Repeated names and names already
 * in emit->names keep the first; names of reserved fields get a '_' in
 * front. Checks the rule's level_field. Stops at the budgets (emit->cut).
 */
void ehs_emit_entry_fields(ehs_emit *emit, const ehs_entry_field *fields, size_t count);

/* Name set: start a level, end it, and add a name (false when the name is
 * already at this level, or when the set is full). */
static inline uint32_t ehs_names_begin_level(ehs_name_set *set)
{
    uint32_t saved = set->level_start;
    set->level_start = set->count;
    return saved;
}
static inline void ehs_names_end_level(ehs_name_set *set, uint32_t saved)
{
    set->count = set->level_start;
    set->level_start = saved;
}
bool ehs_names_add(ehs_name_set *set, const char *name, size_t len);

#endif /* EHS_ENGINE_EMIT_H */
