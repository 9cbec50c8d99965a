/*
 * The shim's line assembler (shim/lines.c), on its own: stderr bytes in, in
 * whatever pieces, complete lines out, one sink call per line, cut to the
 * capacity but never split or dropped; then random splits of the same bytes
 * must give the same lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The assembler is internal to the library: compile it into the test. */
#include "../../shim/lines.c"

#define MAX_LINES 64

/* What the sink received. */
typedef struct received {
    size_t count;
    char text[MAX_LINES][256];
    size_t len[MAX_LINES];
    const char *pointer[MAX_LINES];
} received;

static void sink(void *context, const char *text, size_t len)
{
    received *r = context;
    assert_true(r->count < MAX_LINES);
    assert_true(len <= sizeof(r->text[0]));
    memcpy(r->text[r->count], text, len);
    r->len[r->count] = len;
    r->pointer[r->count] = text;
    r->count++;
}

static void feed(shim_line *line, received *r, const char *bytes)
{
    shim_line_feed(line, bytes, strlen(bytes), sink, r);
}

static void assert_line(const received *r, size_t i, const char *expected)
{
    assert_true(i < r->count);
    assert_int_equal(r->len[i], strlen(expected));
    assert_memory_equal(r->text[i], expected, strlen(expected));
}

static void whole_line_passes_without_copy(void **state)
{
    (void)state;
    char storage[16];
    shim_line line;
    received r = { 0 };
    shim_line_init(&line, storage, sizeof(storage));
    const char *bytes = "hello\n";
    feed(&line, &r, bytes);
    assert_int_equal(r.count, 1);
    assert_line(&r, 0, "hello");
    assert_ptr_equal(r.pointer[0], bytes);
    assert_false(shim_line_pending(&line));
}

static void pieces_make_one_line(void **state)
{
    (void)state;
    char storage[16];
    shim_line line;
    received r = { 0 };
    shim_line_init(&line, storage, sizeof(storage));
    feed(&line, &r, "ab");
    feed(&line, &r, "c");
    assert_int_equal(r.count, 0);
    assert_true(shim_line_pending(&line));
    feed(&line, &r, "d\nef");
    assert_int_equal(r.count, 1);
    assert_line(&r, 0, "abcd");
    feed(&line, &r, "\n");
    assert_int_equal(r.count, 2);
    assert_line(&r, 1, "ef");
}

static void several_lines_in_one_write(void **state)
{
    (void)state;
    char storage[16];
    shim_line line;
    received r = { 0 };
    shim_line_init(&line, storage, sizeof(storage));
    feed(&line, &r, "one\ntwo\n\nthree");
    assert_int_equal(r.count, 3);
    assert_line(&r, 0, "one");
    assert_line(&r, 1, "two");
    assert_line(&r, 2, "");
    shim_line_flush(&line, sink, &r);
    assert_int_equal(r.count, 4);
    assert_line(&r, 3, "three");
    shim_line_flush(&line, sink, &r);
    assert_int_equal(r.count, 4);
}

static void nul_bytes_are_kept(void **state)
{
    (void)state;
    char storage[16];
    shim_line line;
    received r = { 0 };
    shim_line_init(&line, storage, sizeof(storage));
    shim_line_feed(&line, "a\0b", 3, sink, &r);
    shim_line_feed(&line, "\0\n", 2, sink, &r);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.len[0], 4);
    assert_memory_equal(r.text[0], "a\0b\0", 4);
}

static void long_line_in_one_piece_is_cut_once(void **state)
{
    (void)state;
    char storage[8];
    shim_line line;
    received r = { 0 };
    shim_line_init(&line, storage, sizeof(storage));
    feed(&line, &r, "0123456789abcdef\nnext\n");
    assert_int_equal(r.count, 2);
    assert_line(&r, 0, "01234567");
    assert_line(&r, 1, "next");
}

static void long_line_in_pieces_is_cut_once(void **state)
{
    (void)state;
    char storage[8];
    shim_line line;
    received r = { 0 };
    shim_line_init(&line, storage, sizeof(storage));
    feed(&line, &r, "01234");
    feed(&line, &r, "56789");
    feed(&line, &r, "abcdef");
    assert_int_equal(r.count, 0);
    feed(&line, &r, "gh\nshort\n");
    assert_int_equal(r.count, 2);
    assert_line(&r, 0, "01234567");
    assert_line(&r, 1, "short");
}

static void line_of_exactly_capacity(void **state)
{
    (void)state;
    char storage[8];
    shim_line line;
    received r = { 0 };
    shim_line_init(&line, storage, sizeof(storage));
    feed(&line, &r, "0123");
    feed(&line, &r, "4567\n");
    assert_int_equal(r.count, 1);
    assert_line(&r, 0, "01234567");
}

static void overflowed_line_flushes_once(void **state)
{
    (void)state;
    char storage[4];
    shim_line line;
    received r = { 0 };
    shim_line_init(&line, storage, sizeof(storage));
    feed(&line, &r, "abcdefgh");
    assert_true(shim_line_pending(&line));
    shim_line_flush(&line, sink, &r);
    assert_int_equal(r.count, 1);
    assert_line(&r, 0, "abcd");
    assert_false(shim_line_pending(&line));
    feed(&line, &r, "x\n");
    assert_int_equal(r.count, 2);
    assert_line(&r, 1, "x");
}

static void discard_forgets(void **state)
{
    (void)state;
    char storage[16];
    shim_line line;
    received r = { 0 };
    shim_line_init(&line, storage, sizeof(storage));
    feed(&line, &r, "from the parent");
    shim_line_discard(&line);
    assert_false(shim_line_pending(&line));
    feed(&line, &r, "child\n");
    assert_int_equal(r.count, 1);
    assert_line(&r, 0, "child");
}

/* Any split of the same bytes gives the same lines. */
static void random_splits_agree(void **state)
{
    (void)state;
    static const char text[] = "alpha\nbe\nta-long-line-past-capacity\n\ngamma\nx";
    size_t total = sizeof(text) - 1;
    char storage[12];
    received whole = { 0 };
    shim_line line;
    shim_line_init(&line, storage, sizeof(storage));
    shim_line_feed(&line, text, total, sink, &whole);
    shim_line_flush(&line, sink, &whole);
    srand(7);
    for (int round = 0; round < 2000; round++) {
        received split = { 0 };
        shim_line_init(&line, storage, sizeof(storage));
        size_t at = 0;
        while (at < total) {
            size_t piece = 1 + (size_t)rand() % 9;
            if (piece > total - at)
                piece = total - at;
            shim_line_feed(&line, text + at, piece, sink, &split);
            at += piece;
        }
        shim_line_flush(&line, sink, &split);
        assert_int_equal(split.count, whole.count);
        for (size_t i = 0; i < whole.count; i++) {
            assert_int_equal(split.len[i], whole.len[i]);
            assert_memory_equal(split.text[i], whole.text[i], whole.len[i]);
        }
    }
    assert_int_equal(whole.count, 6);
    assert_line(&whole, 2, "ta-long-line");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_line_passes_without_copy),
        cmocka_unit_test(pieces_make_one_line),
        cmocka_unit_test(several_lines_in_one_write),
        cmocka_unit_test(nul_bytes_are_kept),
        cmocka_unit_test(long_line_in_one_piece_is_cut_once),
        cmocka_unit_test(long_line_in_pieces_is_cut_once),
        cmocka_unit_test(line_of_exactly_capacity),
        cmocka_unit_test(overflowed_line_flushes_once),
        cmocka_unit_test(discard_forgets),
        cmocka_unit_test(random_splits_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
