/*
 * Byte strings written in hex: UUIDs and free-form hex bytes.
 */
#include "convert.h"


/* Two hex digits at text[0..1] into *out. */
static inline bool hex_pair(const char *text, uint8_t *out)
{
    int high = ehs_hex_digit(text[0]), low = ehs_hex_digit(text[1]);
    if (high < 0 || low < 0)
        return false;
    *out = (uint8_t)(high << 4 | low);
    return true;
}

bool ehs_parse_uuid(const char *text, size_t len, uint8_t out[16])
{
    if (len == 38 && text[0] == '{' && text[37] == '}') {
        text++;
        len = 36;
    }
    uint8_t bytes[16];
    size_t i = 0;
    if (len == 36) {
        for (int b = 0; b < 16; b++) {
            if (b == 4 || b == 6 || b == 8 || b == 10) {
                if (text[i] != '-')
                    return false;
                i++;
            }
            if (!hex_pair(text + i, &bytes[b]))
                return false;
            i += 2;
        }
    } else if (len == 32) {
        for (int b = 0; b < 16; b++, i += 2)
            if (!hex_pair(text + i, &bytes[b]))
                return false;
    } else {
        return false;
    }
    for (int b = 0; b < 16; b++)
        out[b] = bytes[b];
    return true;
}

static inline bool is_separator(char c)
{
    return c == ' ' || c == ':' || c == '-' || c == '.';
}

bool ehs_parse_hexbytes(const char *text, size_t len, uint8_t *out, size_t capacity,
                        size_t *out_size)
{
    size_t i = 0, n = 0;
    if (len >= 2 && text[0] == '0' && (text[1] | 0x20) == 'x') {
        i = 2;
        if (len == 2)
            return false; /* a prefix without bytes */
    }
    while (i < len) {
        if (n != 0 && is_separator(text[i])) {
            i++;
            if (i == len)
                return false; /* a trailing separator */
        }
        if (len - i < 2 || n == capacity || !hex_pair(text + i, &out[n]))
            return false;
        n++;
        i += 2;
    }
    *out_size = n;
    return true;
}
