/*
 * Turning a built event into bytes: the header, the optional activity-id
 * extension, the metadata extension, then metadata and data, gathered
 * without copying for a write and copied once for ehd_builder_copy_event.
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "backend.h"
#include "ehd/ehd.h"
#include "ehd_api.h"
#include "ehd_builder_layout.h"
#include "options.h"

/* Header, activity extension header with both ids, metadata extension header. */
enum { PREFIX_MAX = sizeof(ehd_eventheader) + 2 * sizeof(ehd_extension) + 32 };
/* Same budget as the reference builder: what may follow the headers. */
enum { META_DATA_MAX = EHD_EVENT_MAX - (EHD_HEADERS_MAX + 16) };

/* Checks the builder's state; returns 0 or the errno a write must return. */
static int builder_status(const ehd_builder *b)
{
    if (b->error != 0)
        return b->error;
    if (b->meta.size + b->data.size > META_DATA_MAX)
        return ERANGE;
    return 0;
}

/* Fills `prefix` with everything before the metadata; returns its size. */
static size_t format_prefix(const ehd_builder *b, uint8_t level, const void *activity_id,
                            const void *related_id, uint8_t prefix[PREFIX_MAX])
{
    ehd_eventheader header = {
        .flags = EHD_FLAG_DEFAULT_WITH_EXTENSION,
        .version = b->version,
        .id = b->id,
        .tag = b->tag,
        .opcode = b->opcode,
        .level = level,
    };
    size_t used = 0;
    memcpy(prefix, &header, sizeof header);
    used += sizeof header;

    if (activity_id != NULL) {
        ehd_extension ext = {
            .size = related_id != NULL ? 32 : 16,
            .kind = EHD_EXT_ACTIVITY_ID | EHD_EXT_CHAIN,
        };
        memcpy(prefix + used, &ext, sizeof ext);
        used += sizeof ext;
        memcpy(prefix + used, activity_id, 16);
        used += 16;
        if (related_id != NULL) {
            memcpy(prefix + used, related_id, 16);
            used += 16;
        }
    }

    ehd_extension meta_ext = { .size = (uint16_t)b->meta.size, .kind = EHD_EXT_METADATA };
    memcpy(prefix + used, &meta_ext, sizeof meta_ext);
    used += sizeof meta_ext;
    return used;
}

/* ehd_builder_write, with `writer` (NULL: unknown) for the backend. */
static int write_event(const ehd_builder *b, const ehd_event_set *set, const void *activity_id,
                       const void *related_id, const ehd__writer *writer)
{
    int err = builder_status(b);
    if (err != 0)
        return err;
    if (!ehd_event_set_enabled(set))
        return EBADF;
    if (related_id != NULL && activity_id == NULL)
        return EINVAL;

    uint8_t prefix[PREFIX_MAX];
    size_t prefix_size = format_prefix(b, set->level, activity_id, related_id, prefix);
    struct iovec iov[5] = {
        [2] = { prefix, prefix_size },
        [3] = { b->meta.bytes, b->meta.size },
        [4] = { b->data.bytes, b->data.size },
    };
    return ehd__event_set_writev_as(set, iov, 5, writer);
}

EHD_API int ehd_builder_write(const ehd_builder *b, const ehd_event_set *set,
                              const void *activity_id, const void *related_id)
{
    return write_event(b, set, activity_id, related_id, NULL);
}

EHD_API int ehd_builder_write_opts(const ehd_builder *b, const ehd_event_set *set,
                                   const ehd_write_options *options)
{
    if (!EHD__OPTIONS_VALID(options))
        return EINVAL;
    uint32_t pid = EHD__OPTION(options, pid, 0u);
    uint32_t tid = EHD__OPTION(options, tid, 0u);
    ehd__writer writer = { pid, tid };
    return write_event(b, set, EHD__OPTION(options, activity_id, NULL),
                       EHD__OPTION(options, related_id, NULL),
                       pid != 0 && tid != 0 ? &writer : NULL);
}

EHD_API int ehd_builder_copy_event(const ehd_builder *b, uint8_t level, const void *activity_id,
                                   const void *related_id, void *buffer, size_t capacity,
                                   size_t *size)
{
    int err = builder_status(b);
    if (err != 0)
        return err;
    if (related_id != NULL && activity_id == NULL)
        return EINVAL;

    uint8_t prefix[PREFIX_MAX];
    size_t prefix_size = format_prefix(b, level, activity_id, related_id, prefix);
    size_t total = prefix_size + b->meta.size + b->data.size;
    *size = total;
    if (total > capacity)
        return ENOSPC;
    uint8_t *out = buffer;
    memcpy(out, prefix, prefix_size);
    if (b->meta.size)
        memcpy(out + prefix_size, b->meta.bytes, b->meta.size);
    if (b->data.size)
        memcpy(out + prefix_size + b->meta.size, b->data.bytes, b->data.size);
    return 0;
}

EHD_API size_t ehd_builder_event_size(const ehd_builder *b)
{
    if (b == NULL)
        return 0;
    return sizeof(ehd_eventheader) + sizeof(ehd_extension) + b->meta.size + b->data.size;
}
