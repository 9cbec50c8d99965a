/*
 * The journal entry reader (shim/journal_wire.c), on the entries the real
 * libsystemd 252 sent (tests/real/wire/journal-*.bin, captured by
 * tests/real/wire_run.sh) and on malformed ones. Run from the top of the
 * tree, where make test runs it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../shim/journal_wire.c"

static char *read_fixture(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "tests/real/wire/%s", name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("%s: cannot open (run from the top of the tree)", path);
    static char bytes[4096];
    *len = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    return bytes;
}

/* The fields of `entry` as "NAME=value|" with binary values escaped as
 * \n and \0, for exact comparison. */
static const char *fields_text(const char *entry, size_t len)
{
    static char out[8192];
    size_t n = 0, at = 0;
    shim_journal_field f;
    int rc;
    while ((rc = shim_journal_next_field(entry, len, &at, &f)) == SHIM_JOURNAL_FIELD) {
        n += (size_t)snprintf(out + n, sizeof out - n, "%.*s=", (int)f.name_len, f.name);
        for (size_t i = 0; i < f.value_len && n + 3 < sizeof out; i++) {
            char c = f.value[i];
            if (c == '\n' || c == '\0') {
                out[n++] = '\\';
                out[n++] = c == '\n' ? 'n' : '0';
            } else {
                out[n++] = c;
            }
        }
        n += (size_t)snprintf(out + n, sizeof out - n, "|");
    }
    snprintf(out + n, sizeof out - n, rc == SHIM_JOURNAL_END ? "END" : "MALFORMED");
    return out;
}

#define assert_text(actual, expected)                                                    \
    do {                                                                                 \
        const char *a_ = (actual), *e_ = (expected);                                     \
        if (strcmp(a_, e_) != 0)                                                         \
            fail_msg("\n  got:      %s\n  expected: %s", a_, e_);                        \
    } while (0)

static void test_real_entries(void **state)
{
    (void)state;
    size_t len;
    const char *e = read_fixture("journal-print.bin", &len);
    assert_text(fields_text(e, len), "MESSAGE=hello 1|PRIORITY=6|CODE_FILE=wire_journal.c|"
                                     "CODE_LINE=116|CODE_FUNC=main|"
                                     "SYSLOG_IDENTIFIER=wire_journal|END");
    shim_journal_summary s;
    shim_journal_summarize(e, len, &s);
    assert_int_equal(s.priority, 6);
    assert_int_equal(s.facility, -1);
    assert_int_equal(s.fields, 6);
    assert_false(s.malformed);
    assert_memory_equal(s.message, "hello 1", s.message_len);
    assert_memory_equal(s.ident, "wire_journal", s.ident_len);

    e = read_fixture("journal-print-nl.bin", &len);
    shim_journal_summarize(e, len, &s);
    assert_int_equal(s.message_len, 9);
    assert_memory_equal(s.message, "two\nlines", 9);
    assert_int_equal(s.priority, 4);

    /* The macro's location first, then the caller's fields, CODE_FILE twice. */
    e = read_fixture("journal-send.bin", &len);
    assert_text(fields_text(e, len),
                "CODE_FILE=wire_journal.c|CODE_LINE=120|CODE_FUNC=main|MESSAGE=multi\\nline|"
                "PRIORITY=3|SYSLOG_IDENTIFIER=myid|CODE_FILE=x.c|CODE_LINE=12|MY_FIELD=42|END");
    shim_journal_summarize(e, len, &s);
    assert_int_equal(s.priority, 3);
    assert_memory_equal(s.ident, "myid", s.ident_len);

    /* Binary-safe values: newlines and NULs inside. */
    e = read_fixture("journal-sendv.bin", &len);
    assert_text(fields_text(e, len),
                "MESSAGE=binary fields|PRIORITY=6|BLOB=line1\\nline2\\0after-nul\\0\\nend|"
                "NULONLY=a\\0b|CODE_FILE=wire_journal.c|CODE_LINE=63|CODE_FUNC=case_sendv|"
                "SYSLOG_IDENTIFIER=wire_journal|END");
}

#define TEXT(literal) literal, sizeof(literal) - 1

static void test_malformed(void **state)
{
    (void)state;
    /* A binary length past the end, and one not followed by its newline. */
    assert_text(fields_text(TEXT("A=1\nB\n\x09\0\0\0\0\0\0\0short\n")), "A=1|MALFORMED");
    assert_text(fields_text(TEXT("B\n\x02\0\0\0\0\0\0\0xyZ")), "MALFORMED");
    assert_text(fields_text(TEXT("B\n\x02\0\0\0")), "MALFORMED");
    /* Names: lowercase, a leading digit, empty, too long. */
    assert_text(fields_text(TEXT("lower=x\n")), "MALFORMED");
    assert_text(fields_text(TEXT("1A=x\n")), "MALFORMED");
    assert_text(fields_text(TEXT("=x\n")), "MALFORMED");
    static const char long_name[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=x";
    assert_text(fields_text(long_name, sizeof long_name - 1), "MALFORMED");
    assert_text(fields_text(long_name + 1, sizeof long_name - 2),
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=x|END");
    /* A last field without its newline; an empty entry; an empty value. */
    assert_text(fields_text(TEXT("A=1\nB=2")), "A=1|B=2|END");
    assert_text(fields_text(TEXT("")), "END");
    assert_text(fields_text(TEXT("A=\n_B=x\n")), "A=|_B=x|END");

    shim_journal_summary s;
    shim_journal_summarize(TEXT("PRIORITY=x\nSYSLOG_FACILITY=23\nMESSAGE=m\nlower=y\n"), &s);
    assert_int_equal(s.priority, 6);
    assert_int_equal(s.facility, 23);
    assert_true(s.malformed);
    assert_int_equal(s.fields, 3);
    shim_journal_summarize(TEXT("SYSLOG_FACILITY=24\n"), &s);
    assert_int_equal(s.facility, -1);
    assert_null(s.message);
}

/* The split an event takes: the summary's four fields out, every other
 * one (repeats of those four included) in order, counted past `max`. */
static void test_split(void **state)
{
    (void)state;
    size_t len;
    const char *e = read_fixture("journal-send.bin", &len);
    shim_journal_summary s;
    shim_journal_field others[8];
    size_t n = shim_journal_split(e, len, &s, others, 8);
    assert_int_equal(n, 6);
    const char *expected[][2] = { { "CODE_FILE", "wire_journal.c" }, { "CODE_LINE", "120" },
                                  { "CODE_FUNC", "main" },           { "CODE_FILE", "x.c" },
                                  { "CODE_LINE", "12" },             { "MY_FIELD", "42" } };
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(others[i].name_len, strlen(expected[i][0]));
        assert_memory_equal(others[i].name, expected[i][0], others[i].name_len);
        assert_int_equal(others[i].value_len, strlen(expected[i][1]));
        assert_memory_equal(others[i].value, expected[i][1], others[i].value_len);
    }
    assert_memory_equal(s.message, "multi\nline", s.message_len);
    assert_int_equal(s.priority, 3);

    /* Repeats are other fields; room for 2 of 4. */
    n = shim_journal_split(TEXT("MESSAGE=a\nMESSAGE=b\nPRIORITY=2\nPRIORITY=5\nX=1\nY=2\n"),
                           &s, others, 2);
    assert_int_equal(n, 4);
    assert_memory_equal(s.message, "a", 1);
    assert_int_equal(s.priority, 2);
    assert_memory_equal(others[0].name, "MESSAGE", 7);
    assert_memory_equal(others[0].value, "b", 1);
    assert_memory_equal(others[1].name, "PRIORITY", 8);
    assert_memory_equal(others[1].value, "5", 1);
    /* No room at all: only counted. */
    assert_int_equal(shim_journal_split(TEXT("X=1\n"), &s, NULL, 0), 1);
}

/* What journald does with what a program should not send: a text line
 * with a bad name is skipped, fields of journald's own ('_') are left out,
 * an empty line ends an entry (the next follows), a binary field gone
 * wrong ends the datagram. */
static void test_split_as_journald(void **state)
{
    (void)state;
    shim_journal_summary s;
    shim_journal_field others[4];
    size_t n = shim_journal_split(TEXT("lower=x\nMESSAGE=hi\n_PID=1\nA=2\n"), &s, others, 4);
    assert_int_equal(n, 1);
    assert_memory_equal(others[0].name, "A", 1);
    assert_memory_equal(s.message, "hi", 2);
    assert_true(s.malformed);
    assert_int_equal(s.fields, 3);

    static const char two[] = "MESSAGE=a\n\nMESSAGE=b\n";
    n = shim_journal_split(two, sizeof two - 1, &s, others, 4);
    assert_int_equal(s.length, 10);
    assert_memory_equal(s.message, "a", 1);
    n = shim_journal_split(two + s.length + 1, sizeof two - 1 - 11, &s, others, 4);
    assert_memory_equal(s.message, "b", 1);
    assert_int_equal(s.length, sizeof two - 1 - 11);

    static const char broken[] = "MESSAGE=m\nB\n\x40\0\0\0\0\0\0\0xy\nC=3\n";
    n = shim_journal_split(broken, sizeof broken - 1, &s, others, 4);
    assert_int_equal(n, 0);
    assert_true(s.malformed);
    assert_int_equal(s.length, sizeof broken - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_entries),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_split_as_journald),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
