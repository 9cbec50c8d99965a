/*
 * The fields a grouped record adds to its event (ehs_engine.h): what its
 * detector reads of the exception, and how many lines it has.
 */
#include <string.h>

#include "detect.h"
#include "engine_emit.h"
#include "engine_record.h"

/* Bytes of a frame besides its text: two string lengths, the line's length
 * and value. */
enum { FRAME_FIXED_BYTES = 2 + 2 + 2 + 4 };

/* A rule's own capture of that name wins over the record's field. */
static bool rule_has_field(const ehs_rule *rule, const char *name, size_t len)
{
    for (size_t i = 0; rule != NULL && i < rule->field_count; i++)
        if (rule->fields[i].name_len == len && memcmp(rule->fields[i].name, name, len) == 0)
            return true;
    return false;
}

static void put_u16(ehd_builder *builder, size_t value)
{
    uint16_t v = (uint16_t)value;
    ehd_builder_raw_add_data(builder, &v, sizeof v);
}

static void put_counted_text(ehd_builder *builder, const char *text, size_t len)
{
    put_u16(builder, len);
    if (len != 0)
        ehd_builder_raw_add_data(builder, text, len);
}

static size_t text_cut(const char *text, size_t len, size_t max)
{
    return text != NULL ? ehs_utf8_cut(text, len, max) : 0;
}

/* The frames as an array of structs {file, line, function}; as many as
 * `room` bytes hold. Returns the bytes used; *cut when frames were left out. */
static size_t add_frames(ehd_builder *builder, const ehs_frame *frames, size_t count,
                         size_t room, size_t max_string, bool *cut)
{
    size_t fixed = ehs_field_overhead(6) + ehs_field_overhead(4) + ehs_field_overhead(4) +
                   ehs_field_overhead(8);
    if (count == 0 || room < fixed) {
        *cut |= count != 0;
        return 0;
    }
    size_t fit = 0;
    size_t bytes = fixed;
    for (; fit < count; fit++) {
        size_t frame = FRAME_FIXED_BYTES + text_cut(frames[fit].file, frames[fit].file_len,
                                                    max_string) +
                       text_cut(frames[fit].function, frames[fit].function_len, max_string);
        if (bytes + frame > room)
            break;
        bytes += frame;
    }
    *cut |= fit < count;
    if (fit == 0)
        return 0;
    ehd_builder_raw_add_meta_n(builder, "frames", 6, EHD_ENC_STRUCT | EHD_ENC_VARRAY, 3, 0);
    ehd_builder_raw_add_meta_n(builder, "file", 4, EHD_ENC_STRING_LENGTH16_CHAR8,
                               EHD_FMT_DEFAULT, 0);
    ehd_builder_raw_add_meta_n(builder, "line", 4, EHD_ENC_BINARY_LENGTH16_CHAR8,
                               EHD_FMT_UNSIGNED_INT, 0);
    ehd_builder_raw_add_meta_n(builder, "function", 8, EHD_ENC_STRING_LENGTH16_CHAR8,
                               EHD_FMT_DEFAULT, 0);
    put_u16(builder, fit);
    for (size_t i = 0; i < fit; i++) {
        const ehs_frame *f = &frames[i];
        put_counted_text(builder, f->file, text_cut(f->file, f->file_len, max_string));
        if (f->has_line) {
            put_u16(builder, sizeof f->line);
            ehd_builder_raw_add_data(builder, &f->line, sizeof f->line);
        } else {
            put_u16(builder, 0); /* no line: null */
        }
        put_counted_text(builder, f->function, text_cut(f->function, f->function_len,
                                                        max_string));
    }
    return bytes;
}

static size_t add_text(ehd_builder *builder, const ehs_rule *rule, const char *name,
                       const char *text, size_t len, size_t room, size_t max_string, bool *cut)
{
    size_t name_len = strlen(name);
    if (text == NULL || rule_has_field(rule, name, name_len))
        return 0;
    size_t overhead = ehs_field_overhead(name_len);
    if (room <= overhead) {
        *cut = true;
        return 0;
    }
    size_t keep = text_cut(text, len, room - overhead < max_string ? room - overhead : max_string);
    *cut |= keep < len;
    ehd_builder_fast_add_string_n(builder, name, name_len, text, 1, keep, EHD_FMT_DEFAULT, 0);
    return overhead + keep;
}

bool ehs_add_record_fields(ehd_builder *builder, const ehs_message *message, const char *text,
                           size_t len, const ehs_rule *rule, ehs_frame *frames,
                           size_t max_frames, size_t room, size_t max_string)
{
    bool cut = false;
    /* The line count is kept whatever the exception fields take. */
    bool with_lines = message->record_lines > 1 && !rule_has_field(rule, "lines", 5);
    size_t lines_bytes = ehs_field_overhead(5) + 4;
    if (with_lines && room < lines_bytes) {
        with_lines = false;
        cut = true;
    }
    if (with_lines)
        room -= lines_bytes;
    unsigned detector = message->record_detector;
    if (detector != 0 && detector <= ehs_detector_count) {
        ehs_exception exception = { 0 };
        size_t count = ehs_detectors[detector - 1].describe(text, len, &exception, frames,
                                                             max_frames);
        if (count > max_frames) {
            count = max_frames;
            cut = true;
        }
        size_t used = add_text(builder, rule, "exception_type", exception.type,
                               exception.type_len, room, max_string, &cut);
        room -= used;
        used = add_text(builder, rule, "exception_message", exception.message,
                        exception.message_len, room, max_string, &cut);
        room -= used;
        if (!rule_has_field(rule, "frames", 6))
            room -= add_frames(builder, frames, count, room, max_string, &cut);
    }
    if (with_lines) {
        uint32_t lines = message->record_lines;
        ehd_builder_fast_add_binary_n(builder, "lines", 5, &lines, sizeof lines,
                                      EHD_FMT_UNSIGNED_INT, 0);
    }
    return cut;
}
