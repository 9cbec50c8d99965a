/*
 * Hex digits, read one way for the config library and the tool: either
 * case, nothing else. Static inline: value parsers call these per byte.
 */
#ifndef EHS_HEX_DIGITS_H
#define EHS_HEX_DIGITS_H

#include <stddef.h>

/* The value of hex digit `c` (either case), or -1. */
static inline int ehs_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20; /* ASCII lower case */
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/*
 * The value of the `digits` (1..7) hex digits at text[offset] of `len`
 * bytes, or -1 when fewer bytes are left or one of them is no hex digit.
 */
static inline long ehs_hex_number(const char *text, size_t len, size_t offset, int digits)
{
    if (offset > len || len - offset < (size_t)digits)
        return -1;
    long value = 0;
    for (int i = 0; i < digits; i++) {
        int digit = ehs_hex_digit(text[offset + (size_t)i]);
        if (digit < 0)
            return -1;
        value = value << 4 | digit;
    }
    return value;
}

#endif /* EHS_HEX_DIGITS_H */
