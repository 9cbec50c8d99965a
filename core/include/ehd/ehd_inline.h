/*
 * Inline fast paths of the builder's most used appends, included by ehd.h;
 * do not include it directly. They handle the common case — a name of at
 * most EHD_INLINE_NAME_MAX bytes, room already in both buffers — in the
 * caller, where literal names and sizes fold into a few moves; everything
 * else goes to the out-of-line ehd_builder_add_*_general calls, which
 * implement the whole contract (errors, limits, growth).
 */
#ifndef EHD_INLINE_H
#define EHD_INLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ehd_types.h"
#include "eventheader.h"

/* Longest name the inline paths copy themselves. */
#define EHD_INLINE_NAME_MAX 15u
/* Metadata room the inline paths need: name, NUL, encoding, format, tag. */
#define EHD_INLINE_META_ROOM (EHD_INLINE_NAME_MAX + 1u + 4u)

static inline bool ehd_inline_has_room_(const ehd_buffer *buf, size_t needed)
{
    return buf->capacity - buf->size >= needed;
}

/* Writes name, NUL and field definition at the end of the metadata. */
static inline void ehd_inline_put_field_(ehd_builder *b, const char *name, size_t name_len,
                                         uint8_t encoding, uint8_t format, uint16_t tag)
{
    uint8_t *p = b->meta.bytes + b->meta.size;
    memcpy(p, name, name_len);
    p[name_len] = '\0';
    size_t used = name_len + 1;
    if (tag != 0) {
        p[used] = (uint8_t)(encoding | EHD_ENC_CHAIN);
        p[used + 1] = (uint8_t)(format | EHD_FMT_CHAIN);
        memcpy(p + used + 2, &tag, sizeof tag);
        used += 4;
    } else if (format != 0) {
        p[used] = (uint8_t)(encoding | EHD_ENC_CHAIN);
        p[used + 1] = format;
        used += 2;
    } else {
        p[used] = encoding;
        used += 1;
    }
    b->meta.size += used;
}

/* Appends a 16-bit length and `length` bytes to the data. */
static inline void ehd_inline_put_counted_(ehd_builder *b, const void *bytes, size_t length)
{
    uint8_t *p = b->data.bytes + b->data.size;
    uint16_t count = (uint16_t)length;
    memcpy(p, &count, sizeof count);
    if (length != 0) /* bytes may be NULL then */
        memcpy(p + 2, bytes, length);
    b->data.size += 2 + length;
}

/* Out-of-line forms: the complete implementation of the _n calls below. */
void ehd_builder_add_value_general(ehd_builder *builder, const char *name, size_t name_len,
                                   const void *value, size_t size, uint8_t format, uint16_t tag);
void ehd_builder_add_string_general(ehd_builder *builder, const char *name, size_t name_len,
                                    const void *chars, size_t char_size, size_t length,
                                    uint8_t format, uint16_t tag);
void ehd_builder_add_binary_general(ehd_builder *builder, const char *name, size_t name_len,
                                    const void *bytes, size_t length, uint8_t format,
                                    uint16_t tag);

static inline void ehd_builder_add_value_n(ehd_builder *b, const char *name, size_t name_len,
                                           const void *value, size_t size, uint8_t format,
                                           uint16_t tag)
{
    uint8_t encoding = size == 1 ? EHD_ENC_VALUE8 : size == 2 ? EHD_ENC_VALUE16
                     : size == 4 ? EHD_ENC_VALUE32 : size == 8 ? EHD_ENC_VALUE64
                     : size == 16 ? EHD_ENC_VALUE128 : EHD_ENC_INVALID;
    if (__builtin_expect(encoding == EHD_ENC_INVALID || name_len > EHD_INLINE_NAME_MAX ||
                             !ehd_inline_has_room_(&b->meta, EHD_INLINE_META_ROOM) ||
                             !ehd_inline_has_room_(&b->data, 16),
                         0)) {
        ehd_builder_add_value_general(b, name, name_len, value, size, format, tag);
        return;
    }
    ehd_inline_put_field_(b, name, name_len, encoding, format, tag);
    memcpy(b->data.bytes + b->data.size, value, size);
    b->data.size += size;
}

static inline void ehd_builder_add_string_n(ehd_builder *b, const char *name, size_t name_len,
                                            const void *chars, size_t char_size, size_t length,
                                            uint8_t format, uint16_t tag)
{
    if (__builtin_expect(char_size != 1 || name_len > EHD_INLINE_NAME_MAX || length > 0xFFFF ||
                             !ehd_inline_has_room_(&b->meta, EHD_INLINE_META_ROOM) ||
                             !ehd_inline_has_room_(&b->data, 2 + length),
                         0)) {
        ehd_builder_add_string_general(b, name, name_len, chars, char_size, length, format, tag);
        return;
    }
    ehd_inline_put_field_(b, name, name_len, EHD_ENC_STRING_LENGTH16_CHAR8, format, tag);
    ehd_inline_put_counted_(b, chars, length);
}

static inline void ehd_builder_add_binary_n(ehd_builder *b, const char *name, size_t name_len,
                                            const void *bytes, size_t length, uint8_t format,
                                            uint16_t tag)
{
    if (__builtin_expect(name_len > EHD_INLINE_NAME_MAX || length > 0xFFFF ||
                             !ehd_inline_has_room_(&b->meta, EHD_INLINE_META_ROOM) ||
                             !ehd_inline_has_room_(&b->data, 2 + length),
                         0)) {
        ehd_builder_add_binary_general(b, name, name_len, bytes, length, format, tag);
        return;
    }
    ehd_inline_put_field_(b, name, name_len, EHD_ENC_BINARY_LENGTH16_CHAR8, format, tag);
    ehd_inline_put_counted_(b, bytes, length);
}

#endif /* EHD_INLINE_H */
