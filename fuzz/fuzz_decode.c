/*
 * The decoder on untrusted bytes, two ways:
 *   - the input as a capture file: every record through ehd_capture_next,
 *     ehd_decode_json (with and without sample values) and a walk with the
 *     enumerator that formats every value with ehd_value_json;
 *   - the input as one event, under a tracepoint name whose level is the
 *     header's, so inputs get past the name check into the fields.
 * Besides "never crash", it checks what the headers promise: a record lies
 * inside the buffer, a refused event leaves the text as it was, decoding
 * and enumerating agree, an ended enumeration stays ended.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ehd/ehd_capture.h"
#include "ehd/ehd_decode.h"
#include "fuzz.h"

/* Several events go into one text, as `ehshim decode` reuses its text: a
 * refused event must leave what is already there alone. */
static ehd_text text = EHD_TEXT_INIT;
static ehd_text value_text = EHD_TEXT_INIT;
static ehd_text walked_text = EHD_TEXT_INIT;

/* The JSON writer's own walk of well-formed events (core/src/
 * decode_json_walk.c), off in the second decoding of every event: both
 * ways must give the same line or the same error. */
extern bool ehd__json_walk_first;

static void same_when_enumerated(const char *name, size_t name_len, const uint8_t *event,
                                 size_t size, const ehd_sample_meta *sample, int rc,
                                 const char *line, size_t len, const ehd_decode_error *error)
{
    ehd_decode_error walked_error = { .offset = 0 };
    ehd_text_clear(&walked_text);
    ehd__json_walk_first = false;
    int walked_rc = ehd_decode_json_ex(&walked_text, name, name_len, event, size, sample,
                                       &walked_error);
    ehd__json_walk_first = true;
    FUZZ_CHECK(walked_rc == rc, "errno %d walked, %d enumerated", rc, walked_rc);
    if (rc == 0)
        FUZZ_CHECK(walked_text.len == len && memcmp(walked_text.chars, line, len) == 0,
                   "walked: %.*s\nenumerated: %s", (int)len, line, walked_text.chars);
    else
        FUZZ_CHECK(walked_error.offset == error->offset &&
                       strcmp(walked_error.message, error->message) == 0,
                   "error walked: %s; enumerated: %s", error->message,
                   walked_error.message);
}

static int decode_json(const char *name, size_t name_len, const uint8_t *event, size_t size,
                       const ehd_sample_meta *sample)
{
    size_t before = text.len;
    char last = before > 0 ? text.chars[before - 1] : 0;
    ehd_decode_error error = { .offset = 0 };
    int rc = ehd_decode_json_ex(&text, name, name_len, event, size, sample, &error);
    same_when_enumerated(name, name_len, event, size, sample, rc,
                           rc == 0 ? text.chars + before : NULL,
                           rc == 0 ? text.len - before : 0, &error);
    if (rc == 0) {
        FUZZ_CHECK(text.len > before && text.chars[text.len] == '\0', "no text for an event");
        /* Collectors read one JSON object per line. */
        const char *line = text.chars + before;
        size_t len = text.len - before;
        FUZZ_CHECK(memchr(line, '\n', len) == NULL, "newline in the JSON line");
        FUZZ_CHECK(line[0] == '{' && ehs_json_is_object(line, len), "not a JSON object: %s",
                   line);
    } else {
        FUZZ_CHECK(rc == EBADMSG || rc == ENOTSUP || rc == E2BIG || rc == ENOMEM,
                   "unexpected errno %d", rc);
        FUZZ_CHECK(text.len == before, "a refused event left %zu bytes", text.len - before);
        FUZZ_CHECK(before == 0 || (text.chars[before - 1] == last && text.chars[before] == '\0'),
                   "a refused event changed the text");
        FUZZ_CHECK(error.message[0] != '\0', "errno %d without a message", rc);
        FUZZ_CHECK(memchr(error.message, '\0', sizeof error.message) != NULL,
                   "message not terminated");
    }
    /* Bound the text so long inputs do not grow it without end. */
    if (text.len > (1u << 20))
        ehd_text_clear(&text);
    return rc;
}

/* Walks the fields as a collector that does not print JSON would. Returns
 * the error that ended the walk (0 for a clean end). */
static int enumerate(const char *name, size_t name_len, const uint8_t *event, size_t size)
{
    ehd_event_view view;
    ehd_decode_error error;
    int rc = ehd_event_parse(&view, name, name_len, event, size, &error);
    if (rc != 0)
        return rc;
    FUZZ_CHECK(view.meta >= event && view.meta + view.meta_size <= event + size,
               "metadata outside the event");
    FUZZ_CHECK(view.data >= event && view.data + view.data_size <= event + size,
               "data outside the event");
    FUZZ_CHECK(view.event_name_plain_len <= view.event_name_len, "event name lengths");

    ehd_enumerator e;
    ehd_item item;
    ehd_enum_start(&e, &view);
    int depth = 0;
    for (unsigned steps = 0;; steps++) {
        FUZZ_CHECK(steps <= EHD_DECODE_MAX_ITEMS, "enumeration runs past its item limit");
        rc = ehd_enum_next(&e, &item, &error);
        if (rc != 0)
            break;
        FUZZ_CHECK(item.value_size == 0 ||
                       (item.value >= view.data && item.value + item.value_size <=
                                                       view.data + view.data_size),
                   "value outside the payload");
        switch (item.kind) {
        case EHD_ITEM_VALUE:
            ehd_text_clear(&value_text);
            rc = ehd_value_json(&value_text, &item, view.little_endian);
            FUZZ_CHECK(rc == 0 || rc == ENOMEM || rc == E2BIG, "value_json errno %d", rc);
            break;
        case EHD_ITEM_ARRAY_BEGIN:
        case EHD_ITEM_STRUCT_BEGIN:
            depth++;
            /* A struct array is two containers (array, element) per level. */
            FUZZ_CHECK(depth <= 2 * (EHD_DECODE_MAX_DEPTH + 1), "nesting past the limit");
            break;
        case EHD_ITEM_ARRAY_END:
        case EHD_ITEM_STRUCT_END:
            depth--;
            FUZZ_CHECK(depth >= 0, "an end without a begin");
            break;
        default:
            FUZZ_CHECK(0, "unknown item kind %d", (int)item.kind);
        }
    }
    if (rc == ENODATA)
        FUZZ_CHECK(depth == 0, "%d containers left open at the end", depth);
    /* Ended is ended: the same answer again. */
    FUZZ_CHECK(ehd_enum_next(&e, &item, &error) == rc, "enumeration did not stay ended");
    return rc == ENODATA ? 0 : rc;
}

static void check_event(const char *name, size_t name_len, const uint8_t *event, size_t size)
{
    int json_rc = decode_json(name, name_len, event, size, NULL);
    int walk_rc = enumerate(name, name_len, event, size);
    /* The JSON writer may also fail for limits of its own (top-level
     * fields, text size), never pass an event the enumerator refuses. */
    if (walk_rc != 0)
        FUZZ_CHECK(json_rc != 0, "decoded an event the enumerator refuses (errno %d)", walk_rc);
    if (json_rc == 0) {
        static const ehd_sample_meta sample = {
            .present = EHD_SAMPLE_TIME | EHD_SAMPLE_CPU | EHD_SAMPLE_PID_TID,
            .time_is_utc = true,
            .time_ns = UINT64_MAX,
            .cpu = UINT32_MAX,
            .pid = 1,
            .tid = 2,
        };
        FUZZ_CHECK(decode_json(name, name_len, event, size, &sample) == 0,
                   "sample values made a good event fail");
    }
}

/* The input as a capture file. */
static void walk_records(const uint8_t *data, size_t size)
{
    size_t offset = 0;
    for (;;) {
        ehd_capture_record record;
        const char *why = NULL;
        size_t before = offset;
        int rc = ehd_capture_next(data, size, &offset, &record, &why);
        if (rc == ENODATA) {
            FUZZ_CHECK(offset == size, "ENODATA before the end");
            return;
        }
        if (rc != 0) {
            FUZZ_CHECK(rc == EBADMSG && why != NULL && offset == before, "bad record handling");
            return;
        }
        FUZZ_CHECK(offset > before && offset <= size, "offset did not advance inside the buffer");
        FUZZ_CHECK(record.offset == before, "record offset");
        FUZZ_CHECK((const uint8_t *)record.tracepoint_name > data + before &&
                       record.event + record.event_size == data + offset,
                   "record outside its bytes");
        FUZZ_CHECK(record.name_len > 0 && strlen(record.tracepoint_name) == record.name_len,
                   "name not NUL-terminated at name_len");
        check_event(record.tracepoint_name, record.name_len, record.event, record.event_size);
    }
}

/* The input as one event: the level of the name is the header's (byte 7). */
static void whole_event(const uint8_t *data, size_t size)
{
    unsigned level = size >= 8 ? data[7] : 4;
    char name[64];
    int len = snprintf(name, sizeof name, "Fuzz_L%xK1", level);
    check_event(name, (size_t)len, data, size);
    len = snprintf(name, sizeof name, "Fuzz_Provider_L%xKffffffffffffffffGgroup1", level);
    check_event(name, (size_t)len, data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ehd_text_clear(&text);
    walk_records(data, size);
    whole_event(data, size);
    return 0;
}
