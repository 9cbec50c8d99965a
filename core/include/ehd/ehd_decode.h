/*
 * Decoding EventHeader events: parse one event into a view, walk its fields,
 * and print it as the one-line JSON the reference C++ EventFormatter writes
 * (flags Space and FieldTag, without the leading space).
 *
 * The input is untrusted: every call checks every length against the bytes
 * it was given, never reads outside them, bounds struct nesting, the number
 * of items and the size of the text it produces. Nothing here allocates
 * except ehd_text.
 *
 * Error convention: every call that can fail returns 0 or a positive errno:
 *   EBADMSG  malformed event (a length or count runs past the end, a struct
 *            with no members, a bad extension, ...)
 *   ENOTSUP  not an EventHeader event this decoder supports (unknown header
 *            flags, no metadata, tracepoint name not "Provider_L<l>K<k>...",
 *            reserved encoding)
 *   E2BIG    an implementation limit (EHD_DECODE_MAX_DEPTH,
 *            EHD_DECODE_MAX_ITEMS, EHD_DECODE_MAX_TOP_FIELDS, EHD_TEXT_MAX)
 *   ENOMEM   out of memory
 *   EINVAL   bad arguments (NULL pointers)
 * and, when given an ehd_decode_error, fills it with a one-line description
 * such as "metadata runs past end of event at offset 37".
 */
#ifndef EHD_DECODE_H
#define EHD_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ehd_types.h" /* ehd_builder, for ehd_builder_copy_event_view */
#include "eventheader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits ------------------------------------------------------------ */

enum {
    /* Structs nested deeper than this are refused (E2BIG), as the reference does. */
    EHD_DECODE_MAX_DEPTH = 8,
    /* Steps of ehd_enum_next per event, the final "no more items" included;
     * the reference's default move-next limit. */
    EHD_DECODE_MAX_ITEMS = 4096,
    /* Fields at the top level of an event (a struct with its members counts once). */
    EHD_DECODE_MAX_TOP_FIELDS = 255,
};

/* Largest text an ehd_text grows to (256 MiB); beyond it appends fail with E2BIG. */
#define EHD_TEXT_MAX ((size_t)256 << 20)

/* ---- errors ------------------------------------------------------------ */

/* What was wrong with an event; filled by the calls below when they fail. */
typedef struct ehd_decode_error {
    /* Offset in the event bytes where the problem was found (0 when the
     * problem is the tracepoint name or the event as a whole). */
    size_t offset;
    /* NUL-terminated description without trailing newline; "" on success. */
    char message[160];
} ehd_decode_error;

/* ---- event view -------------------------------------------------------- */

/*
 * One parsed event. Every pointer points into the tracepoint name or event
 * bytes given to ehd_event_parse; nothing is owned, and the view is valid
 * only while those bytes are.
 */
typedef struct ehd_event_view {
    const char *tracepoint_name; /* as given; not NUL-terminated */
    size_t tracepoint_name_len;
    const char *provider_name;   /* = tracepoint_name: the part before the last '_' */
    size_t provider_name_len;
    const char *options;         /* after the keyword, e.g. "Gmygroup"; "" if none */
    size_t options_len;
    uint64_t keyword;            /* the K value of the tracepoint name */

    const char *event_name;      /* NUL-terminated, inside the metadata; may carry ";attr=value" */
    size_t event_name_len;       /* strlen(event_name) */
    size_t event_name_plain_len; /* bytes before the first ';' (the name JSON "n" shows) */

    uint8_t flags;               /* header flags (EHD_FLAG_*) */
    uint8_t version;             /* header version */
    uint16_t id;                 /* header id, host byte order */
    uint16_t tag;                /* header tag, host byte order */
    uint8_t opcode;              /* header opcode (EHD_OPCODE_*) */
    uint8_t level;               /* header level; equals the L value of the tracepoint name */
    bool little_endian;          /* byte order of every multi-byte value of the event */

    const uint8_t *activity_id;  /* 16 bytes, or NULL without an activity extension */
    const uint8_t *related_id;   /* 16 bytes, or NULL when the extension has only 16 */

    const uint8_t *meta;         /* metadata block: event name, then field definitions */
    size_t meta_size;
    size_t meta_offset;          /* where `meta` starts in the event */
    const uint8_t *data;         /* payload: field values */
    size_t data_size;
    size_t data_offset;          /* where `data` starts in the event */
} ehd_event_view;

/*
 * Parses the header, tracepoint name and header extensions of one event:
 * `event` holds `event_size` bytes as they follow the write index of a
 * user_events write (or the name in a capture record); `tracepoint_name` is
 * the tracepoint's name without NUL, e.g. "MyProvider_L4K1Gmygroup".
 * Fields are not checked here; ehd_enum_next checks each as it reaches it.
 * Fills `view` and returns 0, or returns EBADMSG/ENOTSUP/EINVAL and fills
 * `error` (which may be NULL); `view` is then unspecified.
 */
int ehd_event_parse(ehd_event_view *view, const char *tracepoint_name, size_t tracepoint_name_len,
                    const void *event, size_t event_size, ehd_decode_error *error);

/*
 * ehd_builder_copy_event and ehd_event_parse of its copy in one, for a
 * program that decodes the events it builds: copies the builder's event
 * (no activity ids) into `buffer` of `capacity` bytes and fills `view` as
 * ehd_event_parse would for the copy, without parsing the tracepoint name
 * again. `name` is a view ehd_event_parse filled without error for an
 * earlier event under the same tracepoint name; its tracepoint-name
 * members (tracepoint_name ... keyword) and its level are taken as they
 * are (the level becomes the header level, as that parse required), and
 * its name must stay valid as long as `view` is used. Returns 0, or the
 * errors of ehd_builder_copy_event (*size as it sets it), or EINVAL for a
 * NULL `name` or `view` (EBADMSG, which a builder's event never gives,
 * for metadata without the NUL of a name). Thread-safe for distinct
 * builders and buffers.
 */
int ehd_builder_copy_event_view(const ehd_builder *builder, const ehd_event_view *name,
                                void *buffer, size_t capacity, size_t *size, ehd_event_view *view);

/* ---- field enumeration ------------------------------------------------- */

/* What an item is. Arrays and structs come as a begin item, their
 * elements or members, and an end item. */
typedef enum ehd_item_kind {
    EHD_ITEM_VALUE = 1,        /* one value: a scalar, a string, or an array element */
    EHD_ITEM_ARRAY_BEGIN = 2,  /* an array field; elements follow */
    EHD_ITEM_ARRAY_END = 3,
    EHD_ITEM_STRUCT_BEGIN = 4, /* a struct field or struct array element; members follow */
    EHD_ITEM_STRUCT_END = 5,
} ehd_item_kind;

/* One item of an event, pointing into the event (nothing is owned). */
typedef struct ehd_item {
    ehd_item_kind kind;
    const char *name;       /* field name, inside the metadata; may carry ";attr=value" */
    size_t name_len;        /* bytes of name, without its NUL */
    uint8_t encoding;       /* EHD_ENC_* value without flags (EHD_ENC_STRUCT for structs) */
    uint8_t array_flags;    /* 0, EHD_ENC_CARRAY or EHD_ENC_VARRAY: the field is an array */
    uint8_t format;         /* EHD_FMT_* without its chain flag; member count for structs */
    uint16_t tag;           /* field tag, 0 if none */
    uint16_t array_count;   /* elements of the array (1 for a field that is no array) */
    uint16_t array_index;   /* index of this element (0 for a field that is no array) */
    uint8_t element_size;   /* 1..16 for fixed-size values, 0 for strings and structs */
    uint8_t depth;          /* struct nesting of the item: 0 at the top level */
    /* VALUE: the value's bytes (a string without its length prefix or NUL).
     * ARRAY_BEGIN of fixed-size elements: all elements. Otherwise empty. */
    const uint8_t *value;
    size_t value_size;
} ehd_item;

/* One level of struct nesting in an ehd_enumerator. Internal. */
typedef struct ehd_enum_frame {
    uint16_t next_offset;      /* metadata offset of the next field definition */
    uint16_t name_offset;      /* metadata offset of the current field's name */
    uint16_t name_size;        /* bytes of the current field's name */
    uint16_t array_index;      /* current element of the current field */
    uint16_t array_count;      /* elements of the current field (1 if no array) */
    uint16_t remaining_fields; /* fields left at this level */
    uint8_t array_flags;       /* the current field's array flag */
} ehd_enum_frame;

/*
 * Walks the fields of one parsed event. Keep it anywhere (it owns nothing);
 * every field is internal: use ehd_enum_start and ehd_enum_next.
 */
typedef struct ehd_enumerator {
    const ehd_event_view *view;  /* the event; must outlive the enumeration */
    uint32_t data_pos;           /* payload offset of the current item's raw bytes */
    uint32_t value_pos;          /* payload offset of the current value's bytes */
    uint32_t value_size;         /* bytes of the current value */
    uint32_t raw_size;           /* bytes the current item occupies (prefix, NUL included) */
    uint32_t steps_left;         /* ehd_enum_next calls allowed before E2BIG */
    int error;                   /* sticky: the error that ended the enumeration */
    uint8_t step;                /* what ehd_enum_next does next (internal enum) */
    uint8_t kind;                /* ehd_item_kind of the current item */
    uint8_t encoding;            /* current field's encoding, flags removed */
    uint8_t format;              /* current field's format, chain flag removed */
    uint16_t tag;                /* current field's tag */
    uint8_t element_size;        /* current fixed element size, 0 if variable */
    uint8_t depth;               /* frames in `stack` */
    ehd_enum_frame top;          /* the current nesting level */
    ehd_enum_frame stack[EHD_DECODE_MAX_DEPTH]; /* enclosing levels */
} ehd_enumerator;

/* Positions `e` before the first item of `view`. Never fails. */
void ehd_enum_start(ehd_enumerator *e, const ehd_event_view *view);

/*
 * Moves to the next item and describes it in `item`. Returns 0 with an
 * item; ENODATA after the last item (again on every later call); or
 * EBADMSG/ENOTSUP/E2BIG for a malformed field, with `error` (may be NULL)
 * filled. After an error every later call returns the same error.
 */
int ehd_enum_next(ehd_enumerator *e, ehd_item *item, ehd_decode_error *error);

/* ---- JSON text ---------------------------------------------------------- */

/*
 * A growable text buffer. Owns `chars` until ehd_text_free. Start from
 * EHD_TEXT_INIT or ehd_text_init; ehd_text_clear empties it and keeps the
 * storage for the next event. Callers read `chars` and `len` (the text the
 * last calls appended) and change no field; `capacity` and `error` are the
 * library's.
 */
typedef struct ehd_text {
    char *chars;     /* heap storage, NUL-terminated when not NULL */
    size_t len;      /* bytes of text, without the NUL */
    size_t capacity; /* bytes allocated */
    int error;       /* internal: first failed growth (ENOMEM/E2BIG) of the current call */
} ehd_text;

#define EHD_TEXT_INIT { NULL, 0, 0, 0 }

/* Makes `text` empty without storage (same as EHD_TEXT_INIT). */
void ehd_text_init(ehd_text *text);

/* Frees the storage; `text` becomes empty and reusable. NULL-safe. */
void ehd_text_free(ehd_text *text);

/* Empties `text`, keeping its storage. */
void ehd_text_clear(ehd_text *text);

/* ---- JSON output ---------------------------------------------------------- */

/*
 * Appends to `out` the JSON line of one event (no newline), exactly as the
 * reference EventFormatter writes it with Space and FieldTag, for example
 *   { "n": "MyProvider:MyEvent", "x": 5, "meta": { "level": 4, "keyword": "0x1" } }
 * Returns 0; or EBADMSG/ENOTSUP/E2BIG/ENOMEM/EINVAL with `error` (may be
 * NULL) filled and `out` unchanged (nothing of the event is left behind).
 */
int ehd_decode_json(ehd_text *out, const char *tracepoint_name, size_t tracepoint_name_len,
                    const void *event, size_t event_size, ehd_decode_error *error);

/* Which members of an ehd_sample_meta hold values. */
enum {
    EHD_SAMPLE_TIME = 1u << 0,    /* time_ns */
    EHD_SAMPLE_CPU = 1u << 1,     /* cpu */
    EHD_SAMPLE_PID_TID = 1u << 2, /* pid and tid */
};

/*
 * What a collector knows about an event besides its bytes: the values of a
 * perf sample. ehd_decode_json_ex shows them first in "meta", in the order
 * and form the reference formatter gives them for a perf sample.
 */
typedef struct ehd_sample_meta {
    unsigned present;   /* EHD_SAMPLE_* bits; members without their bit are not shown */
    bool time_is_utc;   /* true: time_ns counts from 1970-01-01 UTC and shows as
                           "2024-01-02T03:04:05.123456789Z" (the reference does so when it
                           knows the clock's offset); false: the sampling clock's own
                           count, shown as the number 1234.000000001 (seconds) */
    uint64_t time_ns;   /* nanoseconds */
    uint32_t cpu;       /* the CPU the event was written on */
    uint32_t pid;       /* process id of the writer */
    uint32_t tid;       /* thread id of the writer */
} ehd_sample_meta;

/*
 * ehd_decode_json with what a collector knows about the event: "meta"
 * starts with "time", "cpu", "pid" and "tid" from `sample` (each only when
 * present), then the header values as ehd_decode_json shows them. A NULL
 * `sample` gives exactly the line of ehd_decode_json. Same returns.
 */
int ehd_decode_json_ex(ehd_text *out, const char *tracepoint_name, size_t tracepoint_name_len,
                       const void *event, size_t event_size, const ehd_sample_meta *sample,
                       ehd_decode_error *error);

/*
 * ehd_decode_json_ex for an event already parsed: `view` as ehd_event_parse
 * (or ehd_builder_copy_event_view) filled it without error. Writes exactly
 * what ehd_decode_json_ex writes for the event the view was parsed from;
 * same returns (EINVAL for a NULL `out` or `view`).
 */
int ehd_decode_json_view(ehd_text *out, const ehd_event_view *view, const ehd_sample_meta *sample,
                         ehd_decode_error *error);

/*
 * Appends to `out` the JSON of one EHD_ITEM_VALUE item as the reference
 * formats a value: numbers and booleans bare, strings, hex integers and
 * non-finite floats quoted, e.g. 42, "0x2A", "ENOENT(2)", "2024-01-02T03:04:05".
 * `little_endian` is the event's byte order (view->little_endian).
 * Returns 0, EINVAL for an item that is no value (out unchanged), or
 * ENOMEM/E2BIG (out unchanged).
 */
int ehd_value_json(ehd_text *out, const ehd_item *item, bool little_endian);

#ifdef __cplusplus
}
#endif

#endif /* EHD_DECODE_H */
