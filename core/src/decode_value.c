/*
 * One field value as JSON, following the reference formatter's rules: the
 * encoding says how many bytes the value has, the format how to show them,
 * and a format that does not suit the encoding falls back to the
 * encoding's default instead of failing. Numbers, booleans and finite
 * floats are bare; everything else is a quoted string.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "decode_internal.h"
#include "ehd_api.h"

/* ---- scalars ---- */

static uint64_t load_unsigned(const uint8_t *v, size_t size, bool le)
{
    switch (size) {
    case 1: return v[0];
    case 2: return ehd__load16(v, le);
    case 4: return ehd__load32(v, le);
    default: return ehd__load64(v, le);
    }
}

/* Sign-extends a 1, 2, 4 or 8-byte value. */
static int64_t load_signed(const uint8_t *v, size_t size, bool le)
{
    switch (size) {
    case 1: return (int8_t)v[0];
    case 2: return (int16_t)ehd__load16(v, le);
    case 4: return (int32_t)ehd__load32(v, le);
    default: return (int64_t)ehd__load64(v, le);
    }
}

static void put_unsigned(ehd_text *t, const uint8_t *v, size_t size, bool le)
{
    ehd__put_u64(t, load_unsigned(v, size, le));
}

static void put_signed(ehd_text *t, const uint8_t *v, size_t size, bool le)
{
    ehd__put_i64(t, load_signed(v, size, le));
}

static void put_hex_int(ehd_text *t, const uint8_t *v, size_t size, bool le)
{
    ehd__put_quoted_hex(t, load_unsigned(v, size, le));
}

/* One fixed-size value's text, through its writer in decode_fixed.c. */
#define PUT_FIXED(t, call)                                                                       \
    do {                                                                                         \
        char *room_ = ehd__text_room((t), EHD__FIXED_TEXT_MAX);                                  \
        if (room_ != NULL) {                                                                     \
            char *p = room_;                                                                     \
            (t)->len += (size_t)((call) - room_);                                                \
        }                                                                                        \
    } while (0)

static void put_boolean(ehd_text *t, uint32_t value)
{
    PUT_FIXED(t, ehd__boolean_at(p, value));
}

static void put_errno(ehd_text *t, uint32_t value)
{
    PUT_FIXED(t, ehd__errno_at(p, value));
}

static void put_time(ehd_text *t, int64_t seconds)
{
    PUT_FIXED(t, ehd__time_at(p, seconds));
}

static void put_float(ehd_text *t, const uint8_t *v, size_t size, bool le)
{
    PUT_FIXED(t, ehd__float_at(p, v, size, le));
}

/* "01 02 ff": bytes in event order, lowercase, space-separated. */
static void put_hex_bytes(ehd_text *t, const uint8_t *v, size_t size)
{
    if (size > (EHD_TEXT_MAX - 3) / 3) { /* also keeps size * 3 from overflowing */
        if (t->error == 0)
            t->error = E2BIG;
        return;
    }
    char *room = ehd__text_room(t, size * 3 + 3); /* the quotes, two bytes of scratch */
    if (room == NULL)
        return;
    room[0] = '"';
    size_t n = 1 + ehd__format_hex_bytes(room + 1, v, size);
    room[n++] = '"';
    t->len += n;
}

static void put_port(ehd_text *t, const uint8_t *v)
{
    ehd__put_u64(t, (unsigned)v[0] << 8 | v[1]); /* network byte order */
}

static void put_ipv4(ehd_text *t, const uint8_t *v)
{
    PUT_FIXED(t, ehd__ipv4_at(p, v));
}

static void put_ipv6(ehd_text *t, const uint8_t *v)
{
    PUT_FIXED(t, ehd__ipv6_at(p, v));
}

static void put_char(ehd_text *t, uint32_t code_point)
{
    PUT_FIXED(t, ehd__char_at(p, code_point));
}

/* ---- strings ---- */

static void put_utf8(ehd_text *t, const uint8_t *v, size_t size)
{
    ehd__text_putc(t, '"');
    ehd__json_utf8(t, v, size);
    ehd__text_putc(t, '"');
}

static void put_latin1(ehd_text *t, const uint8_t *v, size_t size)
{
    ehd__text_putc(t, '"');
    ehd__json_latin1(t, v, size);
    ehd__text_putc(t, '"');
}

static void put_utf16(ehd_text *t, const uint8_t *v, size_t count, bool le)
{
    ehd__json_utf16_quoted(t, v, count, le);
}

static void put_ucs4(ehd_text *t, const uint8_t *v, size_t count, bool le)
{
    ehd__json_ucs4_quoted(t, v, count, le);
}

/*
 * Formats utf_bom, xml and json: a leading byte order mark picks the
 * character size and byte order whatever the field's encoding says (UTF-32
 * marks are tried first, so FF FE 00 00 is UTF-32 even in a char16
 * field). Returns false without a mark.
 */
static bool put_with_bom(ehd_text *t, const uint8_t *v, size_t size)
{
    if (size >= 4 && v[0] == 0xFF && v[1] == 0xFE && v[2] == 0 && v[3] == 0)
        put_ucs4(t, v + 4, size / 4 - 1, true);
    else if (size >= 4 && v[0] == 0 && v[1] == 0 && v[2] == 0xFE && v[3] == 0xFF)
        put_ucs4(t, v + 4, size / 4 - 1, false);
    else if (size >= 2 && v[0] == 0xFF && v[1] == 0xFE)
        put_utf16(t, v + 2, size / 2 - 1, true);
    else if (size >= 2 && v[0] == 0xFE && v[1] == 0xFF)
        put_utf16(t, v + 2, size / 2 - 1, false);
    else if (size >= 3 && v[0] == 0xEF && v[1] == 0xBB && v[2] == 0xBF)
        put_utf8(t, v + 3, size - 3);
    else
        return false;
    return true;
}

static bool is_bom_format(uint8_t format)
{
    return format == EHD_FMT_STRING_UTF_BOM || format == EHD_FMT_STRING_XML ||
           format == EHD_FMT_STRING_JSON;
}

/* ---- by encoding ---- */

static void json_value8(ehd_text *t, uint8_t format, const uint8_t *v)
{
    switch (format) {
    case EHD_FMT_SIGNED_INT: put_signed(t, v, 1, true); break;
    case EHD_FMT_HEX_INT: put_hex_int(t, v, 1, true); break;
    case EHD_FMT_BOOLEAN: put_boolean(t, v[0]); break;
    case EHD_FMT_HEX_BYTES: put_hex_bytes(t, v, 1); break;
    case EHD_FMT_STRING8: put_char(t, v[0]); break;
    default: put_unsigned(t, v, 1, true); break;
    }
}

static void json_value16(ehd_text *t, uint8_t format, const uint8_t *v, bool le)
{
    switch (format) {
    case EHD_FMT_SIGNED_INT: put_signed(t, v, 2, le); break;
    case EHD_FMT_HEX_INT: put_hex_int(t, v, 2, le); break;
    case EHD_FMT_BOOLEAN: put_boolean(t, ehd__load16(v, le)); break;
    case EHD_FMT_HEX_BYTES: put_hex_bytes(t, v, 2); break;
    case EHD_FMT_STRING_UTF: put_char(t, ehd__load16(v, le)); break; /* one UCS-2 unit */
    case EHD_FMT_PORT: put_port(t, v); break;
    default: put_unsigned(t, v, 2, le); break;
    }
}

static void json_value32(ehd_text *t, uint8_t format, const uint8_t *v, bool le)
{
    switch (format) {
    case EHD_FMT_SIGNED_INT:
    case EHD_FMT_PID: put_signed(t, v, 4, le); break;
    case EHD_FMT_HEX_INT: put_hex_int(t, v, 4, le); break;
    case EHD_FMT_ERRNO: put_errno(t, ehd__load32(v, le)); break;
    case EHD_FMT_TIME: put_time(t, (int32_t)ehd__load32(v, le)); break;
    case EHD_FMT_BOOLEAN: put_boolean(t, ehd__load32(v, le)); break;
    case EHD_FMT_FLOAT: put_float(t, v, 4, le); break;
    case EHD_FMT_HEX_BYTES: put_hex_bytes(t, v, 4); break;
    case EHD_FMT_STRING_UTF: put_char(t, ehd__load32(v, le)); break;
    case EHD_FMT_IPV4: /* 17 is now "ip_address", 18 "ip_address_obsolete": both */
    case EHD_FMT_IPV6: put_ipv4(t, v); break;
    default: put_unsigned(t, v, 4, le); break;
    }
}

static void json_value64(ehd_text *t, uint8_t format, const uint8_t *v, bool le)
{
    switch (format) {
    case EHD_FMT_SIGNED_INT: put_signed(t, v, 8, le); break;
    case EHD_FMT_HEX_INT: put_hex_int(t, v, 8, le); break;
    case EHD_FMT_TIME: put_time(t, (int64_t)ehd__load64(v, le)); break;
    case EHD_FMT_FLOAT: put_float(t, v, 8, le); break;
    case EHD_FMT_HEX_BYTES: put_hex_bytes(t, v, 8); break;
    default: put_unsigned(t, v, 8, le); break;
    }
}

static void json_value128(ehd_text *t, uint8_t format, const uint8_t *v)
{
    switch (format) {
    case EHD_FMT_UUID: ehd__put_quoted_uuid(t, v); break;
    case EHD_FMT_IPV4:
    case EHD_FMT_IPV6: put_ipv6(t, v); break;
    default: put_hex_bytes(t, v, 16); break;
    }
}

static void json_zstring8(ehd_text *t, uint8_t format, const uint8_t *v, size_t size)
{
    if (format == EHD_FMT_HEX_BYTES)
        put_hex_bytes(t, v, size);
    else if (format == EHD_FMT_STRING8)
        put_latin1(t, v, size);
    else if (!is_bom_format(format) || !put_with_bom(t, v, size))
        put_utf8(t, v, size);
}

/* Formats of numbers, times, addresses: of a few sizes only. */
static bool has_fixed_size(uint8_t format)
{
    switch (format) {
    case EHD_FMT_UNSIGNED_INT:
    case EHD_FMT_SIGNED_INT:
    case EHD_FMT_HEX_INT:
    case EHD_FMT_ERRNO:
    case EHD_FMT_PID:
    case EHD_FMT_TIME:
    case EHD_FMT_BOOLEAN:
    case EHD_FMT_FLOAT:
    case EHD_FMT_UUID:
    case EHD_FMT_PORT:
    case EHD_FMT_IPV4:
    case EHD_FMT_IPV6: return true;
    default: return false;
    }
}

/* Whether a counted 8-bit value of `size` bytes can show in `format`
 * (string and hex formats take any size). */
static bool format_fits(uint8_t format, size_t size)
{
    bool integer_size = size == 1 || size == 2 || size == 4 || size == 8;
    switch (format) {
    case EHD_FMT_UNSIGNED_INT:
    case EHD_FMT_SIGNED_INT:
    case EHD_FMT_HEX_INT: return integer_size;
    case EHD_FMT_ERRNO:
    case EHD_FMT_PID: return size == 4;
    case EHD_FMT_TIME:
    case EHD_FMT_FLOAT: return size == 4 || size == 8;
    case EHD_FMT_BOOLEAN: return size == 1 || size == 2 || size == 4;
    case EHD_FMT_UUID: return size == 16;
    case EHD_FMT_PORT: return size == 2;
    case EHD_FMT_IPV4:
    case EHD_FMT_IPV6: return size == 4 || size == 16;
    case EHD_FMT_HEX_BYTES:
    case EHD_FMT_STRING8:
    case EHD_FMT_STRING_UTF:
    case EHD_FMT_STRING_UTF_BOM:
    case EHD_FMT_STRING_XML:
    case EHD_FMT_STRING_JSON: return true;
    default: return false;
    }
}

/*
 * Counted 8-bit strings and binary take any format: a fixed-size format
 * shows a value of its size as that type and an empty value as null (a
 * nullable field); any other size falls back to the encoding's default,
 * hex for binary and text for strings.
 */
static void json_counted8(ehd_text *t, bool binary, uint8_t format, const uint8_t *v, size_t size,
                          bool le)
{
    if (size == 0 && has_fixed_size(format)) {
        ehd__text_put(t, "null", 4);
        return;
    }
    if (format_fits(format, size)) {
        switch (format) {
        case EHD_FMT_UNSIGNED_INT: put_unsigned(t, v, size, le); break;
        case EHD_FMT_SIGNED_INT:
        case EHD_FMT_PID: put_signed(t, v, size, le); break;
        case EHD_FMT_HEX_INT: put_hex_int(t, v, size, le); break;
        case EHD_FMT_ERRNO: put_errno(t, ehd__load32(v, le)); break;
        case EHD_FMT_TIME: put_time(t, load_signed(v, size, le)); break;
        case EHD_FMT_BOOLEAN: put_boolean(t, (uint32_t)load_unsigned(v, size, le)); break;
        case EHD_FMT_FLOAT: put_float(t, v, size, le); break;
        case EHD_FMT_HEX_BYTES: put_hex_bytes(t, v, size); break;
        case EHD_FMT_STRING8: put_latin1(t, v, size); break;
        case EHD_FMT_UUID: ehd__put_quoted_uuid(t, v); break;
        case EHD_FMT_PORT: put_port(t, v); break;
        case EHD_FMT_IPV4:
        case EHD_FMT_IPV6:
            if (size == 4)
                put_ipv4(t, v);
            else
                put_ipv6(t, v);
            break;
        default: /* string formats */
            if (!is_bom_format(format) || !put_with_bom(t, v, size))
                put_utf8(t, v, size);
            break;
        }
        return;
    }
    if (binary)
        put_hex_bytes(t, v, size);
    else
        put_utf8(t, v, size);
}

static void json_string16(ehd_text *t, uint8_t format, const uint8_t *v, size_t size, bool le)
{
    if (format == EHD_FMT_HEX_BYTES)
        put_hex_bytes(t, v, size);
    else if (!is_bom_format(format) || !put_with_bom(t, v, size))
        put_utf16(t, v, size / 2, le);
}

static void json_string32(ehd_text *t, uint8_t format, const uint8_t *v, size_t size, bool le)
{
    if (format == EHD_FMT_HEX_BYTES)
        put_hex_bytes(t, v, size);
    else if (!is_bom_format(format) || !put_with_bom(t, v, size))
        put_ucs4(t, v, size / 4, le);
}

int ehd__json_value(ehd_text *t, uint8_t encoding, uint8_t format, const uint8_t *v, size_t size,
                    bool le)
{
    static const uint8_t fixed_sizes[] = {
        [EHD_ENC_VALUE8] = 1, [EHD_ENC_VALUE16] = 2, [EHD_ENC_VALUE32] = 4,
        [EHD_ENC_VALUE64] = 8, [EHD_ENC_VALUE128] = 16,
    };
    if (encoding >= EHD_ENC_VALUE8 && encoding <= EHD_ENC_VALUE128 &&
        size != fixed_sizes[encoding])
        return EINVAL;

    switch (encoding) {
    case EHD_ENC_VALUE8: json_value8(t, format, v); break;
    case EHD_ENC_VALUE16: json_value16(t, format, v, le); break;
    case EHD_ENC_VALUE32: json_value32(t, format, v, le); break;
    case EHD_ENC_VALUE64: json_value64(t, format, v, le); break;
    case EHD_ENC_VALUE128: json_value128(t, format, v); break;
    case EHD_ENC_ZSTRING_CHAR8: json_zstring8(t, format, v, size); break;
    case EHD_ENC_STRING_LENGTH16_CHAR8:
    case EHD_ENC_BINARY_LENGTH16_CHAR8:
        json_counted8(t, encoding == EHD_ENC_BINARY_LENGTH16_CHAR8, format, v, size, le);
        break;
    case EHD_ENC_ZSTRING_CHAR16:
    case EHD_ENC_STRING_LENGTH16_CHAR16:
        if (size % 2 != 0)
            return EINVAL;
        json_string16(t, format, v, size, le);
        break;
    case EHD_ENC_ZSTRING_CHAR32:
    case EHD_ENC_STRING_LENGTH16_CHAR32:
        if (size % 4 != 0)
            return EINVAL;
        json_string32(t, format, v, size, le);
        break;
    case EHD_ENC_INVALID:
    case EHD_ENC_STRUCT:
        return EINVAL;
    default:
        return ENOTSUP;
    }
    return t->error;
}

EHD_API int ehd_value_json(ehd_text *out, const ehd_item *item, bool little_endian)
{
    if (out == NULL || item == NULL || item->kind != EHD_ITEM_VALUE ||
        (item->value == NULL && item->value_size != 0))
        return EINVAL;
    size_t start = out->len;
    int err = ehd__json_value(out, item->encoding, item->format, item->value, item->value_size,
                              little_endian);
    if (err != 0)
        ehd__text_truncate(out, start);
    else
        ehd__text_terminate(out);
    return err;
}
