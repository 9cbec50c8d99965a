/*
 * The event builder's layout and field encoding, shared by the core's
 * builder (core/src/builder*.c) and the rules engine's hot path
 * (config/src), and by nothing installed: clients of the library see an
 * opaque ehd_builder, so the layout and the encoding can change without a
 * new soname.
 *
 * The fast appends here handle the common case — a short name, room
 * already in both buffers — in the caller, where literal names and sizes
 * fold into a few moves; everything else goes to the library's
 * ehd_builder_add_*_n calls, which implement the whole contract (errors,
 * limits, growth). Both write field definitions with ehd__put_field_def, so
 * the two paths give the same bytes (tests/unit/test_builder_fast.c).
 */
#ifndef EHD_BUILDER_LAYOUT_H
#define EHD_BUILDER_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ehd/ehd.h"

/* A growable byte buffer of the builder. */
typedef struct ehd_buffer {
    uint8_t *bytes;  /* heap storage, or NULL */
    size_t size;     /* bytes in use */
    size_t capacity; /* bytes allocated */
} ehd_buffer;

struct ehd_builder {
    ehd_buffer meta;  /* event name and field definitions */
    ehd_buffer data;  /* field values */
    int error;        /* 0, or the errno recorded by the first failed call since reset;
                         EINVAL until the first reset */
    uint8_t version;  /* header version */
    uint16_t id;      /* header id */
    uint16_t tag;     /* header tag */
    uint8_t opcode;   /* header opcode */
};

/* What a reset sets before the event name: no fields, no error, the
 * header's defaults and `tag`. ehd_builder_reset_n, and the rules engine
 * when it lays down a default event's kept metadata itself. */
static inline void ehd__reset_headers(ehd_builder *b, uint16_t tag)
{
    b->meta.size = 0;
    b->data.size = 0;
    b->error = 0;
    b->version = 0;
    b->id = 0;
    b->tag = tag;
    b->opcode = EHD_OPCODE_INFO;
}

/* The header of an event the builder built: the host's byte order, the
 * extension flag (for its metadata block), the builder's header values
 * and `level`. */
static inline ehd_eventheader ehd__built_header(const ehd_builder *b, uint8_t level)
{
    return (ehd_eventheader){
        .flags = EHD_FLAG_DEFAULT_WITH_EXTENSION,
        .version = b->version,
        .id = b->id,
        .tag = b->tag,
        .opcode = b->opcode,
        .level = level,
    };
}

/* Field definition bytes after a name: encoding, format, 16-bit tag (a
 * constant array's 16-bit length follows those, written by its caller). */
#define EHD_FIELD_DEF_MAX 4u

/*
 * Writes the definition of a field after its name and NUL: the encoding,
 * then the format when it is not 0 or a tag follows, then the tag when it
 * is not 0, each chained to the next. `p` has EHD_FIELD_DEF_MAX bytes.
 * Returns the bytes written; *format_at is the offset of the format byte
 * in them, or 0 when there is none.
 */
static inline size_t ehd__put_field_def(uint8_t *p, uint8_t encoding, uint8_t format,
                                        uint16_t tag, size_t *format_at)
{
    if (tag != 0) {
        p[0] = (uint8_t)(encoding | EHD_ENC_CHAIN);
        p[1] = (uint8_t)(format | EHD_FMT_CHAIN);
        memcpy(p + 2, &tag, sizeof tag);
        *format_at = 1;
        return 4;
    }
    if (format != 0) {
        p[0] = (uint8_t)(encoding | EHD_ENC_CHAIN);
        p[1] = format;
        *format_at = 1;
        return 2;
    }
    p[0] = encoding;
    *format_at = 0;
    return 1;
}

/* Copies `n` bytes from `src` to `dst` (apart): up to 32 in at most two
 * moves of a fixed size that may overlap each other, which is what field
 * names and most values are, without a call to memcpy; longer ones with
 * memcpy. Writes only dst[0..n). */
static inline void ehd__copy_bytes(uint8_t *dst, const void *source, size_t n)
{
    const uint8_t *src = source;
    if (n > 32) {
        memcpy(dst, src, n);
    } else if (n >= 16) {
        memcpy(dst, src, 16);
        memcpy(dst + n - 16, src + n - 16, 16);
    } else if (n >= 8) {
        memcpy(dst, src, 8);
        memcpy(dst + n - 8, src + n - 8, 8);
    } else if (n >= 4) {
        memcpy(dst, src, 4);
        memcpy(dst + n - 4, src + n - 4, 4);
    } else if (n > 0) {
        dst[0] = src[0];
        dst[n / 2] = src[n / 2];
        dst[n - 1] = src[n - 1];
    }
}

/* Longest name the fast appends copy themselves. */
#define EHD_FAST_NAME_MAX 15u
/* Metadata room the fast appends need: name, NUL, definition. */
#define EHD_FAST_META_ROOM (EHD_FAST_NAME_MAX + 1u + EHD_FIELD_DEF_MAX)

static inline bool ehd__fast_has_room(const ehd_buffer *buf, size_t needed)
{
    return buf->capacity - buf->size >= needed;
}

/* Name, NUL and definition at the end of the metadata; room checked. */
static inline void ehd__fast_put_field(ehd_builder *b, const char *name, size_t name_len,
                                       uint8_t encoding, uint8_t format, uint16_t tag)
{
    uint8_t *p = b->meta.bytes + b->meta.size;
    ehd__copy_bytes(p, name, name_len);
    p[name_len] = '\0';
    size_t format_at;
    b->meta.size += name_len + 1 + ehd__put_field_def(p + name_len + 1, encoding, format, tag,
                                                      &format_at);
}

/* A 16-bit length and `length` bytes at the end of the data; room checked. */
static inline void ehd__fast_put_counted(ehd_builder *b, const void *bytes, size_t length)
{
    uint8_t *p = b->data.bytes + b->data.size;
    uint16_t count = (uint16_t)length;
    memcpy(p, &count, sizeof count);
    ehd__copy_bytes(p + 2, bytes, length); /* bytes may be NULL when length is 0 */
    b->data.size += 2 + length;
}

/* ehd_builder_add_value_n, with the common case inline. */
static inline void ehd_builder_fast_add_value_n(ehd_builder *b, const char *name,
                                                size_t name_len, const void *value, size_t size,
                                                uint8_t format, uint16_t tag)
{
    uint8_t encoding = size == 1 ? EHD_ENC_VALUE8 : size == 2 ? EHD_ENC_VALUE16
                     : size == 4 ? EHD_ENC_VALUE32 : size == 8 ? EHD_ENC_VALUE64
                     : size == 16 ? EHD_ENC_VALUE128 : EHD_ENC_INVALID;
    if (__builtin_expect(encoding == EHD_ENC_INVALID || name_len > EHD_FAST_NAME_MAX ||
                             !ehd__fast_has_room(&b->meta, EHD_FAST_META_ROOM) ||
                             !ehd__fast_has_room(&b->data, 16),
                         0)) {
        ehd_builder_add_value_n(b, name, name_len, value, size, format, tag);
        return;
    }
    ehd__fast_put_field(b, name, name_len, encoding, format, tag);
    memcpy(b->data.bytes + b->data.size, value, size);
    b->data.size += size;
}

/* ehd_builder_add_string_n, with the common case (UTF-8) inline. */
static inline void ehd_builder_fast_add_string_n(ehd_builder *b, const char *name,
                                                 size_t name_len, const void *chars,
                                                 size_t char_size, size_t length, uint8_t format,
                                                 uint16_t tag)
{
    if (__builtin_expect(char_size != 1 || name_len > EHD_FAST_NAME_MAX || length > 0xFFFF ||
                             !ehd__fast_has_room(&b->meta, EHD_FAST_META_ROOM) ||
                             !ehd__fast_has_room(&b->data, 2 + length),
                         0)) {
        ehd_builder_add_string_n(b, name, name_len, chars, char_size, length, format, tag);
        return;
    }
    ehd__fast_put_field(b, name, name_len, EHD_ENC_STRING_LENGTH16_CHAR8, format, tag);
    ehd__fast_put_counted(b, chars, length);
}

/* ehd_builder_add_binary_n, with the common case inline. */
static inline void ehd_builder_fast_add_binary_n(ehd_builder *b, const char *name,
                                                 size_t name_len, const void *bytes,
                                                 size_t length, uint8_t format, uint16_t tag)
{
    if (__builtin_expect(name_len > EHD_FAST_NAME_MAX || length > 0xFFFF ||
                             !ehd__fast_has_room(&b->meta, EHD_FAST_META_ROOM) ||
                             !ehd__fast_has_room(&b->data, 2 + length),
                         0)) {
        ehd_builder_add_binary_n(b, name, name_len, bytes, length, format, tag);
        return;
    }
    ehd__fast_put_field(b, name, name_len, EHD_ENC_BINARY_LENGTH16_CHAR8, format, tag);
    ehd__fast_put_counted(b, bytes, length);
}

/* The builder's metadata and data bytes: ehd_builder_event_size less the
 * header and the metadata extension's header, without a call. */
static inline size_t ehd__builder_fields_size(const ehd_builder *b)
{
    return b->meta.size + b->data.size;
}

#endif /* EHD_BUILDER_LAYOUT_H */
