/*
 * The text of values whose encoding fixes their size (1 to 16 bytes:
 * numbers, times, errno values, addresses, ids), written at a pointer into
 * room reserved for the worst case, EHD__FIXED_TEXT_MAX. Both ways of
 * writing an event use these: ehd__json_value, value by value, and the
 * walk of well-formed events, which writes whole arrays in one room.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "decode_internal.h"

char *ehd__boolean_at(char *p, uint32_t value)
{
    /* 0 and 1 are false and true; any other value shows as a signed
     * 32-bit number (zero-extended from narrower fields first). */
    if (value <= 1) {
        memcpy(p, value ? "true" : "false", 5);
        return p + 4 + !value;
    }
    return p + ehd__format_i64(p, (int32_t)value);
}

char *ehd__errno_at(char *p, uint32_t value)
{
    const char *name = ehd__errno_name(value);
    *p++ = '"';
    if (name != NULL) {
        size_t name_len = strlen(name);
        memcpy(p, name, name_len);
        p += name_len;
        *p++ = '(';
        p += ehd__format_u64(p, value); /* a known name shows the value unsigned */
    } else {
        memcpy(p, "ERRNO(", 6);
        p += 6 + ehd__format_i64(p + 6, (int32_t)value);
    }
    memcpy(p, ")\"", 2);
    return p + 2;
}

/*
 * The date and time gmtime gives for `seconds`, without its lock and time
 * zone machinery: whole days to the proleptic Gregorian calendar by
 * 400-year eras counted from 0000-03-01 (so a leap day ends its year).
 * Returns false where gmtime fails: a year whose tm_year is past int.
 */
static bool utc_time(int64_t seconds, int64_t *year, unsigned *month, unsigned *day,
                     unsigned *second_of_day)
{
    int64_t days = seconds / 86400, rest = seconds % 86400;
    if (rest < 0) {
        rest += 86400;
        days--;
    }
    days += 719468; /* 1970-01-01 from 0000-03-01 */
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned day_of_era = (unsigned)(days - era * 146097);
    unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    unsigned month_from_march = (5 * day_of_year + 2) / 153;
    *day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    *month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
    *year = era * 400 + year_of_era + (*month <= 2);
    *second_of_day = (unsigned)rest;
    return *year - 1900 >= INT_MIN && *year - 1900 <= INT_MAX;
}

char *ehd__time_at(char *p, int64_t seconds)
{
    int64_t full_year;
    unsigned month, day, second;
    if (!utc_time(seconds, &full_year, &month, &day, &second)) {
        /* Most random 64-bit times: past what gmtime's int year holds. */
        memcpy(p, "\"TIME(", 6);
        size_t n = 6 + ehd__format_i64(p + 6, seconds);
        memcpy(p + n, ")\"", 2);
        return p + n + 2;
    }
    /* The reference adds 1900 to tm_year in int; near INT_MAX that wraps,
     * so wrap too. */
    int year = (int)((unsigned)(int)(full_year - 1900) + 1900u);
    unsigned hour = second / 3600, minute = second / 60 % 60;
    second %= 60;
    if (year < 0 || year > 9999) {
        /* At most 11 + 17 bytes and the NUL: inside the room. */
        int n = snprintf(p, EHD__FIXED_TEXT_MAX, "\"%04d-%02u-%02uT%02u:%02u:%02u\"", year, month,
                         day, hour, minute, second);
        return p + n;
    }
    /* "YYYY-MM-DDTHH:MM:SS" in quotes, the common case without printf */
    p[0] = '"';
    ehd__format_2digits(p + 1, (unsigned)year / 100);
    ehd__format_2digits(p + 3, (unsigned)year);
    p[5] = '-';
    ehd__format_2digits(p + 6, month);
    p[8] = '-';
    ehd__format_2digits(p + 9, day);
    p[11] = 'T';
    ehd__format_2digits(p + 12, hour);
    p[14] = ':';
    ehd__format_2digits(p + 15, minute);
    p[17] = ':';
    ehd__format_2digits(p + 18, second);
    p[20] = '"';
    return p + 21;
}

char *ehd__float_at(char *p, const uint8_t *v, size_t size, bool le)
{
    /* JSON has no infinities or NaN: those are quoted. */
    if (size == 4) {
        uint32_t bits = ehd__load32(v, le);
        float f;
        __builtin_memcpy(&f, &bits, sizeof f);
        if (__builtin_isfinite(f))
            return p + ehd__format_float32(p, f);
        p[0] = '"';
        p += 1 + ehd__format_float32(p + 1, f);
    } else {
        uint64_t bits = ehd__load64(v, le);
        double d;
        __builtin_memcpy(&d, &bits, sizeof d);
        if (__builtin_isfinite(d))
            return p + ehd__format_float64(p, d);
        p[0] = '"';
        p += 1 + ehd__format_float64(p + 1, d);
    }
    *p++ = '"';
    return p;
}

char *ehd__hex_bytes_at(char *p, const uint8_t *v, size_t size)
{
    p[0] = '"';
    p += 1 + ehd__format_hex_bytes(p + 1, v, size);
    *p++ = '"';
    return p;
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
const char ehd__byte_text[256][4] = {
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
        memcpy(p, ehd__byte_text[v[i]], 4);
        p += ehd__byte_text[v[i]][3];
        *p++ = '.';
    }
    return p - 1;
}

char *ehd__ipv4_at(char *p, const uint8_t *v)
{
    *p++ = '"';
    p = ipv4_text(p, v);
    *p++ = '"';
    return p;
}

/* Lowercase hex without leading zeros, as inet_ntop writes a group;
 * writes up to three bytes of scratch after it. */
static inline char *hex_group(char *p, unsigned group)
{
    unsigned n = group >= 0x1000 ? 4 : group >= 0x100 ? 3 : group >= 0x10 ? 2 : 1;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Two pairs in one word, the leading zeros shifted out. */
    uint16_t high, low;
    memcpy(&high, ehd__hex_lower_pairs + 2 * (group >> 8), 2);
    memcpy(&low, ehd__hex_lower_pairs + 2 * (group & 0xFF), 2);
    uint32_t word = ((uint32_t)high | (uint32_t)low << 16) >> (8 * (4 - n));
    memcpy(p, &word, 4);
#else
    for (unsigned i = 0; i < n; i++)
        p[i] = "0123456789abcdef"[group >> 4 * (n - 1 - i) & 0xF];
#endif
    return p + n;
}

/*
 * inet_ntop's text, as the reference's (it calls inet_ntop): the longest
 * run of two or more zero groups (the first of equals) becomes "::", and
 * an address whose first 96 bits are zero, or 80 zero bits and ffff,
 * ends in dotted IPv4. tests/unit/test_decode_ipv6.c holds this to glibc's
 * inet_ntop.
 */
char *ehd__ipv6_at(char *p, const uint8_t *v)
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
    return p;
}

char *ehd__char_at(char *p, uint32_t code_point)
{
    *p++ = '"';
    p = ehd__json_code_point_at(p, code_point);
    *p++ = '"';
    return p;
}
