/*
 * Turning a built event into bytes: the header, the optional activity-id
 * extension, the metadata extension, then metadata and data, gathered
 * without copying for a write and copied once for ehd_builder_copy_event.
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "backend.h"
#include "capture_record.h"
#include "ehd/ehd.h"
#include "ehd/ehd_decode.h"
#include "ehd_api.h"
#include "ehd_builder_layout.h"
#include "ehd_builder_write.h"
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

/* Fills `prefix` with everything before the metadata; returns its size
 * (ehd_builder_copy_event counts the same size without it). */
static size_t format_prefix(const ehd_builder *b, uint8_t level, const void *activity_id,
                            const void *related_id, uint8_t prefix[PREFIX_MAX])
{
    ehd_eventheader header = ehd__built_header(b, level);
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

/* ehd_builder_write through the iovec of the backends: the event's
 * headers made apart, metadata and data from the builder. */
static __attribute__((noinline)) int write_event_pieces(const ehd_builder *b,
                                                        const ehd_event_set *set,
                                                        const void *activity_id,
                                                        const void *related_id,
                                                        uint64_t writer_ids)
{
    ehd__writer writer = { (uint32_t)writer_ids, (uint32_t)(writer_ids >> 32) };
    uint8_t prefix[PREFIX_MAX];
    size_t prefix_size = format_prefix(b, set->level, activity_id, related_id, prefix);
    struct iovec iov[5] = {
        [2] = { prefix, prefix_size },
        [3] = { b->meta.bytes, b->meta.size },
        [4] = { b->data.bytes, b->data.size },
    };
    return ehd__event_set_writev_as(set, iov, 5, writer_ids != 0 ? &writer : NULL);
}

/* ehd_builder_write, with the writer's ids (the pid in the low half, the
 * tid in the high one; 0: unknown) for the backend: a value, not a pointer to the caller's frame,
 * so the call below can be a jump. Inline
 * in each entry point, so that the capture record, built in one pass from
 * the builder itself, is a tail call away from it. */
static inline __attribute__((always_inline)) int write_event(const ehd_builder *b,
                                                             const ehd_event_set *set,
                                                             const void *activity_id,
                                                             const void *related_id,
                                                             uint64_t writer_ids)
{
    int err = builder_status(b);
    if (err != 0)
        return err;
    if (!ehd_event_set_enabled(set))
        return EBADF;
    if (related_id != NULL && activity_id == NULL)
        return EINVAL;
    const ehd_provider *provider = set->provider;
    if (provider->backend == EHD_BACKEND_CAPTURE) {
        /* The descriptor may move (ehd_provider_move_fd) while others write. */
        int fd = __atomic_load_n(&provider->data_fd, __ATOMIC_RELAXED);
        return ehd__capture_write_built(fd, set, b, activity_id, related_id, writer_ids);
    }
    return write_event_pieces(b, set, activity_id, related_id, writer_ids);
}

EHD_API int ehd_builder_write(const ehd_builder *b, const ehd_event_set *set,
                              const void *activity_id, const void *related_id)
{
    return write_event(b, set, activity_id, related_id, 0);
}

/* The ids a write's stamp takes, as write_event takes them: the pair only
 * when both are known. */
static inline uint64_t writer_ids(uint32_t pid, uint32_t tid)
{
    return pid != 0 && tid != 0 ? (uint64_t)pid | (uint64_t)tid << 32 : 0;
}

int ehd__builder_write_ids(const ehd_builder *b, const ehd_event_set *set, uint32_t pid,
                           uint32_t tid)
{
    return write_event(b, set, NULL, NULL, writer_ids(pid, tid));
}

EHD_API int ehd_builder_write_opts(const ehd_builder *b, const ehd_event_set *set,
                                   const ehd_write_options *options)
{
    if (!EHD__OPTIONS_VALID(options))
        return EINVAL;
    uint32_t pid = EHD__OPTION(options, pid, 0u);
    uint32_t tid = EHD__OPTION(options, tid, 0u);
    return write_event(b, set, EHD__OPTION(options, activity_id, NULL),
                       EHD__OPTION(options, related_id, NULL), writer_ids(pid, tid));
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

    /* format_prefix's size, so the prefix is written in place once it
     * is known to fit. */
    size_t prefix_size = sizeof(ehd_eventheader) + sizeof(ehd_extension);
    if (activity_id != NULL)
        prefix_size += sizeof(ehd_extension) + (related_id != NULL ? 32 : 16);
    size_t total = prefix_size + b->meta.size + b->data.size;
    *size = total;
    if (total > capacity)
        return ENOSPC;
    uint8_t *out = buffer;
    format_prefix(b, level, activity_id, related_id, out);
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

EHD_API int ehd_builder_copy_event_view(const ehd_builder *b, const ehd_event_view *name,
                                        void *buffer, size_t capacity, size_t *size,
                                        ehd_event_view *view)
{
    if (name == NULL || view == NULL)
        return EINVAL;
    int err = ehd_builder_copy_event(b, name->level, NULL, NULL, buffer, capacity, size);
    if (err != 0)
        return err;
    /* The copy is the header, the metadata extension's header, metadata
     * and data: what ehd_event_parse would find there, read back from the
     * bytes as it reads them. */
    const uint8_t *event = buffer;
    size_t meta_offset = *size - b->data.size - b->meta.size;
    bool le = (event[0] & EHD_FLAG_LITTLE_ENDIAN) != 0;
    /* Member by member: a compound literal would clear the whole view
     * first, and every member is set here anyway. */
    view->tracepoint_name = name->tracepoint_name;
    view->tracepoint_name_len = name->tracepoint_name_len;
    view->provider_name = name->provider_name;
    view->provider_name_len = name->provider_name_len;
    view->options = name->options;
    view->options_len = name->options_len;
    view->keyword = name->keyword;
    view->flags = event[0];
    view->little_endian = le;
    view->version = event[1];
    view->id = le ? (uint16_t)(event[2] | event[3] << 8) : (uint16_t)(event[3] | event[2] << 8);
    view->tag = le ? (uint16_t)(event[4] | event[5] << 8) : (uint16_t)(event[5] | event[4] << 8);
    view->opcode = event[6];
    view->level = event[7];
    view->activity_id = NULL;
    view->related_id = NULL;
    view->meta = event + meta_offset;
    view->meta_size = b->meta.size;
    view->meta_offset = meta_offset;
    view->data = event + meta_offset + b->meta.size;
    view->data_size = b->data.size;
    view->data_offset = meta_offset + b->meta.size;
    /* ehd_builder_reset_n ends the event name with a NUL; the name itself
     * may hold one, or a ';' before its attributes. Names are short: both
     * are found in a look or two at sixteen bytes. */
    const uint8_t *meta = view->meta;
    size_t name_len = view->meta_size, plain_len = SIZE_MAX;
#if defined(__SSE2__)
    /* Sixteen bytes a look, the first 64 at most, while the event has them. */
    size_t readable = *size - meta_offset, semicolon_at = SIZE_MAX;
    for (size_t at = 0; at < 64 && readable - at >= 16 && readable >= 16; at += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(meta + at));
        unsigned nuls = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));
        unsigned semicolons = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(';')));
        if (nuls != 0)
            semicolons &= nuls ^ (nuls - 1); /* those before the NUL */
        if (semicolons != 0 && semicolon_at == SIZE_MAX)
            semicolon_at = at + (size_t)__builtin_ctz(semicolons);
        if (nuls != 0) {
            name_len = at + (size_t)__builtin_ctz(nuls);
            plain_len = semicolon_at != SIZE_MAX ? semicolon_at : name_len;
            break;
        }
    }
#endif
    if (plain_len == SIZE_MAX) {
        const uint8_t *nul = memchr(meta, '\0', view->meta_size);
        if (nul == NULL)
            return EBADMSG;
        name_len = (size_t)(nul - meta);
        const uint8_t *semicolon = memchr(meta, ';', name_len);
        plain_len = semicolon != NULL ? (size_t)(semicolon - meta) : name_len;
    }
    if (name_len >= view->meta_size)
        return EBADMSG; /* the NUL is past the metadata */
    view->event_name = (const char *)meta;
    view->event_name_len = name_len;
    view->event_name_plain_len = plain_len;
    return 0;
}
