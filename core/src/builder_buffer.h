/* Internal: growth of the builder's byte buffers. */
#ifndef EHD_BUILDER_BUFFER_H
#define EHD_BUILDER_BUFFER_H

#include <stddef.h>
#include <stdint.h>

#include "ehd_builder_layout.h"

/*
 * Makes room for `needed` more bytes after buf->size, allocating if needed.
 * Returns a pointer to the room (buf->size is not advanced), or NULL when the
 * allocation failed or the size would overflow; the buffer is then unchanged.
 */
uint8_t *ehd__buffer_grow(ehd_buffer *buf, size_t needed);

#endif
