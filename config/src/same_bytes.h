/*
 * Equality of short byte strings (names, idents) in a few word loads, for
 * the look-ups by name the engine makes per line: a call to memcmp costs
 * more than the comparison. test_same_bytes holds it to memcmp.
 */
#ifndef EHS_SAME_BYTES_H
#define EHS_SAME_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Whether the `len` bytes at `a` and `b` are the same; reads no byte
 * outside them (the last load of a long string overlaps the one before). */
static inline bool ehs_same_bytes(const char *a, const char *b, size_t len)
{
    uint64_t x, y;
    if (len >= 8) {
        for (size_t i = 0; i + 8 < len; i += 8) {
            memcpy(&x, a + i, 8), memcpy(&y, b + i, 8);
            if (x != y)
                return false;
        }
        memcpy(&x, a + len - 8, 8), memcpy(&y, b + len - 8, 8);
        return x == y;
    }
    if (len >= 4) {
        uint32_t x4, y4, u4, v4;
        memcpy(&x4, a, 4), memcpy(&y4, b, 4);
        memcpy(&u4, a + len - 4, 4), memcpy(&v4, b + len - 4, 4);
        return x4 == y4 && u4 == v4;
    }
    return len == 0 || (a[0] == b[0] && a[len / 2] == b[len / 2] && a[len - 1] == b[len - 1]);
}

#endif /* EHS_SAME_BYTES_H */
