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

/*
 * Adds `count` bytes. Every '\n' completes a line, passed to `sink` cut to
 * `capacity` bytes (a line longer than that is still exactly one call). A
 * line that arrives whole in one piece is passed straight from `bytes`,
 * without copying.
 */
void shim_line_feed(shim_line *line, const char *bytes, size_t count, shim_line_sink *sink,
                    void *context);

/* True when bytes of an unfinished line are waiting. Inline: the write
 * path asks it of every piece. */
static inline bool shim_line_pending(const shim_line *line)
{
    return line->len > 0 || line->overflowed;
}

/* Passes the unfinished line, if any, to `sink` and empties `line`. */
void shim_line_flush(shim_line *line, shim_line_sink *sink, void *context);

/* Forgets the unfinished line without passing it on. */
void shim_line_discard(shim_line *line);

#endif /* SHIM_LINES_H */
