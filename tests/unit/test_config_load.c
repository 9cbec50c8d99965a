/*
 * Config loading: defaults, every key's parsed value, type and level names,
 * keyword forms, field lists with group numbers for regex, grok, kv and
 * json rules, exact error lines with positions, and robustness against
 * every prefix and many byte mutations of valid configs.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcre2.h>

#include "ehs/ehs_config.h"

/* ---- helpers ---- */

static ehs_config *load_ok(const char *text)
{
    ehs_config *config = NULL;
    ehs_errors errors = { 0 };
    int rc = ehs_config_load_text("t.json", text, strlen(text), &config, &errors);
    if (rc != 0) {
        for (size_t i = 0; i < errors.count; i++)
            print_error("%s\n", errors.lines[i]);
        ehs_errors_free(&errors);
        fail_msg("load failed with %d", rc);
    }
    assert_int_equal(errors.count, 0);
    assert_non_null(config);
    return config;
}

/* Loads `text`, which must fail, and compares its lines with the
 * NULL-terminated list that follows. */
static void expect_errors(const char *text, ...)
{
    ehs_config *config = (ehs_config *)1;
    ehs_errors errors = { 0 };
    int rc = ehs_config_load_text("t.json", text, strlen(text), &config, &errors);
    assert_int_equal(rc, EINVAL);
    assert_null(config);
    va_list args;
    va_start(args, text);
    size_t i = 0;
    for (const char *line; (line = va_arg(args, const char *)) != NULL; i++) {
        if (i >= errors.count)
            fail_msg("missing error line %zu: %s", i, line);
        if (strcmp(errors.lines[i], line) != 0)
            fail_msg("line %zu:\n  got  %s\n  want %s", i, errors.lines[i], line);
    }
    va_end(args);
    if (i != errors.count)
        fail_msg("unexpected extra line: %s", errors.lines[i]);
    ehs_errors_free(&errors);
}

static const ehs_field *field_named(const ehs_rule *rule, const char *name)
{
    for (size_t i = 0; i < rule->field_count; i++) {
        if (strcmp(rule->fields[i].name, name) == 0)
            return &rule->fields[i];
    }
    fail_msg("no field %s", name);
    return NULL;
}

static void check_defaults(const ehs_config *config)
{
    assert_string_equal(config->provider, "ehshim");
    assert_null(config->group);
    assert_true(config->capture_syslog);
    assert_true(config->capture_stderr);
    assert_string_equal(config->message_field, "msg");
    assert_int_equal(config->message_field_len, 3);
    assert_int_equal(config->max_message_bytes, 3072);
    assert_true(config->inherit);
    assert_int_equal(config->rule_count, 0);
    assert_null(config->rules);
    assert_null(config->default_event.name);
    assert_int_equal(config->default_event.level, 0);
    assert_false(config->default_event.has_keyword);
    assert_false(config->default_event.drop);
    assert_int_equal(config->max_capture_count, 0);
    assert_non_null(config->match_context);
}

/* ---- defaults and top-level keys ---- */

static void test_defaults_of_empty_object(void **state)
{
    (void)state;
    ehs_config *config = load_ok("{}");
    check_defaults(config);
    assert_string_equal(config->path, "t.json");
    ehs_config_free(config);

    config = load_ok("\xef\xbb\xbf \n\t{ }\r\n");
    check_defaults(config);
    ehs_config_free(config);
}

static void test_new_default(void **state)
{
    (void)state;
    ehs_config *config = ehs_config_new_default();
    assert_non_null(config);
    check_defaults(config);
    assert_string_equal(config->path, "<built-in>");
    ehs_config_free(config);
    ehs_config_free(NULL);
}

static void test_top_level_keys(void **state)
{
    (void)state;
    ehs_config *config = load_ok("{\n"
                                 "  \"provider\": \"My_Service2\",\n"
                                 "  \"group\": \"myorg9\",\n"
                                 "  \"capture\": { \"syslog\": false, \"stderr\": true },\n"
                                 "  \"message_field\": \"message\",\n"
                                 "  \"max_message_bytes\": 64,\n"
                                 "  \"inherit\": false,\n"
                                 "  \"patterns\": {},\n"
                                 "  \"rules\": [],\n"
                                 "  \"default\": { \"name\": \"Other\", \"level\": \"error\",\n"
                                 "               \"keyword\": 5, \"drop\": true }\n"
                                 "}");
    assert_string_equal(config->provider, "My_Service2");
    assert_string_equal(config->group, "myorg9");
    assert_false(config->capture_syslog);
    assert_true(config->capture_stderr);
    assert_string_equal(config->message_field, "message");
    assert_int_equal(config->message_field_len, 7);
    assert_int_equal(config->max_message_bytes, 64);
    assert_false(config->inherit);
    assert_int_equal(config->rule_count, 0);
    assert_string_equal(config->default_event.name, "Other");
    assert_int_equal(config->default_event.level, 2);
    assert_true(config->default_event.has_keyword);
    assert_int_equal(config->default_event.keyword, 5);
    assert_true(config->default_event.drop);
    ehs_config_free(config);

    config = load_ok("{\"message_field\": null, \"group\": null, \"max_message_bytes\": 65000,"
                     " \"capture\": {}, \"default\": {\"name\": null, \"level\": null,"
                     " \"keyword\": null}}");
    assert_null(config->message_field);
    assert_int_equal(config->message_field_len, 0);
    assert_null(config->group);
    assert_int_equal(config->max_message_bytes, 65000);
    assert_true(config->capture_syslog);
    assert_null(config->default_event.name);
    assert_false(config->default_event.has_keyword);
    ehs_config_free(config);
}

static void test_provider_length_limit(void **state)
{
    (void)state;
    /* Provider + group must stay below 234 bytes (EHD_PROVIDER_NAMES_MAX). */
    char text[600];
    char provider[300];
    memset(provider, 'p', 230);
    provider[230] = '\0';
    snprintf(text, sizeof text, "{\"provider\": \"%s\", \"group\": \"ggg\"}", provider);
    ehs_config *config = load_ok(text);
    assert_int_equal(strlen(config->provider), 230);
    ehs_config_free(config);
    snprintf(text, sizeof text, "{\"provider\": \"%s\", \"group\": \"gggg\"}", provider);
    expect_errors(text,
                  "t.json:1:14: 'provider' and 'group' take 234 bytes together; a tracepoint "
                  "name leaves room for 233",
                  NULL);
}

/* ---- rules ---- */

static void test_rule_keys(void **state)
{
    (void)state;
    ehs_config *config = load_ok("{\"rules\": [\n"
                                 " {\"name\": \"A\", \"source\": \"syslog\", \"ident\": \"sshd\",\n"
                                 "  \"regex\": \"^x\", \"time_format\": \"%b %d\", \"level\": 7,\n"
                                 "  \"keyword\": \"0x10\", \"id\": 65535, \"version\": 255,\n"
                                 "  \"tag\": 7, \"drop\": true},\n"
                                 " {\"name\": \"B\", \"source\": \"stderr\", \"kv\": true},\n"
                                 " {\"name\": \"C\", \"source\": \"any\", \"json\": true,\n"
                                 "  \"ident\": null, \"level\": null, \"keyword\": null}\n"
                                 "]}");
    assert_int_equal(config->rule_count, 3);
    const ehs_rule *a = &config->rules[0];
    assert_string_equal(a->name, "A");
    assert_int_equal(a->name_len, 1);
    assert_int_equal(a->position.line, 2);
    assert_int_equal(a->position.column, 2);
    assert_int_equal(a->source, EHS_SOURCE_SYSLOG);
    assert_int_equal(a->ident.count, 1);
    assert_string_equal(a->ident.items[0].text, "sshd");
    assert_int_equal(a->ident.items[0].len, 4);
    assert_false(a->ident.items[0].glob);
    assert_int_equal(a->exe.count, 0);
    assert_int_equal(a->matcher, EHS_MATCH_REGEX);
    assert_false(a->kv_after);
    assert_string_equal(a->pattern, "^x");
    assert_non_null(a->code);
    assert_int_equal(a->capture_count, 0);
    assert_int_equal(a->field_count, 0);
    assert_string_equal(a->time_format, "%b %d");
    assert_int_equal(a->level, 7);
    assert_true(a->has_keyword);
    assert_int_equal(a->keyword, 0x10);
    assert_int_equal(a->id, 65535);
    assert_int_equal(a->version, 255);
    assert_int_equal(a->tag, 7);
    assert_true(a->drop);

    const ehs_rule *b = &config->rules[1];
    assert_int_equal(b->source, EHS_SOURCE_STDERR);
    assert_int_equal(b->matcher, EHS_MATCH_KV);
    assert_null(b->code);
    assert_null(b->pattern);
    assert_int_equal(b->ident.count, 0);
    assert_null(b->time_format);
    assert_int_equal(b->level, 0);
    assert_false(b->has_keyword);
    assert_false(b->drop);

    const ehs_rule *c = &config->rules[2];
    assert_int_equal(c->source, EHS_SOURCE_ANY);
    assert_int_equal(c->matcher, EHS_MATCH_JSON);
    assert_int_equal(c->ident.count, 0);
    ehs_config_free(config);
}

static void test_type_names(void **state)
{
    (void)state;
    static const char *const names[EHS_TYPE_COUNT] = {
        "string", "i8",  "i16", "i32",  "i64",  "u8",   "u16",  "u32",
        "u64",    "hex", "f32", "f64",  "bool", "ip",   "ipv4", "ipv6",
        "port",   "pid", "errno", "time", "uuid", "hexbytes",
    };
    for (int t = 0; t < EHS_TYPE_COUNT; t++)
        assert_string_equal(ehs_type_name((ehs_type)t), names[t]);
    assert_string_equal(ehs_type_name(EHS_TYPE_COUNT), "?");

    /* Every name and alias through "fields" of a kv rule. */
    char text[2048] = "{\"rules\": [{\"name\": \"K\", \"kv\": true, \"fields\": {";
    for (int t = 0; t < EHS_TYPE_COUNT; t++) {
        char entry[64];
        snprintf(entry, sizeof entry, "\"f_%s\": \"%s\", ", names[t], names[t]);
        strcat(text, entry);
    }
    strcat(text, "\"a_int\": \"int\", \"a_uint\": \"uint\", \"a_float\": \"float\"}}]}");
    ehs_config *config = load_ok(text);
    const ehs_rule *rule = &config->rules[0];
    assert_int_equal(rule->field_count, EHS_TYPE_COUNT + 3);
    for (int t = 0; t < EHS_TYPE_COUNT; t++) {
        char name[32];
        snprintf(name, sizeof name, "f_%s", names[t]);
        const ehs_field *f = field_named(rule, name);
        assert_int_equal(f->type, t);
        assert_int_equal(f->group, 0);
    }
    assert_int_equal(field_named(rule, "a_int")->type, EHS_TYPE_I64);
    assert_int_equal(field_named(rule, "a_uint")->type, EHS_TYPE_U64);
    assert_int_equal(field_named(rule, "a_float")->type, EHS_TYPE_F64);
    ehs_config_free(config);
}

static uint8_t level_of(const char *value)
{
    char text[256];
    snprintf(text, sizeof text, "{\"default\": {\"level\": %s}}", value);
    ehs_config *config = load_ok(text);
    uint8_t level = config->default_event.level;
    ehs_config_free(config);
    return level;
}

static void test_level_words(void **state)
{
    (void)state;
    assert_int_equal(level_of("\"critical\""), 1);
    assert_int_equal(level_of("\"error\""), 2);
    assert_int_equal(level_of("\"warning\""), 3);
    assert_int_equal(level_of("\"info\""), 4);
    assert_int_equal(level_of("\"verbose\""), 5);
    assert_int_equal(level_of("\"debug\""), 5);
    assert_int_equal(level_of("1"), 1);
    assert_int_equal(level_of("255"), 255);
    assert_int_equal(level_of("null"), 0);
    static const char *const bad[] = { "0", "256", "1.5", "-1", "\"Warning\"", "\"\"", "true" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[128], line[256];
        snprintf(text, sizeof text, "{\"default\": {\"level\": %s}}", bad[i]);
        snprintf(line, sizeof line,
                 "t.json:1:23: 'level' must be 1..255 or critical, error, warning, info, "
                 "verbose or debug%s",
                 strcmp(bad[i], "true") == 0 ? ", not a boolean" : "");
        expect_errors(text, line, NULL);
    }
}

static void test_keyword_forms(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint64_t keyword;
    } good[] = {
        { "0", 0 },
        { "16", 16 },
        { "\"0x10\"", 0x10 },
        { "\"0XfF\"", 0xff },
        { "\"0xffffffffffffffff\"", UINT64_MAX },
        { "18446744073709551615", UINT64_MAX },
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "{\"default\": {\"keyword\": %s}}", good[i].text);
        ehs_config *config = load_ok(text);
        assert_true(config->default_event.has_keyword);
        assert_true(config->default_event.keyword == good[i].keyword);
        ehs_config_free(config);
    }
    static const char *const bad[] = {
        "\"0x\"", "\"10\"", "\"0x1g\"", "1.5", "-1", "1e3", "\"0x10000000000000000\"",
        "18446744073709551616",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "{\"default\": {\"keyword\": %s}}", bad[i]);
        expect_errors(text,
                      "t.json:1:25: 'keyword' must be an integer or a hex string such as '0x10'",
                      NULL);
    }
    expect_errors("{\"default\": {\"keyword\": []}}",
                  "t.json:1:25: 'keyword' must be an integer or a hex string such as '0x10', "
                  "not an array",
                  NULL);
}

static void test_regex_fields(void **state)
{
    (void)state;
    ehs_config *config = load_ok(
        "{\"rules\": [{\"name\": \"R\","
        " \"regex\": \"^(?<b>x)(y)(?'a'z)(?P<c>w)?\","
        " \"fields\": {\"a\": \"u16\", \"c\": \"ipv4\"}}]}");
    const ehs_rule *rule = &config->rules[0];
    assert_int_equal(rule->matcher, EHS_MATCH_REGEX);
    assert_int_equal(rule->capture_count, 4);
    assert_int_equal(config->max_capture_count, 4);
    assert_int_equal(rule->field_count, 3);
    assert_string_equal(rule->fields[0].name, "b");
    assert_int_equal(rule->fields[0].name_len, 1);
    assert_int_equal(rule->fields[0].group, 1);
    assert_int_equal(rule->fields[0].type, EHS_TYPE_STRING);
    assert_string_equal(rule->fields[1].name, "a");
    assert_int_equal(rule->fields[1].group, 3);
    assert_int_equal(rule->fields[1].type, EHS_TYPE_U16);
    assert_string_equal(rule->fields[2].name, "c");
    assert_int_equal(rule->fields[2].group, 4);
    assert_int_equal(rule->fields[2].type, EHS_TYPE_IPV4);

    /* The compiled code matches bytes, invalid UTF-8 included. */
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(rule->code, NULL);
    assert_non_null(md);
    assert_true(pcre2_match(rule->code, (PCRE2_SPTR) "xyzw", 4, 0, 0, md,
                            config->match_context) > 0);
    pcre2_match_data_free(md);
    ehs_config_free(config);

    config = load_ok("{\"rules\": [{\"name\": \"R\", \"regex\": \"caf\\u00e9 (?<v>.)\"}]}");
    rule = &config->rules[0];
    md = pcre2_match_data_create_from_pattern(rule->code, NULL);
    assert_true(pcre2_match(rule->code, (PCRE2_SPTR) "caf\xc3\xa9 \xff", 7, 0, 0, md,
                            config->match_context) > 0);
    pcre2_match_data_free(md);
    ehs_config_free(config);
}

static void test_grok_fields(void **state)
{
    (void)state;
    ehs_config *config = load_ok(
        "{\"patterns\": {\"SSHUSER\": \"[a-z]+\", \"PAIR\": \"%{SSHUSER}=%{INT}\"},"
        " \"rules\": [{\"name\": \"G\", \"grok\":"
        " \"for (invalid )?%{SSHUSER:user} from %{IP:ip} port %{INT:port:u16} %{PAIR:p}\","
        " \"fields\": {\"ip\": \"ip\", \"port\": \"u16\"}}]}");
    const ehs_rule *rule = &config->rules[0];
    assert_int_equal(rule->matcher, EHS_MATCH_GROK);
    assert_non_null(rule->code);
    assert_non_null(rule->pattern);
    assert_int_equal(rule->capture_count, 5);
    assert_int_equal(rule->field_count, 4);
    assert_string_equal(rule->fields[0].name, "user");
    assert_int_equal(rule->fields[0].group, 2);
    assert_int_equal(rule->fields[0].type, EHS_TYPE_STRING);
    assert_string_equal(rule->fields[1].name, "ip");
    assert_int_equal(rule->fields[1].group, 3);
    assert_int_equal(rule->fields[1].type, EHS_TYPE_IP);
    assert_string_equal(rule->fields[2].name, "port");
    assert_int_equal(rule->fields[2].group, 4);
    assert_int_equal(rule->fields[2].type, EHS_TYPE_U16);
    assert_string_equal(rule->fields[3].name, "p");
    assert_int_equal(rule->fields[3].group, 5);

    pcre2_match_data *md = pcre2_match_data_create_from_pattern(rule->code, NULL);
    const char *line = "for bob from 10.0.0.1 port 22 ab=12";
    assert_int_equal(pcre2_match(rule->code, (PCRE2_SPTR)line, strlen(line), 0, 0, md,
                                 config->match_context),
                     6);
    pcre2_match_data_free(md);
    ehs_config_free(config);

    /* A grok ":int" suffix maps through the aliases. */
    config = load_ok("{\"rules\": [{\"name\": \"G\", \"grok\": \"%{INT:n:int} %{NUMBER:f:float}\"}]}");
    assert_int_equal(config->rules[0].fields[0].type, EHS_TYPE_I64);
    assert_int_equal(config->rules[0].fields[1].type, EHS_TYPE_F64);
    ehs_config_free(config);
}

static void test_kv_after_and_members(void **state)
{
    (void)state;
    ehs_config *config = load_ok(
        "{\"rules\": ["
        " {\"name\": \"A\", \"regex\": \"^(?<who>\\\\w+): \", \"kv\": true,"
        "  \"fields\": {\"who\": \"string\", \"status\": \"u16\", \"ms\": \"f64\"}},"
        " {\"name\": \"B\", \"grok\": \"^%{WORD:w} \", \"kv\": true},"
        " {\"name\": \"C\", \"kv\": true, \"fields\": {\"pid\": \"pid\"}},"
        " {\"name\": \"D\", \"json\": true, \"fields\": {\"code\": \"i32\"}, \"kv\": false}"
        "]}");
    const ehs_rule *a = &config->rules[0];
    assert_int_equal(a->matcher, EHS_MATCH_REGEX);
    assert_true(a->kv_after);
    assert_int_equal(a->field_count, 3);
    assert_string_equal(a->fields[0].name, "who");
    assert_int_equal(a->fields[0].group, 1);
    assert_string_equal(a->fields[1].name, "status");
    assert_int_equal(a->fields[1].group, 0);
    assert_int_equal(a->fields[1].type, EHS_TYPE_U16);
    assert_string_equal(a->fields[2].name, "ms");
    assert_int_equal(a->fields[2].group, 0);
    assert_int_equal(a->fields[2].type, EHS_TYPE_F64);
    const ehs_rule *b = &config->rules[1];
    assert_int_equal(b->matcher, EHS_MATCH_GROK);
    assert_true(b->kv_after);
    const ehs_rule *c = &config->rules[2];
    assert_int_equal(c->matcher, EHS_MATCH_KV);
    assert_false(c->kv_after);
    assert_int_equal(c->field_count, 1);
    assert_int_equal(c->fields[0].type, EHS_TYPE_PID);
    assert_int_equal(c->fields[0].group, 0);
    const ehs_rule *d = &config->rules[3];
    assert_int_equal(d->matcher, EHS_MATCH_JSON);
    assert_int_equal(d->field_count, 1);
    assert_string_equal(d->fields[0].name, "code");
    assert_int_equal(d->fields[0].type, EHS_TYPE_I32);
    ehs_config_free(config);
}

static void test_level_field(void **state)
{
    (void)state;
    ehs_config *config = load_ok(
        "{\"rules\": ["
        " {\"name\": \"A\", \"regex\": \"^(?<x>.)(?<sev>[A-Z]+)\", \"level\": 4,"
        "  \"level_field\": \"sev\", \"level_map\": {\"ERR\": \"error\", \"W\": 3, \"X\": 200}},"
        " {\"name\": \"B\", \"kv\": true, \"level_field\": \"lvl\", \"level_map\": {\"e\": 2}}"
        "]}");
    const ehs_rule *a = &config->rules[0];
    assert_string_equal(a->level_field, "sev");
    assert_int_equal(a->level_field_group, 2);
    assert_int_equal(a->level, 4);
    assert_int_equal(a->level_map_count, 3);
    assert_string_equal(a->level_map[0].value, "ERR");
    assert_int_equal(a->level_map[0].value_len, 3);
    assert_int_equal(a->level_map[0].level, 2);
    assert_string_equal(a->level_map[1].value, "W");
    assert_int_equal(a->level_map[1].level, 3);
    assert_int_equal(a->level_map[2].level, 200);
    const ehs_rule *b = &config->rules[1];
    assert_string_equal(b->level_field, "lvl");
    assert_int_equal(b->level_field_group, 0);
    assert_int_equal(b->level_map_count, 1);
    ehs_config_free(config);
}

/* ---- errors ---- */

static void test_syntax_error_positions(void **state)
{
    (void)state;
    expect_errors("", "t.json:1:1: the config is empty; it must be a JSON object such as {}",
                  NULL);
    expect_errors("\n  \n", "t.json:3:1: the config is empty; it must be a JSON object such as {}",
                  NULL);
    expect_errors("{\n\t\"a\" 1}",
                  "t.json:2:6: expected ':' after the member name, found '1'", NULL);
    expect_errors("{\"a\": [1, 2,]}",
                  "t.json:1:13: expected a value, found ']' (JSON allows no comma before ']')",
                  NULL);
    expect_errors("{\"a\": \"x\ny\"}",
                  "t.json:1:9: the line ends inside a string (a newline is written \\n)", NULL);
    expect_errors("{\"a\": \"\xc3\x28\"}",
                  "t.json:1:8: invalid UTF-8 in a string (byte 0xc3); configs are UTF-8", NULL);
    expect_errors("{\"a\": 1.}", "t.json:1:9: expected a digit after '.', found '}'", NULL);
    expect_errors("{\"a\": -x}", "t.json:1:8: expected a digit after '-', found 'x'", NULL);
    expect_errors("{\"a\": 1e}", "t.json:1:9: expected a digit in the exponent, found '}'", NULL);
    expect_errors("{\"a\": \"\\x\"}",
                  "t.json:1:8: invalid escape \\x in a string (a backslash is written \\\\, so a "
                  "regex's \\x is \\\\x)",
                  NULL);
    expect_errors("{\"a\": \"\\u12\"}", "t.json:1:8: invalid escape \\u: it needs four hex digits",
                  NULL);
    expect_errors("{\"a\": \"\\uDC00\"}",
                  "t.json:1:8: \\uDC00 is the low half of a surrogate pair without its high half",
                  NULL);
    expect_errors("{\"a\": \"ab", "t.json:1:10: end of file inside a string", NULL);
    expect_errors("{\"a\": 1", "t.json:1:8: expected ',' or '}' after an object member, found end "
                               "of file",
                  NULL);
    expect_errors("{} // x",
                  "t.json:1:4: unexpected '/' after the end of the top-level value (JSON has no "
                  "comments)",
                  NULL);
    expect_errors("{\"a\": nul}", "t.json:1:10: invalid literal: expected null, found '}'", NULL);
    expect_errors("{\"a\": \x01}", "t.json:1:7: expected a value, found byte 0x01", NULL);

    char deep[200] = "{\"a\":";
    for (int i = 0; i < 70; i++)
        strcat(deep, "[");
    expect_errors(deep, "t.json:1:69: objects and arrays nest deeper than 64 levels", NULL);
}

static void test_config_error_positions(void **state)
{
    (void)state;
    expect_errors("{\"rules\": [{\"name\": \"a\", \"regex\": \"x\", \"regx\": 1}]}",
                  "t.json:1:40: unknown key 'regx' in a rule (did you mean 'regex'?)", NULL);
    expect_errors("{\"inherit\": true, \"inherit\": false}",
                  "t.json:1:19: duplicate key 'inherit' (first at 1:2)", NULL);
    /* PCRE2's offsets in the decoded pattern map back across the escapes:
     * "\t" and "\u0041" are one byte each, "\u00e9" two. */
    expect_errors("{\"rules\": [{\"name\": \"a\", \"regex\": \"\\t\\u0041a{2,1}b\"}]}",
                  "t.json:1:49: bad regex: numbers out of order in {} quantifier", NULL);
    expect_errors("{\"rules\": [{\"name\": \"a\", \"regex\": \"\\\\d\\u00e9\\\\d\\\\q\"}]}",
                  "t.json:1:50: bad regex: unrecognized character follows \\", NULL);
    /* An error at the end of the pattern points at the closing quote. */
    expect_errors("{\"rules\": [{\"name\": \"a\", \"regex\": \"\\t\\u0041(\"}]}",
                  "t.json:1:45: bad regex: missing closing parenthesis", NULL);
    expect_errors("{\"rules\": [{\"name\": \"a\", \"regex\": \"\\\\d+(?<ident>x)\"}]}",
                  "t.json:1:43: capture name 'ident' is reserved: events carry 'ident', 'facility', "
                  "'truncated' and 'msg' themselves",
                  NULL);
    expect_errors("{\"message_field\": \"text\", \"rules\": [{\"name\": \"a\", \"regex\": "
                  "\"(?<msg>x)(?<text>y)\"}]}",
                  "t.json:1:73: capture name 'text' is reserved: events carry 'ident', 'facility', "
                  "'truncated' and 'text' themselves",
                  NULL);
    expect_errors("{\"rules\": [{\"name\": \"a\", \"grok\": \"x %{NOPE:v}\"}]}",
                  "t.json:1:37: unknown grok pattern 'NOPE'", NULL);
    expect_errors("{\"rules\": [{\"name\": \"a\", \"grok\": \"%{INT:truncated}\"}]}",
                  "t.json:1:41: capture name 'truncated' is reserved: events carry 'ident', "
                  "'facility', 'truncated' and 'msg' themselves",
                  NULL);
    expect_errors("{\"rules\": [{\"name\": \"a\", \"grok\": \"%{INT:n:u128}\"}]}",
                  "t.json:1:43: unknown type 'u128' (types: string, i8, i16, i32, i64, u8, u16, "
                  "u32, u64, int, uint, hex, f32, f64, float, bool, ip, ipv4, ipv6, port, pid, "
                  "errno, time, uuid, hexbytes)",
                  NULL);
    expect_errors("{\"rules\": [{\"name\": \"a\", \"grok\": \"%{INT:n:u8}\","
                  " \"fields\": {\"n\": \"u16\"}}]}",
                  "t.json:1:65: capture 'n' is u8 in the grok expression but u16 in 'fields'",
                  NULL);
    expect_errors("{\"patterns\": {\"A\": \"%{B}\", \"B\": \"x(\"}, \"rules\": [{\"name\": \"a\","
                  " \"grok\": \"%{A:v}\"}]}",
                  "t.json:1:36: bad regex in grok pattern 'B': missing closing parenthesis", NULL);
    /* A cycle is reported once, whatever its length; rules using it stay quiet. */
    expect_errors("{\"patterns\": {\"A\": \"%{B}\", \"B\": \"%{A}\"},"
                  " \"rules\": [{\"name\": \"a\", \"grok\": \"%{A:v}\"}]}",
                  "t.json:1:34: grok pattern cycle: A -> B -> A", NULL);
    expect_errors("{\"patterns\": {\"A\": \"%{B}\", \"B\": \"%{C}\", \"C\": \"x%{A}\"},"
                  " \"rules\": [{\"name\": \"a\", \"grok\": \"%{B:v}\"}]}",
                  "t.json:1:48: grok pattern cycle: A -> B -> C -> A", NULL);
    expect_errors("{\"patterns\": {\"A\": \"%{NOPE}\", \"B\": \"%{A}\"},"
                  " \"rules\": [{\"name\": \"a\", \"grok\": \"%{B:v}\"}]}",
                  "t.json:1:21: unknown grok pattern 'NOPE'", NULL);
    /* A pattern that is no string breaks what uses it, quietly. */
    expect_errors("{\"patterns\": {\"A\": 5, \"B\": \"%{A}\"},"
                  " \"rules\": [{\"name\": \"a\", \"grok\": \"%{A:v} %{B:w}\"}]}",
                  "t.json:1:20: grok pattern 'A' must be a regex string, not a number", NULL);
    expect_errors("{\"rules\": [{\"name\": \"a\", \"kv\": true, \"fields\": {\"ident\": \"u8\"}}]}",
                  "t.json:1:49: field name 'ident' is reserved: events carry 'ident', 'facility', "
                  "'truncated' and 'msg' themselves",
                  NULL);
    expect_errors("{\"rules\": [{\"name\": \"a\", \"regex\": \"x\", \"level_field\": \"x\"}]}",
                  "t.json:1:40: 'level_field' needs a 'level_map' from its values to levels",
                  "t.json:1:55: 'level_field' names 'x', which is no named capture of this rule",
                  NULL);
    expect_errors("{\"rules\": [{\"name\": \"a\", \"json\": true, \"regex\": \"x\"}]}",
                  "t.json:1:40: a rule has one matcher, but this one has both 'json' and 'regex'",
                  NULL);
    expect_errors("{\"rules\": [{\"regex\": \"x\"}, {\"name\": \"\", \"kv\": true}]}",
                  "t.json:1:12: a rule needs a 'name'",
                  "t.json:1:37: 'name' must not be empty", NULL);
    expect_errors("{\"provider\": \"\", \"group\": \"\"}",
                  "t.json:1:14: 'provider' must not be empty (leave it out for the default)",
                  "t.json:1:27: 'group' must not be empty (leave it out for the default)", NULL);
}

static void test_errors_may_be_null(void **state)
{
    (void)state;
    ehs_config *config = (ehs_config *)1;
    assert_int_equal(ehs_config_load_text("x", "{\"nope\": 1}", 11, &config, NULL), EINVAL);
    assert_null(config);
    /* Text need not be NUL-terminated: only `len` bytes count. */
    assert_int_equal(ehs_config_load_text("x", "{}garbage", 2, &config, NULL), 0);
    ehs_config_free(config);
    assert_int_equal(ehs_config_load_text(NULL, NULL, 0, &config, NULL), EINVAL);
}

static void test_load_file(void **state)
{
    (void)state;
    ehs_config *config = (ehs_config *)1;
    ehs_errors errors = { 0 };
    assert_int_equal(ehs_config_load_file("/nonexistent/c.json", &config, &errors), ENOENT);
    assert_null(config);
    assert_int_equal(errors.count, 1);
    assert_string_equal(errors.lines[0], "/nonexistent/c.json: cannot read: No such file or "
                                         "directory");
    ehs_errors_free(&errors);
    assert_int_equal(errors.count, 0);
    assert_null(errors.lines);

    char path[] = "/tmp/ehs_config_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "{\"provider\": \"FromFile\"}\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(ehs_config_load_file(path, &config, &errors), 0);
    assert_string_equal(config->provider, "FromFile");
    assert_string_equal(config->path, path);
    ehs_config_free(config);
    unlink(path);
}

/* ---- robustness ---- */

static const char *const valid_configs[] = {
    "{\n"
    "  \"provider\": \"MyService\",\n"
    "  \"group\": \"myorg\",\n"
    "  \"capture\": { \"syslog\": true, \"stderr\": true },\n"
    "  \"message_field\": \"msg\",\n"
    "  \"max_message_bytes\": 3072,\n"
    "  \"inherit\": true,\n"
    "  \"patterns\": { \"SSHUSER\": \"[A-Za-z0-9._-]+\" },\n"
    "  \"rules\": [\n"
    "    {\n"
    "      \"name\": \"LoginFailed\",\n"
    "      \"source\": \"syslog\",\n"
    "      \"ident\": \"sshd\",\n"
    "      \"grok\": \"Failed password for (invalid user )?%{SSHUSER:user} from %{IP:ip} port "
    "%{INT:port}\",\n"
    "      \"fields\": { \"port\": \"port\", \"ip\": \"ip\" },\n"
    "      \"level\": \"warning\",\n"
    "      \"keyword\": \"0x10\"\n"
    "    },\n"
    "    {\n"
    "      \"name\": \"Request\",\n"
    "      \"source\": \"stderr\",\n"
    "      \"regex\": \"^(?<method>GET|POST) (?<path>\\\\S+) (?<status>\\\\d{3}) "
    "(?<ms>[0-9.]+)ms$\",\n"
    "      \"fields\": { \"status\": \"u16\", \"ms\": \"f64\" }\n"
    "    },\n"
    "    { \"name\": \"Noise\", \"regex\": \"^DEBUG heartbeat\", \"drop\": true },\n"
    "    { \"name\": \"Kv\", \"source\": \"stderr\", \"regex\": \"^kv: \", \"kv\": true }\n"
    "  ],\n"
    "  \"default\": { \"level\": null, \"drop\": false }\n"
    "}\n",
    "{\"rules\": [{\"name\": \"L\", \"regex\": \"^(?<sev>\\\\w+) \\u00e9\\ud83d\\ude00\","
    " \"level_field\": \"sev\", \"level_map\": {\"E\": \"error\"}, \"id\": 1, \"version\": 2,"
    " \"tag\": 3, \"time_format\": \"%s\"}, {\"name\": \"J\", \"json\": true,"
    " \"fields\": {\"t\": \"time\"}}], \"default\": {\"name\": \"D\", \"keyword\": 1}}",
};

/* Loads `text` and checks the outcome is sane: success, or errors that all
 * carry a position. */
static void load_any(const char *text, size_t len)
{
    ehs_config *config = NULL;
    ehs_errors errors = { 0 };
    int rc = ehs_config_load_text("f.json", text, len, &config, &errors);
    if (rc == 0) {
        assert_non_null(config);
        assert_int_equal(errors.count, 0);
        ehs_config_free(config);
        return;
    }
    assert_int_equal(rc, EINVAL);
    assert_null(config);
    assert_true(errors.count > 0);
    for (size_t i = 0; i < errors.count; i++) {
        unsigned line = 0, column = 0;
        if (sscanf(errors.lines[i], "f.json:%u:%u: ", &line, &column) != 2 || line == 0 ||
            column == 0)
            fail_msg("no position: %s", errors.lines[i]);
    }
    ehs_errors_free(&errors);
}

static void test_every_prefix(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof valid_configs / sizeof valid_configs[0]; c++) {
        const char *text = valid_configs[c];
        size_t len = strlen(text);
        for (size_t n = 0; n <= len; n++) {
            /* A heap copy of exactly n bytes lets ASan catch reads past the end. */
            char *copy = malloc(n ? n : 1);
            assert_non_null(copy);
            memcpy(copy, text, n);
            load_any(copy, n);
            free(copy);
        }
    }
}

static void test_byte_mutations(void **state)
{
    (void)state;
    static const char replacements[] = { '"', '\\', '{', '}', '[', ']', ',', ':', '0', 'x', '\0',
                                         '\n', (char)0xff, (char)0xc3, '%', '(', ';' };
    for (size_t c = 0; c < sizeof valid_configs / sizeof valid_configs[0]; c++) {
        const char *text = valid_configs[c];
        size_t len = strlen(text);
        char *copy = malloc(len);
        assert_non_null(copy);
        for (size_t i = 0; i < len; i++) {
            for (size_t r = 0; r < sizeof replacements; r++) {
                memcpy(copy, text, len);
                copy[i] = replacements[r];
                load_any(copy, len);
            }
        }
        free(copy);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_of_empty_object),
        cmocka_unit_test(test_new_default),
        cmocka_unit_test(test_top_level_keys),
        cmocka_unit_test(test_provider_length_limit),
        cmocka_unit_test(test_rule_keys),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_level_words),
        cmocka_unit_test(test_keyword_forms),
        cmocka_unit_test(test_regex_fields),
        cmocka_unit_test(test_grok_fields),
        cmocka_unit_test(test_kv_after_and_members),
        cmocka_unit_test(test_level_field),
        cmocka_unit_test(test_syntax_error_positions),
        cmocka_unit_test(test_config_error_positions),
        cmocka_unit_test(test_errors_may_be_null),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_byte_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
