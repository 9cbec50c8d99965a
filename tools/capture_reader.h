/*
 * Reading the records of a capture file (.dat) one at a time from a file
 * descriptor, for every command that reads captures (decode, learn): the
 * record frame is checked once, here, so each command reports a broken
 * file the same way and none reads past its end.
 *
 * Memory stays at the largest record whatever the file's size: the buffer
 * holds at least the current record and grows only for a larger one.
 */
#ifndef EHSHIM_TOOLS_CAPTURE_READER_H
#define EHSHIM_TOOLS_CAPTURE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* No writer makes a record anywhere near this (an event is at most 64 KiB):
 * a size word above it is refused. */
#define CAPTURE_RECORD_MAX ((size_t)16 << 20)

/* Zero-initialise with the descriptor: (capture_reader){ .fd = fd }. */
typedef struct capture_reader {
    int fd;            /* not owned */
    uint8_t *buf;      /* owned: capture_reader_free */
    size_t capacity;
    size_t start, end; /* unread bytes: buf[start..end) */
    bool eof;
} capture_reader;

/*
 * Reads the next record's frame: on 0 the record is at r->buf + *at,
 * `*size` bytes (size word included), and consumed; it stays there until
 * the next call. ENODATA at a clean end; EBADMSG with `*why` (static text)
 * set when the frame is broken, after which nothing can be trusted to start
 * a record; another errno when reading failed.
 */
int capture_reader_next(capture_reader *r, size_t *at, size_t *size, const char **why);

/* Frees the buffer; the descriptor is the caller's. */
void capture_reader_free(capture_reader *r);

/* Bytes capture_reader_sniff and capture_reader_looks look at: a size
 * word and the longest tracepoint name. */
#define CAPTURE_SNIFF_BYTES (4 + 256)

/*
 * Do the `len` first bytes of a file (CAPTURE_SNIFF_BYTES, or all of a
 * shorter file) start a capture file? What capture_reader_sniff checks,
 * without the file's size: for bytes already read from a pipe.
 */
bool capture_reader_looks(const uint8_t *head, size_t len);

/*
 * Does the file at `fd` start like a capture file? Its first record's size
 * word must be between the smallest record and CAPTURE_RECORD_MAX and no
 * larger than the file, and a NUL-terminated tracepoint name of the form
 * "Provider_L<level>K<keyword>[Options]" must follow it. Capture files have
 * no magic number; a text file can never pass, since its fourth byte would
 * have to be a NUL. Reads with pread, so the file position is unchanged;
 * false for anything but a regular file (a pipe cannot be read twice).
 */
bool capture_reader_sniff(int fd);

#endif /* EHSHIM_TOOLS_CAPTURE_READER_H */
