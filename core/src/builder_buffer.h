/* Internal: growth of the builder's byte buffers. */
#ifndef EHD_BUILDER_BUFFER_H
#define EHD_BUILDER_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ehd/ehd_types.h"

/*
 * Makes room for `needed` more bytes after buf->size, allocating if needed.
 * Returns a pointer to the room (buf->size is not advanced), or NULL when the
 * allocation failed or the size would overflow; the buffer is then unchanged.
 */
uint8_t *ehd__buffer_grow(ehd_buffer *buf, size_t needed);

/* The fast path of ehd__buffer_grow: no call when the room is already there. */
static inline uint8_t *ehd__buffer_room(ehd_buffer *buf, size_t needed)
{
    if (__builtin_expect(buf->capacity - buf->size >= needed, 1))
        return buf->bytes + buf->size;
    return ehd__buffer_grow(buf, needed);
}

#endif
