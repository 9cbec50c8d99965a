/*
 * JSON messages: the validating scanner (what is a JSON object and what
 * is not), and the fields a json rule makes of members of every kind,
 * nested objects, arrays, typed members, duplicates, reserved names, and
 * the limits that keep hostile messages decodable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "engine_harness.h"
#include "json_message.h"

#define S(text) (text), strlen(text)

/* ---- the scanner ---- */

static void test_objects_accepted(void **state)
{
    (void)state;
    const char *good[] = {
        "{}",
        " \t\r\n{ } \n",
        "{\"a\":1}",
        "{\"a\":-0.5e+10,\"b\":0,\"c\":-0,\"d\":1E5,\"e\":12.0e-3}",
        "{\"s\":\"x\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"}",
        "{\"t\":true,\"f\":false,\"n\":null}",
        "{\"a\":[],\"b\":[1,[2,[3]],{\"c\":{}}]}",
        "{\"\":\"empty key\"}",
        "{\"utf8\":\"caf\xc3\xa9\"}",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!ehs_json_is_object(S(good[i])))
            fail_msg("refused: %s", good[i]);
}

static void test_everything_else_refused(void **state)
{
    (void)state;
    const char *bad[] = {
        "", " ", "[]", "1", "\"s\"", "null", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
        "{,}", "{\"a\":1 \"b\":2}", "{a:1}", "{'a':1}", "{\"a\":01}", "{\"a\":1.}",
        "{\"a\":.5}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":+1}", "{\"a\":tru}", "{\"a\":nul}",
        "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"tab\there\"}", "{\"a\":\"open}",
        "{\"a\":1}{}", "{\"a\":1} x", "{\"a\":[1,]}", "{\"a\":[1 2]}", "{\"a\":NaN}",
        "{\"a\":Infinity}", "{\"a\":1}\x01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ehs_json_is_object(S(bad[i])))
            fail_msg("accepted: %s", bad[i]);
    /* A NUL inside a string is a control character. */
    assert_false(ehs_json_is_object("{\"a\":\"\0\"}", 8));
    /* Length, not NUL, ends the text. */
    assert_true(ehs_json_is_object("{}garbage", 2));
}

static void test_nesting_limit(void **state)
{
    (void)state;
    char text[400];
    size_t n = 0;
    text[n++] = '{';
    text[n++] = '"';
    text[n++] = 'a';
    text[n++] = '"';
    text[n++] = ':';
    for (int i = 0; i < EHS_JSON_MAX_DEPTH - 1; i++)
        text[n++] = '[';
    for (int i = 0; i < EHS_JSON_MAX_DEPTH - 1; i++)
        text[n++] = ']';
    text[n++] = '}';
    assert_true(ehs_json_is_object(text, n));

    n = 0;
    text[n++] = '{';
    text[n++] = '"';
    text[n++] = 'a';
    text[n++] = '"';
    text[n++] = ':';
    for (int i = 0; i < EHS_JSON_MAX_DEPTH; i++)
        text[n++] = '[';
    for (int i = 0; i < EHS_JSON_MAX_DEPTH; i++)
        text[n++] = ']';
    text[n++] = '}';
    assert_false(ehs_json_is_object(text, n));
}

/* ---- fields ---- */

static const char json_config[] =
    "{ 'provider': 'P', 'rules': ["
    "  { 'name': 'J', 'source': 'stderr', 'json': true,"
    "    'fields': { 'port': 'port', 'when': 'time', 'addr': 'ip', 'inner.code': 'u8',"
    "                'list': 'u8', 'maybe': 'bool' },"
    "    'level_field': 'level', 'level_map': { 'error': 2, 'debug': 5 } },"
    "  { 'name': 'Dropped', 'source': 'syslog', 'json': true, 'drop': true } ] }";

/* The JSON line of a stderr message `json` under json_config, without the
 * fixed tail (msg, ident, meta) so expectations stay readable. */
static const char *fields_of(harness *h, const char *json)
{
    static char fields[8192];
    const char *line = harness_stderr(h, "app", json);
    const char *tail = strstr(line, ", \"msg\": ");
    if (tail == NULL)
        tail = strstr(line, ", \"ident\": ");
    assert_non_null(tail);
    size_t len = (size_t)(tail - line);
    assert_true(len < sizeof fields);
    memcpy(fields, line, len);
    fields[len] = '\0';
    return fields;
}

static void test_scalar_members(void **state)
{
    (void)state;
    harness *h = harness_new(json_config);
    assert_json(fields_of(h, "{\"s\":\"text\",\"i\":42,\"neg\":-7,\"f\":2.5,\"e\":1e3,"
                             "\"big\":18446744073709551615,\"t\":true,\"no\":false,\"z\":null}"),
                "{ \"n\": \"P:J\", \"s\": \"text\", \"i\": 42, \"neg\": -7, \"f\": 2.5, "
                "\"e\": 1000, \"big\": 18446744073709551616, \"t\": true, \"no\": false, "
                "\"z\": null");
    assert_int_equal(h->outcome.conversion_failures, 0);
    assert_json(fields_of(h, "{\"esc\":\"a\\\"b\\\\c\\nd\\u00e9\\ud83d\\ude00\"}"),
                "{ \"n\": \"P:J\", \"esc\": \"a\\\"b\\\\c\\nd\xc3\xa9\xf0\x9f\x98\x80\"");
    /* A number past the double range does not convert. */
    assert_json(fields_of(h, "{\"huge\":1e999}"), "{ \"n\": \"P:J\", \"huge\": null");
    assert_int_equal(h->outcome.conversion_failures, 1);
    /* The whole message is the message field, as written. */
    assert_json(harness_stderr(h, "app", " {\"a\": 1} "),
                "{ \"n\": \"P:J\", \"a\": 1, \"msg\": \" {\\\"a\\\": 1} \", \"ident\": \"app\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    harness_free(h);
}

static void test_nested_objects(void **state)
{
    (void)state;
    harness *h = harness_new(json_config);
    assert_json(fields_of(h, "{\"a\":{\"b\":1,\"c\":{\"d\":\"x\"}},\"e\":2}"),
                "{ \"n\": \"P:J\", \"a\": { \"b\": 1, \"c\": { \"d\": \"x\" } }, \"e\": 2");
    /* Empty objects and objects nested too deep stay JSON text. */
    assert_json(fields_of(h, "{\"empty\":{ }}"), "{ \"n\": \"P:J\", \"empty\": \"{ }\"");
    assert_json(fields_of(h, "{\"l1\":{\"l2\":{\"l3\":{\"l4\":{\"l5\":{\"l6\":{\"x\":1}}}}}}}"),
                "{ \"n\": \"P:J\", \"l1\": { \"l2\": { \"l3\": { \"l4\": { \"l5\": "
                "{ \"l6\": \"{\\\"x\\\":1}\" } } } } }");
    /* Reserved names are only top-level names. */
    assert_json(fields_of(h, "{\"o\":{\"msg\":1,\"ident\":2}}"),
                "{ \"n\": \"P:J\", \"o\": { \"msg\": 1, \"ident\": 2 }");
    harness_free(h);
}

static void test_arrays(void **state)
{
    (void)state;
    harness *h = harness_new(json_config);
    assert_json(fields_of(h, "{\"ints\":[1,-2,3],\"mixed\":[1,2.5],\"strs\":[\"a\",\"b\\n\"],"
                             "\"bools\":[true,false],\"none\":[]}"),
                "{ \"n\": \"P:J\", \"ints\": [ 1, -2, 3 ], \"mixed\": [ 1, 2.5 ], "
                "\"strs\": [ \"a\", \"b\\n\" ], \"bools\": [ true, false ], \"none\": [ ]");
    /* An integer past i64 makes the array f64. */
    assert_json(fields_of(h, "{\"wide\":[1,9223372036854775808]}"),
                "{ \"n\": \"P:J\", \"wide\": [ 1, 9223372036854775808 ]");
    /* Arrays of anything else stay JSON text. */
    assert_json(fields_of(h, "{\"a\":[1,\"x\"],\"b\":[{\"c\":1}],\"d\":[[1]],\"e\":[null]}"),
                "{ \"n\": \"P:J\", \"a\": \"[1,\\\"x\\\"]\", \"b\": \"[{\\\"c\\\":1}]\", "
                "\"d\": \"[[1]]\", \"e\": \"[null]\"");
    /* An element past the double range: the array stays text. */
    assert_json(fields_of(h, "{\"f\":[1.5,1e999]}"), "{ \"n\": \"P:J\", \"f\": \"[1.5,1e999]\"");
    harness_free(h);
}

static void test_typed_members(void **state)
{
    (void)state;
    harness *h = harness_new(json_config);
    assert_json(fields_of(h, "{\"port\":\"22\",\"when\":1700000000,\"addr\":\"::1\","
                             "\"inner\":{\"code\":\"7\"},\"maybe\":true}"),
                "{ \"n\": \"P:J\", \"port\": 22, \"when\": \"2023-11-14T22:13:20\", "
                "\"addr\": \"::1\", \"inner\": { \"code\": 7 }, \"maybe\": true");
    assert_int_equal(h->outcome.conversion_failures, 0);
    /* Values that do not convert, objects or arrays for a scalar type:
     * null, counted; null stays null, uncounted. */
    assert_json(fields_of(h, "{\"port\":\"http\",\"addr\":{\"x\":1},\"list\":[1,2],"
                             "\"inner\":{\"code\":300},\"maybe\":null}"),
                "{ \"n\": \"P:J\", \"port\": null, \"addr\": null, \"list\": null, "
                "\"inner\": { \"code\": null }, \"maybe\": null");
    assert_int_equal(h->outcome.conversion_failures, 4);
    /* Only the dotted path types a nested member. */
    assert_json(fields_of(h, "{\"code\":\"7\",\"other\":{\"port\":\"22\"}}"),
                "{ \"n\": \"P:J\", \"code\": \"7\", \"other\": { \"port\": \"22\" }");
    harness_free(h);
}

static void test_names(void **state)
{
    (void)state;
    harness *h = harness_new(json_config);
    /* Duplicates keep the first, at each level; reserved names get '_'. */
    assert_json(fields_of(h, "{\"a\":1,\"a\":2,\"o\":{\"x\":1,\"x\":2},\"msg\":\"m\","
                             "\"ident\":\"i\",\"facility\":3,\"truncated\":false,\"_msg\":9}"),
                "{ \"n\": \"P:J\", \"a\": 1, \"o\": { \"x\": 1 }, \"_msg\": \"m\", "
                "\"_ident\": \"i\", \"_facility\": 3, \"_truncated\": false");
    /* Escapes in names; a NUL cuts the name. */
    assert_json(fields_of(h, "{\"k\\u00e9y\":1,\"a\\u0000b\":2,\"\":3}"),
                "{ \"n\": \"P:J\", \"k\xc3\xa9y\": 1, \"a\": 2, \"\": 3");
    /* Names are cut to 255 bytes. */
    char json[700], expected[700];
    char name[300];
    memset(name, 'n', 299);
    name[299] = '\0';
    snprintf(json, sizeof json, "{\"%s\":1}", name);
    snprintf(expected, sizeof expected, "{ \"n\": \"P:J\", \"%.255s\": 1", name);
    assert_json(fields_of(h, json), expected);
    harness_free(h);
}

static void test_level_and_drop(void **state)
{
    (void)state;
    harness *h = harness_new(json_config);
    assert_json(harness_stderr(h, "app", "{\"level\":\"error\"}"),
                "{ \"n\": \"P:J\", \"level\": \"error\", \"msg\": \"{\\\"level\\\":\\\"error\\\"}\", "
                "\"ident\": \"app\", \"meta\": { \"level\": 2, \"keyword\": \"0x2\" } }");
    assert_json(harness_stderr(h, "app", "<3>{\"level\":\"info\"}"),
                "{ \"n\": \"P:J\", \"level\": \"info\", \"msg\": \"{\\\"level\\\":\\\"info\\\"}\", "
                "\"ident\": \"app\", \"meta\": { \"level\": 2, \"keyword\": \"0x2\" } }");
    /* Only top-level members pick the level. */
    harness_stderr(h, "app", "{\"o\":{\"level\":\"debug\"}}");
    assert_int_equal(h->outcome.level, 4);
    /* A syslog JSON message meets the drop rule; text does not. */
    assert_string_equal(harness_syslog(h, "app", 14, "{\"a\":1}"), "DROPPED");
    assert_json(harness_syslog(h, "app", 14, "{not json"),
                "{ \"n\": \"P:Syslog\", \"msg\": \"{not json\", \"ident\": \"app\", "
                "\"facility\": 1, \"meta\": { \"level\": 4, \"keyword\": \"0x1\" } }");
    /* Not JSON: the next rule or the default event. */
    assert_json(harness_stderr(h, "app", "{\"a\":1"),
                "{ \"n\": \"P:Stderr\", \"msg\": \"{\\\"a\\\":1\", \"ident\": \"app\", "
                "\"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }");
    harness_free(h);
}

/* ---- hostile messages stay decodable ---- */

static void test_wide_objects(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P', 'max_message_bytes': 65000, "
                             "'rules': [ { 'name': 'J', 'json': true } ] }");
    static char json[60000];
    size_t n = 0;
    /* 400 top-level members: 248 kept. */
    json[n++] = '{';
    for (int i = 0; i < 400; i++)
        n += (size_t)snprintf(json + n, sizeof json - n, "%s\"k%d\":%d", i ? "," : "", i, i);
    json[n++] = '}';
    json[n] = '\0';
    harness_stderr(h, "a", json);
    assert_non_null(strstr(h->json.chars, "\"k247\": 247"));
    assert_null(strstr(h->json.chars, "\"k248\""));
    /* What is left out is flagged: the event says truncated. */
    assert_true(h->outcome.truncated);
    assert_non_null(strstr(h->json.chars, "\"truncated\": true"));

    /* A struct of 200 members: 127 kept. */
    n = 0;
    n += (size_t)snprintf(json + n, sizeof json - n, "{\"o\":{");
    for (int i = 0; i < 200; i++)
        n += (size_t)snprintf(json + n, sizeof json - n, "%s\"m%d\":%d", i ? "," : "", i, i);
    n += (size_t)snprintf(json + n, sizeof json - n, "}}");
    harness_stderr(h, "a", json);
    assert_non_null(strstr(h->json.chars, "\"m126\": 126 }"));
    assert_null(strstr(h->json.chars, "\"m127\""));
    assert_true(h->outcome.truncated);

    /* Huge arrays are cut to the item budget; the event still decodes. */
    n = 0;
    n += (size_t)snprintf(json + n, sizeof json - n, "{\"a\":[");
    for (int i = 0; i < 10000; i++)
        n += (size_t)snprintf(json + n, sizeof json - n, "%s%d", i ? "," : "", i % 10);
    n += (size_t)snprintf(json + n, sizeof json - n, "],\"b\":[");
    for (int i = 0; i < 5000; i++)
        n += (size_t)snprintf(json + n, sizeof json - n, "%s\"s\"", i ? "," : "");
    n += (size_t)snprintf(json + n, sizeof json - n, "],\"c\":{\"d\":[true]}}");
    harness_stderr(h, "a", json); /* decodes: the harness checks */
    assert_true(h->event_size <= 65535);
    /* Fields before the message: the arrays fill the item budget (3800
     * items less the reserve), and the 40 KB message is cut to the room
     * left, both flagged. */
    assert_true(h->outcome.truncated);
    assert_non_null(strstr(h->json.chars, "\"truncated\": true"));
    const char *a = strstr(h->json.chars, "\"a\": [");
    assert_non_null(a);
    size_t elements = 0;
    for (const char *p = a; *p != ']'; p++)
        elements += *p == ',';
    assert_in_range(elements, 3600, 3800);
    assert_non_null(strstr(h->json.chars, "\"msg\": \"{\\\"a\\\":[0,1,2,"));
    assert_null(strstr(h->json.chars, "[true]}}\""));
    harness_free(h);
}

static void test_many_nested_structs(void **state)
{
    (void)state;
    harness *h = harness_new("{ 'provider': 'P', 'max_message_bytes': 65000, "
                             "'rules': [ { 'name': 'J', 'json': true } ] }");
    static char json[60000];
    size_t n = 0;
    json[n++] = '{';
    for (int i = 0; i < 240; i++)
        n += (size_t)snprintf(json + n, sizeof json - n,
                              "%s\"s%d\":{\"a\":{\"b\":{\"c\":{\"d\":[1,2,3,4,5,6,7,8,9,10]}}}}",
                              i ? "," : "", i);
    json[n++] = '}';
    json[n] = '\0';
    harness_stderr(h, "a", json); /* decodes: the harness checks */
    harness_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_objects_accepted),
        cmocka_unit_test(test_everything_else_refused),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_scalar_members),
        cmocka_unit_test(test_nested_objects),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_typed_members),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_level_and_drop),
        cmocka_unit_test(test_wide_objects),
        cmocka_unit_test(test_many_nested_structs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
