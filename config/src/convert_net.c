/*
 * IPv4 and IPv6 addresses from text, into network byte order as the
 * ip_address format expects. Hand-written because captures are not
 * NUL-terminated and inet_pton wants a C string.
 */
#include <string.h>

#include "convert.h"

/* Four decimal parts of one to three digits, each at most 255 and without
 * a leading zero ("010" could mean octal to some readers: inet_pton
 * refuses it too), joined by dots. Unrolled: every typed sshd event has
 * one of these. */
bool ehs_parse_ipv4(const char *text, size_t len, uint8_t out[4])
{
    if (len < 7 || len > 15) /* "0.0.0.0" .. "255.255.255.255" */
        return false;
    /* The text in a buffer of its own, zeros after it: no byte past it is
     * a digit or a dot, so the parts are read without a look at the end.
     * Two loads of eight bytes (four, for seven) that overlap fill it. */
    unsigned char buffer[16] = { 0 };
    if (len >= 8) {
        memcpy(buffer, text, 8);
        memcpy(buffer + len - 8, text + len - 8, 8);
    } else {
        memcpy(buffer, text, 4);
        memcpy(buffer + 3, text + 3, 4);
    }
    const unsigned char *s = buffer;
    uint8_t bytes[4];
    for (int part = 0; part < 4; part++) {
        if (part != 0) {
            if (*s != '.')
                return false;
            s++;
        }
        unsigned value = (unsigned)*s - '0';
        if (value > 9)
            return false;
        s++;
        unsigned digit = (unsigned)*s - '0';
        if (digit <= 9) {
            if (value == 0)
                return false;
            value = value * 10 + digit;
            s++;
            digit = (unsigned)*s - '0';
            if (digit <= 9) {
                value = value * 10 + digit;
                s++;
                if (value > 255)
                    return false;
            }
        }
        bytes[part] = (uint8_t)value;
    }
    if (s != buffer + len)
        return false;
    memcpy(out, bytes, 4);
    return true;
}

bool ehs_parse_ipv6(const char *text, size_t len, uint8_t out[16])
{
    uint8_t bytes[16] = { 0 };
    size_t filled = 0; /* bytes of groups written so far */
    int gap = -1;      /* where "::" stands, in bytes */
    size_t i = 0;
    if (len < 2)
        return false;
    if (text[0] == ':') {
        if (text[1] != ':')
            return false;
        gap = 0;
        i = 2;
    }
    while (i < len) {
        size_t start = i;
        unsigned group = 0;
        while (i < len && i - start < 4 && ehs_hex_digit(text[i]) >= 0)
            group = group << 4 | (unsigned)ehs_hex_digit(text[i++]);
        if (i == start)
            return false;
        if (i < len && text[i] == '.') {
            /* An IPv4 tail: the last 32 bits, written as a dotted quad. */
            if (filled + 4 > 16 || !ehs_parse_ipv4(text + start, len - start, bytes + filled))
                return false;
            filled += 4;
            i = len;
            break;
        }
        if (filled + 2 > 16)
            return false;
        bytes[filled++] = (uint8_t)(group >> 8);
        bytes[filled++] = (uint8_t)group;
        if (i == len)
            break;
        if (text[i] != ':')
            return false;
        i++;
        if (i < len && text[i] == ':') {
            if (gap >= 0)
                return false;
            gap = (int)filled;
            i++;
        } else if (i == len) {
            return false; /* a single trailing ':' */
        }
    }
    if (gap >= 0) {
        if (filled == 16)
            return false; /* "::" must stand for at least one group */
        size_t tail = filled - (size_t)gap;
        memmove(bytes + 16 - tail, bytes + gap, tail);
        memset(bytes + gap, 0, 16 - tail - (size_t)gap);
    } else if (filled != 16) {
        return false;
    }
    memcpy(out, bytes, 16);
    return true;
}
