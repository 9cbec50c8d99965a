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
#include <time.h>

#include "decode_internal.h"
#include "ehd_api.h"

static const char hex_digits[] = "0123456789abcdef";

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

/* 0 and 1 are false and true; any other value shows as a signed 32-bit
 * number (zero-extended from narrower fields first, so 0xF0 is 240). */
static void put_boolean(ehd_text *t, uint32_t value)
{
    if (value <= 1)
        ehd__text_put(t, value ? "true" : "false", value ? 4 : 5);
    else
        ehd__put_i64(t, (int32_t)value);
}

static void put_errno(ehd_text *t, uint32_t value)
{
    const char *name = ehd__errno_name(value);
    size_t name_len = name != NULL ? strlen(name) : 5;
    char *room = ehd__text_room(t, name_len + 16);
    if (room == NULL)
        return;
    char *p = room;
    *p++ = '"';
    memcpy(p, name != NULL ? name : "ERRNO", name_len);
    p += name_len;
    *p++ = '(';
    /* A known name shows the value unsigned; ERRNO(...) shows it signed. */
    p += name != NULL ? ehd__format_u64(p, value) : ehd__format_i64(p, (int32_t)value);
    *p++ = ')';
    *p++ = '"';
    t->len += (size_t)(p - room);
}

/* Seconds since 1970 as UTC date and time; outside what gmtime can show,
 * the number itself. */
static void put_time(ehd_text *t, int64_t seconds)
{
    time_t when = (time_t)seconds;
    struct tm tm;
    if ((int64_t)when == seconds && gmtime_r(&when, &tm) != NULL) {
        /* The reference adds 1900 in int; near INT_MAX that wraps, so wrap too. */
        int year = (int)((unsigned)tm.tm_year + 1900u);
        char *room = year >= 0 && year <= 9999 ? ehd__text_room(t, 21) : NULL;
        if (room != NULL) {
            /* "YYYY-MM-DDTHH:MM:SS" in quotes, the common case without printf */
            room[0] = '"';
            ehd__format_2digits(room + 1, (unsigned)year / 100);
            ehd__format_2digits(room + 3, (unsigned)year);
            room[5] = '-';
            ehd__format_2digits(room + 6, (unsigned)tm.tm_mon + 1);
            room[8] = '-';
            ehd__format_2digits(room + 9, (unsigned)tm.tm_mday);
            room[11] = 'T';
            ehd__format_2digits(room + 12, (unsigned)tm.tm_hour);
            room[14] = ':';
            ehd__format_2digits(room + 15, (unsigned)tm.tm_min);
            room[17] = ':';
            ehd__format_2digits(room + 18, (unsigned)tm.tm_sec);
            room[20] = '"';
            t->len += 21;
            return;
        }
        if (t->error != 0)
            return;
        ehd__text_printf(t, "\"%04d-%02u-%02uT%02u:%02u:%02u\"", year, (unsigned)tm.tm_mon + 1,
                         (unsigned)tm.tm_mday, (unsigned)tm.tm_hour, (unsigned)tm.tm_min,
                         (unsigned)tm.tm_sec);
    } else {
        /* Most random 64-bit times: past what gmtime's int year holds. */
        char *room = ehd__text_room(t, 28);
        if (room == NULL)
            return;
        memcpy(room, "\"TIME(", 6);
        size_t n = 6 + ehd__format_i64(room + 6, seconds);
        memcpy(room + n, ")\"", 2);
        t->len += n + 2;
    }
}

/* JSON has no infinities or NaN: those are quoted. */
static void put_float(ehd_text *t, const uint8_t *v, size_t size, bool le)
{
    char text[EHD__NUMBER_MAX];
    size_t n;
    bool finite;
    if (size == 4) {
        uint32_t bits = ehd__load32(v, le);
        float f;
        __builtin_memcpy(&f, &bits, sizeof f);
        n = ehd__format_float32(text, f);
        finite = __builtin_isfinite(f);
    } else {
        uint64_t bits = ehd__load64(v, le);
        double d;
        __builtin_memcpy(&d, &bits, sizeof d);
        n = ehd__format_float64(text, d);
        finite = __builtin_isfinite(d);
    }
    if (!finite)
        ehd__text_putc(t, '"');
    ehd__text_put(t, text, n);
    if (!finite)
        ehd__text_putc(t, '"');
}

/* "01 02 ff": bytes in event order, lowercase, space-separated. */
static void put_hex_bytes(ehd_text *t, const uint8_t *v, size_t size)
{
    if (size > (EHD_TEXT_MAX - 2) / 3) { /* also keeps size * 3 from overflowing */
        if (t->error == 0)
            t->error = E2BIG;
        return;
    }
    char *room = ehd__text_room(t, size * 3 + 2);
    if (room == NULL)
        return;
    room[0] = '"';
    size_t n = 1 + ehd__format_hex_bytes(room + 1, v, size);
    room[n++] = '"';
    t->len += n;
}

/* 16 bytes in network order as 8-4-4-4-12 lowercase hex. */
static void put_port(ehd_text *t, const uint8_t *v)
{
    ehd__put_u64(t, (unsigned)v[0] << 8 | v[1]); /* network byte order */
}

/* The decimal text of every byte value, left-aligned, its length last:
 * an IPv4 address is four of them. */
#define BYTE_TEXT(v)                                                                             \
    { (char)((v) >= 100 ? '0' + (v) / 100 : (v) >= 10 ? '0' + (v) / 10 : '0' + (v)),          \
      (char)((v) >= 100 ? '0' + (v) / 10 % 10 : (v) >= 10 ? '0' + (v) % 10 : 0),               \
      (char)((v) >= 100 ? '0' + (v) % 10 : 0), (char)((v) >= 100 ? 3 : (v) >= 10 ? 2 : 1) }
#define BYTE_TEXT_16(h)                                                                          \
    BYTE_TEXT(h + 0), BYTE_TEXT(h + 1), BYTE_TEXT(h + 2), BYTE_TEXT(h + 3), BYTE_TEXT(h + 4),    \
        BYTE_TEXT(h + 5), BYTE_TEXT(h + 6), BYTE_TEXT(h + 7), BYTE_TEXT(h + 8),                  \
        BYTE_TEXT(h + 9), BYTE_TEXT(h + 10), BYTE_TEXT(h + 11), BYTE_TEXT(h + 12),               \
        BYTE_TEXT(h + 13), BYTE_TEXT(h + 14), BYTE_TEXT(h + 15)
static const char byte_text[256][4] = {
    BYTE_TEXT_16(0),   BYTE_TEXT_16(16),  BYTE_TEXT_16(32),  BYTE_TEXT_16(48),
    BYTE_TEXT_16(64),  BYTE_TEXT_16(80),  BYTE_TEXT_16(96),  BYTE_TEXT_16(112),
    BYTE_TEXT_16(128), BYTE_TEXT_16(144), BYTE_TEXT_16(160), BYTE_TEXT_16(176),
    BYTE_TEXT_16(192), BYTE_TEXT_16(208), BYTE_TEXT_16(224), BYTE_TEXT_16(240),
};

/* An IPv4 address's dotted text at `p`; returns its end. Writes up to
 * three bytes past it (a short last number's copy of four). */
static char *ipv4_text(char *p, const uint8_t *v)
{
    for (int i = 0; i < 4; i++) {
        memcpy(p, byte_text[v[i]], 4);
        p += byte_text[v[i]][3];
        *p++ = '.';
    }
    return p - 1;
}

static void put_ipv4(ehd_text *t, const uint8_t *v)
{
    char *room = ehd__text_room(t, 19);
    if (room == NULL)
        return;
    room[0] = '"';
    char *p = ipv4_text(room + 1, v);
    *p++ = '"';
    t->len += (size_t)(p - room);
}

/* Lowercase hex without leading zeros, as inet_ntop writes a group. */
static char *hex_group(char *p, unsigned group)
{
    int shift = group >= 0x1000 ? 12 : group >= 0x100 ? 8 : group >= 0x10 ? 4 : 0;
    for (; shift >= 0; shift -= 4)
        *p++ = hex_digits[group >> shift & 0xF];
    return p;
}

/*
 * inet_ntop's text, as the reference's (it calls inet_ntop): the longest
 * run of two or more zero groups (the first of equals) becomes "::", and
 * an address whose first 96 bits are zero, or 80 zero bits and ffff,
 * ends in dotted IPv4. tests/unit/test_decode_ipv6.c holds this to glibc's
 * inet_ntop.
 */
static void put_ipv6(ehd_text *t, const uint8_t *v)
{
    unsigned groups[8];
    for (int i = 0; i < 8; i++)
        groups[i] = (unsigned)v[2 * i] << 8 | v[2 * i + 1];
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (groups[i] != 0) {
            i++;
            continue;
        }
        int run = i;
        while (i < 8 && groups[i] == 0)
            i++;
        if (i - run > best_len) {
            best = run;
            best_len = i - run;
        }
    }
    if (best_len < 2)
        best = -1;

    char *room = ehd__text_room(t, 48);
    if (room == NULL)
        return;
    char *p = room;
    *p++ = '"';
    for (int i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best)
                *p++ = ':';
            continue;
        }
        if (i != 0)
            *p++ = ':';
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && groups[5] == 0xFFFF))) {
            p = ipv4_text(p, v + 12);
            break;
        }
        p = hex_group(p, groups[i]);
    }
    if (best >= 0 && best + best_len == 8)
        *p++ = ':';
    *p++ = '"';
    t->len += (size_t)(p - room);
}

static void put_char(ehd_text *t, uint32_t code_point)
{
    ehd__text_putc(t, '"');
    ehd__json_code_point(t, code_point);
    ehd__text_putc(t, '"');
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
    ehd__text_putc(t, '"');
    ehd__json_utf16(t, v, count, le);
    ehd__text_putc(t, '"');
}

static void put_ucs4(ehd_text *t, const uint8_t *v, size_t count, bool le)
{
    ehd__text_putc(t, '"');
    ehd__json_ucs4(t, v, count, le);
    ehd__text_putc(t, '"');
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
