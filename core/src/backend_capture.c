/*
 * The capture backend: events appended as records to a .dat file (layout in
 * ehd_capture.h) so they can be checked without a kernel that has
 * user_events. Every record goes out in one write (or writev) on an
 * O_APPEND descriptor: the kernel places each such write at the end of the file as a
 * whole, so threads and processes sharing the file never mix their records.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "capture_record.h"
#include "ehd/ehd_capture.h"
#include "ehd/eventheader.h"

int ehd__capture_open(const char *path)
{
    /* Events carry what programs log: authentication failures, SQL text.
     * A new file is the user's alone; an existing one keeps its mode. */
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    return ehd__fd_above_stdio(fd);
}

/* Are the `count` bytes of the file at `offset` the first `count` bytes of
 * `iov`? Read back, in pieces, through `reader`. */
static bool file_holds(int reader, off_t offset, const struct iovec *iov, size_t count)
{
    uint8_t piece[1024];
    size_t vec = 0, within = 0;
    while (count > 0) {
        size_t want = count < sizeof(piece) ? count : sizeof(piece);
        ssize_t got = pread(reader, piece, want, offset);
        if (got <= 0)
            return false;
        for (ssize_t i = 0; i < got; i++) {
            while (within == iov[vec].iov_len) {
                vec++;
                within = 0;
            }
            if (piece[i] != ((const uint8_t *)iov[vec].iov_base)[within++])
                return false;
        }
        offset += got;
        count -= (size_t)got;
    }
    return true;
}

/*
 * Takes back the `written` bytes of a record the file system cut short (a
 * full disk, RLIMIT_FSIZE): left in place, the torn record would make every
 * record after it unreadable, since a reader finds records by their size
 * words. With O_APPEND the descriptor's offset is the end of what this
 * write placed, unless a process sharing the descriptor (a forked child)
 * wrote since. So the file is cut back only when it still ends there and,
 * when it can be read (the descriptor is write-only: the file is opened
 * again through /proc/self/fd), its last `written` bytes are this record's
 * first ones. When another writer appended in between, cutting would take
 * its record too: the torn one stays then (and when the file cannot be
 * truncated, e.g. it is append-only). All of it only on this failure path.
 */
static void drop_partial_record(int data_fd, const struct iovec *iov, size_t written)
{
    int saved_errno = errno;
    off_t end = lseek(data_fd, 0, SEEK_CUR);
    struct stat st;
    if (end < 0 || (uintmax_t)end < written || fstat(data_fd, &st) != 0 || st.st_size != end) {
        errno = saved_errno;
        return;
    }
    off_t start = end - (off_t)written;
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", data_fd);
    int reader = open(path, O_RDONLY | O_CLOEXEC);
    bool ours = reader < 0 || file_holds(reader, start, iov, written);
    if (reader >= 0)
        close(reader);
    if (ours)
        (void)!ftruncate(data_fd, start);
    errno = saved_errno;
}

/* What a record's one write came to: 0 when all `record_size` bytes went
 * out, its errno when none did, else EIO after the torn record (`iov`, the
 * record's pieces) is taken back: writing the rest now could land after
 * another writer's record and corrupt the file for every reader. */
static inline int record_written(int data_fd, ssize_t written, const struct iovec *iov,
                                 size_t record_size)
{
    if (written < 0)
        return errno;
    if ((size_t)written == record_size)
        return 0;
    drop_partial_record(data_fd, iov, (size_t)written);
    return EIO;
}

/* Writes the record in `iovcnt` pieces, `record_size` bytes in all, with
 * one writev, again when a signal interrupts it before anything is
 * written. */
static int writev_record(int data_fd, const struct iovec *iov, int iovcnt, size_t record_size)
{
    ssize_t written;
    do
        written = ehd__backend_writev(data_fd, iov, iovcnt);
    while (written < 0 && errno == EINTR);
    return record_written(data_fd, written, iov, record_size);
}

/* Records up to this size are gathered into one buffer on the stack and
 * written with write: the kernel takes one buffer faster than it imports
 * and walks an iovec of seven pieces, by more than the copy costs (about
 * 110 against 140 ns a record of 228 bytes to /dev/null). Larger ones,
 * rare, go out as they are with writev. */
#define GATHERED_MAX 1024u

/* Pieces of an event a stamped record can take; the builder uses three. */
#define STAMPED_IOV_MAX 16

/* The stamp's time: now, UTC, in nanoseconds. */
static inline uint64_t stamp_time(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/*
 * Rewrites the event of iov[2..iovcnt) as a stamped one into `out`: the
 * header (with the extension flag), the stamp block, then the rest of the
 * event unchanged. Returns the new count, or 0 when the event cannot take
 * a stamp (fewer than 8 bytes, or too many pieces): it is written as it is.
 */
static int stamp_event(const struct iovec *iov, int iovcnt, const ehd__writer *writer,
                       struct iovec *out, ehd_eventheader *header, uint8_t *block)
{
    if (iovcnt - 2 + 4 > STAMPED_IOV_MAX)
        return 0;
    uint8_t *head = (uint8_t *)header;
    size_t have = 0;
    int vec = 2;
    size_t within = 0;
    /* The builder's first piece holds the whole header. */
    if (iovcnt > 2 && iov[2].iov_len >= sizeof *header) {
        memcpy(head, iov[2].iov_base, sizeof *header);
        have = sizeof *header;
        within = sizeof *header;
        if (within == iov[2].iov_len) {
            vec++;
            within = 0;
        }
    }
    while (have < sizeof *header && vec < iovcnt) {
        size_t take = iov[vec].iov_len - within;
        if (take > sizeof *header - have)
            take = sizeof *header - have;
        memcpy(head + have, (const uint8_t *)iov[vec].iov_base + within, take);
        have += take;
        within += take;
        if (within == iov[vec].iov_len) {
            vec++;
            within = 0;
        }
    }
    if (have < sizeof *header)
        return 0;
    uint64_t time_ns = stamp_time();
    /* Two system calls an event when nobody says who writes. */
    ehd__writer asked;
    if (writer == NULL) {
        asked = (ehd__writer){ (uint32_t)getpid(), (uint32_t)syscall(SYS_gettid) };
        writer = &asked;
    }
    size_t block_size = ehd_capture_stamp_block(block, header, time_ns, writer->pid, writer->tid);
    int n = 2;
    out[n++] = (struct iovec){ header, sizeof *header };
    out[n++] = (struct iovec){ block, block_size };
    if (vec < iovcnt && within < iov[vec].iov_len) {
        out[n++] = (struct iovec){ (uint8_t *)iov[vec].iov_base + within,
                                   iov[vec].iov_len - within };
        vec++;
    }
    while (vec < iovcnt)
        out[n++] = iov[vec++];
    return n;
}

/* The size of a stamp block, header included (ehd_capture_stamp_block). */
#define STAMP_BLOCK_SIZE (sizeof(ehd_extension) + EHD_CAPTURE_STAMP_SIZE)

/* Stores a record's size word: little-endian on every host. */
static inline void put_size_word(uint8_t *p, uint32_t size)
{
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    size = __builtin_bswap32(size);
#endif
    memcpy(p, &size, sizeof size);
}

/* Copies `n` bytes (apart) inline: up to 256 in moves of 32 bytes, the
 * last one overlapping the one before, which is what an event's metadata
 * and data mostly are; longer runs with memcpy. Writes only dst[0..n). */
static inline void copy_run(uint8_t *dst, const uint8_t *src, size_t n)
{
    if (n <= 32) {
        ehd__copy_bytes(dst, src, n);
        return;
    }
    if (n > 256) {
        memcpy(dst, src, n);
        return;
    }
    for (size_t at = 0; at < n - 32; at += 32)
        memcpy(dst + at, src + at, 32);
    memcpy(dst + n - 32, src + n - 32, 32);
}

/* Writes the `record_size` bytes gathered at `record` in one write, again
 * when a signal interrupts it before anything is written. */
static inline __attribute__((always_inline)) int write_gathered(int data_fd,
                                                                const uint8_t *record,
                                                                size_t record_size)
{
    ssize_t written;
    do
        written = ehd__backend_write(data_fd, record, record_size);
    while (written < 0 && errno == EINTR);
    struct iovec whole = { (void *)record, record_size };
    return record_written(data_fd, written, &whole, record_size);
}

/*
 * Writes the record of the event in iov[2..iovcnt), `record_size` bytes at
 * most GATHERED_MAX, gathered in one pass: the pieces are copied once,
 * leaving room for the stamp block when `stamped`; then the header is
 * taken from where it landed, flagged, and put back in front of the block.
 */
static int write_pieces_gathered(int data_fd, const ehd_event_set *set, const struct iovec *iov,
                                 int iovcnt, const ehd__writer *writer, bool stamped,
                                 size_t record_size)
{
    uint8_t gathered[GATHERED_MAX];
    size_t name_size = (size_t)set->name_len + 1;
    put_size_word(gathered, (uint32_t)record_size);
    ehd__copy_bytes(gathered + 4, set->tracepoint_name, name_size);
    uint8_t *event = gathered + 4 + name_size;
    uint8_t *to = stamped ? event + STAMP_BLOCK_SIZE : event;
    for (int i = 2; i < iovcnt; i++) {
        copy_run(to, iov[i].iov_base, iov[i].iov_len);
        to += iov[i].iov_len;
    }
    if (stamped) {
        uint64_t time_ns = stamp_time();
        /* Two system calls an event when nobody says who writes. */
        ehd__writer asked;
        if (writer == NULL) {
            asked = (ehd__writer){ (uint32_t)getpid(), (uint32_t)syscall(SYS_gettid) };
            writer = &asked;
        }
        /* The block overwrites where the header landed: read it first. */
        ehd_eventheader header;
        memcpy(&header, event + STAMP_BLOCK_SIZE, sizeof header);
        ehd_capture_stamp_block(event + sizeof header, &header, time_ns, writer->pid,
                                writer->tid);
        memcpy(event, &header, sizeof header);
    }
    return write_gathered(data_fd, gathered, record_size);
}

int ehd__capture_writev(int data_fd, const ehd_event_set *set, struct iovec *iov, int iovcnt,
                        const ehd__writer *writer)
{
    /* Sizes first: the pieces are not read before they are known to fit. */
    size_t event_size = 0;
    for (int i = 2; i < iovcnt; i++) {
        if (__builtin_add_overflow(event_size, iov[i].iov_len, &event_size))
            return ERANGE;
    }
    uint8_t size_word[4];
    if (ehd_capture_size_word(size_word, set->name_len, event_size) != 0)
        return ERANGE;
    /* What stamp_event would stamp: a whole header, not too many pieces. */
    bool stamped = event_size >= sizeof(ehd_eventheader) && iovcnt - 2 + 4 <= STAMPED_IOV_MAX;
    if (event_size <= GATHERED_MAX) {
        size_t record_size = sizeof(size_word) + set->name_len + 1 + event_size +
                             (stamped ? STAMP_BLOCK_SIZE : 0);
        if (record_size <= GATHERED_MAX)
            return write_pieces_gathered(data_fd, set, iov, iovcnt, writer, stamped,
                                         record_size);
    }

    struct iovec stamped_iov[STAMPED_IOV_MAX];
    ehd_eventheader header;
    uint8_t block[STAMP_BLOCK_SIZE];
    int stamped_count = stamp_event(iov, iovcnt, writer, stamped_iov, &header, block);
    if (stamped_count != 0) {
        iov = stamped_iov;
        iovcnt = stamped_count;
        event_size += sizeof block;
        if (ehd_capture_size_word(size_word, set->name_len, event_size) != 0)
            return ERANGE;
    }
    /* Cannot overflow: ehd_capture_size_word just checked it fits 32 bits. */
    size_t record_size = sizeof(size_word) + set->name_len + 1 + event_size;

    iov[0] = (struct iovec){ size_word, sizeof(size_word) };
    iov[1] = (struct iovec){ (void *)set->tracepoint_name, set->name_len + 1 };
    return writev_record(data_fd, iov, iovcnt, record_size);
}

/* The builder's headers with the stamp (format_prefix in builder_write.c,
 * the stamp block after the event header): at most this many bytes. */
#define BUILT_HEADERS_MAX \
    (sizeof(ehd_eventheader) + STAMP_BLOCK_SIZE + sizeof(ehd_extension) + 32 + sizeof(ehd_extension))

/* The offset of a stamp's values in a built event: after the event header
 * and the stamp block's own. */
#define BUILT_STAMP_VALUES (sizeof(ehd_eventheader) + sizeof(ehd_extension))

/* Fills the values of a stamp block at `at`: the time now, the writer's
 * ids (the kernel's when `writer_ids` is 0). The last step before the
 * write, so that little lives across the calls it makes. */
static inline void put_stamp_values(uint8_t *at, uint64_t writer_ids)
{
    uint64_t time_ns = stamp_time();
    uint32_t ids[2];
    if (writer_ids != 0) {
        ids[0] = (uint32_t)writer_ids;
        ids[1] = (uint32_t)(writer_ids >> 32);
    } else {
        ids[0] = (uint32_t)getpid();
        ids[1] = (uint32_t)syscall(SYS_gettid);
    }
    memcpy(at, &time_ns, sizeof time_ns);
    memcpy(at + sizeof time_ns, ids, sizeof ids);
}

/* Lays down the headers of a built event, stamped but for the stamp's
 * values, at `p`; returns the end.
 * The builder's events are in the host's byte order (their flags say so)
 * and always have the extension flag, for their metadata block: the stamp
 * comes first and chains to the blocks that follow, its fields stored as
 * they are in memory. */
static inline uint8_t *put_built_headers(uint8_t *p, const ehd_event_set *set,
                                         const ehd_builder *b, const void *activity_id,
                                         const void *related_id, size_t ids_size)
{
    ehd_eventheader header = ehd__built_header(b, set->level);
    memcpy(p, &header, sizeof header);
    p += sizeof header;
    ehd_extension stamp = { EHD_CAPTURE_STAMP_SIZE, EHD_EXT_CAPTURE_STAMP | EHD_EXT_CHAIN };
    memcpy(p, &stamp, sizeof stamp);
    p += STAMP_BLOCK_SIZE; /* its values: put_stamp_values */
    if (ids_size != 0) {
        ehd_extension activity = { (uint16_t)ids_size, EHD_EXT_ACTIVITY_ID | EHD_EXT_CHAIN };
        memcpy(p, &activity, sizeof activity);
        memcpy(p + sizeof activity, activity_id, 16);
        if (related_id != NULL)
            memcpy(p + sizeof activity + 16, related_id, 16);
        p += sizeof activity + ids_size;
    }
    ehd_extension meta = { (uint16_t)b->meta.size, EHD_EXT_METADATA };
    memcpy(p, &meta, sizeof meta);
    return p + sizeof meta;
}

/* A built event's record too large to gather, as it lies: headers made
 * apart, metadata and data from the builder, one writev. Rare. */
static __attribute__((noinline)) int write_built_large(int data_fd, const ehd_event_set *set,
                                                       const ehd_builder *b,
                                                       const void *activity_id,
                                                       const void *related_id, size_t ids_size,
                                                       uint64_t writer_ids, size_t record_size)
{
    uint8_t size_word[4];
    put_size_word(size_word, (uint32_t)record_size);
    uint8_t headers[BUILT_HEADERS_MAX];
    size_t headers_size =
        (size_t)(put_built_headers(headers, set, b, activity_id, related_id, ids_size) - headers);
    put_stamp_values(headers + BUILT_STAMP_VALUES, writer_ids);
    struct iovec iov[5] = {
        { size_word, sizeof size_word },
        { (void *)set->tracepoint_name, (size_t)set->name_len + 1 },
        { headers, headers_size },
        { b->meta.bytes, b->meta.size },
        { b->data.bytes, b->data.size },
    };
    return writev_record(data_fd, iov, 5, record_size);
}

int ehd__capture_write_built(int data_fd, const ehd_event_set *set, const ehd_builder *b,
                             const void *activity_id, const void *related_id,
                             uint64_t writer_ids)
{
    size_t ids_size = activity_id == NULL ? 0 : related_id == NULL ? 16 : 32;
    size_t name_size = (size_t)set->name_len + 1;
    /* The builder's sizes are bounded (EHD_EVENT_MAX): neither the sum
     * nor the size word can overflow. */
    size_t record_size = 4 + name_size + sizeof(ehd_eventheader) + STAMP_BLOCK_SIZE +
                         (ids_size != 0 ? sizeof(ehd_extension) + ids_size : 0) +
                         sizeof(ehd_extension) + b->meta.size + b->data.size;

    if (__builtin_expect(record_size > GATHERED_MAX, 0))
        return write_built_large(data_fd, set, b, activity_id, related_id, ids_size, writer_ids,
                                 record_size);

    uint8_t gathered[GATHERED_MAX];
    put_size_word(gathered, (uint32_t)record_size);
    ehd__copy_bytes(gathered + 4, set->tracepoint_name, name_size);
    uint8_t *event = gathered + 4 + name_size;
    uint8_t *p = put_built_headers(event, set, b, activity_id, related_id, ids_size);
    copy_run(p, b->meta.bytes, b->meta.size);
    copy_run(p + b->meta.size, b->data.bytes, b->data.size);
    put_stamp_values(event + BUILT_STAMP_VALUES, writer_ids);
    return write_gathered(data_fd, gathered, record_size);
}
