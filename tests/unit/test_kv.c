/*
 * The logfmt tokeniser: pairs, quoting, bare keys, and what becomes of
 * garbage, checked token by token; then every byte pattern of short lines
 * to show it never reads outside the text or loops.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kv.h"

/* Renders the pairs of `text` as "key=value|" (quoted values as
 * key="raw"|, bare keys as key|) to compare in one string. */
static const char *tokens(const char *text, size_t len)
{
    static char out[1024];
    size_t n = 0;
    ehs_kv_cursor cursor;
    ehs_kv_pair pair;
    ehs_kv_start(&cursor, text, len);
    out[0] = '\0';
    while (ehs_kv_next(&cursor, &pair)) {
        assert_true(pair.key >= text && pair.key + pair.key_len <= text + len);
        assert_true(pair.value >= text && pair.value + pair.value_len <= text + len);
        assert_true(pair.key_len > 0);
        if (pair.bare)
            n += (size_t)snprintf(out + n, sizeof out - n, "%.*s|", (int)pair.key_len, pair.key);
        else if (pair.quoted)
            n += (size_t)snprintf(out + n, sizeof out - n, "%.*s=\"%.*s\"|", (int)pair.key_len,
                                  pair.key, (int)pair.value_len, pair.value);
        else
            n += (size_t)snprintf(out + n, sizeof out - n, "%.*s=%.*s|", (int)pair.key_len,
                                  pair.key, (int)pair.value_len, pair.value);
        assert_true(n < sizeof out);
    }
    return out;
}

#define assert_tokens(text, expected) assert_string_equal(tokens(text, strlen(text)), expected)

static void test_pairs(void **state)
{
    (void)state;
    assert_tokens("", "");
    assert_tokens("   \t ", "");
    assert_tokens("a=1", "a=1|");
    assert_tokens("a=1 b=two\tc=3.5", "a=1|b=two|c=3.5|");
    assert_tokens("  a=1   b=2  ", "a=1|b=2|");
    assert_tokens("level=info msg=\"hello world\" took=12ms",
                  "level=info|msg=\"hello world\"|took=12ms|");
    assert_tokens("path=/a/b?x=1&y=2", "path=/a/b?x=1&y=2|"); /* '=' inside a value */
    assert_tokens("a.b-c_d:e=1", "a.b-c_d:e=1|");
    assert_tokens("empty= next=1", "empty=|next=1|");
    assert_tokens("empty=\"\" x", "empty=\"\"|x|");
    assert_tokens("utf8=caf\xc3\xa9 k\xc3\xa9y=v", "utf8=caf\xc3\xa9|k\xc3\xa9y=v|");
}

static void test_quoting(void **state)
{
    (void)state;
    assert_tokens("q=\"a \\\"b\\\" c\" z=1", "q=\"a \\\"b\\\" c\"|z=1|");
    assert_tokens("q=\"back\\\\\" z=1", "q=\"back\\\\\"|z=1|");
    /* No closing quote: the value is the rest of the line. */
    assert_tokens("a=1 q=\"open ended z=2", "a=1|q=\"open ended z=2\"|");
    assert_tokens("q=\"", "q=\"\"|");
    assert_tokens("q=\"ends in backslash\\", "q=\"ends in backslash\\\"|");
}

static void test_bare_keys(void **state)
{
    (void)state;
    assert_tokens("debug", "debug|");
    assert_tokens("a=1 verbose b=2", "a=1|verbose|b=2|");
    assert_tokens("x y z", "x|y|z|");
}

static void test_garbage(void **state)
{
    (void)state;
    /* Tokens that start with '=' or '"' are skipped whole. */
    assert_tokens("=1 a=1", "a=1|");
    assert_tokens("==== a=1", "a=1|");
    assert_tokens("\"quoted words\" a=1", "a=1|");
    assert_tokens("\"open a=1", "");
    /* A key followed by a quote, a closing quote followed by more. */
    assert_tokens("k\"v\" a=1", "a=1|");
    assert_tokens("a=\"x\"y b=2", "b=2|");
    assert_tokens("a=\"x\"\"y z\" b=2", "b=2|");
    /* Control bytes are not key bytes; NUL included. */
    assert_tokens("a\x01=1 b=2", "b=2|");
    const char with_nul[] = "a\0b=1 c=2";
    assert_string_equal(tokens(with_nul, sizeof with_nul - 1), "c=2|");
    assert_tokens("\x7f=1 d=4", "d=4|");
    /* Values run to a space, whatever they hold. */
    assert_tokens("a=\x01\x02 b=\"", "a=\x01\x02|b=\"\"|");
}

static void test_has_pair(void **state)
{
    (void)state;
    assert_true(ehs_kv_has_pair("a=1", 3));
    assert_true(ehs_kv_has_pair("just words and a=1", 18));
    assert_true(ehs_kv_has_pair("a=", 2));
    assert_false(ehs_kv_has_pair("just some words", 15));
    assert_false(ehs_kv_has_pair("", 0));
    assert_false(ehs_kv_has_pair("=1 \"x=1\"", 8));
}

/* Every string of up to 5 bytes over a small alphabet of the bytes that
 * matter: tokenising must end, and every pair must lie inside the text
 * (checked in tokens()); the copy is exactly len bytes long, so ASan sees
 * any read past it. */
/* Every byte value in a key, as kv.h's grammar has it: a key byte is any
 * byte above ' ' but DEL, '=' and '"'. "a<b>b=v" is then the pair of key
 * "a<b>b"; any other byte ends the key or the token before it. */
static void test_every_key_byte(void **state)
{
    (void)state;
    for (unsigned b = 0; b < 256; b++) {
        char text[] = { 'a', (char)b, 'b', '=', 'v' };
        bool key_byte = b > ' ' && b != 0x7F && b != '=' && b != '"';
        ehs_kv_cursor cursor;
        ehs_kv_pair pair;
        ehs_kv_start(&cursor, text, sizeof text);
        bool first = ehs_kv_next(&cursor, &pair);
        bool whole = first && pair.key == text && pair.key_len == 3 && !pair.bare &&
                     pair.value_len == 1 && pair.value[0] == 'v';
        if (whole != key_byte)
            fail_msg("byte 0x%02x: read as %sa key byte", b, whole ? "" : "not ");
    }
}

static void test_exhaustive_short_lines(void **state)
{
    (void)state;
    static const char alphabet[] = { 'a', '=', '"', '\\', ' ', '\t', '\0', 'z' };
    enum { K = sizeof alphabet, MAX = 5 };
    char text[MAX];
    for (size_t len = 0; len <= MAX; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= K;
        for (size_t code = 0; code < total; code++) {
            size_t c = code;
            for (size_t i = 0; i < len; i++, c /= K)
                text[i] = alphabet[c % K];
            char *exact = malloc(len ? len : 1);
            assert_non_null(exact);
            memcpy(exact, text, len);
            tokens(exact, len);
            ehs_kv_has_pair(exact, len);
            free(exact);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_bare_keys),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_has_pair),
        cmocka_unit_test(test_every_key_byte),
        cmocka_unit_test(test_exhaustive_short_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
