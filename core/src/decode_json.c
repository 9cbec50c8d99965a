/*
 * ehd_decode_json: one event as the single JSON line the reference
 * EventFormatter writes with its Space and FieldTag flags:
 *
 *   { "n": "Provider:Event", <fields>, "meta": { <header values> } }
 *
 * Fields are named members ("name;tag=0xN" when the field has a tag),
 * array elements and struct array elements are bare values; a space
 * follows every ',' ':' '[' '{' and precedes every ']' '}'. The reference
 * also starts the line with a space, which we leave out.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "decode_internal.h"
#include "ehd_api.h"

/* Where the JSON writer is: whether the next member or value needs a comma. */
typedef struct json_writer {
    ehd_text *text;
    bool need_comma;
} json_writer;

static void begin_value(json_writer *w)
{
    if (w->need_comma)
        ehd__text_putc(w->text, ',');
    ehd__text_putc(w->text, ' ');
    w->need_comma = true;
}

/* Copies a name at `p` as long as it is plain, eight bytes at a time
 * while `readable` bytes allow; returns whether all of it was. Writes up to
 * seven bytes past the name. */
static bool copy_plain_name(char *p, const char *name, size_t name_len, size_t readable)
{
    size_t i = 0;
    while (i < name_len && readable - i >= 8) {
        size_t left = name_len - i;
        uint64_t word;
        if (left >= 8)
            memcpy(&word, name + i, 8);
        else
            word = ehd__word_padded(name + i, left);
        if (ehd__word_needs_care(word))
            return false;
        memcpy(p + i, &word, 8);
        i += left < 8 ? left : 8;
    }
    unsigned plain = 1;
    for (; i < name_len; i++) {
        uint8_t c = (uint8_t)name[i];
        p[i] = (char)c;
        plain &= ehd__json_plain_byte[c];
    }
    return plain != 0;
}

/* `, "name;tag=0x12": `, reading at most `readable` >= name_len bytes at
 * `name`. */
static void begin_member_readable(json_writer *w, const char *name, size_t name_len,
                                  uint16_t tag, size_t readable)
{
    /* Most names are short and plain: one reservation for all of it, the
     * bytes copied as they are checked; anything else takes the long way. */
    char *room = ehd__text_room(w->text, name_len + 24);
    if (room != NULL) {
        char *p = room;
        if (w->need_comma)
            *p++ = ',';
        *p++ = ' ';
        *p++ = '"';
        if (copy_plain_name(p, name, name_len, readable)) {
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
    begin_value(w);
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

static void begin_member(json_writer *w, const char *name, size_t name_len, uint16_t tag)
{
    begin_member_readable(w, name, name_len, tag, name_len);
}

static void put_u64(json_writer *w, uint64_t value)
{
    char *room = ehd__text_room(w->text, 20);
    if (room != NULL)
        w->text->len += ehd__format_u64(room, value);
}

/* "0x1F" in quotes */
static void put_quoted_hex(json_writer *w, uint64_t value)
{
    char *room = ehd__text_room(w->text, 20);
    if (room == NULL)
        return;
    memcpy(room, "\"0x", 3);
    size_t n = 3 + ehd__format_hex(room + 3, value);
    room[n++] = '"';
    w->text->len += n;
}

static void open_container(json_writer *w, char bracket)
{
    ehd__text_putc(w->text, bracket);
    w->need_comma = false;
}

static void close_container(json_writer *w, char bracket)
{
    ehd__text_putc(w->text, ' ');
    ehd__text_putc(w->text, bracket);
    w->need_comma = true;
}

/* "n": provider name, ':', event name without its attributes. */
static void write_n(json_writer *w, const ehd_event_view *view)
{
    begin_member(w, "n", 1, 0);
    /* The provider name is the start of the tracepoint name and the event
     * name the start of the metadata: both go on past what is shown. */
    ehd__text_putc(w->text, '"');
    ehd__json_utf8_readable(w->text, (const uint8_t *)view->provider_name,
                            view->provider_name_len,
                            (size_t)(view->tracepoint_name + view->tracepoint_name_len -
                                     view->provider_name));
    ehd__text_putc(w->text, ':');
    ehd__json_utf8_readable(w->text, (const uint8_t *)view->event_name,
                            view->event_name_plain_len,
                            (size_t)(view->meta + view->meta_size -
                                     (const uint8_t *)view->event_name));
    ehd__text_putc(w->text, '"');
}

static void write_uuid_member(json_writer *w, const char *name, size_t name_len,
                              const uint8_t *uuid)
{
    static const char hex[] = "0123456789abcdef";
    char text[38];
    char *p = text;
    *p++ = '"';
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[uuid[i] >> 4];
        *p++ = hex[uuid[i] & 0xF];
    }
    *p++ = '"';
    begin_member(w, name, name_len, 0);
    ehd__text_put(w->text, text, (size_t)(p - text));
}

/* "time" as the reference shows a sample's time: a quoted UTC date with
 * nanoseconds when the clock's offset is known, else bare seconds. */
static void write_sample_time(json_writer *w, const ehd_sample_meta *sample)
{
    uint64_t seconds = sample->time_ns / 1000000000u;
    unsigned nanoseconds = (unsigned)(sample->time_ns % 1000000000u);
    begin_member(w, "time", 4, 0);
    if (!sample->time_is_utc) {
        ehd__text_printf(w->text, "%" PRIu64 ".%09u", seconds, nanoseconds);
        return;
    }
    time_t whole = (time_t)seconds;
    struct tm utc;
    if (gmtime_r(&whole, &utc) != NULL)
        ehd__text_printf(w->text, "\"%04d-%02u-%02uT%02u:%02u:%02u.%09uZ\"", 1900 + utc.tm_year,
                         (unsigned)utc.tm_mon + 1, (unsigned)utc.tm_mday, (unsigned)utc.tm_hour,
                         (unsigned)utc.tm_min, (unsigned)utc.tm_sec, nanoseconds);
    else
        ehd__text_printf(w->text, "\"TIME(%" PRId64 ").%09uZ\"", (int64_t)whole, nanoseconds);
}

/* The perf sample's values, which the reference puts first in "meta". */
static void write_sample_meta(json_writer *w, const ehd_sample_meta *sample)
{
    if (sample->present & EHD_SAMPLE_TIME)
        write_sample_time(w, sample);
    if (sample->present & EHD_SAMPLE_CPU) {
        begin_member(w, "cpu", 3, 0);
        put_u64(w, sample->cpu);
    }
    if (sample->present & EHD_SAMPLE_PID_TID) {
        begin_member(w, "pid", 3, 0);
        put_u64(w, sample->pid);
        begin_member(w, "tid", 3, 0);
        put_u64(w, sample->tid);
    }
}

/* "meta": the sample's values if any, then the header values that are not
 * zero, in the reference's order. */
static void write_meta(json_writer *w, const ehd_event_view *view, const ehd_sample_meta *sample)
{
    begin_member(w, "meta", 4, 0);
    open_container(w, '{');
    if (sample != NULL)
        write_sample_meta(w, sample);
    if (view->id != 0) {
        begin_member(w, "id", 2, 0);
        put_u64(w, view->id);
    }
    if (view->version != 0) {
        begin_member(w, "version", 7, 0);
        put_u64(w, view->version);
    }
    if (view->level != 0) {
        begin_member(w, "level", 5, 0);
        put_u64(w, view->level);
    }
    if (view->keyword != 0) {
        begin_member(w, "keyword", 7, 0);
        put_quoted_hex(w, view->keyword);
    }
    if (view->opcode != 0) {
        begin_member(w, "opcode", 6, 0);
        put_u64(w, view->opcode);
    }
    if (view->tag != 0) {
        begin_member(w, "tag", 3, 0);
        put_quoted_hex(w, view->tag);
    }
    if (view->activity_id != NULL)
        write_uuid_member(w, "activity", 8, view->activity_id);
    if (view->related_id != NULL)
        write_uuid_member(w, "relatedActivity", 15, view->related_id);
    close_container(w, '}');
}

/* Whether a char8 string of this format shows as UTF-8 text, as
 * ehd__json_value shows it (no byte order mark to look for, no nullable
 * number): the strings of most events. */
static bool is_utf8_text(uint8_t encoding, uint8_t format)
{
    return (encoding == EHD_ENC_ZSTRING_CHAR8 || encoding == EHD_ENC_STRING_LENGTH16_CHAR8) &&
           (format == EHD_FMT_DEFAULT || format == EHD_FMT_STRING_UTF);
}

/* Where write_flat_values stopped: the next field definition and value. */
typedef struct flat_stop {
    size_t meta_pos;
    size_t data_pos;
    unsigned fields; /* fields written */
} flat_stop;

/*
 * Top-level values, walked straight through the metadata and payload:
 * most of the work of ehd_enum_next is generality they do not need.
 * Stops before the first field that is anything else (an array, a struct,
 * a UTF-16 or UTF-32 string, a definition or value cut short, too many
 * fields), leaving the text as it was before that field; write_fields
 * takes over there with the enumerator, which also reports what is wrong.
 * Returns true when it reached the end of the metadata.
 */
bool ehd__json_shortcuts = true;

static bool write_flat_values(json_writer *w, const ehd_event_view *view, flat_stop *stop)
{
    const uint8_t *meta = view->meta, *data = view->data;
    size_t meta_size = view->meta_size, data_size = view->data_size;
    bool le = view->little_endian;
    size_t pos = (size_t)view->event_name_len + 1, at = 0;
    unsigned fields = 0;

    for (;; fields++) {
        stop->meta_pos = pos;
        stop->data_pos = at;
        stop->fields = fields;
        if (!ehd__json_shortcuts)
            return false;
        if (pos >= meta_size)
            return pos == meta_size;
        if (fields == EHD_DECODE_MAX_TOP_FIELDS)
            return false;
        const char *name = (const char *)meta + pos;
        const uint8_t *nul = memchr(name, 0, meta_size - pos);
        if (nul == NULL)
            return false;
        size_t name_len = (size_t)(nul - (const uint8_t *)name);
        size_t type_at = pos + name_len + 1;
        if (type_at >= meta_size)
            return false;
        uint8_t encoding = meta[type_at++], format = 0;
        uint16_t tag = 0;
        if (encoding & EHD_ENC_CHAIN) {
            if (type_at == meta_size)
                return false;
            format = meta[type_at++];
            if (format & EHD_FMT_CHAIN) {
                if (meta_size - type_at < 2)
                    return false;
                tag = ehd__load16(meta + type_at, le);
                type_at += 2;
            }
            format &= (uint8_t)~EHD_FMT_CHAIN;
        }
        encoding &= (uint8_t)~EHD_ENC_CHAIN;

        size_t left = data_size - at, value_at = at, value_size, raw_size;
        switch (encoding) {
        case EHD_ENC_VALUE8:
        case EHD_ENC_VALUE16:
        case EHD_ENC_VALUE32:
        case EHD_ENC_VALUE64:
        case EHD_ENC_VALUE128:
            raw_size = value_size = (size_t)1 << (encoding - EHD_ENC_VALUE8);
            break;
        case EHD_ENC_ZSTRING_CHAR8:
            nul = memchr(data + at, 0, left);
            if (nul == NULL)
                return false;
            value_size = (size_t)(nul - (data + at));
            raw_size = value_size + 1;
            break;
        case EHD_ENC_STRING_LENGTH16_CHAR8:
        case EHD_ENC_BINARY_LENGTH16_CHAR8:
            if (left < 2)
                return false;
            value_at = at + 2;
            value_size = ehd__load16(data + at, le);
            raw_size = value_size + 2;
            break;
        default: /* arrays and structs (flags in the encoding), wide strings */
            return false;
        }
        if (raw_size > left)
            return false;
        size_t len_before = w->text->len;
        bool comma_before = w->need_comma;
        begin_member_readable(w, name, name_len, tag, meta_size - pos);
        if (is_utf8_text(encoding, format)) {
            /* The payload goes on past most strings: whole words there. */
            ehd__text_putc(w->text, '"');
            ehd__json_utf8_readable(w->text, data + value_at, value_size, data_size - value_at);
            ehd__text_putc(w->text, '"');
        } else if (ehd__json_value(w->text, encoding, format, data + value_at, value_size, le) !=
                   0) {
            ehd__text_truncate(w->text, len_before);
            w->need_comma = comma_before;
            return false;
        }
        pos = type_at;
        at += raw_size;
    }
}

/* The elements of a fixed-size array whose begin item is `array`, written
 * in one loop; the enumerator is moved past them (it counts them as the
 * items they are). False, with nothing written, when the enumerator cannot
 * skip them: the caller then takes them one by one. */
static bool write_fixed_elements(json_writer *w, ehd_enumerator *e, const ehd_item *array,
                                 bool little_endian)
{
    if (!ehd__json_shortcuts || array->element_size == 0 || !ehd__enum_skip_elements(e))
        return false;
    for (size_t i = 0; i < array->array_count; i++) {
        begin_value(w);
        /* Fixed sizes fit their encoding: only a text failure can stop this. */
        if (ehd__json_value(w->text, array->encoding, array->format,
                            array->value + i * array->element_size, array->element_size,
                            little_endian) != 0)
            break;
    }
    close_container(w, ']');
    return true;
}

/* Every item of the event from where the flat walk stopped, until the
 * enumerator runs out or fails. */
static int write_fields(json_writer *w, const ehd_event_view *view, const flat_stop *stop,
                        ehd_decode_error *error)
{
    ehd_enumerator e;
    ehd_item item;
    int err;
    ehd__enum_start_at(&e, view, stop->meta_pos, stop->data_pos, stop->fields);
    while ((err = ehd_enum_next(&e, &item, error)) == 0) {
        /* Elements of arrays have no names; the array itself has one. */
        bool named = item.array_flags == 0 || item.kind == EHD_ITEM_ARRAY_BEGIN;
        switch (item.kind) {
        case EHD_ITEM_VALUE:
            if (named)
                begin_member(w, item.name, item.name_len, item.tag);
            else
                begin_value(w);
            err = ehd__json_value(w->text, item.encoding, item.format, item.value,
                                  item.value_size, view->little_endian);
            if (err != 0)
                return ehd__fail(error, err, view->data_offset + (size_t)(item.value - view->data),
                                 "value of %zu bytes at offset %zu does not fit its encoding %u",
                                 item.value_size,
                                 view->data_offset + (size_t)(item.value - view->data),
                                 item.encoding);
            break;
        case EHD_ITEM_ARRAY_BEGIN:
        case EHD_ITEM_STRUCT_BEGIN:
            if (named)
                begin_member(w, item.name, item.name_len, item.tag);
            else
                begin_value(w);
            open_container(w, item.kind == EHD_ITEM_ARRAY_BEGIN ? '[' : '{');
            if (item.kind == EHD_ITEM_ARRAY_BEGIN)
                write_fixed_elements(w, &e, &item, view->little_endian);
            break;
        case EHD_ITEM_ARRAY_END:
            close_container(w, ']');
            break;
        case EHD_ITEM_STRUCT_END:
            close_container(w, '}');
            break;
        }
        if (w->text->error != 0)
            break;
    }
    return err == ENODATA ? 0 : err;
}

EHD_API int ehd_decode_json(ehd_text *out, const char *tracepoint_name, size_t tracepoint_name_len,
                            const void *event, size_t event_size, ehd_decode_error *error)
{
    return ehd_decode_json_ex(out, tracepoint_name, tracepoint_name_len, event, event_size, NULL,
                              error);
}

EHD_API int ehd_decode_json_ex(ehd_text *out, const char *tracepoint_name,
                               size_t tracepoint_name_len, const void *event, size_t event_size,
                               const ehd_sample_meta *sample, ehd_decode_error *error)
{
    if (out == NULL)
        return ehd__fail(error, EINVAL, 0, "invalid arguments");
    ehd_event_view view;
    int err = ehd_event_parse(&view, tracepoint_name, tracepoint_name_len, event, event_size, error);
    if (err != 0)
        return err;

    size_t start = out->len;
    json_writer w = { out, false };
    open_container(&w, '{');
    write_n(&w, &view);
    flat_stop stop;
    err = write_flat_values(&w, &view, &stop) ? 0 : write_fields(&w, &view, &stop, error);
    if (err == 0) {
        write_meta(&w, &view, sample);
        close_container(&w, '}');
    }
    if (err == 0 && out->error != 0)
        err = ehd__fail(error, out->error, 0,
                        out->error == E2BIG ? "JSON text would pass %zu MiB"
                                            : "out of memory at %zu MiB of JSON text",
                        (out->error == E2BIG ? EHD_TEXT_MAX : out->len) >> 20);
    if (err != 0) {
        ehd__text_truncate(out, start);
        return err;
    }
    ehd__text_terminate(out);
    if (error != NULL) {
        error->offset = 0;
        error->message[0] = '\0';
    }
    return 0;
}
