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

/* Keeps what still fits of `count` more bytes of the current line. */
static void append(shim_line *line, const char *bytes, size_t count)
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

void shim_line_feed(shim_line *line, const char *bytes, size_t count, shim_line_sink *sink,
                    void *context)
{
    while (count > 0) {
        const char *newline = memchr(bytes, '\n', count);
        size_t piece = newline != NULL ? (size_t)(newline - bytes) : count;
        if (newline == NULL) {
            append(line, bytes, piece);
            return;
        }
        if (line->len == 0 && !line->overflowed) {
            sink(context, bytes, piece < line->capacity ? piece : line->capacity);
        } else {
            append(line, bytes, piece);
            sink(context, line->storage, line->len);
            shim_line_discard(line);
        }
        bytes += piece + 1;
        count -= piece + 1;
    }
}

void shim_line_flush(shim_line *line, shim_line_sink *sink, void *context)
{
    if (!shim_line_pending(line))
        return;
    size_t len = line->len;
    shim_line_discard(line);
    sink(context, line->storage, len);
}

void shim_line_discard(shim_line *line)
{
    line->len = 0;
    line->overflowed = false;
}
