/*
 * The syslog wire reader (shim/syslog_wire.c): the header forms programs
 * send to the local socket, and stream framing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../shim/syslog_wire.c"

/* Parses `len` bytes and checks priority, ident (NULL: none) and text. */
static void expect(const char *bytes, size_t len, int priority, const char *ident,
                   const char *text)
{
    /* A block of exactly `len` bytes: the sanitized build sees a read past
     * the message (a literal's NUL would hide it). */
    char *copy = malloc(len != 0 ? len : 1);
    assert_non_null(copy);
    memcpy(copy, bytes, len);
    bytes = copy;
    shim_syslog_record r;
    shim_syslog_parse(bytes, len, &r);
    assert_int_equal(r.priority, priority);
    if (ident == NULL) {
        assert_null(r.ident);
    } else {
        assert_non_null(r.ident);
        if (r.ident_len != strlen(ident) || memcmp(r.ident, ident, r.ident_len) != 0)
            fail_msg("ident '%.*s', expected '%s'", (int)r.ident_len, r.ident, ident);
    }
    if (r.len != strlen(text) || memcmp(r.text, text, r.len) != 0)
        fail_msg("text '%.*s', expected '%s'", (int)r.len, r.text, text);
    free(copy);
}

#define EXPECT(literal, priority, ident, text) \
    expect(literal, sizeof(literal) - 1, priority, ident, text)

static void test_local_3164(void **state)
{
    (void)state;
    /* glibc's syslog() and logger's default for a local socket. */
    EXPECT("<13>Dec  2 15:04:05 mytag[4242]: hello world", 13, "mytag", "hello world");
    EXPECT("<13>Dec  2 15:04:05 mytag: hello world", 13, "mytag", "hello world");
    EXPECT("<190>Jan 31 23:59:59 a.b-c_d/e: x", 190, "a.b-c_d/e", "x");
    /* A hostname between the stamp and the tag. */
    EXPECT("<13>Dec  2 15:04:05 myhost mytag[1]: hi", 13, "mytag", "hi");
    /* No tag: all of it is the message. */
    EXPECT("<13>Dec  2 15:04:05 just words here", 13, NULL, "just words here");
    /* Multi-line, with a final newline that is not part of the message. */
    EXPECT("<11>Dec  2 15:04:05 t: one\ntwo\n", 11, "t", "one\ntwo");
    /* The colon without a space. */
    EXPECT("<11>Dec  2 15:04:05 t:x", 11, "t", "x");
}

static void test_5424(void **state)
{
    (void)state;
    EXPECT("<13>1 2026-12-02T15:04:05.123456+00:00 host mytag 4242 - "
           "[timeQuality tzKnown=\"1\" isSynced=\"0\"] hello 5424",
           13, "mytag", "hello 5424");
    EXPECT("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
           "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
           "[examplePriority@32473 class=\"high\"] \xEF\xBB\xBF" "An application event",
           165, "evntslog", "An application event");
    /* Nil app name, no structured data, no message. */
    EXPECT("<13>1 - - - - - -", 13, NULL, "");
    /* Escaped ']' inside structured data. */
    EXPECT("<13>1 - h app - - [x a=\"q\\]z\"] m", 13, "app", "m");
    /* Not valid 5424 after all: read as a bare message. */
    EXPECT("<13>1 only", 13, NULL, "1 only");
    /* An APP-NAME of 49 characters, or with a byte outside printable
     * ASCII, is no RFC 5424 header either: the whole text is the message. */
    EXPECT("<13>1 - h aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa - - - m", 13, NULL,
           "1 - h aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa - - - m");
    EXPECT("<13>1 - h aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa - - - m", 13,
           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "m");
    EXPECT("<13>1 - h \x8c\x8c - - - m", 13, NULL, "1 - h \x8c\x8c - - - m");
    /* The header ends after MSGID and its space: no STRUCTURED-DATA, so no
     * RFC 5424 (and nothing read past the end, which fuzz_wire found). */
    EXPECT("<13>1 0 v& myag1 0 v& ", 13, NULL, "1 0 v& myag1 0 v& ");
}

static void test_bare(void **state)
{
    (void)state;
    /* Python's SysLogHandler: "<PRI>" + ident + message + NUL. */
    static const char python[] = "<14>myapp: started\0";
    expect(python, sizeof python - 1, 14, "myapp", "started");
    static const char python_plain[] = "<14>hello world\0";
    expect(python_plain, sizeof python_plain - 1, 14, NULL, "hello world");
    /* logger --octet-count on a datagram socket. */
    EXPECT("41 <13>Dec  2 15:17:09 mytag: octet on dgram", 13, "mytag", "octet on dgram");
    EXPECT("99 <13>x: count does not match", SHIM_SYSLOG_DEFAULT_PRIORITY, NULL,
           "99 <13>x: count does not match");
    /* No priority at all: user.notice. */
    EXPECT("plain text", SHIM_SYSLOG_DEFAULT_PRIORITY, NULL, "plain text");
    EXPECT("", SHIM_SYSLOG_DEFAULT_PRIORITY, NULL, "");
    /* Not a priority. */
    EXPECT("<x>y", SHIM_SYSLOG_DEFAULT_PRIORITY, NULL, "<x>y");
    EXPECT("<1024>y", SHIM_SYSLOG_DEFAULT_PRIORITY, NULL, "<1024>y");
    EXPECT("<1023>y", 1023, NULL, "y");
    /* A tag needs its colon; a pid needs its bracket. */
    EXPECT("<14>tag[12 x", 14, NULL, "tag[12 x");
    EXPECT("<14>tag[]: x", 14, NULL, "tag[]: x");
    /* Tags are at most 48 bytes. */
    EXPECT("<14>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: x", 14,
           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "x");
    EXPECT("<14>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: x", 14, NULL,
           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: x");
}

/* Frames of a stream, each checked for where it starts and ends. */
static void test_frames(void **state)
{
    (void)state;
    size_t skip, len;
    static const char nl[] = "<13>a: one\n<13>a: two";
    assert_int_equal(shim_syslog_next_frame(nl, sizeof nl - 1, false, &skip, &len), 11);
    assert_int_equal(skip, 0);
    assert_int_equal(len, 10);
    assert_int_equal(shim_syslog_next_frame(nl + 11, sizeof nl - 12, false, &skip, &len), 0);

    static const char nul[] = "<13>a: one\0<13>b";
    assert_int_equal(shim_syslog_next_frame(nul, sizeof nul - 1, false, &skip, &len), 11);
    assert_int_equal(len, 10);

    static const char counted[] = "10 <13>a: one11 <13>a: two\n";
    assert_int_equal(shim_syslog_next_frame(counted, sizeof counted - 1, false, &skip, &len), 13);
    assert_int_equal(skip, 3);
    assert_int_equal(len, 10);
    assert_int_equal(shim_syslog_next_frame(counted + 13, sizeof counted - 14, false, &skip, &len), 14);
    assert_int_equal(skip, 3);
    assert_int_equal(len, 11);
    /* Incomplete: the count, then the body. */
    assert_int_equal(shim_syslog_next_frame("12", 2, false, &skip, &len), 0);
    assert_int_equal(shim_syslog_next_frame("12 <13>", 7, false, &skip, &len), 0);
    /* NUL framing keeps newlines inside a message. */
    static const char python[] = "<14>a: multi\nline\0<14>b";
    assert_int_equal(shim_syslog_next_frame(python, sizeof python - 1, true, &skip, &len), 18);
    assert_int_equal(len, 17);
    /* Digits not followed by a space: a delimited frame. */
    assert_int_equal(shim_syslog_next_frame("123abc\n", 7, false, &skip, &len), 7);
    assert_int_equal(len, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local_3164),
        cmocka_unit_test(test_5424),
        cmocka_unit_test(test_bare),
        cmocka_unit_test(test_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
