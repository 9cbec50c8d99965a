/* Growth of the builder's byte buffers, with overflow checks. */
#include <stdlib.h>

#include "builder_buffer.h"
#include "grow_array.h"

/* Start small enough for a typical log event, double from there. */
enum { FIRST_CAPACITY = 256 };

uint8_t *ehd__buffer_grow(ehd_buffer *buf, size_t needed)
{
    size_t required;
    if (__builtin_add_overflow(buf->size, needed, &required))
        return NULL;
    if (required <= buf->capacity)
        return buf->bytes + buf->size;
    size_t capacity = buf->capacity;
    uint8_t *bytes = ehd__grow_array(buf->bytes, &capacity, required, 1, FIRST_CAPACITY);
    if (bytes == NULL)
        return NULL;
    buf->bytes = bytes;
    buf->capacity = capacity;
    return bytes + buf->size;
}
