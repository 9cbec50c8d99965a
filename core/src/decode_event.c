/*
 * ehd_event_parse: the parts of an event before its fields. The tracepoint
 * name gives provider, level, keyword and options; the 8-byte header and
 * the extension blocks give the rest. The checks are the reference
 * decoder's, so an event it would refuse is refused here too.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "decode_internal.h"
#include "ehd_api.h"

enum { HEADER_SIZE = 8, EXTENSION_HEADER_SIZE = 4 };

/* The reference refuses events of 2 GiB and more (its offsets are 32-bit). */
#define EVENT_SIZE_MAX 0x7FFFFFFFu

/* The value of each lowercase hex digit, 0xFF for every other byte: the
 * keyword's sixteen digits are read once per event. */
#define DIGITS_16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
static const uint8_t lowercase_hex_value[256] = {
    DIGITS_16(0xFF), DIGITS_16(0xFF), DIGITS_16(0xFF),
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    DIGITS_16(0xFF), DIGITS_16(0xFF),
    0xFF, 10, 11, 12, 13, 14, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    DIGITS_16(0xFF), DIGITS_16(0xFF), DIGITS_16(0xFF), DIGITS_16(0xFF), DIGITS_16(0xFF),
    DIGITS_16(0xFF), DIGITS_16(0xFF), DIGITS_16(0xFF), DIGITS_16(0xFF),
};

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Whether all eight bytes of `x` are lowercase hex digits: each byte's
 * high bit is set by adding what lifts the range's first value to 0x80
 * and cleared by what lifts the value after its last; no sum carries
 * into the next byte while every byte is below 0x80. */
static inline bool eight_lowercase_hex(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, highs = ones * 0x80;
    uint64_t digit = (x + ones * (0x80 - '0')) & ~(x + ones * (0x7F - '9'));
    uint64_t letter = (x + ones * (0x80 - 'a')) & ~(x + ones * (0x7F - 'f'));
    return ((digit | letter) & ~x & highs) == highs;
}

/* The value of eight lowercase hex digits, the first in the lowest byte:
 * each digit's nibble ('a'..'f' have bit 6 and need 9 more), then pairs,
 * quads and halves joined side by side in the word's lanes. */
static inline uint32_t eight_hex_value(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u;
    x = (x & ones * 0x0F) + (x >> 6 & ones) * 9;
    x = (x << 4 | x >> 8) & 0x00FF00FF00FF00FFu;
    x = (x << 8 | x >> 16) & 0x0000FFFF0000FFFFu;
    return (uint32_t)(x << 16 | x >> 32);
}
#endif

/* Reads lowercase hex digits from `*p` up to `end`, keeping the low bits of
 * the value when there are too many (as the reference does), and moves
 * `*p` past them; eight at a time first when `words` (a keyword's sixteen
 * digits are two words; a level has two digits at most). */
static inline __attribute__((always_inline)) uint64_t read_lowercase_hex(const char **p,
                                                                         const char *end,
                                                                         bool words)
{
    uint64_t value = 0;
    const char *q = *p;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (uint64_t x; words && end - q >= 8 && (memcpy(&x, q, 8), eight_lowercase_hex(x)); q += 8)
        value = value << 32 | eight_hex_value(x);
#else
    (void)words;
#endif
    for (unsigned digit; q != end && (digit = lowercase_hex_value[(uint8_t)*q]) != 0xFF; q++)
        value = value << 4 | digit;
    *p = q;
    return value;
}

/* "Provider_L<level>K<keyword>[Options]": options are an uppercase letter
 * followed by lowercase letters and digits, any number of times. */
static int parse_tracepoint_name(ehd_event_view *view, const char *name, size_t len,
                                 ehd_decode_error *error)
{
    if (len == 0)
        return ehd__fail(error, ENOTSUP, 0, "empty tracepoint name");
    if (len >= EHD_NAME_MAX)
        return ehd__fail(error, ENOTSUP, 0, "tracepoint name is %zu bytes, the limit is %d", len,
                         EHD_NAME_MAX - 1);
    if (memchr(name, '\0', len) != NULL)
        return ehd__fail(error, ENOTSUP, 0, "tracepoint name contains a NUL byte");

    const char *end = name + len;
    const char *underscore = memrchr(name, '_', len);
    if (underscore == NULL)
        return ehd__fail(error, ENOTSUP, 0, "tracepoint name '%.*s' has no '_'", (int)len, name);

    const char *p = underscore + 1;
    if (p == end || *p != 'L')
        return ehd__fail(error, ENOTSUP, 0, "tracepoint name '%.*s' has no level (L) after its last '_'",
                         (int)len, name);
    p++;
    uint8_t level = (uint8_t)read_lowercase_hex(&p, end, false);
    if (level != view->level)
        return ehd__fail(error, ENOTSUP, 0,
                         "level %u in tracepoint name '%.*s' differs from header level %u", level,
                         (int)len, name, view->level);
    if (p == end || *p != 'K')
        return ehd__fail(error, ENOTSUP, 0, "tracepoint name '%.*s' has no keyword (K) after its level",
                         (int)len, name);
    p++;
    view->keyword = read_lowercase_hex(&p, end, true);
    view->options = p;
    view->options_len = (size_t)(end - p);
    while (p != end) {
        if (*p < 'A' || *p > 'Z')
            return ehd__fail(error, ENOTSUP, 0, "tracepoint name '%.*s' has a bad option at '%c'",
                             (int)len, name, *p);
        for (p++; p != end && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z')); p++)
            ;
    }

    view->tracepoint_name = name;
    view->tracepoint_name_len = len;
    view->provider_name = name;
    view->provider_name_len = (size_t)(underscore - name);
    return 0;
}

/* Walks the chain of extension blocks after the header, finding the
 * metadata (required) and activity ids (optional); unknown kinds are skipped. */
static int parse_extensions(ehd_event_view *view, const uint8_t *event, size_t size, size_t *pos,
                            ehd_decode_error *error)
{
    bool chained = true;
    while (chained) {
        size_t at = *pos;
        if (size - at < EXTENSION_HEADER_SIZE)
            return ehd__fail(error, EBADMSG, at,
                             "extension header runs past end of event at offset %zu", at);
        uint16_t block_size = ehd__load16(event + at, view->little_endian);
        uint16_t kind = ehd__load16(event + at + 2, view->little_endian);
        size_t body = at + EXTENSION_HEADER_SIZE;
        if (size - body < block_size)
            return ehd__fail(error, EBADMSG, at,
                             "extension of %u bytes at offset %zu runs past end of event (%zu bytes)",
                             block_size, at, size);
        chained = (kind & EHD_EXT_CHAIN) != 0;
        switch (kind & EHD_EXT_KIND_MASK) {
        case EHD_EXT_INVALID:
            return ehd__fail(error, EBADMSG, at, "extension of kind 0 (invalid) at offset %zu", at);
        case EHD_EXT_METADATA:
            if (view->meta != NULL)
                return ehd__fail(error, EBADMSG, at, "second metadata extension at offset %zu", at);
            view->meta = event + body;
            view->meta_size = block_size;
            view->meta_offset = body;
            break;
        case EHD_EXT_ACTIVITY_ID:
            if (view->activity_id != NULL)
                return ehd__fail(error, EBADMSG, at, "second activity id extension at offset %zu",
                                 at);
            if (block_size != 16 && block_size != 32)
                return ehd__fail(error, EBADMSG, at,
                                 "activity id extension at offset %zu has %u bytes, not 16 or 32",
                                 at, block_size);
            view->activity_id = event + body;
            view->related_id = block_size == 32 ? event + body + 16 : NULL;
            break;
        default:
            break;
        }
        *pos = body + block_size;
    }
    return 0;
}

EHD_API int ehd_event_parse(ehd_event_view *view, const char *tracepoint_name,
                            size_t tracepoint_name_len, const void *event_bytes, size_t event_size,
                            ehd_decode_error *error)
{
    if (view == NULL || (tracepoint_name == NULL && tracepoint_name_len != 0) ||
        (event_bytes == NULL && event_size != 0))
        return ehd__fail(error, EINVAL, 0, "invalid arguments");
    const uint8_t *event = event_bytes;
    memset(view, 0, sizeof *view);

    if (event_size < HEADER_SIZE)
        return ehd__fail(error, EBADMSG, 0, "event is %zu bytes, shorter than its %d-byte header",
                         event_size, HEADER_SIZE);
    if (event_size > EVENT_SIZE_MAX)
        return ehd__fail(error, E2BIG, 0, "event is %zu bytes, the limit is %u", event_size,
                         EVENT_SIZE_MAX);

    view->flags = event[0];
    if ((view->flags & ~(EHD_FLAG_POINTER64 | EHD_FLAG_LITTLE_ENDIAN | EHD_FLAG_EXTENSION)) != 0)
        return ehd__fail(error, ENOTSUP, 0, "unknown header flags 0x%02x", view->flags);
    view->little_endian = (view->flags & EHD_FLAG_LITTLE_ENDIAN) != 0;
    view->version = event[1];
    view->id = ehd__load16(event + 2, view->little_endian);
    view->tag = ehd__load16(event + 4, view->little_endian);
    view->opcode = event[6];
    view->level = event[7];

    int err = parse_tracepoint_name(view, tracepoint_name, tracepoint_name_len, error);
    if (err != 0)
        return err;

    size_t pos = HEADER_SIZE;
    if (view->flags & EHD_FLAG_EXTENSION) {
        err = parse_extensions(view, event, event_size, &pos, error);
        if (err != 0)
            return err;
    }
    if (view->meta == NULL)
        return ehd__fail(error, ENOTSUP, 0, "event has no metadata extension");

    const uint8_t *nul = memchr(view->meta, '\0', view->meta_size);
    if (nul == NULL)
        return ehd__fail(error, EBADMSG, view->meta_offset,
                         "event name at offset %zu is not NUL-terminated inside the metadata",
                         view->meta_offset);
    view->event_name = (const char *)view->meta;
    view->event_name_len = (size_t)(nul - view->meta);
    const char *semicolon = memchr(view->event_name, ';', view->event_name_len);
    view->event_name_plain_len =
        semicolon != NULL ? (size_t)(semicolon - view->event_name) : view->event_name_len;

    view->data = event + pos;
    view->data_size = event_size - pos;
    view->data_offset = pos;
    return 0;
}
