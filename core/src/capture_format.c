/* Reading and sizing capture-file records (see ehd_capture.h). */
#include <errno.h>
#include <string.h>

#include "ehd/ehd_capture.h"
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
