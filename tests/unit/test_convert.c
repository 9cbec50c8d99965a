/*
 * Conversions of captured text: every parser with good values, limits,
 * and the texts it must refuse; the bytes and formats ehs_convert writes
 * for each type; unescaping; the UTF-8-safe cut.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "convert.h"
#include "ehd/eventheader.h"
#include "engine_emit.h"
#include "level.h"

#define S(text) (text), strlen(text)

/* ---- integers ---- */

static void expect_signed(const char *text, unsigned bits, int64_t expected)
{
    int64_t v = 12345;
    if (!ehs_parse_signed(S(text), bits, &v))
        fail_msg("\"%s\" as i%u did not convert", text, bits);
    assert_int_equal(v, expected);
}

static void expect_signed_fails(const char *text, unsigned bits)
{
    int64_t v;
    if (ehs_parse_signed(S(text), bits, &v))
        fail_msg("\"%s\" as i%u converted to %lld", text, bits, (long long)v);
}

static void expect_unsigned(const char *text, unsigned bits, uint64_t expected)
{
    uint64_t v = 12345;
    if (!ehs_parse_unsigned(S(text), bits, &v))
        fail_msg("\"%s\" as u%u did not convert", text, bits);
    assert_int_equal(v, expected);
}

static void expect_unsigned_fails(const char *text, unsigned bits)
{
    uint64_t v;
    if (ehs_parse_unsigned(S(text), bits, &v))
        fail_msg("\"%s\" as u%u converted to %llu", text, bits, (unsigned long long)v);
}

static void test_signed_ranges(void **state)
{
    (void)state;
    expect_signed("0", 8, 0);
    expect_signed("-128", 8, -128);
    expect_signed("127", 8, 127);
    expect_signed("+5", 8, 5);
    expect_signed("007", 8, 7);
    expect_signed("-0x80", 8, -128);
    expect_signed("0x7F", 8, 127);
    expect_signed_fails("128", 8);
    expect_signed_fails("-129", 8);
    expect_signed_fails("0x80", 8);
    expect_signed("-32768", 16, -32768);
    expect_signed("32767", 16, 32767);
    expect_signed_fails("32768", 16);
    expect_signed("-2147483648", 32, INT32_MIN);
    expect_signed("2147483647", 32, INT32_MAX);
    expect_signed_fails("2147483648", 32);
    expect_signed("-9223372036854775808", 64, INT64_MIN);
    expect_signed("9223372036854775807", 64, INT64_MAX);
    expect_signed("0x7fffffffffffffff", 64, INT64_MAX);
    expect_signed_fails("9223372036854775808", 64);
    expect_signed_fails("-9223372036854775809", 64);
    expect_signed_fails("99999999999999999999999", 64);
}

static void test_signed_garbage(void **state)
{
    (void)state;
    const char *bad[] = { "", "-", "+", " 1", "1 ", "1x", "x1", "1.0", "1e3", "--1",
                          "0x", "0xg", "١", "0b101", "1_000" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_signed_fails(bad[i], 64);
    /* Not NUL-terminated: the parser stops at len. */
    int64_t v;
    assert_true(ehs_parse_signed("123456", 3, 64, &v));
    assert_int_equal(v, 123);
}

static void test_unsigned_ranges(void **state)
{
    (void)state;
    expect_unsigned("255", 8, 255);
    expect_unsigned("0xff", 8, 255);
    expect_unsigned("-0", 8, 0);
    expect_unsigned("+7", 8, 7);
    expect_unsigned_fails("256", 8);
    expect_unsigned_fails("-1", 8);
    expect_unsigned("65535", 16, 65535);
    expect_unsigned_fails("65536", 16);
    expect_unsigned("4294967295", 32, UINT32_MAX);
    expect_unsigned_fails("4294967296", 32);
    expect_unsigned("18446744073709551615", 64, UINT64_MAX);
    expect_unsigned("0xFFFFFFFFFFFFFFFF", 64, UINT64_MAX);
    expect_unsigned_fails("18446744073709551616", 64);
    expect_unsigned_fails("0x10000000000000000", 64);
    expect_unsigned_fails("12a", 64);
}

/* ---- floats ---- */

static void expect_f64(const char *text, double expected)
{
    double v = -12345;
    if (!ehs_parse_f64(S(text), &v))
        fail_msg("\"%s\" did not convert", text);
    if (memcmp(&v, &expected, sizeof v) != 0)
        fail_msg("\"%s\": got %.17g, expected %.17g", text, v, expected);
}

static void test_f64(void **state)
{
    (void)state;
    expect_f64("0", 0.0);
    expect_f64("-0", -0.0);
    expect_f64("1.5", 1.5);
    expect_f64("-12.25", -12.25);
    expect_f64("0.1", 0.1);
    expect_f64(".5", 0.5);
    expect_f64("5.", 5.0);
    expect_f64("+3", 3.0);
    expect_f64("1e3", 1000.0);
    expect_f64("1E-3", 0.001);
    expect_f64("-0.5e3", -500.0);
    expect_f64("123456789012345678901234", 123456789012345678901234.0); /* slow path */
    expect_f64("2.2250738585072014e-308", 2.2250738585072014e-308);
    expect_f64("0.30000000000000004", 0.30000000000000004);
    expect_f64("9007199254740993", 9007199254740993.0); /* over 2^53: rounds like strtod */
    expect_f64("1e-400", 0.0);                          /* underflow is zero */
    double v;
    assert_true(ehs_parse_f64(S("inf"), &v) && isinf(v) && v > 0);
    assert_true(ehs_parse_f64(S("-Infinity"), &v) && isinf(v) && v < 0);
    assert_true(ehs_parse_f64(S("NaN"), &v) && isnan(v));
    const char *bad[] = { "", "-", ".", "e5", "1e", "1e+", "1.2.3", "1,5", " 1", "1 ",
                          "0x10", "infinit", "nana", "1e400", "-1e400", "1f" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ehs_parse_f64(S(bad[i]), &v))
            fail_msg("\"%s\" converted to %g", bad[i], v);
}

static void test_f32(void **state)
{
    (void)state;
    float v;
    assert_true(ehs_parse_f32(S("1.5"), &v));
    assert_true(v == 1.5f);
    assert_true(ehs_parse_f32(S("0.1"), &v));
    assert_true(v == 0.1f);
    assert_true(ehs_parse_f32(S("3.4028234e38"), &v));
    assert_true(v == 3.4028234e38f);
    assert_true(ehs_parse_f32(S("16777217"), &v)); /* over 2^24: slow path */
    assert_true(v == 16777216.0f);
    assert_false(ehs_parse_f32(S("3.5e38"), &v));
    assert_false(ehs_parse_f32(S("abc"), &v));
}

static void test_bool(void **state)
{
    (void)state;
    const char *yes[] = { "true", "TRUE", "True", "yes", "on", "1" };
    const char *no[] = { "false", "FALSE", "no", "Off", "0" };
    const char *bad[] = { "", "t", "2", "truee", "y", "\x11" };
    bool v;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(ehs_parse_bool(S(yes[i]), &v) && v);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_true(ehs_parse_bool(S(no[i]), &v) && !v);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(ehs_parse_bool(S(bad[i]), &v));
}

/* ---- addresses ---- */

static void expect_ipv6(const char *text, const uint8_t expected[16])
{
    uint8_t v[16];
    if (!ehs_parse_ipv6(S(text), v))
        fail_msg("\"%s\" did not convert", text);
    assert_memory_equal(v, expected, 16);
}

static void test_ip(void **state)
{
    (void)state;
    uint8_t v4[4];
    assert_true(ehs_parse_ipv4(S("192.168.1.20"), v4));
    assert_memory_equal(v4, ((uint8_t[]){ 192, 168, 1, 20 }), 4);
    assert_true(ehs_parse_ipv4(S("0.0.0.0"), v4));
    assert_true(ehs_parse_ipv4(S("255.255.255.255"), v4));
    const char *bad4[] = { "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3",
                           "1.2.3.4 ", "a.b.c.d", "1.2.3.-4", "1234.1.1.1" };
    for (size_t i = 0; i < sizeof bad4 / sizeof bad4[0]; i++)
        if (ehs_parse_ipv4(S(bad4[i]), v4))
            fail_msg("\"%s\" converted", bad4[i]);

    expect_ipv6("::", (uint8_t[16]){ 0 });
    expect_ipv6("::1", (uint8_t[16]){ [15] = 1 });
    expect_ipv6("1::", (uint8_t[16]){ [1] = 1 });
    expect_ipv6("2001:db8::ff00:42:8329",
                (uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, [10] = 0xff, 0, 0, 0x42, 0x83, 0x29 });
    expect_ipv6("2001:0DB8:0000:0000:0000:0000:0000:0001",
                (uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 });
    expect_ipv6("::ffff:1.2.3.4", (uint8_t[16]){ [10] = 0xff, 0xff, 1, 2, 3, 4 });
    expect_ipv6("1:2:3:4:5:6:7::", (uint8_t[16]){ 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7 });
    uint8_t v6[16];
    const char *bad6[] = { "", ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9",
                           "1:2:3:4:5:6:7", "12345::", "1:2:3:4:5:6:7:8::", "g::",
                           "::1%eth0", "1.2.3.4", "::1.2.3", "1:", ":1",
                           "1:2:3:4:5:6:7:1.2.3.4" };
    for (size_t i = 0; i < sizeof bad6 / sizeof bad6[0]; i++)
        if (ehs_parse_ipv6(S(bad6[i]), v6))
            fail_msg("\"%s\" converted", bad6[i]);
}

/* ---- bytes ---- */

static void test_uuid(void **state)
{
    (void)state;
    static const uint8_t expected[16] = { 0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3,
                                          0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00 };
    uint8_t v[16];
    assert_true(ehs_parse_uuid(S("123e4567-e89b-12d3-a456-426614174000"), v));
    assert_memory_equal(v, expected, 16);
    assert_true(ehs_parse_uuid(S("{123E4567-E89B-12D3-A456-426614174000}"), v));
    assert_memory_equal(v, expected, 16);
    assert_true(ehs_parse_uuid(S("123e4567e89b12d3a456426614174000"), v));
    assert_memory_equal(v, expected, 16);
    const char *bad[] = { "", "123e4567-e89b-12d3-a456-42661417400",
                          "123e4567-e89b-12d3-a456-4266141740000", "123e4567+e89b-12d3-a456-426614174000",
                          "123e4567-e89b-12d3-a456-42661417400g", "{123e4567-e89b-12d3-a456-426614174000" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ehs_parse_uuid(S(bad[i]), v))
            fail_msg("\"%s\" converted", bad[i]);
}

static void test_hexbytes(void **state)
{
    (void)state;
    uint8_t v[8];
    size_t n;
    assert_true(ehs_parse_hexbytes(S("deadBEEF"), v, sizeof v, &n));
    assert_int_equal(n, 4);
    assert_memory_equal(v, ((uint8_t[]){ 0xde, 0xad, 0xbe, 0xef }), 4);
    assert_true(ehs_parse_hexbytes(S("0x0102"), v, sizeof v, &n));
    assert_int_equal(n, 2);
    assert_true(ehs_parse_hexbytes(S("01:02-03 04.05"), v, sizeof v, &n));
    assert_int_equal(n, 5);
    assert_memory_equal(v, ((uint8_t[]){ 1, 2, 3, 4, 5 }), 5);
    assert_true(ehs_parse_hexbytes(S(""), v, sizeof v, &n));
    assert_int_equal(n, 0);
    const char *bad[] = { "abc", "0x", ":01", "01:", "01::02", "0g", "01 2", "0102030405060708ff" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ehs_parse_hexbytes(S(bad[i]), v, sizeof v, &n))
            fail_msg("\"%s\" converted", bad[i]);
}

/* ---- errno ---- */

static void test_errno(void **state)
{
    (void)state;
    int32_t v;
    assert_int_equal(ehs_errno_from_name(S("ENOENT")), 2);
    assert_int_equal(ehs_errno_from_name(S("E2BIG")), 7);
    assert_int_equal(ehs_errno_from_name(S("EXFULL")), 54);
    assert_int_equal(ehs_errno_from_name(S("EWOULDBLOCK")), 11);
    assert_int_equal(ehs_errno_from_name(S("ENOTSUP")), 95);
    assert_int_equal(ehs_errno_from_name(S("EHWPOISON")), 133);
    assert_int_equal(ehs_errno_from_name(S("EBADF")), 9);
    assert_int_equal(ehs_errno_from_name(S("EBADFD")), 77);
    assert_int_equal(ehs_errno_from_name(S("ENOEN")), -1);
    assert_int_equal(ehs_errno_from_name(S("enoent")), -1);
    assert_true(ehs_parse_errno(S("13"), &v));
    assert_int_equal(v, 13);
    assert_true(ehs_parse_errno(S("-13"), &v));
    assert_int_equal(v, 13);
    assert_true(ehs_parse_errno(S("-EACCES"), &v));
    assert_int_equal(v, 13);
    assert_true(ehs_parse_errno(S("0"), &v));
    assert_int_equal(v, 0);
    const char *bad[] = { "", "-", "--2", "+2", "EFOO", "2x", "ENOENT ", "2147483648" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ehs_parse_errno(S(bad[i]), &v))
            fail_msg("\"%s\" converted", bad[i]);
}

/* ---- time ---- */

static int64_t current_year(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return tm.tm_year + 1900;
}

static void test_time(void **state)
{
    (void)state;
    int64_t v;
    assert_true(ehs_parse_time(S("1700000000"), NULL, &v));
    assert_int_equal(v, 1700000000);
    assert_true(ehs_parse_time(S("1700000000.999"), NULL, &v));
    assert_int_equal(v, 1700000000);
    assert_true(ehs_parse_time(S("-1.5"), NULL, &v));
    assert_int_equal(v, -2);
    assert_true(ehs_parse_time(S("-1.0"), NULL, &v));
    assert_int_equal(v, -1);
    assert_true(ehs_parse_time(S("5."), NULL, &v));
    assert_int_equal(v, 5);
    const char *bad[] = { "", ".5", "1.2.3", "1e9", "12:00", "1700000000.x" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ehs_parse_time(S(bad[i]), NULL, &v))
            fail_msg("\"%s\" converted", bad[i]);

    assert_true(ehs_parse_time(S("2024-01-02 03:04:05"), "%Y-%m-%d %H:%M:%S", &v));
    assert_int_equal(v, 1704164645);
    assert_true(ehs_parse_time(S("2024-02-29T23:59:60"), "%Y-%m-%dT%H:%M:%S", &v));
    assert_int_equal(v, 1709251200); /* a leap second reads as the next second */
    assert_true(ehs_parse_time(S("2024-01-02T03:04:05+0100"), "%Y-%m-%dT%H:%M:%S%z", &v));
    assert_int_equal(v, 1704164645 - 3600);
    assert_true(ehs_parse_time(S("1969-12-31 23:59:59"), "%Y-%m-%d %H:%M:%S", &v));
    assert_int_equal(v, -1);
    assert_false(ehs_parse_time(S("2024-01-02 03:04:05 trailing"), "%Y-%m-%d %H:%M:%S", &v));
    assert_false(ehs_parse_time(S("yesterday"), "%Y-%m-%d", &v));

    /* syslog's timestamp has no year: this year (Jan 1 is never ahead of now). */
    assert_true(ehs_parse_time(S("Jan  1 00:00:00"), "%b %d %H:%M:%S", &v));
    struct tm tm = { .tm_year = (int)current_year() - 1900, .tm_mday = 1 };
    assert_int_equal(v, (int64_t)timegm(&tm));
}

/* The fast strptime agrees with glibc's wherever it answers. */
static void test_strptime_c_matches_glibc(void **state)
{
    (void)state;
    static const char *const formats[] = {
        "%Y-%m-%d %H:%M:%S", "%b %d %H:%M:%S", "%a %b %e %T %Y", "%FT%T%z", "%d/%b/%Y:%T %z",
        "%y%m%d %H%M%S", "%B %d, %Y", "%H:%M", "%Y-%m-%dT%H:%M:%S%z", "[%d/%m/%Y]", "%%%Y",
        "%n%Y%t%m",
    };
    static const char *const texts[] = {
        "2024-01-02 03:04:05", "Jun 14 15:16:01", "Jun  4 05:06:07", "june 14 15:16:01",
        "Fri Jun 17 07:07:00 2005", "fri JUN  7 07:07:00 2005", "2024-02-29T23:59:60+01:00",
        "2024-02-29T23:59:60Z", "2024-02-29T23:59:60-0530", "2024-02-29T23:59:60+05",
        "17/Jun/2005:07:07:00 +0200", "240102 030405", "September 30, 1999", "7:5",
        "2024-1-2T3:4:5+0000", "[31/12/1999]", "%2024", " 2024 07", "2024-13-01 00:00:00",
        "2024-01-32 00:00:00", "Foo 14 15:16:01", "2024-01-02T03:04:05+01:60", "12345",
        "Jun 14 15:16", "2024-01-02 03:04:05 ", " 2024-01-02 03:04:05", "Sept 30, 1999",
        "Mon Jan  1 00:00:00 2024", "2024-01-02T03:04:05+1", "2024-01-02T03:04:05+123",
    };
    size_t agreed = 0;
    for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
        for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
            struct tm mine = { .tm_mday = 1 }, theirs = { .tm_mday = 1 };
            bool has_year;
            const char *end = ehs_strptime_c(texts[t], formats[f], &mine, &has_year);
            if (end == NULL)
                continue;
            const char *glibc_end = strptime(texts[t], formats[f], &theirs);
            if (glibc_end != end || mine.tm_year != theirs.tm_year ||
                mine.tm_mon != theirs.tm_mon || mine.tm_mday != theirs.tm_mday ||
                mine.tm_hour != theirs.tm_hour || mine.tm_min != theirs.tm_min ||
                mine.tm_sec != theirs.tm_sec || mine.tm_gmtoff != theirs.tm_gmtoff)
                fail_msg("\"%s\" with \"%s\" differs from strptime", texts[t], formats[f]);
            agreed++;
        }
    }
    assert_true(agreed >= 20);
    /* Anything else is left to strptime. */
    struct tm tm = { 0 };
    bool has_year;
    assert_null(ehs_strptime_c("123", "%j", &tm, &has_year));
    assert_null(ehs_strptime_c("2024", "%4Y", &tm, &has_year));
    assert_null(ehs_strptime_c("1700000000", "%s", &tm, &has_year));
}

/* ---- ehs_convert: bytes and formats of every type ---- */

static void expect_convert(ehs_type type, const char *text, const void *bytes, size_t size)
{
    uint8_t out[EHS_VALUE_MAX];
    size_t n = 99;
    if (!ehs_convert(type, S(text), NULL, out, sizeof out, &n))
        fail_msg("%s \"%s\" did not convert", ehs_type_name(type), text);
    assert_int_equal(n, size);
    assert_memory_equal(out, bytes, size);
}

static void expect_convert_fails(ehs_type type, const char *text)
{
    uint8_t out[EHS_VALUE_MAX];
    size_t n;
    if (ehs_convert(type, S(text), NULL, out, sizeof out, &n))
        fail_msg("%s \"%s\" converted", ehs_type_name(type), text);
}

static void test_convert_every_type(void **state)
{
    (void)state;
    expect_convert(EHS_TYPE_I8, "-2", (int8_t[]){ -2 }, 1);
    expect_convert(EHS_TYPE_I16, "-2", (int16_t[]){ -2 }, 2);
    expect_convert(EHS_TYPE_I32, "-2", (int32_t[]){ -2 }, 4);
    expect_convert(EHS_TYPE_I64, "-2", (int64_t[]){ -2 }, 8);
    expect_convert(EHS_TYPE_U8, "200", (uint8_t[]){ 200 }, 1);
    expect_convert(EHS_TYPE_U16, "60000", (uint16_t[]){ 60000 }, 2);
    expect_convert(EHS_TYPE_U32, "4000000000", (uint32_t[]){ 4000000000u }, 4);
    expect_convert(EHS_TYPE_U64, "18446744073709551615", (uint64_t[]){ UINT64_MAX }, 8);
    expect_convert(EHS_TYPE_HEX, "ff", (uint64_t[]){ 0xff }, 8);
    expect_convert(EHS_TYPE_HEX, "0xDeadBeef", (uint64_t[]){ 0xdeadbeef }, 8);
    expect_convert(EHS_TYPE_F32, "0.5", (float[]){ 0.5f }, 4);
    expect_convert(EHS_TYPE_F64, "0.5", (double[]){ 0.5 }, 8);
    expect_convert(EHS_TYPE_BOOL, "true", (uint8_t[]){ 1 }, 1);
    expect_convert(EHS_TYPE_BOOL, "off", (uint8_t[]){ 0 }, 1);
    expect_convert(EHS_TYPE_IP, "10.1.2.3", (uint8_t[]){ 10, 1, 2, 3 }, 4);
    expect_convert(EHS_TYPE_IP, "::2", (uint8_t[16]){ [15] = 2 }, 16);
    expect_convert(EHS_TYPE_IPV4, "10.1.2.3", (uint8_t[]){ 10, 1, 2, 3 }, 4);
    expect_convert(EHS_TYPE_IPV6, "::2", (uint8_t[16]){ [15] = 2 }, 16);
    expect_convert(EHS_TYPE_PORT, "443", (uint8_t[]){ 0x01, 0xbb }, 2); /* network order */
    expect_convert(EHS_TYPE_PID, "4242", (int32_t[]){ 4242 }, 4);
    expect_convert(EHS_TYPE_ERRNO, "EPIPE", (int32_t[]){ 32 }, 4);
    expect_convert(EHS_TYPE_TIME, "86400", (int64_t[]){ 86400 }, 8);
    expect_convert(EHS_TYPE_UUID, "00000000-0000-0000-0000-000000000001",
                   (uint8_t[16]){ [15] = 1 }, 16);
    expect_convert(EHS_TYPE_HEXBYTES, "0a0b", (uint8_t[]){ 0x0a, 0x0b }, 2);

    expect_convert_fails(EHS_TYPE_I8, "300");
    expect_convert_fails(EHS_TYPE_I16, "40000");
    expect_convert_fails(EHS_TYPE_I32, "3000000000");
    expect_convert_fails(EHS_TYPE_I64, "x");
    expect_convert_fails(EHS_TYPE_U8, "-3");
    expect_convert_fails(EHS_TYPE_U16, "70000");
    expect_convert_fails(EHS_TYPE_U32, "5000000000");
    expect_convert_fails(EHS_TYPE_U64, "1.5");
    expect_convert_fails(EHS_TYPE_HEX, "0x");
    expect_convert_fails(EHS_TYPE_HEX, "12345678901234567");
    expect_convert_fails(EHS_TYPE_HEX, "-1");
    expect_convert_fails(EHS_TYPE_F32, "1e39");
    expect_convert_fails(EHS_TYPE_F64, "one");
    expect_convert_fails(EHS_TYPE_BOOL, "maybe");
    expect_convert_fails(EHS_TYPE_IP, "1.2.3");
    expect_convert_fails(EHS_TYPE_IPV4, "::1");
    expect_convert_fails(EHS_TYPE_IPV6, "1.2.3.4");
    expect_convert_fails(EHS_TYPE_PORT, "65536");
    expect_convert_fails(EHS_TYPE_PID, "2147483648");
    expect_convert_fails(EHS_TYPE_ERRNO, "ENOTHING");
    expect_convert_fails(EHS_TYPE_TIME, "noon");
    expect_convert_fails(EHS_TYPE_UUID, "not-a-uuid");
    expect_convert_fails(EHS_TYPE_HEXBYTES, "xyz");
    expect_convert_fails(EHS_TYPE_STRING, "strings are not converted");

    /* hexbytes larger than the room given do not convert. */
    uint8_t out[EHS_VALUE_MAX];
    size_t n;
    assert_false(ehs_convert(EHS_TYPE_HEXBYTES, S("000102030405060708090a0b0c0d0e0f10"), NULL,
                             out, sizeof out, &n));
}

static void test_type_formats(void **state)
{
    (void)state;
    static const uint8_t expected[EHS_TYPE_COUNT] = {
        [EHS_TYPE_STRING] = EHD_FMT_DEFAULT,
        [EHS_TYPE_I8] = EHD_FMT_SIGNED_INT, [EHS_TYPE_I16] = EHD_FMT_SIGNED_INT,
        [EHS_TYPE_I32] = EHD_FMT_SIGNED_INT, [EHS_TYPE_I64] = EHD_FMT_SIGNED_INT,
        [EHS_TYPE_U8] = EHD_FMT_UNSIGNED_INT, [EHS_TYPE_U16] = EHD_FMT_UNSIGNED_INT,
        [EHS_TYPE_U32] = EHD_FMT_UNSIGNED_INT, [EHS_TYPE_U64] = EHD_FMT_UNSIGNED_INT,
        [EHS_TYPE_HEX] = EHD_FMT_HEX_INT,
        [EHS_TYPE_F32] = EHD_FMT_FLOAT, [EHS_TYPE_F64] = EHD_FMT_FLOAT,
        [EHS_TYPE_BOOL] = EHD_FMT_BOOLEAN,
        [EHS_TYPE_IP] = EHD_FMT_IPV4, [EHS_TYPE_IPV4] = EHD_FMT_IPV4,
        [EHS_TYPE_IPV6] = EHD_FMT_IPV4,
        [EHS_TYPE_PORT] = EHD_FMT_PORT, [EHS_TYPE_PID] = EHD_FMT_PID,
        [EHS_TYPE_ERRNO] = EHD_FMT_ERRNO, [EHS_TYPE_TIME] = EHD_FMT_TIME,
        [EHS_TYPE_UUID] = EHD_FMT_UUID, [EHS_TYPE_HEXBYTES] = EHD_FMT_HEX_BYTES,
    };
    for (int t = 0; t < EHS_TYPE_COUNT; t++)
        assert_int_equal(ehs_type_format((ehs_type)t), expected[t]);
}

/* ---- unescaping ---- */

static void expect_unescape(const char *text, const char *expected)
{
    char out[64];
    bool complete;
    size_t n = ehs_unescape(S(text), out, sizeof out, &complete);
    assert_true(complete);
    assert_int_equal(n, strlen(expected));
    assert_memory_equal(out, expected, n);
}

static void test_unescape(void **state)
{
    (void)state;
    expect_unescape("plain", "plain");
    expect_unescape("a\\\"b\\\\c\\/d", "a\"b\\c/d");
    expect_unescape("\\b\\f\\n\\r\\t", "\b\f\n\r\t");
    expect_unescape("\\u00e9\\u20AC", "\xc3\xa9\xe2\x82\xac");
    expect_unescape("\\ud83d\\ude00", "\xf0\x9f\x98\x80");    /* surrogate pair */
    expect_unescape("\\ud83d!", "\xef\xbf\xbd!");               /* lone high surrogate */
    expect_unescape("\\ude00", "\xef\xbf\xbd");                 /* lone low surrogate */
    expect_unescape("\\x41\\x4", "A\\x4");                      /* logfmt \xHH; short: kept */
    expect_unescape("\\q\\u12", "\\q\\u12");                    /* unknown escapes stay */
    expect_unescape("end\\", "end\\");                          /* final backslash */

    char out[4];
    bool complete;
    size_t n = ehs_unescape(S("abcdef"), out, sizeof out, &complete);
    assert_false(complete);
    assert_int_equal(n, 4);
    n = ehs_unescape(S("ab\\u20ac"), out, sizeof out, &complete); /* euro does not fit */
    assert_false(complete);
    assert_int_equal(n, 2);
}

/* ---- UTF-8 cut and levels ---- */

static void test_utf8_cut(void **state)
{
    (void)state;
    const char *text = "ab\xc3\xa9" "cd";      /* a b é c d */
    assert_int_equal(ehs_utf8_cut(text, 6, 10), 6);
    assert_int_equal(ehs_utf8_cut(text, 6, 4), 4);
    assert_int_equal(ehs_utf8_cut(text, 6, 3), 2);  /* not inside é */
    assert_int_equal(ehs_utf8_cut(text, 6, 2), 2);
    const char *euro = "x\xe2\x82\xac";
    assert_int_equal(ehs_utf8_cut(euro, 4, 3), 1);
    assert_int_equal(ehs_utf8_cut(euro, 4, 2), 1);
    const char *emoji = "\xf0\x9f\x98\x80z";
    assert_int_equal(ehs_utf8_cut(emoji, 5, 3), 0);
    /* Not UTF-8 where it is cut: cut exactly at the limit. */
    assert_int_equal(ehs_utf8_cut("a\x80\x80\x80\x80", 5, 3), 3);
    assert_int_equal(ehs_utf8_cut("a\xc3" "bc", 4, 2), 2);
    assert_int_equal(ehs_utf8_cut("\xe2\x82", 2, 1), 1); /* truncated sequence */
}

static void test_stderr_prefix(void **state)
{
    (void)state;
    int severity = -1;
    for (int n = 0; n <= 7; n++) {
        char text[8];
        snprintf(text, sizeof text, "<%d>x", n);
        assert_int_equal(ehs_stderr_prefix(S(text), &severity), 3);
        assert_int_equal(severity, n);
    }
    assert_int_equal(ehs_stderr_prefix(S("<03>x"), &severity), 4);
    assert_int_equal(severity, 3);
    assert_int_equal(ehs_stderr_prefix(S("<007>"), &severity), 5);
    assert_int_equal(severity, 7);
    const char *none[] = { "", "<", "<>", "<3", "3>", "<8>x", "<10>x", "<0003>x", "<a>x",
                           " <3>x", "<-1>x", "<1 >x" };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        assert_int_equal(ehs_stderr_prefix(S(none[i]), &severity), 0);
    static const uint8_t levels[8] = { 1, 1, 1, 2, 3, 4, 4, 5 };
    for (int s = 0; s < 8; s++)
        assert_int_equal(ehs_level_of_severity(s), levels[s]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed_ranges),
        cmocka_unit_test(test_signed_garbage),
        cmocka_unit_test(test_unsigned_ranges),
        cmocka_unit_test(test_f64),
        cmocka_unit_test(test_f32),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_ip),
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_hexbytes),
        cmocka_unit_test(test_errno),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_strptime_c_matches_glibc),
        cmocka_unit_test(test_convert_every_type),
        cmocka_unit_test(test_type_formats),
        cmocka_unit_test(test_unescape),
        cmocka_unit_test(test_utf8_cut),
        cmocka_unit_test(test_stderr_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
