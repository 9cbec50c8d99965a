/*
 * Capture files (.dat): a sequence of records, nothing else. A record is a
 * uint32 little-endian size that counts its own 4 bytes, the tracepoint name
 * and a NUL, then the event bytes exactly as they follow the write index of a
 * user_events write. The reference interceptor writes the same layout.
 */
#ifndef EHD_CAPTURE_H
#define EHD_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

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

#ifdef __cplusplus
}
#endif

#endif /* EHD_CAPTURE_H */
