/*
 * The walk's values of fixed size (decode_json_walk.c). ehd__json_value
 * decides how to show a value by its encoding, then by its format, every
 * time; most values of an event are array elements of one field, so the
 * walk decides once per field (ehd__fixed_kind) and writes a whole array
 * in one room, each element by a jump on that decision alone.
 * test_decode_json_paths and fuzz_decode hold it to ehd__json_value.
 */
#include <string.h>

#include "decode_internal.h"
#include "decode_json_writer.h"

/* By encoding (from EHD_ENC_VALUE8) and format: what ehd__json_value's
 * switches make of each pair. Formats past the last named one show as the
 * encoding's default, the last column. */
#define U8_ EHD__FIXED_U8
#define U16_ EHD__FIXED_U16
#define U32_ EHD__FIXED_U32
#define U64_ EHD__FIXED_U64
#define B16_ EHD__FIXED_BYTES16
const uint8_t ehd__fixed_kinds[5][EHD__FIXED_FORMATS] = {
    /* default unsigned signed hex errno pid time boolean float hex_bytes string8
     * string_utf utf_bom xml json uuid port ip_address ip_address_obsolete; past */
    { U8_, U8_, EHD__FIXED_S8, EHD__FIXED_X8, U8_, U8_, U8_, EHD__FIXED_BOOL8, U8_,
      EHD__FIXED_BYTES1, EHD__FIXED_CHAR8, U8_, U8_, U8_, U8_, U8_, U8_, U8_, U8_, U8_ },
    { U16_, U16_, EHD__FIXED_S16, EHD__FIXED_X16, U16_, U16_, U16_, EHD__FIXED_BOOL16, U16_,
      EHD__FIXED_BYTES2, U16_, EHD__FIXED_CHAR16, U16_, U16_, U16_, U16_, EHD__FIXED_PORT, U16_,
      U16_, U16_ },
    { U32_, U32_, EHD__FIXED_S32, EHD__FIXED_X32, EHD__FIXED_ERRNO, EHD__FIXED_S32,
      EHD__FIXED_TIME32, EHD__FIXED_BOOL32, EHD__FIXED_FLOAT32, EHD__FIXED_BYTES4, U32_,
      EHD__FIXED_CHAR32, U32_, U32_, U32_, U32_, U32_, EHD__FIXED_IPV4, EHD__FIXED_IPV4, U32_ },
    { U64_, U64_, EHD__FIXED_S64, EHD__FIXED_X64, U64_, U64_, EHD__FIXED_TIME64, U64_,
      EHD__FIXED_FLOAT64, EHD__FIXED_BYTES8, U64_, U64_, U64_, U64_, U64_, U64_, U64_, U64_, U64_,
      U64_ },
    { B16_, B16_, B16_, B16_, B16_, B16_, B16_, B16_, B16_, B16_, B16_, B16_, B16_, B16_, B16_,
      EHD__FIXED_UUID, B16_, EHD__FIXED_IPV6, EHD__FIXED_IPV6, B16_ },
};

/* "0x1F" in quotes. */
static inline char *hex_int_at(char *p, uint64_t value)
{
    memcpy(p, "\"0x", 3);
    p += 3 + ehd__format_hex(p + 3, value);
    *p++ = '"';
    return p;
}

/* One value of `kind` at `p`; inlined where `kind` is a constant. */
static inline __attribute__((always_inline)) char *fixed_at(char *p, unsigned kind,
                                                            const uint8_t *v, bool le)
{
    switch (kind) {
    case EHD__FIXED_U8: return ehd__byte_at(p, v[0]);
    case EHD__FIXED_U16: return p + ehd__format_u64(p, ehd__load16(v, le));
    case EHD__FIXED_U32: return p + ehd__format_u64(p, ehd__load32(v, le));
    case EHD__FIXED_U64: return p + ehd__format_u64(p, ehd__load64(v, le));
    case EHD__FIXED_S8: return p + ehd__format_i64(p, (int8_t)v[0]);
    case EHD__FIXED_S16: return p + ehd__format_i64(p, (int16_t)ehd__load16(v, le));
    case EHD__FIXED_S32: return p + ehd__format_i64(p, (int32_t)ehd__load32(v, le));
    case EHD__FIXED_S64: return p + ehd__format_i64(p, (int64_t)ehd__load64(v, le));
    case EHD__FIXED_X8: return hex_int_at(p, v[0]);
    case EHD__FIXED_X16: return hex_int_at(p, ehd__load16(v, le));
    case EHD__FIXED_X32: return hex_int_at(p, ehd__load32(v, le));
    case EHD__FIXED_X64: return hex_int_at(p, ehd__load64(v, le));
    case EHD__FIXED_BOOL8: return ehd__boolean_at(p, v[0]);
    case EHD__FIXED_BOOL16: return ehd__boolean_at(p, ehd__load16(v, le));
    case EHD__FIXED_BOOL32: return ehd__boolean_at(p, ehd__load32(v, le));
    case EHD__FIXED_BYTES1: return ehd__hex_bytes_at(p, v, 1);
    case EHD__FIXED_BYTES2: return ehd__hex_bytes_at(p, v, 2);
    case EHD__FIXED_BYTES4: return ehd__hex_bytes_at(p, v, 4);
    case EHD__FIXED_BYTES8: return ehd__hex_bytes_at(p, v, 8);
    case EHD__FIXED_BYTES16: return ehd__hex_bytes_at(p, v, 16);
    case EHD__FIXED_CHAR8: return ehd__char_at(p, v[0]);
    case EHD__FIXED_CHAR16: return ehd__char_at(p, ehd__load16(v, le));
    case EHD__FIXED_CHAR32: return ehd__char_at(p, ehd__load32(v, le));
    case EHD__FIXED_ERRNO: return ehd__errno_at(p, ehd__load32(v, le));
    case EHD__FIXED_TIME32: return ehd__time_at(p, (int32_t)ehd__load32(v, le));
    case EHD__FIXED_TIME64: return ehd__time_at(p, (int64_t)ehd__load64(v, le));
    case EHD__FIXED_FLOAT32: return ehd__float_at(p, v, 4, le);
    case EHD__FIXED_FLOAT64: return ehd__float_at(p, v, 8, le);
    case EHD__FIXED_PORT: return p + ehd__format_u64(p, (unsigned)v[0] << 8 | v[1]);
    case EHD__FIXED_IPV4: return ehd__ipv4_at(p, v);
    case EHD__FIXED_IPV6: return ehd__ipv6_at(p, v);
    default: /* EHD__FIXED_UUID */
        p[0] = '"';
        ehd__format_uuid(p + 1, v);
        p[37] = '"';
        return p + 38;
    }
}

char *ehd__fixed_at(char *p, unsigned kind, const uint8_t *v, bool little_endian)
{
    return fixed_at(p, kind, v, little_endian);
}

/* `, value` for each element from `v` to `end`, `size` bytes apart. The
 * integer kinds, the commonest, get loops of their own. */
static char *elements_at(char *p, unsigned kind, const uint8_t *v, const uint8_t *end,
                         size_t size, bool le)
{
#define EACH(kind_, size_)                                                                       \
    case kind_:                                                                                  \
        for (; v != end; v += (size_)) {                                                         \
            memcpy(p, ", ", 2);                                                                  \
            p = fixed_at(p + 2, kind_, v, le);                                                   \
        }                                                                                        \
        return p;
    switch (kind) {
        EACH(EHD__FIXED_U8, 1)
        EACH(EHD__FIXED_U16, 2)
        EACH(EHD__FIXED_U32, 4)
        EACH(EHD__FIXED_U64, 8)
        EACH(EHD__FIXED_S8, 1)
        EACH(EHD__FIXED_S16, 2)
        EACH(EHD__FIXED_S32, 4)
        EACH(EHD__FIXED_S64, 8)
    default:
        for (; v != end; v += size) {
            memcpy(p, ", ", 2);
            p = ehd__fixed_at(p + 2, kind, v, le);
        }
        return p;
    }
#undef EACH
}

/* Elements per reservation: their worst case is reserved at once. */
enum { CHUNK_ELEMENTS = 64, ELEMENT_MAX = 2 + EHD__FIXED_TEXT_MAX };

bool ehd__json_fixed_array(ehd_text *text, unsigned kind, size_t size, const uint8_t *v,
                           size_t count, bool little_endian)
{
    if (count == 0) {
        char *room = ehd__text_room(text, 3);
        if (room == NULL)
            return false;
        memcpy(room, "[ ]", 3);
        text->len += 3;
        return true;
    }
    /* Every element goes after ", "; the first one's comma becomes the
     * bracket. */
    bool first = true;
    do {
        size_t n = count < CHUNK_ELEMENTS ? count : CHUNK_ELEMENTS;
        char *room = ehd__text_room(text, n * ELEMENT_MAX + 2);
        if (room == NULL)
            return false;
        char *p = elements_at(room, kind, v, v + n * size, size, little_endian);
        if (first)
            room[0] = '[';
        first = false;
        v += n * size;
        count -= n;
        if (count == 0) {
            memcpy(p, " ]", 2);
            p += 2;
        }
        text->len += (size_t)(p - room);
    } while (count != 0);
    return true;
}
