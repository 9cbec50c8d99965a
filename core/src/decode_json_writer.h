/*
 * Internal: the JSON writer's primitives, shared by ehd_decode_json
 * (decode_json.c) and its walk of well-formed events (decode_json_walk.c).
 * Punctuation follows the reference's Space flag: a space after every ','
 * ':' '[' '{' and before every ']' '}'.
 */
#ifndef EHD_DECODE_JSON_WRITER_H
#define EHD_DECODE_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "decode_internal.h"

/* Where the JSON writer is: whether the next member or value needs a comma. */
typedef struct json_writer {
    ehd_text *text;
    bool need_comma;
} json_writer;

/* `, ` before a bare value (an array element). */
static inline void json_begin_value(json_writer *w)
{
    char *room = ehd__text_room(w->text, 2);
    if (room == NULL)
        return;
    room[0] = ',';
    room[w->need_comma] = ' ';
    w->text->len += 1 + (size_t)w->need_comma;
    w->need_comma = true;
}

/* `, "name;tag=0x12": `, reading at most `readable` >= name_len bytes at
 * `name` (more than the name lets it copy whole words). Inline: every
 * field has one. */
static inline __attribute__((always_inline)) void
ehd__json_begin_member(json_writer *w, const char *name, size_t name_len, uint16_t tag,
                       size_t readable)
{
    /* Most names are short and plain: one reservation for all of it, the
     * bytes copied as they are checked; anything else takes the long way. */
    char *room = ehd__text_room(w->text, 3 + name_len + EHD__COPY_PLAIN_OVER + 14);
    if (room != NULL) {
        char *p = room;
        if (w->need_comma)
            *p++ = ',';
        *p++ = ' ';
        *p++ = '"';
        if (ehd__copy_plain(p, (const uint8_t *)name, name_len, readable) == name_len) {
            p += name_len;
            if (tag != 0) {
                memcpy(p, ";tag=0x", 7);
                p += 7 + ehd__format_hex(p + 7, tag);
            }
            memcpy(p, "\": ", 3);
            w->text->len += (size_t)(p + 3 - room);
            w->need_comma = true;
            return;
        }
    }
    json_begin_value(w);
    ehd__text_putc(w->text, '"');
    ehd__json_utf8(w->text, (const uint8_t *)name, name_len);
    if (tag != 0) {
        char *at = ehd__text_room(w->text, 24);
        if (at != NULL) {
            memcpy(at, ";tag=0x", 7);
            w->text->len += 7 + ehd__format_hex(at + 7, tag);
        }
    }
    ehd__text_put(w->text, "\": ", 3);
}


static inline void json_begin_member(json_writer *w, const char *name, size_t name_len,
                                     uint16_t tag)
{
    ehd__json_begin_member(w, name, name_len, tag, name_len);
}

/* `, "name": ` for a name of the decoder's own, plain and untagged: one
 * copy of a constant. `member` is that text with its comma, `len` its
 * length (JSON_MEMBER gives both). */
static inline __attribute__((always_inline)) void
json_begin_known_member(json_writer *w, const char *member, size_t len)
{
    char *room = ehd__text_room(w->text, len);
    if (room == NULL)
        return;
    if (w->need_comma) {
        memcpy(room, member, len);
        w->text->len += len;
    } else {
        memcpy(room, member + 1, len - 1);
        w->text->len += len - 1;
    }
    w->need_comma = true;
}

#define JSON_MEMBER(w, name)                                                                     \
    json_begin_known_member((w), ", \"" name "\": ", sizeof(", \"" name "\": ") - 1)

static inline void json_open(json_writer *w, char bracket)
{
    ehd__text_putc(w->text, bracket);
    w->need_comma = false;
}

static inline void json_close(json_writer *w, char bracket)
{
    char *room = ehd__text_room(w->text, 2);
    w->need_comma = true;
    if (room == NULL)
        return;
    room[0] = ' ';
    room[1] = bracket;
    w->text->len += 2;
}

/* Whether a char8 string of this format shows as UTF-8 text, as
 * ehd__json_value shows it (no byte order mark to look for, no nullable
 * number): the strings of most events. */
static inline bool json_is_utf8_text(uint8_t encoding, uint8_t format)
{
    return (encoding == EHD_ENC_ZSTRING_CHAR8 || encoding == EHD_ENC_STRING_LENGTH16_CHAR8) &&
           (format == EHD_FMT_DEFAULT || format == EHD_FMT_STRING_UTF);
}

/* ---- values of fixed size (decode_json_fixed.c) ---- */

/* How the walk shows a value of fixed size: the look its format gives it
 * (the encoding's default where the format does not suit) and its size,
 * in one. */
enum {
    EHD__FIXED_U8, EHD__FIXED_U16, EHD__FIXED_U32, EHD__FIXED_U64,
    EHD__FIXED_S8, EHD__FIXED_S16, EHD__FIXED_S32, EHD__FIXED_S64,
    EHD__FIXED_X8, EHD__FIXED_X16, EHD__FIXED_X32, EHD__FIXED_X64,
    EHD__FIXED_BOOL8, EHD__FIXED_BOOL16, EHD__FIXED_BOOL32,
    EHD__FIXED_BYTES1, EHD__FIXED_BYTES2, EHD__FIXED_BYTES4, EHD__FIXED_BYTES8,
    EHD__FIXED_BYTES16,
    EHD__FIXED_CHAR8, EHD__FIXED_CHAR16, EHD__FIXED_CHAR32,
    EHD__FIXED_ERRNO, EHD__FIXED_TIME32, EHD__FIXED_TIME64,
    EHD__FIXED_FLOAT32, EHD__FIXED_FLOAT64,
    EHD__FIXED_PORT, EHD__FIXED_IPV4, EHD__FIXED_IPV6, EHD__FIXED_UUID,
};

/* Formats with a meaning for some fixed size (up to ip_address_obsolete),
 * and one column for all past them. */
enum { EHD__FIXED_FORMATS = EHD_FMT_IPV6 + 2 };
extern const uint8_t ehd__fixed_kinds[5][EHD__FIXED_FORMATS];

/* The kind of a value of `encoding` (EHD_ENC_VALUE8..EHD_ENC_VALUE128,
 * no flags) in `format` (no chain flag), as ehd__json_value shows it. */
static inline uint8_t ehd__fixed_kind(uint8_t encoding, uint8_t format)
{
    unsigned column = format < EHD__FIXED_FORMATS ? format : EHD__FIXED_FORMATS - 1;
    return ehd__fixed_kinds[encoding - EHD_ENC_VALUE8][column];
}

/* Writes the value at `v` (of the kind's size) at `p`, where
 * EHD__FIXED_TEXT_MAX bytes are reserved; returns the end. */
char *ehd__fixed_at(char *p, unsigned kind, const uint8_t *v, bool little_endian);

/* Appends `[ a, b ]` for `count` values of `kind`, `size` bytes each, from
 * `v`. Returns false when the text cannot grow (its error says why; part
 * of the array may be written). */
bool ehd__json_fixed_array(ehd_text *text, unsigned kind, size_t size, const uint8_t *v,
                           size_t count, bool little_endian);

/*
 * Writes the fields of `view` (after "n", before "meta") straight from its
 * metadata and payload, as the enumerator's walk would show them. Returns
 * false, with the text as it was, at anything that walk would refuse or
 * that is left to it (an empty struct array, a value cut short, a limit
 * reached, a text that cannot grow): the caller then decodes with the
 * enumerator, which reports what is wrong.
 */
bool ehd__json_walk(json_writer *w, const ehd_event_view *view);

#endif /* EHD_DECODE_JSON_WRITER_H */
