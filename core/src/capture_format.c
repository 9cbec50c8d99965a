/* Reading and sizing capture-file records (see ehd_capture.h). */
#include <errno.h>
#include <string.h>

#include "ehd/ehd_capture.h"
#include "ehd/eventheader.h"
#include "decode_internal.h"
#include "ehd_api.h"

static uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

EHD_API int ehd_capture_next(const void *buf, size_t size, size_t *offset, ehd_capture_record *record,
                     const char **why)
{
    const uint8_t *bytes = buf;
    size_t at = *offset;
    const char *ignored;
    if (why == NULL)
        why = &ignored;

    if (at == size)
        return ENODATA;
    if (at > size || size - at < 4) {
        *why = "truncated record size";
        return EBADMSG;
    }
    uint32_t record_size = load_le32(bytes + at);
    if (record_size < EHD_CAPTURE_RECORD_MIN) {
        *why = "record size smaller than a record can be";
        return EBADMSG;
    }
    if (record_size > size - at) {
        *why = "record size runs past the end of the file";
        return EBADMSG;
    }
    const char *name = (const char *)bytes + at + 4;
    size_t name_room = record_size - 4;
    const char *nul = memchr(name, '\0', name_room);
    if (nul == NULL) {
        *why = "tracepoint name is not NUL-terminated inside its record";
        return EBADMSG;
    }
    if (nul == name) {
        *why = "empty tracepoint name";
        return EBADMSG;
    }
    record->tracepoint_name = name;
    record->name_len = (size_t)(nul - name);
    record->event = (const uint8_t *)nul + 1;
    record->event_size = name_room - record->name_len - 1;
    record->offset = at;
    *offset = at + record_size;
    return 0;
}

EHD_API int ehd_capture_size_word(uint8_t prefix[4], size_t name_len, size_t event_size)
{
    size_t total;
    if (__builtin_add_overflow(name_len, event_size, &total) ||
        __builtin_add_overflow(total, (size_t)5, &total) || total > UINT32_MAX)
        return ERANGE;
    prefix[0] = (uint8_t)total;
    prefix[1] = (uint8_t)(total >> 8);
    prefix[2] = (uint8_t)(total >> 16);
    prefix[3] = (uint8_t)(total >> 24);
    return 0;
}

static inline void store_n(uint8_t *p, size_t n, uint64_t value, bool little)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (little) { /* the host's order: one store (every event is stamped) */
        memcpy(p, &value, n);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++)
        p[little ? i : n - 1 - i] = (uint8_t)(value >> (8 * i));
}

EHD_API bool ehd_capture_stamp(const void *event, size_t size, ehd_sample_meta *meta)
{
    const uint8_t *bytes = event;
    memset(meta, 0, sizeof *meta);
    if (bytes == NULL || size < sizeof(ehd_eventheader))
        return false;
    uint8_t flags = bytes[0];
    bool little = (flags & EHD_FLAG_LITTLE_ENDIAN) != 0;
    if (!(flags & EHD_FLAG_EXTENSION))
        return false;
    size_t at = sizeof(ehd_eventheader);
    bool chained = true;
    while (chained) {
        if (size - at < sizeof(ehd_extension))
            return false;
        uint16_t block_size = ehd__load16(bytes + at, little);
        uint16_t kind = ehd__load16(bytes + at + 2, little);
        size_t body = at + sizeof(ehd_extension);
        if (size - body < block_size)
            return false;
        if ((kind & EHD_EXT_KIND_MASK) == EHD_EXT_CAPTURE_STAMP &&
            block_size == EHD_CAPTURE_STAMP_SIZE) {
            meta->present = EHD_SAMPLE_TIME | EHD_SAMPLE_PID_TID;
            meta->time_is_utc = true;
            meta->time_ns = ehd__load64(bytes + body, little);
            meta->pid = ehd__load32(bytes + body + 8, little);
            meta->tid = ehd__load32(bytes + body + 12, little);
            return true;
        }
        chained = (kind & EHD_EXT_CHAIN) != 0;
        at = body + block_size;
    }
    return false;
}

EHD_API size_t ehd_capture_stamp_block(uint8_t *block, ehd_eventheader *header, uint64_t time_ns,
                                       uint32_t pid, uint32_t tid)
{
    /* The event's own blocks, if it has any, follow the stamp. */
    bool chained = (header->flags & EHD_FLAG_EXTENSION) != 0;
    header->flags |= EHD_FLAG_EXTENSION;
    bool little = (header->flags & EHD_FLAG_LITTLE_ENDIAN) != 0;
    store_n(block, 2, EHD_CAPTURE_STAMP_SIZE, little);
    store_n(block + 2, 2, EHD_EXT_CAPTURE_STAMP | (chained ? EHD_EXT_CHAIN : 0), little);
    store_n(block + 4, 8, time_ns, little);
    store_n(block + 12, 4, pid, little);
    store_n(block + 16, 4, tid, little);
    return sizeof(ehd_extension) + EHD_CAPTURE_STAMP_SIZE;
}
