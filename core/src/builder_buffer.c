/* Growth of the builder's byte buffers, with overflow checks. */
#include <stdlib.h>

#include "builder_buffer.h"

/* Start small enough for a typical log event, double from there. */
enum { FIRST_CAPACITY = 256 };

uint8_t *ehd__buffer_grow(ehd_buffer *buf, size_t needed)
{
    size_t required;
    if (__builtin_add_overflow(buf->size, needed, &required))
        return NULL;
    if (required <= buf->capacity)
        return buf->bytes + buf->size;

    size_t capacity = buf->capacity ? buf->capacity : FIRST_CAPACITY;
    while (capacity < required) {
        if (__builtin_mul_overflow(capacity, (size_t)2, &capacity))
            return NULL;
    }
    uint8_t *bytes = realloc(buf->bytes, capacity);
    if (bytes == NULL)
        return NULL;
    buf->bytes = bytes;
    buf->capacity = capacity;
    return bytes + buf->size;
}
