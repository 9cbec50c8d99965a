/*
 * Every field type as a collector sees it: a capture typed by "fields"
 * (or a grok suffix) goes through the engine, the builder and the decoder,
 * and the field must show exactly as expected; a value that does not
 * convert must show null in the same place and be counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "engine_harness.h"

static const char *const type_names[] = {
    "string", "i8",  "i16",  "i32",  "i64",   "u8",   "u16",  "u32",  "u64",  "hex",     "f32",
    "f64",    "bool", "ip",  "ipv4", "ipv6",  "port", "pid",  "errno", "time", "uuid", "hexbytes",
    "int",    "uint", "float",
};

/* One rule per type, picked by ident: ident "u16" reaches rule T_u16. */
static harness *types_harness(const char *time_format)
{
    static char config[16384];
    size_t n = (size_t)snprintf(config, sizeof config, "{ 'provider': 'P', 'rules': [");
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        n += (size_t)snprintf(config + n, sizeof config - n,
                              "%s{ 'name': 'T_%s', 'ident': '%s', 'regex': '^v=(?<v>.*)$', "
                              "'fields': { 'v': '%s' }%s%s%s }",
                              i ? ", " : "", type_names[i], type_names[i], type_names[i],
                              time_format ? ", 'time_format': '" : "",
                              time_format ? time_format : "", time_format ? "'" : "");
    snprintf(config + n, sizeof config - n, "] }");
    return harness_new(config);
}

typedef struct type_case {
    const char *type;
    const char *text;       /* the capture; no quotes or backslashes */
    const char *json;       /* the field's value as the decoder shows it */
    unsigned failures;      /* 1 when the value must not convert */
} type_case;

static void check_case(harness *h, const type_case *c)
{
    char line[256], expected[1024];
    snprintf(line, sizeof line, "v=%s", c->text);
    snprintf(expected, sizeof expected,
             "{ \"n\": \"P:T_%s\", \"v\": %s, \"msg\": \"%s\", \"ident\": \"%s\", "
             "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }",
             c->type, c->json, line, c->type);
    const char *got = harness_stderr(h, c->type, line);
    if (strcmp(got, expected) != 0)
        fail_msg("%s \"%s\":\n  got:      %s\n  expected: %s", c->type, c->text, got, expected);
    if (h->outcome.conversion_failures != c->failures)
        fail_msg("%s \"%s\": %u failures, expected %u", c->type, c->text,
                 h->outcome.conversion_failures, c->failures);
}

static const type_case good_cases[] = {
    { "string", "any text", "\"any text\"", 0 },
    { "string", "", "\"\"", 0 },
    { "i8", "-128", "-128", 0 },
    { "i8", "127", "127", 0 },
    { "i8", "0x7f", "127", 0 },
    { "i16", "-32768", "-32768", 0 },
    { "i32", "-2147483648", "-2147483648", 0 },
    { "i64", "-9223372036854775808", "-9223372036854775808", 0 },
    { "int", "42", "42", 0 },
    { "u8", "255", "255", 0 },
    { "u8", "-0", "0", 0 },
    { "u16", "65535", "65535", 0 },
    { "u32", "4294967295", "4294967295", 0 },
    { "u64", "18446744073709551615", "18446744073709551615", 0 },
    { "uint", "+7", "7", 0 },
    { "hex", "ff", "\"0xFF\"", 0 },
    { "hex", "0xDEADBEEF", "\"0xDEADBEEF\"", 0 },
    { "hex", "ffffffffffffffff", "\"0xFFFFFFFFFFFFFFFF\"", 0 },
    { "f32", "1.5", "1.5", 0 },
    { "f32", "0.1", "0.1", 0 },
    { "f64", "12.25", "12.25", 0 },
    { "f64", "-0.5e3", "-500", 0 },
    { "f64", "0.1", "0.1", 0 },
    { "float", "1e21", "1e+21", 0 },
    { "f64", "inf", "\"inf\"", 0 },
    { "bool", "true", "true", 0 },
    { "bool", "No", "false", 0 },
    { "bool", "1", "true", 0 },
    { "ip", "192.168.1.2", "\"192.168.1.2\"", 0 },
    { "ip", "2001:db8::1", "\"2001:db8::1\"", 0 },
    { "ip", "::ffff:1.2.3.4", "\"::ffff:1.2.3.4\"", 0 },
    { "ipv4", "10.0.0.1", "\"10.0.0.1\"", 0 },
    { "ipv6", "fe80::1:2", "\"fe80::1:2\"", 0 },
    { "ipv6", "::", "\"::\"", 0 },
    { "port", "22", "22", 0 },
    { "port", "65535", "65535", 0 },
    { "pid", "4242", "4242", 0 },
    { "pid", "-1", "-1", 0 },
    { "errno", "2", "\"ENOENT(2)\"", 0 },
    { "errno", "ENOENT", "\"ENOENT(2)\"", 0 },
    { "errno", "-13", "\"EACCES(13)\"", 0 },
    { "errno", "EWOULDBLOCK", "\"EAGAIN(11)\"", 0 },
    { "errno", "9999", "\"ERRNO(9999)\"", 0 },
    { "time", "1700000000", "\"2023-11-14T22:13:20\"", 0 },
    { "time", "1700000000.9", "\"2023-11-14T22:13:20\"", 0 },
    { "time", "-1.5", "\"1969-12-31T23:59:58\"", 0 },
    { "uuid", "123e4567-e89b-12d3-a456-426614174000", "\"123e4567-e89b-12d3-a456-426614174000\"", 0 },
    { "uuid", "{123E4567-E89B-12D3-A456-426614174000}", "\"123e4567-e89b-12d3-a456-426614174000\"", 0 },
    { "hexbytes", "de:ad:BE:ef", "\"de ad be ef\"", 0 },
    { "hexbytes", "0x0102", "\"01 02\"", 0 },
    { "hexbytes", "", "\"\"", 0 },
};

/* A value of every type that does not convert: null, counted. */
static const type_case bad_cases[] = {
    { "i8", "128", "null", 1 },
    { "i8", "", "null", 1 },
    { "i16", "32768", "null", 1 },
    { "i32", "2147483648", "null", 1 },
    { "i64", "9223372036854775808", "null", 1 },
    { "i64", "12x", "null", 1 },
    { "int", "1.0", "null", 1 },
    { "u8", "256", "null", 1 },
    { "u8", "-1", "null", 1 },
    { "u16", "65536", "null", 1 },
    { "u32", "4294967296", "null", 1 },
    { "u64", "18446744073709551616", "null", 1 },
    { "uint", "seven", "null", 1 },
    { "hex", "xyz", "null", 1 },
    { "hex", "12345678901234567", "null", 1 },
    { "f32", "3.5e38", "null", 1 },
    { "f64", "1e400", "null", 1 },
    { "f64", "1,5", "null", 1 },
    { "float", "", "null", 1 },
    { "bool", "maybe", "null", 1 },
    { "ip", "1.2.3", "null", 1 },
    { "ip", "256.1.1.1", "null", 1 },
    { "ipv4", "::1", "null", 1 },
    { "ipv6", "10.0.0.1", "null", 1 },
    { "ipv6", "1::2::3", "null", 1 },
    { "port", "65536", "null", 1 },
    { "port", "http", "null", 1 },
    { "pid", "2147483648", "null", 1 },
    { "pid", "12ab", "null", 1 },
    { "errno", "EFOO", "null", 1 },
    { "errno", "", "null", 1 },
    { "time", "yesterday", "null", 1 },
    { "time", "1e9", "null", 1 },
    { "uuid", "123e4567-e89b-12d3-a456-42661417400", "null", 1 },
    { "hexbytes", "abc", "null", 1 },
    { "hexbytes", "zz", "null", 1 },
};

static void test_good_values(void **state)
{
    (void)state;
    harness *h = types_harness(NULL);
    for (size_t i = 0; i < sizeof good_cases / sizeof good_cases[0]; i++)
        check_case(h, &good_cases[i]);
    harness_free(h);
}

static void test_bad_values_are_counted_nulls(void **state)
{
    (void)state;
    harness *h = types_harness(NULL);
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++)
        check_case(h, &bad_cases[i]);
    /* Every type but string has a failing case above. */
    for (size_t t = 1; t < sizeof type_names / sizeof type_names[0]; t++) {
        bool found = false;
        for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++)
            found |= strcmp(bad_cases[i].type, type_names[t]) == 0;
        if (!found)
            fail_msg("no failing case for %s", type_names[t]);
    }
    harness_free(h);
}

/* A null keeps the field's layout: the same field, encoding and format as a
 * good value, with zero bytes (string and hexbytes use unsigned_int, whose
 * empty value shows null). */
static void test_null_layout(void **state)
{
    (void)state;
    harness *h = types_harness(NULL);
    harness_stderr(h, "u16", "v=7");
    ehd_event_view view;
    ehd_enumerator e;
    ehd_item item;
    char name[EHD_NAME_MAX];
    harness_tracepoint(h, name);
    assert_int_equal(ehd_event_parse(&view, name, strlen(name), h->event, h->event_size, NULL), 0);
    ehd_enum_start(&e, &view);
    assert_int_equal(ehd_enum_next(&e, &item, NULL), 0);
    assert_int_equal(item.encoding, EHD_ENC_BINARY_LENGTH16_CHAR8);
    assert_int_equal(item.format, EHD_FMT_UNSIGNED_INT);
    assert_int_equal(item.value_size, 2);

    harness_stderr(h, "u16", "v=x");
    harness_tracepoint(h, name);
    assert_int_equal(ehd_event_parse(&view, name, strlen(name), h->event, h->event_size, NULL), 0);
    ehd_enum_start(&e, &view);
    assert_int_equal(ehd_enum_next(&e, &item, NULL), 0);
    assert_int_equal(item.encoding, EHD_ENC_BINARY_LENGTH16_CHAR8);
    assert_int_equal(item.format, EHD_FMT_UNSIGNED_INT);
    assert_int_equal(item.value_size, 0);
    harness_free(h);

    h = harness_new("{ 'provider': 'P', 'rules': [ { 'name': 'S', "
                    "'regex': '^(?<s>x)?(?<b>[0-9a-f]+)?$', 'fields': { 'b': 'hexbytes' } } ] }");
    assert_json(harness_stderr(h, "a", ""),
                "{ \"n\": \"P:S\", \"s\": null, \"b\": null, \"msg\": \"\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    assert_int_equal(h->outcome.conversion_failures, 0);
    harness_free(h);
}

static void test_time_formats(void **state)
{
    (void)state;
    harness *h = types_harness("%Y-%m-%dT%H:%M:%S%z");
    type_case offset = { "time", "2024-01-02T03:04:05+0100", "\"2024-01-02T02:04:05\"", 0 };
    check_case(h, &offset);
    type_case utc = { "time", "2024-01-02T03:04:05+0000", "\"2024-01-02T03:04:05\"", 0 };
    check_case(h, &utc);
    type_case epoch = { "time", "1700000000", "null", 1 }; /* the format applies */
    check_case(h, &epoch);
    harness_free(h);

    h = types_harness("%b %d %H:%M:%S");
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char json[64];
    snprintf(json, sizeof json, "\"%04d-01-01T00:00:00\"", tm.tm_year + 1900);
    type_case no_year = { "time", "Jan  1 00:00:00", json, 0 };
    check_case(h, &no_year);
    harness_free(h);
}

static void test_grok_type_suffix(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P', 'rules': [ { 'name': 'G', "
                             "'grok': '%{INT:code:u16} %{NUMBER:took:f64} %{WORD:who}' } ] }");
    assert_json(harness_stderr(h, "a", "404 1.25 bob"),
                "{ \"n\": \"P:G\", \"code\": 404, \"took\": 1.25, \"who\": \"bob\", "
                "\"msg\": \"404 1.25 bob\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    assert_json(harness_stderr(h, "a", "99999 1.25 bob"),
                "{ \"n\": \"P:G\", \"code\": null, \"took\": 1.25, \"who\": \"bob\", "
                "\"msg\": \"99999 1.25 bob\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    assert_int_equal(h->outcome.conversion_failures, 1);
    harness_free(h);
}

static void test_failures_add_up(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P', 'rules': [ { 'name': 'M', "
                             "'regex': '^(?<a>[^ ]*) (?<b>[^ ]*) (?<c>[^ ]*)$', "
                             "'fields': { 'a': 'u8', 'b': 'ip', 'c': 'uuid' } } ] }");
    assert_json(harness_stderr(h, "a", "300 nowhere 42"),
                "{ \"n\": \"P:M\", \"a\": null, \"b\": null, \"c\": null, "
                "\"msg\": \"300 nowhere 42\", \"ident\": \"a\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    assert_int_equal(h->outcome.conversion_failures, 3);
    harness_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_values),
        cmocka_unit_test(test_bad_values_are_counted_nulls),
        cmocka_unit_test(test_null_layout),
        cmocka_unit_test(test_time_formats),
        cmocka_unit_test(test_grok_type_suffix),
        cmocka_unit_test(test_failures_add_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
