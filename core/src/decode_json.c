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
#include "decode_json_writer.h"
#include "ehd_api.h"

/* "n": provider name, ':', event name without its attributes. */
static void write_n(json_writer *w, const ehd_event_view *view)
{
    /* The provider name is the start of the tracepoint name and the event
     * name the start of the metadata: both go on past what is shown. */
    const uint8_t *provider = (const uint8_t *)view->provider_name;
    const uint8_t *event = (const uint8_t *)view->event_name;
    size_t provider_len = view->provider_name_len, event_len = view->event_name_plain_len;
    size_t provider_readable =
        (size_t)(view->tracepoint_name + view->tracepoint_name_len - view->provider_name);
    size_t event_readable = (size_t)(view->meta + view->meta_size - event);
    ehd_text *text = w->text;

    /* Both names plain (nearly always): one reservation, two copies. */
    static const char member[] = ", \"n\": \"";
    size_t member_len = sizeof member - 1 - !w->need_comma;
    bool failed_before = text->error != 0;
    char *room =
        ehd__text_room(text, member_len + provider_len + event_len + 2 + EHD__COPY_PLAIN_OVER);
    if (room == NULL && !failed_before && text->error == E2BIG)
        text->error = 0; /* the names may still fit: the long way finds out */
    if (room != NULL) {
        memcpy(room, member + !w->need_comma, sizeof member - 2);
        room[member_len - 1] = '"';
        char *p = room + member_len;
        if (ehd__copy_plain(p, provider, provider_len, provider_readable) == provider_len) {
            p += provider_len;
            *p++ = ':';
            if (ehd__copy_plain(p, event, event_len, event_readable) == event_len) {
                p += event_len;
                *p++ = '"';
                text->len += (size_t)(p - room);
                w->need_comma = true;
                return;
            }
        }
    }
    JSON_MEMBER(w, "n");
    ehd__text_putc(text, '"');
    ehd__json_utf8_readable(text, provider, provider_len, provider_readable);
    ehd__text_putc(text, ':');
    ehd__json_utf8_readable(text, event, event_len, event_readable);
    ehd__text_putc(text, '"');
}

/* "time" as the reference shows a sample's time: a quoted UTC date with
 * nanoseconds when the clock's offset is known, else bare seconds. */
static void write_sample_time(json_writer *w, const ehd_sample_meta *sample)
{
    uint64_t seconds = sample->time_ns / 1000000000u;
    unsigned nanoseconds = (unsigned)(sample->time_ns % 1000000000u);
    JSON_MEMBER(w, "time");
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
        JSON_MEMBER(w, "cpu");
        ehd__put_u64(w->text, sample->cpu);
    }
    if (sample->present & EHD_SAMPLE_PID_TID) {
        JSON_MEMBER(w, "pid");
        ehd__put_u64(w->text, sample->pid);
        JSON_MEMBER(w, "tid");
        ehd__put_u64(w->text, sample->tid);
    }
}

/* `member` (a constant `, "name": `) at `p`, without its comma when it is
 * the first of its object; returns the end. */
static inline __attribute__((always_inline)) char *member_at(char *p, bool *comma,
                                                             const char *member, size_t len)
{
    if (*comma) {
        memcpy(p, member, len);
        p += len;
    } else {
        memcpy(p, member + 1, len - 1);
        p += len - 1;
    }
    *comma = true;
    return p;
}

#define MEMBER_AT(p, comma, name)                                                                \
    member_at((p), (comma), ", \"" name "\": ", sizeof(", \"" name "\": ") - 1)

/* The most the header values, the opening of "meta" and the two closing
 * braces take: every member and its longest value. */
enum {
    HEADER_TEXT_MAX = 12 + (8 + 5) + (13 + 3) + (11 + 3) + (13 + 20) + (12 + 3) + (9 + 8) +
                      (14 + 38) + (21 + 38) + 4,
};

/* "meta": the sample's values if any, then the header values that are not
 * zero, in the reference's order; then the ends of "meta" and the event.
 * The header's part is one reservation. */
static void write_meta_and_close(json_writer *w, const ehd_event_view *view,
                                 const ehd_sample_meta *sample)
{
    bool opened = sample == NULL;
    if (!opened) {
        JSON_MEMBER(w, "meta");
        json_open(w, '{');
        write_sample_meta(w, sample);
    }
    char *room = ehd__text_room(w->text, HEADER_TEXT_MAX);
    if (room == NULL)
        return;
    char *p = room;
    bool comma = w->need_comma;
    if (opened) {
        p = MEMBER_AT(p, &comma, "meta");
        *p++ = '{';
        comma = false;
    }
    if (view->id != 0) {
        p = MEMBER_AT(p, &comma, "id");
        p += ehd__format_u64(p, view->id);
    }
    if (view->version != 0) {
        p = MEMBER_AT(p, &comma, "version");
        p = ehd__byte_at(p, view->version);
    }
    if (view->level != 0) {
        p = MEMBER_AT(p, &comma, "level");
        p = ehd__byte_at(p, view->level);
    }
    if (view->keyword != 0) {
        p = MEMBER_AT(p, &comma, "keyword");
        memcpy(p, "\"0x", 3);
        p += 3 + ehd__format_hex(p + 3, view->keyword);
        *p++ = '"';
    }
    if (view->opcode != 0) {
        p = MEMBER_AT(p, &comma, "opcode");
        p = ehd__byte_at(p, view->opcode);
    }
    if (view->tag != 0) {
        p = MEMBER_AT(p, &comma, "tag");
        memcpy(p, "\"0x", 3);
        p += 3 + ehd__format_hex(p + 3, view->tag);
        *p++ = '"';
    }
    if (view->activity_id != NULL) {
        p = MEMBER_AT(p, &comma, "activity");
        *p++ = '"';
        ehd__format_uuid(p, view->activity_id);
        p += 36;
        *p++ = '"';
    }
    if (view->related_id != NULL) {
        p = MEMBER_AT(p, &comma, "relatedActivity");
        *p++ = '"';
        ehd__format_uuid(p, view->related_id);
        p += 36;
        *p++ = '"';
    }
    memcpy(p, " } }", 4);
    p += 4;
    w->text->len += (size_t)(p - room);
    w->need_comma = true;
}

bool ehd__json_walk_first = true;

static int decode_view(ehd_text *out, const ehd_event_view *view, const ehd_sample_meta *sample,
                       ehd_decode_error *error);

/* Every item of the event, until the enumerator runs out or fails: the
 * walk for events ehd__json_walk leaves, the malformed ones above all,
 * whose errors this reports. */
static int write_fields(json_writer *w, const ehd_event_view *view, ehd_decode_error *error)
{
    ehd_enumerator e;
    ehd_item item;
    int err;
    ehd_enum_start(&e, view);
    while ((err = ehd_enum_next(&e, &item, error)) == 0) {
        /* Elements of arrays have no names; the array itself has one. */
        bool named = item.array_flags == 0 || item.kind == EHD_ITEM_ARRAY_BEGIN;
        switch (item.kind) {
        case EHD_ITEM_VALUE:
            if (named)
                json_begin_member(w, item.name, item.name_len, item.tag);
            else
                json_begin_value(w);
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
                json_begin_member(w, item.name, item.name_len, item.tag);
            else
                json_begin_value(w);
            json_open(w, item.kind == EHD_ITEM_ARRAY_BEGIN ? '[' : '{');
            break;
        case EHD_ITEM_ARRAY_END:
            json_close(w, ']');
            break;
        case EHD_ITEM_STRUCT_END:
            json_close(w, '}');
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
    return decode_view(out, &view, sample, error);
}

EHD_API int ehd_decode_json_view(ehd_text *out, const ehd_event_view *view,
                                 const ehd_sample_meta *sample, ehd_decode_error *error)
{
    if (out == NULL || view == NULL)
        return ehd__fail(error, EINVAL, 0, "invalid arguments");
    return decode_view(out, view, sample, error);
}

/* The line of a parsed event; `out` as it was on failure. */
static int decode_view(ehd_text *out, const ehd_event_view *view, const ehd_sample_meta *sample,
                       ehd_decode_error *error)
{
    size_t start = out->len;
    json_writer w = { out, false };
    json_open(&w, '{');
    write_n(&w, view);
    int err = ehd__json_walk_first && ehd__json_walk(&w, view) ? 0 : write_fields(&w, view, error);
    if (err == 0) {
        write_meta_and_close(&w, view, sample);
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
