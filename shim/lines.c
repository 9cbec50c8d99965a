/* The line assembler; see lines.h. */
#include <string.h>

#include "lines.h"

void shim_line_init(shim_line *line, char *storage, size_t capacity)
{
    line->storage = storage;
    line->capacity = capacity;
    line->len = 0;
    line->overflowed = false;
}

void shim_line_append(shim_line *line, const char *bytes, size_t count)
{
    if (line->overflowed)
        return;
    size_t room = line->capacity - line->len;
    if (count > room) {
        count = room;
        line->overflowed = true;
    }
    memcpy(line->storage + line->len, bytes, count);
    line->len += count;
}

void shim_line_flush(shim_line *line, shim_line_sink *sink, void *context)
{
    if (!shim_line_pending(line))
        return;
    size_t len = line->len;
    shim_line_discard(line);
    sink(context, line->storage, len);
}
