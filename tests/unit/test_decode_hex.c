/*
 * The decoder's hex text by table (core/src/decode_hex.c): binary values
 * as "01 02 ff" and uuids as 8-4-4-4-12, held to printf's "%02x" of each
 * byte on every byte value and random bytes of every length up to 300.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/xorshift.h"

#include "decode_internal.h"

/* printf's text of `size` bytes, `separator` before every byte but the
 * first; uuids put '-' before bytes 4, 6, 8 and 10 instead. */
static size_t printf_hex(char *out, const uint8_t *bytes, size_t size, bool uuid)
{
    size_t n = 0;
    for (size_t i = 0; i < size; i++) {
        if (uuid ? (i == 4 || i == 6 || i == 8 || i == 10) : i != 0)
            out[n++] = uuid ? '-' : ' ';
        n += (size_t)snprintf(out + n, 3, "%02x", bytes[i]);
    }
    return n;
}

static void check_bytes(const uint8_t *bytes, size_t size)
{
    char got[1024], want[1024];
    memset(got, '?', sizeof got);
    size_t n = ehd__format_hex_bytes(got, bytes, size);
    size_t m = printf_hex(want, bytes, size, false);
    if (n != m || memcmp(got, want, n) != 0)
        fail_msg("%zu bytes: got '%.*s', want '%.*s'", size, (int)n, got, (int)m, want);
    /* It may write two bytes of scratch past the text, no more. */
    if (got[n + (size != 0 ? 2 : 0)] != '?')
        fail_msg("%zu bytes: wrote past its %zu bytes of text and two", size, n);
}

static void test_every_byte(void **state)
{
    (void)state;
    uint8_t all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    check_bytes(all, 0);
    for (int i = 0; i < 256; i++)
        check_bytes(all + i, 1);
    check_bytes(all, 256);
    for (int i = 0; i + 16 <= 256; i++) {
        char got[37], want[40];
        got[36] = '?';
        ehd__format_uuid(got, all + i);
        size_t m = printf_hex(want, all + i, 16, true);
        assert_int_equal(m, 36);
        if (memcmp(got, want, 36) != 0 || got[36] != '?')
            fail_msg("uuid at %d: got '%.36s', want '%.36s'", i, got, want);
    }
}

static void test_random(void **state)
{
    (void)state;
    uint64_t random_state = 0x9E3779B97F4A7C15u;
    uint8_t bytes[300];
    for (int round = 0; round < 20000; round++) {
        size_t size = (size_t)(xorshift_next(&random_state) % (sizeof bytes + 1));
        for (size_t i = 0; i < size; i++)
            bytes[i] = (uint8_t)xorshift_next(&random_state);
        check_bytes(bytes, size);
        if (size >= 16) {
            char got[36], want[40];
            ehd__format_uuid(got, bytes);
            printf_hex(want, bytes, 16, true);
            if (memcmp(got, want, 36) != 0)
                fail_msg("uuid: got '%.36s', want '%.36s'", got, want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_byte),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
