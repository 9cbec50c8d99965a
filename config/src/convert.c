/*
 * ehs_convert: one entry point from a field type to its parser and wire
 * bytes. Multi-byte numbers are in host order (the event says which);
 * ports and addresses in network order, as their formats define.
 */
#include <string.h>

#include "convert.h"
#include "ehd/eventheader.h"

uint8_t ehs_type_format(ehs_type type)
{
    switch (type) {
    case EHS_TYPE_I8: case EHS_TYPE_I16: case EHS_TYPE_I32: case EHS_TYPE_I64:
        return EHD_FMT_SIGNED_INT;
    case EHS_TYPE_U8: case EHS_TYPE_U16: case EHS_TYPE_U32: case EHS_TYPE_U64:
        return EHD_FMT_UNSIGNED_INT;
    case EHS_TYPE_HEX: return EHD_FMT_HEX_INT;
    case EHS_TYPE_F32: case EHS_TYPE_F64: return EHD_FMT_FLOAT;
    case EHS_TYPE_BOOL: return EHD_FMT_BOOLEAN;
    /* Format 17 (now "ip_address") shows 4 bytes as IPv4 and 16 as IPv6. */
    case EHS_TYPE_IP: case EHS_TYPE_IPV4: case EHS_TYPE_IPV6: return EHD_FMT_IPV4;
    case EHS_TYPE_PORT: return EHD_FMT_PORT;
    case EHS_TYPE_PID: return EHD_FMT_PID;
    case EHS_TYPE_ERRNO: return EHD_FMT_ERRNO;
    case EHS_TYPE_TIME: return EHD_FMT_TIME;
    case EHS_TYPE_UUID: return EHD_FMT_UUID;
    case EHS_TYPE_HEXBYTES: return EHD_FMT_HEX_BYTES;
    default: return EHD_FMT_DEFAULT;
    }
}

/* The hex type: digits are hex with or without "0x" (a value shown as hex
 * is usually logged as hex), at most 64 bits. */
static bool parse_hex_u64(const char *text, size_t len, uint64_t *out)
{
    size_t i = len > 2 && text[0] == '0' && (text[1] | 0x20) == 'x' ? 2 : 0;
    if (i == len || len - i > 16)
        return false;
    uint64_t value = 0;
    for (; i < len; i++) {
        int digit = ehs_hex_digit(text[i]);
        if (digit < 0)
            return false;
        value = value << 4 | (unsigned)digit;
    }
    *out = value;
    return true;
}

static bool put_signed(const char *text, size_t len, unsigned bytes, uint8_t *out, size_t *size)
{
    int64_t v;
    if (!ehs_parse_signed(text, len, bytes * 8, &v))
        return false;
    switch (bytes) {
    case 1: { int8_t x = (int8_t)v; memcpy(out, &x, 1); break; }
    case 2: { int16_t x = (int16_t)v; memcpy(out, &x, 2); break; }
    case 4: { int32_t x = (int32_t)v; memcpy(out, &x, 4); break; }
    default: memcpy(out, &v, 8); break;
    }
    *size = bytes;
    return true;
}

static bool put_unsigned(const char *text, size_t len, unsigned bytes, uint8_t *out, size_t *size)
{
    uint64_t v;
    if (!ehs_parse_unsigned(text, len, bytes * 8, &v))
        return false;
    switch (bytes) {
    case 1: out[0] = (uint8_t)v; break;
    case 2: { uint16_t x = (uint16_t)v; memcpy(out, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(out, &x, 4); break; }
    default: memcpy(out, &v, 8); break;
    }
    *size = bytes;
    return true;
}

bool ehs_convert(ehs_type type, const char *text, size_t len, const char *time_format,
                 uint8_t *out, size_t out_capacity, size_t *out_size)
{
    switch (type) {
    case EHS_TYPE_I8: return put_signed(text, len, 1, out, out_size);
    case EHS_TYPE_I16: return put_signed(text, len, 2, out, out_size);
    case EHS_TYPE_I32: return put_signed(text, len, 4, out, out_size);
    case EHS_TYPE_I64: return put_signed(text, len, 8, out, out_size);
    case EHS_TYPE_U8: return put_unsigned(text, len, 1, out, out_size);
    case EHS_TYPE_U16: return put_unsigned(text, len, 2, out, out_size);
    case EHS_TYPE_U32: return put_unsigned(text, len, 4, out, out_size);
    case EHS_TYPE_U64: return put_unsigned(text, len, 8, out, out_size);
    case EHS_TYPE_HEX: {
        uint64_t v;
        if (!parse_hex_u64(text, len, &v))
            return false;
        memcpy(out, &v, 8);
        *out_size = 8;
        return true;
    }
    case EHS_TYPE_F32: {
        float v;
        if (!ehs_parse_f32(text, len, &v))
            return false;
        memcpy(out, &v, 4);
        *out_size = 4;
        return true;
    }
    case EHS_TYPE_F64: {
        double v;
        if (!ehs_parse_f64(text, len, &v))
            return false;
        memcpy(out, &v, 8);
        *out_size = 8;
        return true;
    }
    case EHS_TYPE_BOOL: {
        bool v;
        if (!ehs_parse_bool(text, len, &v))
            return false;
        out[0] = v;
        *out_size = 1;
        return true;
    }
    case EHS_TYPE_IP:
        if (ehs_parse_ipv4(text, len, out)) {
            *out_size = 4;
            return true;
        }
        if (ehs_parse_ipv6(text, len, out)) {
            *out_size = 16;
            return true;
        }
        return false;
    case EHS_TYPE_IPV4:
        *out_size = 4;
        return ehs_parse_ipv4(text, len, out);
    case EHS_TYPE_IPV6:
        *out_size = 16;
        return ehs_parse_ipv6(text, len, out);
    case EHS_TYPE_PORT: {
        uint64_t v;
        if (!ehs_parse_unsigned(text, len, 16, &v))
            return false;
        out[0] = (uint8_t)(v >> 8); /* network byte order */
        out[1] = (uint8_t)v;
        *out_size = 2;
        return true;
    }
    case EHS_TYPE_PID: return put_signed(text, len, 4, out, out_size);
    case EHS_TYPE_ERRNO: {
        int32_t v;
        if (!ehs_parse_errno(text, len, &v))
            return false;
        memcpy(out, &v, 4);
        *out_size = 4;
        return true;
    }
    case EHS_TYPE_TIME: {
        int64_t v;
        if (!ehs_parse_time(text, len, time_format, &v))
            return false;
        memcpy(out, &v, 8);
        *out_size = 8;
        return true;
    }
    case EHS_TYPE_UUID:
        *out_size = 16;
        return ehs_parse_uuid(text, len, out);
    case EHS_TYPE_HEXBYTES:
        return ehs_parse_hexbytes(text, len, out, out_capacity, out_size);
    default:
        return false;
    }
}
