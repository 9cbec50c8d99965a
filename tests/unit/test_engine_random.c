/*
 * Hostile and random messages: random bytes, generated JSON (deep, wide,
 * long strings, every value kind), mutated JSON, kv soup and long lines
 * through regex, grok, kv and json rules. Every event must build within
 * the 64 KiB limit and decode; nothing may crash (run under ASan/UBSan
 * too). Fixed seeds, so a failure repeats.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/xorshift.h"
#include "engine_harness.h"
#include "json_message.h"

static uint64_t rng_state;

static uint64_t next_random(void)
{
    return xorshift_next(&rng_state);
}

static size_t below(size_t n)
{
    return n == 0 ? 0 : (size_t)(next_random() % n);
}

typedef struct text {
    char *chars;
    size_t len, capacity;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->len + n > t->capacity)
        n = t->capacity - t->len;
    memcpy(t->chars + t->len, s, n);
    t->len += n;
}

static void puts_(text *t, const char *s)
{
    put(t, s, strlen(s));
}

static void random_string(text *t, size_t max)
{
    static const char *const pieces[] = { "a", "Z", " ", "\\\"", "\\\\", "\\n", "\\u00e9",
                                          "\\ud83d\\ude00", "\\ud800", "\xc3\xa9", "=", "{",
                                          "msg", "ident", "\\u0000", "0x1f", "-1.5e3" };
    size_t n = below(max);
    puts_(t, "\"");
    for (size_t i = 0; i < n; i++)
        puts_(t, pieces[below(sizeof pieces / sizeof pieces[0])]);
    puts_(t, "\"");
}

static void random_json_value(text *t, int depth)
{
    char number[40];
    switch (below(depth > 6 ? 6 : 9)) {
    case 0: random_string(t, 12); break;
    case 1: snprintf(number, sizeof number, "%lld", (long long)(next_random() >> below(64)) *
                                                         (below(2) ? -1 : 1));
            puts_(t, number); break;
    case 2: snprintf(number, sizeof number, "%.*g", (int)below(20) + 1,
                     (double)(int64_t)next_random() / (double)(1 + below(1000000)));
            puts_(t, number); break;
    case 3: puts_(t, below(2) ? "true" : "false"); break;
    case 4: puts_(t, below(4) ? "null" : "1e999"); break;
    case 5: puts_(t, "18446744073709551616"); break;
    case 6:
    case 7: {
        puts_(t, "{");
        size_t n = below(depth == 0 ? 40 : 6);
        for (size_t i = 0; i < n; i++) {
            if (i)
                puts_(t, ",");
            random_string(t, 3);
            puts_(t, ":");
            random_json_value(t, depth + 1);
        }
        puts_(t, "}");
        break;
    }
    default: {
        puts_(t, "[");
        size_t n = below(below(8) == 0 ? 300 : 6);
        int kind = (int)below(4);
        for (size_t i = 0; i < n; i++) {
            if (i)
                puts_(t, ",");
            if (kind == 0)
                random_string(t, 4);
            else if (kind == 1)
                puts_(t, below(2) ? "12" : "-3.5");
            else if (kind == 2)
                puts_(t, below(2) ? "true" : "false");
            else
                random_json_value(t, depth + 1);
        }
        puts_(t, "]");
        break;
    }
    }
}

static void random_kv(text *t)
{
    static const char *const pieces[] = { "a=1", "b=\"x y\"", "c", "=", "\"", "d=\"open",
                                          "e=\\\"", "msg=m", "ident=i", "status=200",
                                          "status=abc", "level=error", "\x01", "k\"v\"",
                                          "long=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" };
    size_t n = below(300);
    for (size_t i = 0; i < n; i++) {
        puts_(t, pieces[below(sizeof pieces / sizeof pieces[0])]);
        puts_(t, below(4) ? " " : "\t");
    }
}

static void random_bytes(text *t)
{
    size_t n = below(below(10) == 0 ? 70000 : 300);
    for (size_t i = 0; i < n && t->len < t->capacity; i++)
        t->chars[t->len++] = (char)next_random();
}

static const char config_text[] =
    "{ 'provider': 'P', 'max_message_bytes': 65000, 'rules': ["
    "  { 'name': 'Json', 'json': true, 'fields': { 'a': 'u8', 'b.c': 'ip' },"
    "    'level_field': 'level', 'level_map': { 'error': 2 } },"
    "  { 'name': 'Req', 'regex': '^(?<m>GET|POST) (?<path>[^ ]*) ?', 'kv': true,"
    "    'fields': { 'status': 'u16', 'path': 'hexbytes' } },"
    "  { 'name': 'Grok', 'grok': '%{WORD:w} %{NUMBER:n:f32} %{GREEDYDATA:rest}' },"
    "  { 'name': 'Kv', 'kv': true, 'fields': { 'a': 'i8' } }"
    "] }";

/* Events per rule (the last slot: the default event). */
static size_t hits[8];

static void check_one(harness *h, const char *message, size_t len)
{
    /* harness_message asserts the event copies (fits 64 KiB) and decodes. */
    harness_message(h, below(2) ? EHS_SOURCE_SYSLOG : EHS_SOURCE_STDERR, "fuzz", 38, message, len);
    const ehs_rule *rule = h->outcome.rule;
    hits[rule != NULL ? (size_t)(rule - h->config->rules) : 7]++;
}

static void test_random_messages(void **state)
{
    (void)state;
    harness *h = harness_new(config_text);
    text t = { malloc(80000), 0, 80000 };
    assert_non_null(t.chars);
    rng_state = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 6000; i++) {
        t.len = 0;
        switch (i % 6) {
        case 0: random_json_value(&t, 0); break;
        case 1: puts_(&t, "{\"x\":"); random_json_value(&t, 1); puts_(&t, "}"); break;
        case 2: random_kv(&t); break;
        case 3: puts_(&t, below(2) ? "GET " : "POST /a "); random_kv(&t); break;
        case 4: random_bytes(&t); break;
        default: puts_(&t, "word 1.5 "); random_bytes(&t); break;
        }
        /* A copy of exactly the message's size, so ASan sees any overread. */
        char *exact = malloc(t.len ? t.len : 1);
        assert_non_null(exact);
        memcpy(exact, t.chars, t.len);
        check_one(h, exact, t.len);
        free(exact);
    }
    /* Every rule and the default event took part. */
    for (size_t r = 0; r < h->config->rule_count; r++)
        assert_true(hits[r] > 100);
    assert_true(hits[7] > 100);
    free(t.chars);
    harness_free(h);
}

/* Valid JSON cut or with one byte changed: the scanner decides without
 * reading past the end, and whatever it accepts builds and decodes. */
static void test_mutated_json(void **state)
{
    (void)state;
    harness *h = harness_new(config_text);
    text t = { malloc(80000), 0, 80000 };
    assert_non_null(t.chars);
    rng_state = 0x2545F4914F6CDD1Du;
    static const char replacements[] = "{}[]\",:\\ 0-eE.tfn\x01\x80";
    size_t accepted = 0;
    for (int i = 0; i < 4000; i++) {
        t.len = 0;
        puts_(&t, "{\"k\":");
        random_json_value(&t, 1);
        puts_(&t, "}");
        size_t len = t.len;
        if (below(2))
            len = below(len + 1);
        else
            t.chars[below(len)] = replacements[below(sizeof replacements - 1)];
        char *exact = malloc(len ? len : 1);
        assert_non_null(exact);
        memcpy(exact, t.chars, len);
        accepted += ehs_json_is_object(exact, len);
        check_one(h, exact, len);
        free(exact);
    }
    assert_true(accepted > 0 && accepted < 4000);
    free(t.chars);
    harness_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_messages),
        cmocka_unit_test(test_mutated_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
