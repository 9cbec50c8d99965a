/*
 * IPv6 values as JSON: the decoder writes the text itself, and it must be
 * glibc's inet_ntop's (which the reference formatter calls) byte for byte:
 * every pattern of zero and non-zero groups (where "::" goes), the IPv4
 * forms (::a.b.c.d, ::ffff:a.b.c.d and what only looks like them), and a
 * million random addresses, groups zero half the time. IPv4 values (each
 * number from a table) too: every byte value in every place.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "../lib/xorshift.h"

#include "ehd/ehd.h"
#include "ehd/ehd_decode.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t next_random(void)
{
    return xorshift_next(&rng_state);
}

static ehd_text text = EHD_TEXT_INIT;

static void check(const uint8_t address[16])
{
    char want[INET6_ADDRSTRLEN + 2] = "\"";
    assert_non_null(inet_ntop(AF_INET6, address, want + 1, INET6_ADDRSTRLEN));
    strcat(want, "\"");
    ehd_item item = { .kind = EHD_ITEM_VALUE, .encoding = EHD_ENC_VALUE128,
                      .format = EHD_FMT_IPV6, .value = address, .value_size = 16 };
    ehd_text_clear(&text);
    assert_int_equal(ehd_value_json(&text, &item, true), 0);
    if (strcmp(text.chars, want) != 0)
        fail_msg("decoder wrote %s, inet_ntop %s", text.chars, want);
}

/* Group i is zero where bit i of `zeros` is set, else `value` (or i + 1). */
static void fill(uint8_t address[16], unsigned zeros, unsigned value)
{
    for (int i = 0; i < 8; i++) {
        unsigned group = zeros & (1u << i) ? 0 : value != 0 ? value : (unsigned)i + 1;
        address[2 * i] = (uint8_t)(group >> 8);
        address[2 * i + 1] = (uint8_t)group;
    }
}

static void test_zero_patterns(void **state)
{
    (void)state;
    static const unsigned values[] = { 0, 1, 0xF, 0x10, 0xFF, 0x100, 0xFFF, 0x1000, 0xABCD, 0xFFFF };
    uint8_t address[16];
    for (unsigned zeros = 0; zeros < 256; zeros++) {
        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
            fill(address, zeros, values[v]);
            check(address);
        }
    }
}

static void test_ipv4_forms(void **state)
{
    (void)state;
    uint8_t address[16];
    for (unsigned group5 = 0; group5 < 3; group5++) {
        for (unsigned tail = 0; tail < 4096; tail++) {
            memset(address, 0, sizeof address);
            unsigned g5 = group5 == 0 ? 0 : group5 == 1 ? 0xFFFF : 0xFFFE;
            address[10] = (uint8_t)(g5 >> 8);
            address[11] = (uint8_t)g5;
            /* tails with zero and non-zero bytes in every place */
            address[12] = (uint8_t)(tail & 7 ? tail * 37 : 0);
            address[13] = (uint8_t)(tail & 0x38 ? tail * 11 : 0);
            address[14] = (uint8_t)(tail & 0x1C0 ? tail * 5 : 0);
            address[15] = (uint8_t)(tail & 0xE00 ? tail : 0);
            check(address);
            address[0] = 1; /* not an IPv4 form any more */
            check(address);
        }
    }
}

static void test_random_addresses(void **state)
{
    (void)state;
    uint8_t address[16];
    for (long n = 0; n < 1000000; n++) {
        uint64_t bits = next_random(), zeros = next_random();
        for (int i = 0; i < 8; i++) {
            unsigned group = zeros >> i & 1 ? 0 : (unsigned)(bits >> (8 * i)) & 0xFFFF;
            address[2 * i] = (uint8_t)(group >> 8);
            address[2 * i + 1] = (uint8_t)group;
        }
        check(address);
    }
    ehd_text_free(&text);
}

static void check_ipv4(const uint8_t address[4])
{
    char want[INET_ADDRSTRLEN + 2] = "\"";
    assert_non_null(inet_ntop(AF_INET, address, want + 1, INET_ADDRSTRLEN));
    strcat(want, "\"");
    ehd_item item = { .kind = EHD_ITEM_VALUE, .encoding = EHD_ENC_VALUE32,
                      .format = EHD_FMT_IPV4, .value = address, .value_size = 4 };
    ehd_text_clear(&text);
    assert_int_equal(ehd_value_json(&text, &item, true), 0);
    if (strcmp(text.chars, want) != 0)
        fail_msg("decoder wrote %s, inet_ntop %s", text.chars, want);
}

static void test_ipv4_addresses(void **state)
{
    (void)state;
    uint8_t address[4];
    for (int place = 0; place < 4; place++) {
        for (unsigned value = 0; value < 256; value++) {
            uint64_t bits = next_random();
            memcpy(address, &bits, 4);
            address[place] = (uint8_t)value;
            check_ipv4(address);
            memset(address, 255, 4);
            address[place] = (uint8_t)value;
            check_ipv4(address);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_patterns),
        cmocka_unit_test(test_ipv4_forms),
        cmocka_unit_test(test_ipv4_addresses),
        cmocka_unit_test(test_random_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
