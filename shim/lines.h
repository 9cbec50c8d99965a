/*
 * The line assembler: bytes written to stderr, in whatever pieces the
 * program writes them, in; complete lines out, one call of the sink per line.
 * A pure data structure over caller-provided storage: no allocation, no
 * locks, no system calls, so it is safe in the write path and in signal
 * handlers, and testable on its own.
 */
#ifndef SHIM_LINES_H
#define SHIM_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Receives one line without its '\n'; `text` is valid only during the call. */
typedef void shim_line_sink(void *context, const char *text, size_t len);

typedef struct shim_line {
    char *storage;     /* caller's buffer of `capacity` bytes */
    size_t capacity;   /* the longest line kept: for stderr max_message_bytes
                          + EHS_STDERR_PREFIX_MAX + 1 (ehs_engine.h), so a
                          longer line still reaches the engine longer than the
                          maximum once its "<N>" prefix is gone, and is
                          flagged truncated there */
    size_t len;        /* bytes of the unfinished line in `storage` */
    bool overflowed;   /* this line passed `capacity`: the rest of it, up to
                          its '\n', is discarded */
} shim_line;

/* Prepares `line` over `storage` (capacity >= 1). */
void shim_line_init(shim_line *line, char *storage, size_t capacity);

/* Keeps what still fits of `count` more bytes of the current line (the
 * rare path of shim_line_feed: a line in more than one piece). */
void shim_line_append(shim_line *line, const char *bytes, size_t count);

/* Forgets the unfinished line without passing it on. */
static inline void shim_line_discard(shim_line *line)
{
    line->len = 0;
    line->overflowed = false;
}

/*
 * Adds `count` bytes. Every '\n' completes a line, passed to `sink` cut to
 * `capacity` bytes (a line longer than that is still exactly one call). A
 * line that arrives whole in one piece is passed straight from `bytes`,
 * without copying. Always inline: on the write path the sink is a constant
 * and is inlined in turn, so a line costs no call of its own.
 */
static inline __attribute__((always_inline)) void
shim_line_feed(shim_line *line, const char *bytes, size_t count, shim_line_sink *sink,
               void *context)
{
    while (count > 0) {
        const char *newline = memchr(bytes, '\n', count);
        size_t piece = newline != NULL ? (size_t)(newline - bytes) : count;
        if (newline == NULL) {
            shim_line_append(line, bytes, piece);
            return;
        }
        if (line->len == 0 && !line->overflowed) {
            sink(context, bytes, piece < line->capacity ? piece : line->capacity);
        } else {
            shim_line_append(line, bytes, piece);
            sink(context, line->storage, line->len);
            shim_line_discard(line);
        }
        bytes += piece + 1;
        count -= piece + 1;
    }
}

/* True when bytes of an unfinished line are waiting. Inline: the write
 * path asks it of every piece. */
static inline bool shim_line_pending(const shim_line *line)
{
    return line->len > 0 || line->overflowed;
}

/* Passes the unfinished line, if any, to `sink` and empties `line`. */
void shim_line_flush(shim_line *line, shim_line_sink *sink, void *context);

#endif /* SHIM_LINES_H */
