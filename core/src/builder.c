/*
 * The event builder: event name and field definitions go to `meta`, field
 * values to `data`. Appends never return errors; the first failure is kept
 * in builder->error and reported by ehd_builder_write.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "builder_buffer.h"
#include "ehd/ehd.h"
#include "ehd_api.h"
#include "ehd_builder_layout.h"
#include "options.h"

/* Field definition bytes after the name: encoding, format, 16-bit tag,
 * 16-bit constant array length. */
enum { FIELD_META_MAX = EHD_FIELD_DEF_MAX + 2 };
/* Counts in the payload and lengths of counted strings are 16 bits. */
enum { COUNT_MAX = 0xFFFF };

static void record_error(ehd_builder *b, int err)
{
    if (b->error == 0)
        b->error = err;
}

/* Slow path of room(): grows `buf`, or records why it cannot. A single
 * append larger than a whole event is refused with ERANGE: the write would
 * fail anyway, and this bounds what a runaway caller can make us allocate. */
__attribute__((noinline)) static uint8_t *room_slow(ehd_builder *b, ehd_buffer *buf,
                                                     size_t needed)
{
    if (needed > EHD_EVENT_MAX || buf->size > EHD_EVENT_MAX) {
        record_error(b, ERANGE);
        return NULL;
    }
    uint8_t *p = ehd__buffer_grow(buf, needed);
    if (p == NULL)
        record_error(b, ENOMEM);
    return p;
}

/* Returns room for `needed` more bytes in `buf`, or NULL with the error
 * recorded. The caller advances buf->size by what it used. */
static inline uint8_t *room(ehd_builder *b, ehd_buffer *buf, size_t needed)
{
    if (__builtin_expect(buf->capacity - buf->size >= needed, 1))
        return buf->bytes + buf->size;
    return room_slow(b, buf, needed);
}

/* memcpy for the short names and values of typical events: fixed-size
 * moves instead of a library call. */
static inline void copy_bytes(uint8_t *dst, const void *src_void, size_t n)
{
    const uint8_t *src = src_void;
    if (n >= 8 && n <= 16) {
        uint64_t head, tail;
        memcpy(&head, src, 8);
        memcpy(&tail, src + n - 8, 8);
        memcpy(dst, &head, 8);
        memcpy(dst + n - 8, &tail, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t head, tail;
        memcpy(&head, src, 4);
        memcpy(&tail, src + n - 4, 4);
        memcpy(dst, &head, 4);
        memcpy(dst + n - 4, &tail, 4);
    } else if (n >= 2 && n < 4) {
        uint16_t head, tail;
        memcpy(&head, src, 2);
        memcpy(&tail, src + n - 2, 2);
        memcpy(dst, &head, 2);
        memcpy(dst + n - 2, &tail, 2);
    } else if (n == 1) {
        *dst = *src;
    } else if (n != 0) {
        memcpy(dst, src, n);
    }
}

static inline void store_u16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, sizeof v);
}

static inline size_t char_size_valid(size_t char_size)
{
    return char_size == 1 || char_size == 2 || char_size == 4;
}

static inline uint8_t value_encoding(size_t size)
{
    switch (size) {
    case 1: return EHD_ENC_VALUE8;
    case 2: return EHD_ENC_VALUE16;
    case 4: return EHD_ENC_VALUE32;
    case 8: return EHD_ENC_VALUE64;
    case 16: return EHD_ENC_VALUE128;
    default: return EHD_ENC_INVALID;
    }
}

static inline uint8_t counted_encoding(size_t char_size)
{
    return char_size == 1 ? EHD_ENC_STRING_LENGTH16_CHAR8
         : char_size == 2 ? EHD_ENC_STRING_LENGTH16_CHAR16
                          : EHD_ENC_STRING_LENGTH16_CHAR32;
}

static inline uint8_t zstring_encoding(size_t char_size)
{
    return char_size == 1 ? EHD_ENC_ZSTRING_CHAR8
         : char_size == 2 ? EHD_ENC_ZSTRING_CHAR16
                          : EHD_ENC_ZSTRING_CHAR32;
}

/* Appends a field definition; returns the offset of its format byte, or
 * EHD_NO_BOOKMARK when the field has no format byte or could not be added. */
__attribute__((always_inline)) static inline size_t add_meta(ehd_builder *b, const char *name, size_t name_len,
                                                              uint8_t encoding, uint8_t format, uint16_t tag)
{
    size_t name_size = name_len + 1;
    uint8_t *p = room(b, &b->meta, name_size + FIELD_META_MAX);
    if (p == NULL)
        return EHD_NO_BOOKMARK;
    copy_bytes(p, name, name_len);
    p[name_len] = '\0';
    size_t format_at;
    size_t used = name_size + ehd__put_field_def(p + name_size, encoding, format, tag, &format_at);
    size_t bookmark = format_at != 0 ? b->meta.size + name_size + format_at : EHD_NO_BOOKMARK;
    b->meta.size += used;
    return bookmark;
}

__attribute__((always_inline)) static inline void add_data(ehd_builder *b, const void *bytes, size_t size)
{
    uint8_t *p = room(b, &b->data, size);
    if (p != NULL) {
        copy_bytes(p, bytes, size);
        b->data.size += size;
    }
}

__attribute__((always_inline)) static inline void add_counted_data(ehd_builder *b, const void *chars, size_t char_size, size_t length)
{
    if (length > COUNT_MAX)
        length = COUNT_MAX;
    size_t bytes = length * char_size;
    uint8_t *p = room(b, &b->data, 2 + bytes);
    if (p != NULL) {
        store_u16(p, (uint16_t)length);
        copy_bytes(p + 2, chars, bytes);
        b->data.size += 2 + bytes;
    }
}

/* Number of code units before the first NUL unit, at most `length`. */
static size_t units_before_nul(const void *chars, size_t char_size, size_t length)
{
    if (length == 0)
        return 0;
    if (char_size == 1) {
        const char *nul = memchr(chars, 0, length);
        return nul ? (size_t)(nul - (const char *)chars) : length;
    }
    const uint8_t *p = chars;
    static const uint8_t zero[4];
    for (size_t i = 0; i < length; i++)
        if (memcmp(p + i * char_size, zero, char_size) == 0)
            return i;
    return length;
}

static void add_zstring_data(ehd_builder *b, const void *chars, size_t char_size, size_t length)
{
    size_t units = units_before_nul(chars, char_size, length);
    size_t bytes = units * char_size;
    uint8_t *p = room(b, &b->data, bytes + char_size);
    if (p != NULL) {
        copy_bytes(p, chars, bytes);
        memset(p + bytes, 0, char_size);
        b->data.size += bytes + char_size;
    }
}

EHD_API ehd_builder *ehd_builder_new(const ehd_builder_options *options)
{
    if (!EHD__OPTIONS_VALID(options)) {
        errno = EINVAL;
        return NULL;
    }
    ehd_builder *b = calloc(1, sizeof *b);
    if (b == NULL)
        return NULL;
    b->error = EINVAL; /* nothing to write before the first reset */
    size_t meta = EHD__OPTION(options, meta_capacity, 0);
    size_t data = EHD__OPTION(options, data_capacity, 0);
    if (ehd__buffer_grow(&b->meta, meta != 0 ? meta : 256) == NULL ||
        ehd__buffer_grow(&b->data, data != 0 ? data : 256) == NULL) {
        ehd_builder_free(b);
        errno = ENOMEM;
        return NULL;
    }
    return b;
}

EHD_API void ehd_builder_free(ehd_builder *b)
{
    if (b == NULL)
        return;
    free(b->meta.bytes);
    free(b->data.bytes);
    free(b);
}

EHD_API void ehd_builder_reset_n(ehd_builder *b, const char *name, size_t name_len, uint16_t tag)
{
    ehd__reset_headers(b, tag);
    size_t name_size = name_len + 1;
    uint8_t *p = room(b, &b->meta, name_size);
    if (p == NULL)
        return;
    copy_bytes(p, name, name_len);
    p[name_len] = '\0';
    b->meta.size = name_size;
}

EHD_API void ehd_builder_id_version(ehd_builder *b, uint16_t id, uint8_t version)
{
    b->id = id;
    b->version = version;
}

EHD_API void ehd_builder_opcode(ehd_builder *b, uint8_t opcode)
{
    b->opcode = opcode;
}

EHD_API void ehd_builder_add_value_n(ehd_builder *b, const char *name, size_t name_len,
                                     const void *value, size_t size, uint8_t format, uint16_t tag)
{
    uint8_t encoding = value_encoding(size);
    if (encoding == EHD_ENC_INVALID) {
        record_error(b, EINVAL);
        return;
    }
    add_meta(b, name, name_len, encoding, format, tag);
    uint8_t *p = room(b, &b->data, size);
    if (p == NULL)
        return;
    switch (size) {
    case 1: memcpy(p, value, 1); break;
    case 2: memcpy(p, value, 2); break;
    case 4: memcpy(p, value, 4); break;
    case 8: memcpy(p, value, 8); break;
    default: memcpy(p, value, 16); break;
    }
    b->data.size += size;
}

EHD_API void ehd_builder_add_value_array_n(ehd_builder *b, const char *name, size_t name_len, const void *values,
                                         size_t size, size_t count, uint8_t format, uint16_t tag)
{
    uint8_t encoding = value_encoding(size);
    if (encoding == EHD_ENC_INVALID) {
        record_error(b, EINVAL);
        return;
    }
    add_meta(b, name, name_len, encoding | EHD_ENC_VARRAY, format, tag);
    add_counted_data(b, values, size, count);
}

EHD_API void ehd_builder_add_string_n(ehd_builder *b, const char *name, size_t name_len,
                                      const void *chars, size_t char_size, size_t length,
                                      uint8_t format, uint16_t tag)
{
    if (!char_size_valid(char_size)) {
        record_error(b, EINVAL);
        return;
    }
    add_meta(b, name, name_len, counted_encoding(char_size), format, tag);
    add_counted_data(b, chars, char_size, length);
}

EHD_API void ehd_builder_add_zstring_n(ehd_builder *b, const char *name, size_t name_len, const void *chars,
                                     size_t char_size, size_t length, uint8_t format,
                                     uint16_t tag)
{
    if (!char_size_valid(char_size)) {
        record_error(b, EINVAL);
        return;
    }
    add_meta(b, name, name_len, zstring_encoding(char_size), format, tag);
    add_zstring_data(b, chars, char_size, length);
}

/* Appends the 16-bit element count of an array; returns its offset, or
 * EHD_NO_BOOKMARK when it could not be added. */
static size_t add_array_count(ehd_builder *b)
{
    uint8_t *p = room(b, &b->data, 2);
    if (p == NULL)
        return EHD_NO_BOOKMARK;
    size_t at = b->data.size;
    store_u16(p, 0);
    b->data.size += 2;
    return at;
}

static void add_strings(ehd_builder *b, const char *name, size_t name_len, uint8_t encoding,
                        const void *const *strings, const size_t *lengths, size_t char_size,
                        size_t count, uint8_t format, uint16_t tag, bool nul_terminated)
{
    if (!char_size_valid(char_size)) {
        record_error(b, EINVAL);
        return;
    }
    add_meta(b, name, name_len, encoding | EHD_ENC_VARRAY, format, tag);
    size_t count_at = add_array_count(b);
    if (count_at == EHD_NO_BOOKMARK)
        return;
    if (count > COUNT_MAX)
        count = COUNT_MAX;
    for (size_t i = 0; i < count; i++) {
        if (nul_terminated)
            add_zstring_data(b, strings[i], char_size, lengths[i]);
        else
            add_counted_data(b, strings[i], char_size, lengths[i]);
    }
    store_u16(b->data.bytes + count_at, (uint16_t)count);
}

EHD_API void ehd_builder_add_string_array_n(ehd_builder *b, const char *name, size_t name_len,
                                          const void *const *strings, const size_t *lengths,
                                          size_t char_size, size_t count, uint8_t format,
                                          uint16_t tag)
{
    add_strings(b, name, name_len, counted_encoding(char_size), strings, lengths, char_size, count, format,
                tag, false);
}

EHD_API void ehd_builder_add_zstring_array_n(ehd_builder *b, const char *name, size_t name_len,
                                           const void *const *strings, const size_t *lengths,
                                           size_t char_size, size_t count, uint8_t format,
                                           uint16_t tag)
{
    add_strings(b, name, name_len, zstring_encoding(char_size), strings, lengths, char_size, count, format,
                tag, true);
}

EHD_API void ehd_builder_add_binary_n(ehd_builder *b, const char *name, size_t name_len,
                                      const void *bytes, size_t length, uint8_t format,
                                      uint16_t tag)
{
    add_meta(b, name, name_len, EHD_ENC_BINARY_LENGTH16_CHAR8, format, tag);
    add_counted_data(b, bytes, 1, length);
}

EHD_API size_t ehd_builder_add_struct_n(ehd_builder *b, const char *name, size_t name_len, uint8_t field_count,
                                      uint16_t tag)
{
    if (field_count == 0 || field_count > EHD_STRUCT_FIELDS_MAX) {
        record_error(b, EINVAL);
        return EHD_NO_BOOKMARK;
    }
    return add_meta(b, name, name_len, EHD_ENC_STRUCT, field_count, tag);
}

EHD_API void ehd_builder_set_struct_field_count(ehd_builder *b, size_t bookmark,
                                                uint8_t field_count)
{
    if (field_count == 0 || field_count > EHD_STRUCT_FIELDS_MAX || bookmark >= b->meta.size)
        return;
    uint8_t *format = b->meta.bytes + bookmark;
    *format = (uint8_t)((*format & EHD_FMT_CHAIN) | field_count);
}

EHD_API size_t ehd_builder_raw_add_meta_n(ehd_builder *b, const char *name, size_t name_len, uint8_t encoding,
                                        uint8_t format, uint16_t tag)
{
    return add_meta(b, name, name_len, encoding, format, tag);
}

EHD_API size_t ehd_builder_raw_add_meta_carray_n(ehd_builder *b, const char *name, size_t name_len,
                                               uint8_t encoding, uint8_t format, uint16_t tag,
                                               uint16_t count)
{
    /* A constant-length array of two or more structs is refused: the
     * reference decoders (perf-decode, the Rust port) misread it, so no
     * standard tool could show such an event. A variable-length array of
     * structs carries the same data and every decoder reads it. */
    if (count == 0 || ((encoding & EHD_ENC_VALUE_MASK) == EHD_ENC_STRUCT && count > 1)) {
        record_error(b, EINVAL);
        return EHD_NO_BOOKMARK;
    }
    size_t bookmark = add_meta(b, name, name_len, encoding | EHD_ENC_CARRAY, format, tag);
    if (b->error == 0) {
        /* add_meta reserved room for the count behind the definition. */
        store_u16(b->meta.bytes + b->meta.size, count);
        b->meta.size += 2;
    }
    return bookmark;
}

EHD_API void ehd_builder_raw_add_data(ehd_builder *b, const void *bytes, size_t size)
{
    add_data(b, bytes, size);
}
