/*
 * The grouper (config/src/group.c) on its own, with custom patterns, the
 * "write" mode, the caps and the hold time (a clock the test turns): which
 * lines become which record, exactly, and that a single line outside any
 * record reaches the sink straight from the caller's bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ehs/ehs_config.h"
#include "ehs/ehs_engine.h"
#include "ehs/ehs_group.h"

/* Every record received, as "lines|cut|text" joined with " ## ". */
typedef struct received {
    char text[8192];
    size_t len;
    unsigned records;
    const char *last_pointer;
} received;

static void sink(void *context, const ehs_record *record)
{
    received *r = context;
    int n = snprintf(r->text + r->len, sizeof r->text - r->len, "%s%u|%d|%.*s",
                     r->records ? " ## " : "", record->lines, record->cut, (int)record->len,
                     record->text);
    assert_true(n > 0 && (size_t)n < sizeof r->text - r->len);
    r->len += (size_t)n;
    r->records++;
    r->last_pointer = record->text;
}

/* A loaded config with its stderr grouping, a state and a grouper. */
typedef struct fixture {
    ehs_config *config;
    ehs_thread_state *state;
    ehs_grouper grouper;
    char *storage;
    received got;
} fixture;

static uint64_t fake_now;
static uint64_t fake_clock(void)
{
    return fake_now;
}

static fixture *make(const char *multiline_stderr, bool with_clock)
{
    char text[1024];
    snprintf(text, sizeof text, "{ \"multiline\": { \"stderr\": %s } }", multiline_stderr);
    fixture *f = calloc(1, sizeof *f);
    ehs_errors errors = { 0 };
    int err = ehs_config_load_text("group.json", text, strlen(text), &f->config, &errors);
    for (size_t i = 0; i < errors.count; i++)
        fprintf(stderr, "%s\n", errors.lines[i]);
    ehs_errors_free(&errors);
    assert_int_equal(err, 0);
    const ehs_multiline *spec = f->config->multiline[EHS_SOURCE_STDERR];
    assert_non_null(spec);
    f->state = ehs_thread_state_new(f->config);
    size_t size = ehs_grouper_storage_size(spec);
    f->storage = malloc(size);
    ehs_grouper_init(&f->grouper, spec, f->storage, size, with_clock ? fake_clock : NULL);
    return f;
}

static void line(fixture *f, const char *text, unsigned flags)
{
    ehs_grouper_line(&f->grouper, f->state, text, strlen(text), flags, sink, &f->got);
}

/* Feeds `lines` as one write each ("a\nb" is one write of two lines). */
static void writes(fixture *f, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++) {
        const char *p = list[i];
        unsigned index = 0;
        for (;;) {
            const char *newline = strchr(p, '\n');
            char one[512];
            size_t len = newline ? (size_t)(newline - p) : strlen(p);
            memcpy(one, p, len);
            one[len] = '\0';
            unsigned flags = (index > 0 ? EHS_LINE_SAME_WRITE : 0) |
                             (newline ? EHS_LINE_MORE_IN_WRITE : 0) | EHS_LINE_WRITES_KNOWN;
            line(f, one, flags);
            index++;
            if (newline == NULL)
                break;
            p = newline + 1;
        }
    }
}

static void finish(fixture *f, const char *expected)
{
    ehs_grouper_flush(&f->grouper, sink, &f->got);
    assert_false(ehs_grouper_open(&f->grouper));
    assert_string_equal(f->got.text, expected);
    ehs_thread_state_free(f->state);
    ehs_config_free(f->config);
    free(f->storage);
    free(f);
}

static void start_only_takes_every_line_to_the_next_start(void **unused)
{
    (void)unused;
    fixture *f = make("{ \"start\": \"^\\\\[\" }", false);
    writes(f, (const char *const[]){ "loose", "[1] a", "b", "c", "[2] d", "[3] e", "f", NULL });
    finish(f, "1|0|loose ## 3|0|[1] a\nb\nc ## 1|0|[2] d ## 2|0|[3] e\nf");
}

static void continue_only_joins_lines_to_the_one_before(void **unused)
{
    (void)unused;
    fixture *f = make("{ \"continue\": \"^\\\\s\" }", false);
    writes(f, (const char *const[]){ "one", "  two", "\tthree", "four", "five", " six", NULL });
    finish(f, "3|0|one\n  two\n\tthree ## 1|0|four ## 2|0|five\n six");
}

static void start_and_continue_leave_other_lines_alone(void **unused)
{
    (void)unused;
    fixture *f = make("{ \"start\": \"^BEGIN\", \"continue\": \"^\\\\s\" }", false);
    writes(f, (const char *const[]){ "  stray", "BEGIN x", "  y", "plain", "  stray2", NULL });
    finish(f, "1|0|  stray ## 2|0|BEGIN x\n  y ## 1|0|plain ## 1|0|  stray2");
}

static void end_pattern_closes_at_once(void **unused)
{
    (void)unused;
    fixture *f = make("{ \"start\": \"^<<\", \"end\": \"^>>\" }", false);
    writes(f, (const char *const[]){ "<< a", "b", ">> c", "after", "<< >> alone", NULL });
    /* "after" starts nothing: a message of its own at once. */
    assert_int_equal(f->got.records, 2);
    finish(f, "3|0|<< a\nb\n>> c ## 1|0|after ## 1|0|<< >> alone");
}

static void single_lines_pass_without_copy(void **unused)
{
    (void)unused;
    fixture *f = make("{ \"start\": \"^Traceback\", \"continue\": \"^ \" }", false);
    const char *text = "an ordinary line";
    ehs_grouper_line(&f->grouper, f->state, text, strlen(text), 0, sink, &f->got);
    assert_ptr_equal(f->got.last_pointer, text);
    assert_false(ehs_grouper_open(&f->grouper));
    finish(f, "1|0|an ordinary line");
}

static void write_mode_joins_one_write(void **unused)
{
    (void)unused;
    fixture *f = make("{ \"write\": true }", false);
    writes(f, (const char *const[]){ "alone", "ERROR:root:x\nTraceback\n  File\nValueError: y",
                                     "next", "a\nb", NULL });
    finish(f, "1|0|alone ## 4|0|ERROR:root:x\nTraceback\n  File\nValueError: y ## 1|0|next ## "
              "2|0|a\nb");
}

/* Threads sharing one buffered stream hand the kernel several records in
 * one write: a line that begins like a log message of its own is not
 * joined to the lines before it. */
static void write_mode_splits_at_a_new_log_line(void **unused)
{
    (void)unused;
    fixture *f = make("{ \"write\": true }", false);
    writes(f, (const char *const[]){
                  "WARNING:urllib3:retrying\n2026-12-03 06:38:07,901 - app - INFO - job done",
                  "a message\n  indented\n[ERROR] next\nplain tail",
                  "ERROR:root:x\nTraceback (most recent call last):\nValueError: y",
                  "Dec  3 06:00:01 one\nDec  3 06:00:02 two\n12:00:01 three\n"
                  "2026/12/03 four\n[2026-12-03] five\nWARN six",
                  NULL });
    finish(f, "1|0|WARNING:urllib3:retrying ## 1|0|2026-12-03 06:38:07,901 - app - INFO - job done"
              " ## 2|0|a message\n  indented ## 2|0|[ERROR] next\nplain tail ## 3|0|ERROR:root:x\n"
              "Traceback (most recent call last):\nValueError: y ## 1|0|Dec  3 06:00:01 one ## "
              "1|0|Dec  3 06:00:02 two ## 1|0|12:00:01 three ## 1|0|2026/12/03 four ## "
              "1|0|[2026-12-03] five ## 1|0|WARN six");
}

static void write_mode_with_patterns_continues_across_writes(void **unused)
{
    (void)unused;
    fixture *f = make("{ \"write\": true, \"start\": \"^Traceback\", \"continue\": \"^[ \\\\t]\" }",
                      false);
    writes(f, (const char *const[]){ "head\nTraceback", "  File x", "    code", "Error: z",
                                     "x\ny", NULL });
    finish(f, "4|0|head\nTraceback\n  File x\n    code ## 1|0|Error: z ## 2|0|x\ny");
}

/* A detector holds a blank line after an exception (a chain may follow);
 * when that line begins a write of several lines, it is the write's. */
static void write_mode_takes_back_a_held_first_line(void **unused)
{
    (void)unused;
    fixture *f = make("{ \"write\": true, \"detectors\": [\"python\"] }", false);
    writes(f, (const char *const[]){ "ERROR:root:x\nTraceback (most recent call last):\n"
                                     "  File \"a.py\", line 1, in <module>\nValueError: boom",
                                     "\nnext line\nmore", "plain", NULL });
    finish(f, "4|0|ERROR:root:x\nTraceback (most recent call last):\n  File \"a.py\", line 1, "
              "in <module>\nValueError: boom ## 3|0|\nnext line\nmore ## 1|0|plain");
}

/* PostgreSQL writes a whole report with one write(): its record ends with
 * the write, so a quiet server's last line is not held back; without
 * write boundaries (ehshim parse) the next line decides. */
static void whole_writes_end_with_the_write(void **unused)
{
    (void)unused;
    fixture *f = make("{ \"detectors\": [\"postgresql\"] }", false);
    writes(f, (const char *const[]){ "2026-12-03 06:00:00.000 UTC [7] LOG:  ready", NULL });
    assert_int_equal(f->got.records, 1);
    writes(f, (const char *const[]){ "2026-12-03 06:00:01.000 UTC [8] ERROR:  bad\n"
                                     "2026-12-03 06:00:01.000 UTC [8] STATEMENT:  SELECT x\n"
                                     "\t  FROM y",
                                     NULL });
    assert_int_equal(f->got.records, 2);
    line(f, "2026-12-03 06:00:02.000 UTC [7] LOG:  no writes known", 0);
    assert_int_equal(f->got.records, 2);
    finish(f, "1|0|2026-12-03 06:00:00.000 UTC [7] LOG:  ready ## "
              "3|0|2026-12-03 06:00:01.000 UTC [8] ERROR:  bad\n"
              "2026-12-03 06:00:01.000 UTC [8] STATEMENT:  SELECT x\n\t  FROM y ## "
              "1|0|2026-12-03 06:00:02.000 UTC [7] LOG:  no writes known");
}

/* Once max_bytes has cut a record, the blank line a chain needs is taken
 * (counted, not kept) instead of ending the record there. */
static void a_cut_record_keeps_its_chain(void **unused)
{
    (void)unused;
    fixture *f = make("{ \"detectors\": [\"python\"], \"max_bytes\": 256 }", false);
    char source[300];
    memset(source, 'x', sizeof source - 1);
    memcpy(source, "    ", 4);
    source[sizeof source - 1] = '\0';
    line(f, "Traceback (most recent call last):", 0);
    line(f, "  File \"a.py\", line 1, in f", 0);
    line(f, source, 0);
    line(f, "KeyError: 'k'", 0);
    line(f, "", 0);
    line(f, "During handling of the above exception, another exception occurred:", 0);
    line(f, "", 0);
    line(f, "Traceback (most recent call last):", 0);
    line(f, "  File \"a.py\", line 3, in f", 0);
    line(f, "ValueError: v", 0);
    line(f, "after", 0);
    /* 34 + 1 + 27 + 1 bytes, then 193 of the source line: 256 kept. */
    char expected[1024];
    snprintf(expected, sizeof expected,
             "10|1|Traceback (most recent call last):\n  File \"a.py\", line 1, in f\n%.*s ## "
             "1|0|after",
             193, source);
    finish(f, expected);
}

static void max_lines_ends_the_record(void **unused)
{
    (void)unused;
    fixture *f = make("{ \"continue\": \"^ \", \"max_lines\": 3 }", false);
    writes(f, (const char *const[]){ "a", " 1", " 2", " 3", " 4", "b", NULL });
    finish(f, "3|0|a\n 1\n 2 ## 2|0| 3\n 4 ## 1|0|b");
}

static void max_bytes_cuts_but_keeps_counting(void **unused)
{
    (void)unused;
    fixture *f = make("{ \"continue\": \"^ \", \"max_bytes\": 256 }", false);
    char long_line[300];
    memset(long_line, 'x', sizeof long_line - 1);
    long_line[0] = ' ';
    long_line[sizeof long_line - 1] = '\0';
    writes(f, (const char *const[]){ "head", " a", long_line, " b", "next", NULL });
    /* 256 bytes kept: "head\n a\n" (8) and 248 bytes of the long line. */
    char expected[1024];
    snprintf(expected, sizeof expected, "4|1|head\n a\n%.*s ## 1|0|next", 248, long_line);
    finish(f, expected);
}

static void hold_time_ends_a_quiet_record(void **unused)
{
    (void)unused;
    fake_now = 1000;
    fixture *f = make("{ \"continue\": \"^ \", \"hold_ms\": 200 }", true);
    line(f, "first", 0);
    fake_now += 100;
    line(f, " more", 0);
    fake_now += 199;
    assert_false(ehs_grouper_expire(&f->grouper, sink, &f->got));
    fake_now += 1;
    assert_true(ehs_grouper_expire(&f->grouper, sink, &f->got));
    line(f, "second", 0);
    fake_now += 500;
    /* Late: the continuation is a line of its own (and may begin one). */
    line(f, " late", 0);
    finish(f, "2|0|first\n more ## 1|0|second ## 1|0| late");
}

static void crlf_lines_join_without_cr(void **unused)
{
    (void)unused;
    fixture *f = make("{ \"continue\": \"^ \" }", false);
    writes(f, (const char *const[]){ "a\r", " b\r", "c", NULL });
    finish(f, "2|0|a\n b ## 1|0|c");
}

/* A line ending "\r\r" loses one '\r' whether or not a record was open
 * when it came (found by fuzz/fuzz_group.c: it lost both). */
static void crlf_strips_one_cr_after_a_record(void **unused)
{
    (void)unused;
    fixture *f = make("{ \"start\": \"^\\\\d\", \"max_lines\": 5 }", false);
    writes(f, (const char *const[]){ "1", "2\r\r", "x", NULL });
    finish(f, "1|0|1 ## 2|0|2\r\nx");
}

static void discard_forgets(void **unused)
{
    (void)unused;
    fixture *f = make("{ \"continue\": \"^ \" }", false);
    writes(f, (const char *const[]){ "a", " b", NULL });
    assert_true(ehs_grouper_open(&f->grouper));
    ehs_grouper_discard(&f->grouper);
    finish(f, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(start_only_takes_every_line_to_the_next_start),
        cmocka_unit_test(continue_only_joins_lines_to_the_one_before),
        cmocka_unit_test(start_and_continue_leave_other_lines_alone),
        cmocka_unit_test(end_pattern_closes_at_once),
        cmocka_unit_test(single_lines_pass_without_copy),
        cmocka_unit_test(write_mode_joins_one_write),
        cmocka_unit_test(write_mode_splits_at_a_new_log_line),
        cmocka_unit_test(write_mode_with_patterns_continues_across_writes),
        cmocka_unit_test(write_mode_takes_back_a_held_first_line),
        cmocka_unit_test(whole_writes_end_with_the_write),
        cmocka_unit_test(a_cut_record_keeps_its_chain),
        cmocka_unit_test(max_lines_ends_the_record),
        cmocka_unit_test(max_bytes_cuts_but_keeps_counting),
        cmocka_unit_test(hold_time_ends_a_quiet_record),
        cmocka_unit_test(crlf_lines_join_without_cr),
        cmocka_unit_test(crlf_strips_one_cr_after_a_record),
        cmocka_unit_test(discard_forgets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
