/*
 * Walking the fields of an event. The metadata is a flat list of field
 * definitions; the payload holds their values in the same order. Structs
 * make the list a tree (a struct's next N definitions are its members) and
 * arrays repeat a definition, so the walk keeps one frame per struct level
 * and re-reads a struct's member definitions for every element of an array
 * of structs.
 *
 * Every length comes from the event, so each is checked against what is
 * left before it is used; a step limit and the nesting limit bound the work
 * a hostile event can cause.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "decode_internal.h"
#include "ehd_api.h"

/* What ehd_enum_next does next, after the current item. */
enum step {
    STEP_FIRST_FIELD,
    STEP_AFTER_VALUE,         /* a value that is no array element */
    STEP_AFTER_ELEMENT,       /* a value that is an array element */
    STEP_AFTER_ARRAY_BEGIN,
    STEP_AFTER_ARRAY_END,
    STEP_AFTER_STRUCT_BEGIN,
    STEP_AFTER_STRUCT_END,
    STEP_DONE,
    STEP_FAILED,
};

/* A field definition's type bytes. */
typedef struct field_type {
    uint8_t encoding; /* with array flags, without chain flag */
    uint8_t format;   /* without chain flag */
    uint16_t tag;
} field_type;

enum { ARRAY_FLAGS = EHD_ENC_CARRAY | EHD_ENC_VARRAY };

/* The current field's name, fit for a message: at most 40 bytes, anything
 * unprintable shown as '?'. */
static const char *printable_name(const ehd_enumerator *e, char out[48])
{
    const char *name = (const char *)e->view->meta + e->top.name_offset;
    size_t n = e->top.name_size < 40 ? e->top.name_size : 40;
    for (size_t i = 0; i < n; i++)
        out[i] = isprint((unsigned char)name[i]) ? name[i] : '?';
    out[n] = '\0';
    return out;
}

/* Ends the enumeration with `code`: every later call returns it again. */
__attribute__((format(printf, 5, 6))) static int fail(ehd_enumerator *e, ehd_decode_error *error,
                                                      int code, size_t offset, const char *format, ...)
{
    e->step = STEP_FAILED;
    e->error = code;
    va_list args;
    va_start(args, format);
    ehd__vfail(error, code, offset, format, args);
    va_end(args);
    return code;
}

static size_t meta_offset(const ehd_enumerator *e, size_t pos)
{
    return e->view->meta_offset + pos;
}

static size_t data_offset(const ehd_enumerator *e, size_t pos)
{
    return e->view->data_offset + pos;
}

/* Reads encoding, format and tag at metadata offset `pos` into `type`;
 * returns the offset after them, or 0 when they run past the metadata.
 * `type` is zeroed before anything can fail: the callers' error paths go
 * through fail(), whose nonzero return the compiler cannot see, so it
 * would otherwise take `type` for possibly unset where it is read. */
static size_t decode_type(const ehd_enumerator *e, size_t pos, field_type *type)
{
    const uint8_t *meta = e->view->meta;
    size_t end = e->view->meta_size;
    *type = (field_type){ 0 };
    if (pos >= end)
        return 0;
    uint8_t encoding = meta[pos++];
    uint8_t format = 0;
    uint16_t tag = 0;
    if (encoding & EHD_ENC_CHAIN) {
        if (pos == end)
            return 0;
        format = meta[pos++];
        if (format & EHD_FMT_CHAIN) {
            if (end - pos < 2)
                return 0;
            tag = ehd__load16(meta + pos, e->view->little_endian);
            pos += 2;
        }
    }
    type->encoding = encoding & (uint8_t)~EHD_ENC_CHAIN;
    type->format = format & (uint8_t)~EHD_FMT_CHAIN;
    type->tag = tag;
    return pos;
}

/* Reads the definition at top.name_offset: name, then type; sets
 * top.name_size and top.next_offset. */
static int read_field(ehd_enumerator *e, field_type *type, ehd_decode_error *error)
{
    size_t start = e->top.name_offset;
    size_t end = e->view->meta_size;
    const char *name = (const char *)e->view->meta + start;
    size_t name_len = strnlen(name, end - start);
    /* The encoding byte follows the name's NUL; without a NUL it would be
     * past the end, which decode_type refuses. */
    size_t after = decode_type(e, start + name_len + 1, type);
    if (after == 0)
        return fail(e, error, EBADMSG, meta_offset(e, start),
                    "field definition at offset %zu runs past end of metadata",
                    meta_offset(e, start));
    e->top.name_size = (uint16_t)name_len;
    e->top.next_offset = (uint16_t)after;
    return 0;
}

/* An item without bytes of its own (array end, struct begin and end). */
static void set_marker(ehd_enumerator *e, ehd_item_kind kind, enum step next)
{
    e->value_pos = e->data_pos;
    e->value_size = 0;
    e->raw_size = 0;
    e->kind = (uint8_t)kind;
    e->step = (uint8_t)next;
}

static void start_struct(ehd_enumerator *e)
{
    e->element_size = 0;
    set_marker(e, EHD_ITEM_STRUCT_BEGIN, STEP_AFTER_STRUCT_BEGIN);
}

/* An element of an array of fixed-size values, whose size start_array checked. */
static void start_fixed_element(ehd_enumerator *e)
{
    e->value_pos = e->data_pos;
    e->value_size = e->raw_size = e->element_size;
    e->kind = EHD_ITEM_VALUE;
    e->step = STEP_AFTER_ELEMENT;
}

/* Measures the value at data_pos by its encoding. */
static int start_value(ehd_enumerator *e, enum step next, ehd_decode_error *error)
{
    const uint8_t *data = e->view->data;
    size_t left = e->view->data_size - e->data_pos;
    size_t pos = e->data_pos;
    size_t value_pos = pos, value_size, raw_size;
    char name[48];

    e->element_size = 0;
    switch (e->encoding) {
    case EHD_ENC_VALUE8:
    case EHD_ENC_VALUE16:
    case EHD_ENC_VALUE32:
    case EHD_ENC_VALUE64:
    case EHD_ENC_VALUE128:
        raw_size = value_size = (size_t)1 << (e->encoding - EHD_ENC_VALUE8);
        e->element_size = (uint8_t)value_size;
        break;
    case EHD_ENC_ZSTRING_CHAR8:
    case EHD_ENC_ZSTRING_CHAR16:
    case EHD_ENC_ZSTRING_CHAR32: {
        size_t unit = (size_t)1 << (e->encoding - EHD_ENC_ZSTRING_CHAR8);
        size_t units = left / unit, n = 0;
        if (unit == 1) {
            const uint8_t *nul = memchr(data + pos, 0, left);
            n = nul != NULL ? (size_t)(nul - (data + pos)) : left;
        } else {
            static const uint8_t zero[4];
            while (n < units && memcmp(data + pos + n * unit, zero, unit) != 0)
                n++;
        }
        value_size = n * unit;
        raw_size = value_size + unit; /* past `left` when there is no NUL */
        break;
    }
    case EHD_ENC_STRING_LENGTH16_CHAR8:
    case EHD_ENC_STRING_LENGTH16_CHAR16:
    case EHD_ENC_STRING_LENGTH16_CHAR32:
    case EHD_ENC_BINARY_LENGTH16_CHAR8:
        if (left < 2) {
            return fail(e, error, EBADMSG, data_offset(e, pos),
                        "length of '%s' runs past end of event at offset %zu",
                        printable_name(e, name), data_offset(e, pos));
        }
        value_pos = pos + 2;
        value_size = (size_t)ehd__load16(data + pos, e->view->little_endian)
                     << (e->encoding == EHD_ENC_BINARY_LENGTH16_CHAR8
                             ? 0
                             : e->encoding - EHD_ENC_STRING_LENGTH16_CHAR8);
        raw_size = value_size + 2;
        break;
    default:
        return fail(e, error, EBADMSG, data_offset(e, pos),
                    "field '%s' has encoding %u, which is no value", printable_name(e, name),
                    e->encoding);
    }
    if (raw_size > left)
        return fail(e, error, EBADMSG, data_offset(e, pos),
                    "value of '%s' (%zu bytes at offset %zu) runs past end of event",
                    printable_name(e, name), raw_size, data_offset(e, pos));
    e->value_pos = (uint32_t)value_pos;
    e->value_size = (uint32_t)value_size;
    e->raw_size = (uint32_t)raw_size;
    e->kind = EHD_ITEM_VALUE;
    e->step = (uint8_t)next;
    return 0;
}

/* After the count of an array: checks that its encoding can repeat and,
 * for fixed-size elements, that all of them are there. */
static int start_array(ehd_enumerator *e, uint8_t array_flags, ehd_decode_error *error)
{
    char name[48];
    e->top.array_flags = array_flags;
    e->element_size = 0;
    set_marker(e, EHD_ITEM_ARRAY_BEGIN, STEP_AFTER_ARRAY_BEGIN);
    switch (e->encoding) {
    case EHD_ENC_STRUCT:
    case EHD_ENC_ZSTRING_CHAR8:
    case EHD_ENC_ZSTRING_CHAR16:
    case EHD_ENC_ZSTRING_CHAR32:
    case EHD_ENC_STRING_LENGTH16_CHAR8:
    case EHD_ENC_STRING_LENGTH16_CHAR16:
    case EHD_ENC_STRING_LENGTH16_CHAR32:
    case EHD_ENC_BINARY_LENGTH16_CHAR8:
        return 0;
    case EHD_ENC_VALUE8:
    case EHD_ENC_VALUE16:
    case EHD_ENC_VALUE32:
    case EHD_ENC_VALUE64:
    case EHD_ENC_VALUE128:
        e->element_size = (uint8_t)(1u << (e->encoding - EHD_ENC_VALUE8));
        break;
    case EHD_ENC_INVALID:
        return fail(e, error, EBADMSG, meta_offset(e, e->top.name_offset),
                    "array '%s' has encoding 0 (invalid)", printable_name(e, name));
    default:
        return fail(e, error, ENOTSUP, meta_offset(e, e->top.name_offset),
                    "array '%s' has unknown encoding %u", printable_name(e, name), e->encoding);
    }
    size_t bytes = (size_t)e->element_size * e->top.array_count;
    if (bytes > e->view->data_size - e->data_pos)
        return fail(e, error, EBADMSG, data_offset(e, e->data_pos),
                    "array '%s' (%zu bytes at offset %zu) runs past end of event",
                    printable_name(e, name), bytes, data_offset(e, e->data_pos));
    e->value_size = e->raw_size = (uint32_t)bytes;
    return 0;
}

/* Moves past the member definitions of a struct array that has no
 * elements: with no element to walk, nothing else would. */
static int skip_struct_members(ehd_enumerator *e, ehd_decode_error *error)
{
    size_t remaining = e->format;
    while (remaining != 0 && e->top.next_offset != e->view->meta_size) {
        e->top.name_offset = e->top.next_offset;
        field_type type;
        int err = read_field(e, &type, error);
        if (err != 0)
            return err;
        /* Unread, yet refused as the reference refuses it. */
        if ((type.encoding & EHD_ENC_VALUE_MASK) == EHD_ENC_INVALID)
            return fail(e, error, EBADMSG, meta_offset(e, e->top.name_offset),
                        "member at offset %zu has encoding 0 (invalid)",
                        meta_offset(e, e->top.name_offset));
        if ((type.encoding & EHD_ENC_VALUE_MASK) == EHD_ENC_STRUCT)
            remaining += type.format;
        if ((type.encoding & ARRAY_FLAGS) == ARRAY_FLAGS)
            return fail(e, error, ENOTSUP, meta_offset(e, e->top.name_offset),
                        "field at offset %zu has both array flags",
                        meta_offset(e, e->top.name_offset));
        if (type.encoding & EHD_ENC_CARRAY) {
            if (e->view->meta_size - e->top.next_offset < 2)
                return fail(e, error, EBADMSG, meta_offset(e, e->top.next_offset),
                            "array length at offset %zu runs past end of metadata",
                            meta_offset(e, e->top.next_offset));
            e->top.next_offset += 2;
        }
        remaining--;
    }
    return 0;
}

/* Ends the innermost struct: back to the enclosing frame. */
static void end_struct(ehd_enumerator *e)
{
    uint16_t members_end = e->top.next_offset;
    e->top = e->stack[--e->depth];
    field_type type;
    decode_type(e, (size_t)e->top.name_offset + e->top.name_size + 1, &type); /* read before */
    e->encoding = EHD_ENC_STRUCT;
    e->format = type.format;
    e->tag = type.tag;
    e->element_size = 0;
    /* The frame's next_offset still points at the first member, ready for
     * the next element of a struct array; after the last, skip the members. */
    if (e->top.array_index + 1 == e->top.array_count)
        e->top.next_offset = members_end;
    set_marker(e, EHD_ITEM_STRUCT_END, STEP_AFTER_STRUCT_END);
}

/* Moves to the next field definition of the current level, or ends the
 * level (struct end, or end of event). */
static int next_field(ehd_enumerator *e, ehd_decode_error *error)
{
    const ehd_event_view *view = e->view;
    ehd_enum_frame *top = &e->top;
    char name[48];

    if (top->remaining_fields == 0 || top->next_offset == view->meta_size) {
        if (e->depth != 0) {
            end_struct(e);
            return 0;
        }
        if (top->next_offset != view->meta_size)
            return fail(e, error, E2BIG, meta_offset(e, top->next_offset),
                        "event has more than %d top-level fields", EHD_DECODE_MAX_TOP_FIELDS);
        e->step = STEP_DONE;
        return ENODATA;
    }

    top->remaining_fields--;
    top->array_index = 0;
    top->name_offset = top->next_offset;
    field_type type;
    int err = read_field(e, &type, error);
    if (err != 0)
        return err;
    e->encoding = type.encoding & EHD_ENC_VALUE_MASK;
    e->format = type.format;
    e->tag = type.tag;

    switch (type.encoding & ARRAY_FLAGS) {
    case 0:
        top->array_count = 1;
        top->array_flags = 0;
        if (e->encoding != EHD_ENC_STRUCT)
            return start_value(e, STEP_AFTER_VALUE, error);
        if ((e->format & EHD_FMT_VALUE_MASK) == 0)
            return fail(e, error, EBADMSG, meta_offset(e, top->name_offset),
                        "struct '%s' at offset %zu has no members", printable_name(e, name),
                        meta_offset(e, top->name_offset));
        start_struct(e);
        return 0;
    case EHD_ENC_VARRAY:
        if (view->data_size - e->data_pos < 2)
            return fail(e, error, EBADMSG, data_offset(e, e->data_pos),
                        "element count of '%s' runs past end of event at offset %zu",
                        printable_name(e, name), data_offset(e, e->data_pos));
        top->array_count = ehd__load16(view->data + e->data_pos, view->little_endian);
        e->data_pos += 2;
        return start_array(e, EHD_ENC_VARRAY, error);
    case EHD_ENC_CARRAY:
        if (view->meta_size - top->next_offset < 2)
            return fail(e, error, EBADMSG, meta_offset(e, top->next_offset),
                        "array length of '%s' runs past end of metadata at offset %zu",
                        printable_name(e, name), meta_offset(e, top->next_offset));
        top->array_count = ehd__load16(view->meta + top->next_offset, view->little_endian);
        top->next_offset += 2;
        if (top->array_count == 0)
            return fail(e, error, EBADMSG, meta_offset(e, top->name_offset),
                        "constant array '%s' has length 0", printable_name(e, name));
        return start_array(e, EHD_ENC_CARRAY, error);
    default:
        return fail(e, error, ENOTSUP, meta_offset(e, top->name_offset),
                    "field '%s' at offset %zu has both array flags", printable_name(e, name),
                    meta_offset(e, top->name_offset));
    }
}

static int step(ehd_enumerator *e, ehd_decode_error *error)
{
    ehd_enum_frame *top = &e->top;
    switch ((enum step)e->step) {
    case STEP_FIRST_FIELD:
        return next_field(e, error);
    case STEP_AFTER_VALUE:
        e->data_pos += e->raw_size;
        return next_field(e, error);
    case STEP_AFTER_ELEMENT:
        e->data_pos += e->raw_size;
        top->array_index++;
        if (top->array_index == top->array_count) {
            set_marker(e, EHD_ITEM_ARRAY_END, STEP_AFTER_ARRAY_END);
            return 0;
        }
        if (e->element_size != 0) {
            start_fixed_element(e);
            return 0;
        }
        return start_value(e, STEP_AFTER_ELEMENT, error);
    case STEP_AFTER_ARRAY_BEGIN:
        if (top->array_count == 0) {
            set_marker(e, EHD_ITEM_ARRAY_END, STEP_AFTER_ARRAY_END);
            return 0;
        }
        if (e->element_size != 0) {
            start_fixed_element(e);
            return 0;
        }
        if (e->encoding != EHD_ENC_STRUCT)
            return start_value(e, STEP_AFTER_ELEMENT, error);
        start_struct(e);
        return 0;
    case STEP_AFTER_ARRAY_END:
        if (e->encoding == EHD_ENC_STRUCT && top->array_count == 0) {
            int err = skip_struct_members(e, error);
            if (err != 0)
                return err;
        }
        return next_field(e, error);
    case STEP_AFTER_STRUCT_BEGIN:
        if (e->depth == EHD_DECODE_MAX_DEPTH)
            return fail(e, error, E2BIG, meta_offset(e, top->name_offset),
                        "structs nested more than %d deep", EHD_DECODE_MAX_DEPTH);
        e->stack[e->depth++] = *top;
        top->remaining_fields = e->format & EHD_FMT_VALUE_MASK;
        return next_field(e, error);
    case STEP_AFTER_STRUCT_END:
        top->array_index++;
        if (top->array_index != top->array_count) {
            start_struct(e);
            return 0;
        }
        if (top->array_flags != 0) {
            set_marker(e, EHD_ITEM_ARRAY_END, STEP_AFTER_ARRAY_END);
            return 0;
        }
        return next_field(e, error);
    case STEP_DONE:
        return ENODATA;
    case STEP_FAILED:
    default:
        return ehd__fail(error, e->error != 0 ? e->error : EINVAL, 0,
                         "enumeration already stopped by an error");
    }
}

EHD_API void ehd_enum_start(ehd_enumerator *e, const ehd_event_view *view)
{
    memset(e, 0, sizeof *e);
    e->view = view;
    e->steps_left = EHD_DECODE_MAX_ITEMS;
    e->top.next_offset = (uint16_t)(view->event_name_len + 1);
    e->top.remaining_fields = EHD_DECODE_MAX_TOP_FIELDS;
    e->step = STEP_FIRST_FIELD;
}

EHD_API int ehd_enum_next(ehd_enumerator *e, ehd_item *item, ehd_decode_error *error)
{
    if (e == NULL || item == NULL || e->view == NULL)
        return ehd__fail(error, EINVAL, 0, "invalid arguments");
    if (e->step != STEP_DONE && e->step != STEP_FAILED) {
        /* Counted like the reference's move-next limit: every call, the
         * last one that finds no more items included. */
        if (e->steps_left == 0)
            return fail(e, error, E2BIG, 0, "event has more than %d items",
                        EHD_DECODE_MAX_ITEMS - 1);
        e->steps_left--;
    }
    int err = step(e, error);
    if (err != 0)
        return err;

    const ehd_event_view *view = e->view;
    item->kind = (ehd_item_kind)e->kind;
    item->name = (const char *)view->meta + e->top.name_offset;
    item->name_len = e->top.name_size;
    item->encoding = e->encoding;
    item->array_flags = e->top.array_flags;
    item->format = e->format;
    item->tag = e->tag;
    item->array_count = e->top.array_count;
    item->array_index = e->top.array_index;
    item->element_size = e->element_size;
    item->depth = e->depth;
    item->value = view->data + e->value_pos;
    item->value_size = e->value_size;
    return 0;
}
