/*
 * Backslash escapes of JSON strings and logfmt quoted values.
 */
#include <string.h>

#include "convert.h"
#include "utf8.h"

size_t ehs_unescape(const char *text, size_t len, char *out, size_t capacity, bool *complete)
{
    size_t n = 0, i = 0;
    *complete = true;
    while (i < len) {
        /* Copy the run up to the next backslash in one go. */
        const char *slash = memchr(text + i, '\\', len - i);
        size_t run = slash != NULL ? (size_t)(slash - (text + i)) : len - i;
        if (run > capacity - n) {
            memcpy(out + n, text + i, capacity - n);
            n = capacity;
            *complete = false;
            return n;
        }
        memcpy(out + n, text + i, run);
        n += run;
        i += run;
        if (i == len)
            break;

        char piece[EHD_UTF8_ENCODED_MAX];
        size_t piece_len = 1;
        size_t used = 2; /* the backslash and one character */
        char c = i + 1 < len ? text[i + 1] : '\0';
        switch (c) {
        case '"': case '\\': case '/': piece[0] = c; break;
        case 'b': piece[0] = '\b'; break;
        case 'f': piece[0] = '\f'; break;
        case 'n': piece[0] = '\n'; break;
        case 'r': piece[0] = '\r'; break;
        case 't': piece[0] = '\t'; break;
        case 'x': {
            long v = ehs_hex_number(text, len, i + 2, 2);
            if (v < 0) {
                piece[0] = '\\';
                used = 1;
            } else {
                piece[0] = (char)v;
                used = 4;
            }
            break;
        }
        case 'u': {
            long v = ehs_hex_number(text, len, i + 2, 4);
            if (v < 0) {
                piece[0] = '\\';
                used = 1;
                break;
            }
            uint32_t cp = (uint32_t)v;
            used = 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                long low = len - i >= 12 && text[i + 6] == '\\' && text[i + 7] == 'u'
                               ? ehs_hex_number(text, len, i + 8, 4)
                               : -1;
                if (low >= 0xDC00 && low <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)low - 0xDC00);
                    used = 12;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            piece_len = ehd__utf8_encode(cp, (uint8_t *)piece);
            break;
        }
        default:
            /* Not an escape we know (or a final backslash): keep it. */
            piece[0] = '\\';
            used = 1;
            break;
        }
        if (piece_len > capacity - n) {
            *complete = false;
            return n;
        }
        memcpy(out + n, piece, piece_len);
        n += piece_len;
        i += used;
    }
    return n;
}
