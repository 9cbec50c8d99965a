/*
 * The JSON of a well-formed event, written in one walk of its metadata and
 * payload. The enumerator (decode_enum.c) answers for every event, however
 * broken, one item per call, and most of its work is that generality; an
 * event the shim or a builder made needs none of it. So this walk follows
 * the enumerator's rules exactly where they give an item and stops at
 * anything they would refuse or that it leaves to them:
 *
 *   - a field definition or value cut short, an unknown encoding, both
 *     array flags, a constant array of length 0, a struct of no members;
 *   - a struct array with no elements (the enumerator still reads, and
 *     may refuse, its member definitions);
 *   - more than EHD_DECODE_MAX_TOP_FIELDS top-level fields, structs nested
 *     deeper than EHD_DECODE_MAX_DEPTH, more items than
 *     EHD_DECODE_MAX_ITEMS allows (counted as the enumerator counts them);
 *   - a value ehd__json_value refuses, a text that cannot grow.
 *
 * There it puts the text back as it was and says so; ehd_decode_json then
 * decodes the event with the enumerator, which writes the same line or
 * reports what is wrong. test_decode_json_paths and fuzz_decode hold both
 * ways to the same lines and errors.
 */
#include <errno.h>
#include <string.h>

#include "decode_internal.h"
#include "decode_json_writer.h"

enum { ARRAY_FLAGS = EHD_ENC_CARRAY | EHD_ENC_VARRAY };

/* Strings up to this long are copied whole when plain; longer ones go to
 * the string writer, which reserves room a chunk at a time. */
enum { SHORT_STRING = 1024 };

/* What the fast kinds of one value write at most: a plain short string
 * with its quotes and what a copy writes past it, or a value of fixed
 * size. begin_field reserves it with the name: one reservation a field. */
enum { VALUE_ROOM = 2 + SHORT_STRING + EHD__COPY_PLAIN_OVER + EHD__FIXED_TEXT_MAX };

/* The steps of one field, inlined into walk_fields: per field, calls cost
 * about as much as the work. */
#define WALK_INLINE static inline __attribute__((always_inline))

typedef struct walk {
    json_writer *w;
    const uint8_t *meta, *data;
    size_t meta_size, data_size;
    const uint8_t *event_end; /* the payload's end: all bytes before it are readable */
    size_t at;        /* payload offset of the next value */
    unsigned items;   /* items the enumerator would have reported */
    bool le;
    bool value_room;  /* begin_field reserved VALUE_ROOM after the name: a single
                         value of the fast kinds needs no reservation of its own */
} walk;

/* One field definition: name, type bytes, constant array length. */
typedef struct field_def {
    const char *name;
    size_t name_len;
    uint8_t encoding; /* array flags kept, chain flag removed */
    uint8_t format;   /* chain flag removed */
    uint16_t tag;
    uint16_t count;   /* elements of a constant array */
    size_t next;      /* metadata offset after the definition */
} field_def;

/* Reads the type bytes of a definition whose name is already in `d`,
 * from metadata offset `pos` (after the name's NUL), as the enumerator's
 * read_field and next_field read them. */
WALK_INLINE bool read_types(const walk *k, size_t pos, field_def *d)
{
    const uint8_t *meta = k->meta;
    size_t end = k->meta_size;
    if (pos >= end)
        return false;
    uint8_t encoding = meta[pos++], format = 0;
    uint16_t tag = 0;
    if (encoding & EHD_ENC_CHAIN) {
        if (pos == end)
            return false;
        format = meta[pos++];
        if (format & EHD_FMT_CHAIN) {
            if (end - pos < 2)
                return false;
            tag = ehd__load16(meta + pos, k->le);
            pos += 2;
        }
    }
    d->encoding = encoding & (uint8_t)~EHD_ENC_CHAIN;
    d->format = format & (uint8_t)~EHD_FMT_CHAIN;
    d->tag = tag;
    d->count = 1;
    switch (d->encoding & ARRAY_FLAGS) {
    case 0:
    case EHD_ENC_VARRAY:
        break;
    case EHD_ENC_CARRAY:
        if (end - pos < 2)
            return false;
        d->count = ehd__load16(meta + pos, k->le);
        pos += 2;
        if (d->count == 0)
            return false;
        break;
    default: /* both flags */
        return false;
    }
    d->next = pos;
    return true;
}

/* `, "name;tag=0x12": ` for the field defined at metadata offset `pos`,
 * whose definition it reads into `d`. A plain name is found, checked and
 * copied in one pass, a word at a time; any other takes the long way. */
WALK_INLINE bool begin_field(walk *k, size_t pos, field_def *d)
{
    if (pos >= k->meta_size)
        return false;
    json_writer *w = k->w;
    ehd_text *text = w->text;
    const uint8_t *name = k->meta + pos;
    size_t meta_left = k->meta_size - pos;
    /* `, "`, the name and what a copy writes past it, `;tag=0xFFFF": `,
     * then room for the value. */
    bool failed_before = text->error != 0;
    char *room = ehd__text_room(text, 3 + meta_left + EHD__COPY_PLAIN_OVER + 14 + VALUE_ROOM);
    k->value_room = room != NULL;
    if (room != NULL) {
        char *p = room;
        if (w->need_comma)
            *p++ = ',';
        p[0] = ' ';
        p[1] = '"';
        p += 2;
        size_t n = ehd__copy_plain(p, name, meta_left, (size_t)(k->event_end - name));
        if (n < meta_left && name[n] == 0) {
            d->name = (const char *)name;
            d->name_len = n;
            if (!read_types(k, pos + n + 1, d))
                return false;
            p += n;
            if (d->tag != 0) {
                memcpy(p, ";tag=0x", 7);
                p += 7 + ehd__format_hex(p + 7, d->tag);
            }
            memcpy(p, "\": ", 3);
            text->len += (size_t)(p + 3 - room);
            w->need_comma = true;
            return true;
        }
    } else if (!failed_before && text->error == E2BIG) {
        text->error = 0; /* the name may still fit: the long way finds out */
    }
    k->value_room = false; /* the long way may write past what was reserved */
    const uint8_t *nul = memchr(name, 0, meta_left);
    if (nul == NULL)
        return false;
    d->name = (const char *)name;
    d->name_len = (size_t)(nul - name);
    if (!read_types(k, pos + d->name_len + 1, d))
        return false;
    ehd__json_begin_member(w, d->name, d->name_len, d->tag, meta_left);
    return true;
}

/* One more item; false past the enumerator's limit, which counts its last
 * call (the one that finds no more items) too. */
WALK_INLINE bool count_item(walk *k)
{
    return ++k->items < EHD_DECODE_MAX_ITEMS;
}

/* Measures the value at k->at by its encoding, as start_value does. */
WALK_INLINE bool measure(const walk *k, uint8_t encoding, size_t *value_at, size_t *value_size,
                    size_t *raw_size)
{
    const uint8_t *data = k->data + k->at;
    size_t left = k->data_size - k->at;
    *value_at = k->at;
    switch (encoding) {
    case EHD_ENC_VALUE8:
    case EHD_ENC_VALUE16:
    case EHD_ENC_VALUE32:
    case EHD_ENC_VALUE64:
    case EHD_ENC_VALUE128:
        *value_size = *raw_size = (size_t)1 << (encoding - EHD_ENC_VALUE8);
        break;
    case EHD_ENC_ZSTRING_CHAR8: {
        const uint8_t *nul = memchr(data, 0, left);
        if (nul == NULL)
            return false;
        *value_size = (size_t)(nul - data);
        *raw_size = *value_size + 1;
        break;
    }
    case EHD_ENC_ZSTRING_CHAR16:
    case EHD_ENC_ZSTRING_CHAR32: {
        size_t unit = (size_t)1 << (encoding - EHD_ENC_ZSTRING_CHAR8);
        size_t units = left / unit, n = 0;
        if (unit == 2) {
            while (n < units && (data[2 * n] | data[2 * n + 1]) != 0)
                n++;
        } else {
            uint32_t u;
            while (n < units && (memcpy(&u, data + 4 * n, 4), u != 0))
                n++;
        }
        if (n == units)
            return false; /* no terminating NUL */
        *value_size = n * unit;
        *raw_size = *value_size + unit;
        break;
    }
    case EHD_ENC_STRING_LENGTH16_CHAR8:
    case EHD_ENC_STRING_LENGTH16_CHAR16:
    case EHD_ENC_STRING_LENGTH16_CHAR32:
    case EHD_ENC_BINARY_LENGTH16_CHAR8:
        if (left < 2)
            return false;
        *value_at = k->at + 2;
        *value_size = (size_t)ehd__load16(data, k->le)
                      << (encoding == EHD_ENC_BINARY_LENGTH16_CHAR8
                              ? 0
                              : encoding - EHD_ENC_STRING_LENGTH16_CHAR8);
        *raw_size = *value_size + 2;
        break;
    default:
        return false;
    }
    return *raw_size <= left;
}

/* Whether a UTF-16 or UCS-4 string shows as its text, as ehd__json_value
 * shows it: not as hex, and no format that looks for a byte order mark. */
WALK_INLINE bool is_units_text(uint8_t encoding, uint8_t format)
{
    return (encoding == EHD_ENC_ZSTRING_CHAR16 || encoding == EHD_ENC_ZSTRING_CHAR32 ||
            encoding == EHD_ENC_STRING_LENGTH16_CHAR16 ||
            encoding == EHD_ENC_STRING_LENGTH16_CHAR32) &&
           format != EHD_FMT_HEX_BYTES && format != EHD_FMT_STRING_UTF_BOM &&
           format != EHD_FMT_STRING_XML && format != EHD_FMT_STRING_JSON;
}

/* A counted 8-bit value (string or binary) whose format shows it as one
 * fixed-size value, as ehd__json_value's json_counted8 shows it: the kind
 * ehd__fixed_at writes, COUNTED_NULL for the empty value of a nullable
 * field, or COUNTED_OTHER for everything left to ehd__json_value. Only
 * the formats events from rules carry (addresses, ports, numbers) are
 * taken; test_decode_json_paths holds them to ehd__json_value. */
enum { COUNTED_NULL = 0xFE, COUNTED_OTHER = 0xFF };

WALK_INLINE unsigned counted_fixed_kind(uint8_t format, size_t size)
{
    switch (format) {
    case EHD_FMT_UNSIGNED_INT:
        switch (size) {
        case 0: return COUNTED_NULL;
        case 1: return EHD__FIXED_U8;
        case 2: return EHD__FIXED_U16;
        case 4: return EHD__FIXED_U32;
        case 8: return EHD__FIXED_U64;
        default: return COUNTED_OTHER;
        }
    case EHD_FMT_PORT:
        return size == 0 ? COUNTED_NULL : size == 2 ? EHD__FIXED_PORT : COUNTED_OTHER;
    case EHD_FMT_IPV4:
    case EHD_FMT_IPV6:
        return size == 0    ? COUNTED_NULL
               : size == 4  ? EHD__FIXED_IPV4
               : size == 16 ? EHD__FIXED_IPV6
                            : COUNTED_OTHER;
    default:
        return COUNTED_OTHER;
    }
}

/* Room for `extra` (<= VALUE_ROOM) bytes of a value: reserved already
 * when `reserved`. */
WALK_INLINE char *value_room(ehd_text *text, size_t extra, bool reserved)
{
    return reserved ? text->chars + text->len : ehd__text_room(text, extra);
}

/* The value at k->at (its name or comma already written); `reserved`: the
 * room for it was reserved with its name. `single` (a constant): a field
 * of one value, not an array element; only those take the counted values
 * of fixed size here, so the loops of arrays stay as short as they were. */
WALK_INLINE bool write_value(walk *k, uint8_t encoding, uint8_t format, bool reserved,
                             bool single)
{
    size_t value_at, value_size, raw_size;
    if (!count_item(k) || !measure(k, encoding, &value_at, &value_size, &raw_size))
        return false;
    ehd_text *text = k->w->text;
    if (encoding <= EHD_ENC_VALUE128) {
        /* Fixed size (measure refuses the encodings below these): one
         * jump on what the format makes of it. */
        char *room = value_room(text, EHD__FIXED_TEXT_MAX, reserved);
        if (room == NULL)
            return false;
        char *end = ehd__fixed_at(room, ehd__fixed_kind(encoding, format), k->data + value_at,
                                  k->le);
        text->len += (size_t)(end - room);
        k->at += raw_size;
        return true;
    }
    /* No format shows a counted value as one of fixed size by default:
     * strings, the commonest, pass with one look. */
    if (single && format != EHD_FMT_DEFAULT &&
        (encoding == EHD_ENC_BINARY_LENGTH16_CHAR8 || encoding == EHD_ENC_STRING_LENGTH16_CHAR8)) {
        unsigned kind = counted_fixed_kind(format, value_size);
        if (kind != COUNTED_OTHER) {
            char *room = value_room(text, EHD__FIXED_TEXT_MAX, reserved);
            if (room == NULL)
                return false;
            char *end;
            if (kind == COUNTED_NULL) {
                memcpy(room, "null", 4);
                end = room + 4;
            } else {
                end = ehd__fixed_at(room, kind, k->data + value_at, k->le);
            }
            text->len += (size_t)(end - room);
            k->at += raw_size;
            return true;
        }
    }
    if (json_is_utf8_text(encoding, format)) {
        /* The payload goes on past most strings: whole words there. A
         * plain string is one copy between its quotes; the rest of any
         * other is the string writer's. */
        const uint8_t *value = k->data + value_at;
        size_t readable = k->data_size - value_at;
        char *room = value_size <= SHORT_STRING
                         ? value_room(text, 2 + value_size + EHD__COPY_PLAIN_OVER, reserved)
                         : NULL;
        size_t plain = 0;
        if (room != NULL) {
            room[0] = '"';
            plain = ehd__copy_plain(room + 1, value, value_size, readable);
            if (plain == value_size) {
                room[1 + plain] = '"';
                text->len += plain + 2;
                k->at += raw_size;
                return true;
            }
            text->len += 1 + plain;
        } else {
            ehd__text_putc(text, '"');
        }
        ehd__json_utf8_readable(text, value + plain, value_size - plain, readable - plain);
        ehd__text_putc(text, '"');
    } else if (is_units_text(encoding, format)) {
        /* UTF-16 or UCS-4 shown as text: no byte order mark to look for. */
        const uint8_t *value = k->data + value_at;
        if (encoding == EHD_ENC_ZSTRING_CHAR16 || encoding == EHD_ENC_STRING_LENGTH16_CHAR16)
            ehd__json_utf16_quoted(text, value, value_size / 2, k->le);
        else
            ehd__json_ucs4_quoted(text, value, value_size / 4, k->le);
    } else if (encoding == EHD_ENC_BINARY_LENGTH16_CHAR8 &&
               (format == EHD_FMT_DEFAULT || format == EHD_FMT_HEX_BYTES)) {
        /* Binary as hex, its default: the quotes and two bytes of scratch. */
        char *room = ehd__text_room(text, 3 * value_size + 3);
        if (room == NULL)
            return false;
        room[0] = '"';
        size_t n = 1 + ehd__format_hex_bytes(room + 1, k->data + value_at, value_size);
        room[n++] = '"';
        text->len += n;
    } else if (ehd__json_value(text, encoding, format, k->data + value_at, value_size, k->le) !=
               0) {
        return false;
    }
    k->at += raw_size;
    return text->error == 0;
}

/* A field that is no struct and no array of structs, its name written:
 * *next is where the next definition of its level starts. On failure the
 * caller puts the text back, so the name is written before the checks of
 * an array. */
WALK_INLINE bool write_field(walk *k, const field_def *d, size_t *next)
{
    uint8_t array_flag = d->encoding & ARRAY_FLAGS;
    uint8_t encoding = d->encoding & EHD_ENC_VALUE_MASK;
    json_writer *w = k->w;

    *next = d->next;
    if (array_flag == 0)
        return write_value(k, encoding, d->format, k->value_room, true);

    size_t count = d->count;
    if (array_flag == EHD_ENC_VARRAY) {
        if (k->data_size - k->at < 2)
            return false;
        count = ehd__load16(k->data + k->at, k->le);
        k->at += 2;
    }
    if (encoding >= EHD_ENC_VALUE8 && encoding <= EHD_ENC_VALUE128) {
        /* The enumerator checks a fixed-size array whole at its start. */
        size_t size = (size_t)1 << (encoding - EHD_ENC_VALUE8);
        if (size * count > k->data_size - k->at)
            return false;
        /* Its begin, elements and end as items: the last count is the
         * one that matters. */
        k->items += (unsigned)count + 2;
        if (k->items >= EHD_DECODE_MAX_ITEMS ||
            !ehd__json_fixed_array(w->text, ehd__fixed_kind(encoding, d->format), size,
                                   k->data + k->at, count, k->le))
            return false;
        k->at += size * count;
        return true;
    }
    if (encoding <= EHD_ENC_STRUCT || encoding > EHD_ENC_BINARY_LENGTH16_CHAR8)
        return false;
    if (!count_item(k))
        return false;
    json_open(w, '[');
    for (size_t i = 0; i < count; i++) {
        json_begin_value(w);
        if (!write_value(k, encoding, d->format, false, false))
            return false;
    }
    if (!count_item(k))
        return false;
    json_close(w, ']');
    return true;
}

/* A struct being walked, or an array of structs: its members' definitions
 * are walked once for each element. */
typedef struct open_struct {
    size_t first;           /* metadata offset of the first member's definition */
    unsigned members;       /* members of each element */
    unsigned members_left;  /* members of the current element not yet walked */
    unsigned elements_left; /* elements after the current one */
    bool array;             /* an array of structs: `]` after the last element */
} open_struct;

/* `{` for one element of the struct `s` (its begin item counted) and its
 * members next. */
WALK_INLINE bool open_element(walk *k, open_struct *s, size_t *pos)
{
    if (!count_item(k))
        return false;
    json_open(k->w, '{');
    s->members_left = s->members;
    *pos = s->first;
    return true;
}

/*
 * Every field, structs entered and left with a stack of their own rather
 * than by recursion: one call per event, its state in registers. A struct
 * ends after its member count of fields or where the metadata ends (the
 * enumerator ends it there too).
 */
static bool walk_fields(walk *k, size_t pos)
{
    open_struct open[EHD_DECODE_MAX_DEPTH];
    unsigned depth = 0, top_fields = 0;
    json_writer *w = k->w;
    for (;;) {
        if (depth == 0) {
            if (pos >= k->meta_size)
                return true;
            if (++top_fields > EHD_DECODE_MAX_TOP_FIELDS)
                return false;
        } else {
            open_struct *s = &open[depth - 1];
            if (s->members_left == 0 || pos == k->meta_size) {
                /* The element's end; the next element, or the struct's. */
                if (!count_item(k))
                    return false;
                json_close(w, '}');
                if (s->elements_left != 0) {
                    s->elements_left--;
                    json_begin_value(w);
                    if (!open_element(k, s, &pos))
                        return false;
                    continue;
                }
                if (s->array) {
                    if (!count_item(k))
                        return false;
                    json_close(w, ']');
                }
                depth--; /* pos: after the last member's definition */
                continue;
            }
            s->members_left--;
        }

        field_def d;
        if (!begin_field(k, pos, &d))
            return false;
        if ((d.encoding & EHD_ENC_VALUE_MASK) != EHD_ENC_STRUCT) {
            if (!write_field(k, &d, &pos))
                return false;
            continue;
        }

        /* A struct, or an array of them. */
        if (depth == EHD_DECODE_MAX_DEPTH)
            return false;
        open_struct *s = &open[depth];
        s->first = d.next;
        s->members = d.format & EHD_FMT_VALUE_MASK;
        s->array = (d.encoding & ARRAY_FLAGS) != 0;
        s->elements_left = 0;
        if (s->members == 0)
            return false;
        if (s->array) {
            size_t count = d.count;
            if ((d.encoding & ARRAY_FLAGS) == EHD_ENC_VARRAY) {
                if (k->data_size - k->at < 2)
                    return false;
                count = ehd__load16(k->data + k->at, k->le);
                k->at += 2;
            }
            /* The enumerator still reads an empty one's member definitions. */
            if (count == 0 || !count_item(k))
                return false;
            json_open(w, '[');
            json_begin_value(w);
            s->elements_left = (unsigned)count - 1;
        }
        depth++;
        if (!open_element(k, s, &pos))
            return false;
    }
}

bool ehd__json_walk(json_writer *w, const ehd_event_view *view)
{
    walk k = {
        .w = w,
        .meta = view->meta,
        .data = view->data,
        .meta_size = view->meta_size,
        .data_size = view->data_size,
        .event_end = view->data + view->data_size,
        .le = view->little_endian,
    };
    size_t start_len = w->text->len;
    bool start_comma = w->need_comma;
    /* Past the end (a name without its NUL) is the enumerator's to report. */
    if (walk_fields(&k, (size_t)view->event_name_len + 1) && w->text->error == 0)
        return true;
    ehd__text_truncate(w->text, start_len);
    w->need_comma = start_comma;
    return false;
}
