/*
 * Capture files (.dat): a sequence of records, nothing else. A record is a
 * uint32 little-endian size that counts its own 4 bytes, the tracepoint name
 * and a NUL, then the event bytes as they follow the write index of a
 * user_events write. The reference interceptor writes the same layout.
 *
 * What a perf sample says about an event besides its bytes - when, which
 * process, which thread - a file has no place for. The capture backend and
 * `ehshim listen -o` therefore put it in the event itself: a first header
 * extension block of kind EHD_EXT_CAPTURE_STAMP (chained to the event's own
 * blocks, which follow unchanged) holding the time in nanoseconds since
 * 1970-01-01 UTC (u64), the process id (u32) and the thread id (u32), in
 * the event's byte order. EventHeader decoders skip extension kinds they do
 * not know (the reference EventEnumerator does), so every reader still
 * reads the event; ehd_capture_stamp reads the stamp back.
 */
#ifndef EHD_CAPTURE_H
#define EHD_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ehd/ehd_decode.h"
#include "ehd/eventheader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One record, pointing into the caller's buffer (nothing is owned). */
typedef struct ehd_capture_record {
    const char *tracepoint_name; /* NUL-terminated inside the buffer */
    size_t name_len;             /* strlen(tracepoint_name) */
    const uint8_t *event;        /* event bytes: eventheader, extensions, payload */
    size_t event_size;           /* bytes at `event` */
    size_t offset;               /* where the record starts in the buffer */
} ehd_capture_record;

/* Smallest valid record: size word, a one-byte name, its NUL. */
#define EHD_CAPTURE_RECORD_MIN 6u

/*
 * Reads the record at `*offset` of `buf` (`size` bytes). On success fills
 * `record`, moves `*offset` past it and returns 0. Returns ENODATA when
 * `*offset == size` (clean end). Returns EBADMSG for a malformed record
 * (size word past the end or below the minimum, empty or unterminated name)
 * with a static description in `*why` (may be NULL); `*offset` is unchanged.
 * Never reads outside buf[0..size).
 */
int ehd_capture_next(const void *buf, size_t size, size_t *offset, ehd_capture_record *record,
                     const char **why);

/*
 * Fills `prefix` (4 bytes) with the record size word for a record with a
 * `name_len`-byte tracepoint name and `event_size` event bytes. Returns 0,
 * or ERANGE when the record would not fit in 32 bits.
 */
int ehd_capture_size_word(uint8_t prefix[4], size_t name_len, size_t event_size);

/* Extension kind of the capture stamp (see above), and its size. */
#define EHD_EXT_CAPTURE_STAMP 0x7EC0
#define EHD_CAPTURE_STAMP_SIZE 16u

/*
 * Reads the capture stamp of `event` (`size` bytes, as a record holds it)
 * into `meta`: time_ns (time_is_utc), pid and tid, with present =
 * EHD_SAMPLE_TIME | EHD_SAMPLE_PID_TID. Returns true when the event has a
 * well-formed stamp; false (meta zeroed) for an event without one or one
 * too malformed to walk. Never reads outside event[0..size). Thread-safe.
 */
bool ehd_capture_stamp(const void *event, size_t size, ehd_sample_meta *meta);

/*
 * Stamps an event: fills `block` (4 + EHD_CAPTURE_STAMP_SIZE bytes) with a
 * stamp extension block in the byte order of `*header`, a copy of the
 * event's header, and sets the extension flag in that copy. The stamped
 * event is the copy, the block, then the event's bytes after its header.
 * The block chains to the event's own blocks when it had any. Returns the
 * block's size. Thread-safe; allocates nothing.
 */
size_t ehd_capture_stamp_block(uint8_t *block, ehd_eventheader *header, uint64_t time_ns,
                               uint32_t pid, uint32_t tid);

#ifdef __cplusplus
}
#endif

#endif /* EHD_CAPTURE_H */
