/*
 * grok: every built-in pattern against lines it must and must not match,
 * the exact expansion text and capture list, user patterns, every error
 * with its message and position, and mapping PCRE2 error offsets back.
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
#include <time.h>

#include <cmocka.h>
#include <pcre2.h>

#include "grok.h"

/* ---- helpers ---- */

static ehs_grok_library *new_library(void)
{
    ehs_grok_library *library = NULL;
    assert_int_equal(ehs_grok_library_new(&library), 0);
    assert_non_null(library);
    return library;
}

static void add_pattern(ehs_grok_library *library, const char *name, const char *body)
{
    ehs_grok_error error;
    int rc = ehs_grok_library_add(library, name, strlen(name), body, strlen(body), &error);
    if (rc)
        fail_msg("adding %s: %s", name, error.message);
}

static void expand_ok(const ehs_grok_library *library, const char *expression,
                      ehs_grok_expansion *out)
{
    ehs_grok_error error;
    int rc = ehs_grok_expand(library, expression, strlen(expression), out, &error);
    if (rc)
        fail_msg("expanding %s: %s at %zu", expression, error.message, error.where.offset);
}

/* Expands `expression`, which must fail with EINVAL and `message`. */
static ehs_grok_error expand_fails(const ehs_grok_library *library, const char *expression,
                                   const char *message)
{
    ehs_grok_expansion out;
    ehs_grok_error error;
    int rc = ehs_grok_expand(library, expression, strlen(expression), &out, &error);
    assert_int_equal(rc, EINVAL);
    assert_null(out.pattern);
    assert_null(out.captures);
    assert_int_equal(out.capture_count, 0);
    assert_string_equal(error.message, message);
    return error;
}

static pcre2_code *compile_grok(const ehs_grok_library *library, const char *expression,
                                uint32_t options)
{
    ehs_grok_expansion expansion;
    expand_ok(library, expression, &expansion);
    int code;
    PCRE2_SIZE offset;
    pcre2_code *compiled = pcre2_compile((PCRE2_SPTR)expansion.pattern, expansion.pattern_len,
                                         options, &code, &offset, NULL);
    if (!compiled) {
        PCRE2_UCHAR message[160];
        pcre2_get_error_message(code, message, sizeof(message));
        fail_msg("compiling %s -> %s: %s at %zu", expression, expansion.pattern,
                 (const char *)message, (size_t)offset);
    }
    ehs_grok_expansion_free(&expansion);
    return compiled;
}

/* Matches `subject`; returns whether it did and copies group `field` into
 * `value` (size 256) when asked. */
static bool match_field(const pcre2_code *code, const char *subject, const char *field,
                        char *value)
{
    pcre2_match_data *data = pcre2_match_data_create_from_pattern(code, NULL);
    assert_non_null(data);
    int rc = pcre2_match(code, (PCRE2_SPTR)subject, strlen(subject), 0, 0, data, NULL);
    assert_true(rc > 0 || rc == PCRE2_ERROR_NOMATCH);
    if (rc > 0 && field) {
        int group = pcre2_substring_number_from_name(code, (PCRE2_SPTR)field);
        assert_true(group > 0);
        PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(data);
        PCRE2_SIZE start = ovector[2 * group], end = ovector[2 * group + 1];
        assert_true(start != PCRE2_UNSET);
        assert_true(end - start < 256);
        memcpy(value, subject + start, end - start);
        value[end - start] = '\0';
    }
    pcre2_match_data_free(data);
    return rc > 0;
}

/* ---- built-ins ---- */

#define MAX_SAMPLES 12

typedef struct builtin_case {
    const char *name;
    const char *accept[MAX_SAMPLES]; /* each must match whole, captured whole by x */
    const char *reject[MAX_SAMPLES]; /* none may match ^%{NAME:x}$ */
} builtin_case;

static const builtin_case builtin_cases[] = {
    { "INT", { "0", "42", "-17", "+5", "007" }, { "", "abc", "1.5", "--1", "+" } },
    { "POSINT", { "1", "42", "52144" }, { "0", "-1", "01", "1.0", "" } },
    { "NONNEGINT", { "0", "42", "0007" }, { "-1", "1a", "" } },
    { "BASE10NUM", { "0", "3.14", "-2.5", "+.5", ".25", "100" },
      { "1.", "abc", "1e5", "", "1.2.3", "+-1" } },
    { "NUMBER", { "42", "-0.5", ".5" }, { "x1", "1..2", "" } },
    { "BASE16NUM", { "0x1F", "ff", "-0xdeadBEEF", "+12" }, { "0xZZ", "g1", "", "0x" } },
    { "BASE16FLOAT", { "0x1.8", "ff.c", ".5", "-1f", "12" }, { "1.2.3", "xyz", "" } },
    { "WORD", { "hello", "abc_123", "X" }, { "two words", "a-b", "" } },
    { "NOTSPACE", { "abc", "a-b/c:d" }, { "a b", "", "\t" } },
    { "SPACE", { "", " ", " \t " }, { "a", " x " } },
    { "DATA", { "", "anything at all" }, { "a\nb" } },
    { "GREEDYDATA", { "", "x y z" }, { "a\nb" } },
    { "QUOTEDSTRING",
      { "\"hello\"", "\"he said \\\"hi\\\"\"", "'it\\'s'", "`cmd`", "\"\"", "''",
        "\"back\\\\slash\"" },
      { "\"open", "\"a\" \"b\"", "hello", "'mixed\"", "\"a\\\"" } },
    { "QS", { "\"x\"", "'y'" }, { "z", "\"z" } },
    { "UUID", { "123e4567-e89b-12d3-a456-426614174000", "6F9619FF-8B86-D011-B42D-00C04FC964FF" },
      { "123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400",
        "g23e4567-e89b-12d3-a456-426614174000" } },
    { "URN", { "urn:isbn:0451450523", "urn:ietf:rfc:2648",
               "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", "urn:ex:a%20b" },
      { "urn:", "isbn:123", "urn::x", "urn:ex:a b" } },
    { "USERNAME", { "admin", "john.doe", "svc_backup-01" }, { "a b", "user@host", "" } },
    { "USER", { "root", "www-data" }, { "ro ot", "" } },
    { "EMAILLOCALPART", { "john.doe", "first+tag", "a_b", "o'brien" },
      { ".john", "john..doe", "a b", "" } },
    { "EMAILADDRESS", { "john.doe@example.com", "ops+alerts@mail.example.org" },
      { "john@", "@example.com", "john.example.com", "a@b@c" } },
    { "HTTPDUSER", { "john@example.com", "-", "frank" }, { "a b", "" } },
    { "CISCOMAC", { "0011.2233.4455", "aAbB.cCdD.eEfF" }, { "0011.2233", "00:11:22:33:44:55" } },
    { "WINDOWSMAC", { "00-11-22-33-44-55" }, { "00-11-22-33-44", "00:11:22:33:44:55" } },
    { "COMMONMAC", { "00:1A:2b:3C:4d:5E" }, { "00:11:22:33:44:5G", "0011.2233.4455" } },
    { "MAC", { "0011.2233.4455", "00-11-22-33-44-55", "00:11:22:33:44:55" },
      { "00:11:22:33:44", "00.11.22.33.44.55", "0011:2233:4455", "00-11:22-33:44-55" } },
    { "IPV4", { "203.0.113.45", "0.0.0.0", "255.255.255.255", "10.0.0.1", "192.168.001.010" },
      { "256.1.1.1", "1.2.3", "1.2.3.4.5", "1.2.3.256", "a.b.c.d", "1.2.3.4 " } },
    { "IPV6",
      { "::1", "::", "2001:db8::1", "::ffff:192.0.2.1", "fe80::1%eth0",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "1:2:3:4:5:6:7::", "64:ff9b::192.0.2.33",
        "1:2:3:4:5:6:1.2.3.4", "FE80::0202:B3FF:FE1E:8329", "1::" },
      { "2001:db8:::1", "1:2:3:4:5:6:7:8:9", "12345::1", "2001:db8::g", "1.2.3.4", ":1",
        "1:2:3:4:5:6:7", "::ffff:256.0.2.1" } },
    { "IP", { "203.0.113.45", "2001:db8::1", "::ffff:10.0.0.1" },
      { "999.1.1.1", "example.com", "" } },
    { "HOSTNAME",
      { "example.com", "localhost", "web-01.prod.example.org", "example.com.", "10", "a" },
      { "-bad.example", "bad-.example", "a..b", "under_score.com", "", "x y" } },
    { "IPORHOST", { "10.1.2.3", "::1", "host.example.net" }, { "host name", "" } },
    { "HOSTPORT", { "example.com:8080", "10.0.0.1:22" },
      { "example.com", "example.com:0", "example.com:port" } },
    { "UNIXPATH", { "/var/log/auth.log", "/", "/tmp/a,b+c~d", "/home/user/.ssh/id_rsa" },
      { "var/log", "/a b", "C:\\x", "" } },
    { "WINPATH", { "C:\\Windows\\System32", "\\\\server\\share\\f.txt" },
      { "C:", "/usr", "C:/x", "C:\\a*b" } },
    { "PATH", { "/usr/bin/env", "C:\\Temp" }, { "relative/path", "" } },
    { "TTY", { "/dev/pts/0", "/dev/tty1", "/dev/ttyp0", "/dev/ttyS1" },
      { "/dev/sda", "/dev/pts/", "dev/tty1" } },
    { "URIPROTO", { "http", "svn+ssh", "coap.tcp" }, { "1http", "h", "ht tp" } },
    { "URIHOST", { "example.com", "example.com:8443", "10.0.0.1:80", "[2001:db8::1]:443" },
      { "example.com:", "exa mple", "[example.com]" } },
    { "URIPATH", { "/", "/index.html", "/a/b;c=d/%20x" }, { "index.html", "/a b", "/a\"b" } },
    { "URIQUERY", { "a=1&b=2", "", "q=x%20y" }, { "a b", "a\"b" } },
    { "URIPARAM", { "?a=1&b=2", "?" }, { "a=1", "?a b" } },
    { "URIPATHPARAM", { "/search?q=grok", "/a/b" }, { "?q=1", "/a b" } },
    { "URI",
      { "http://example.com", "https://user:pw@example.com:8443/a/b?x=1&y=2",
        "ftp://[2001:db8::1]/pub", "file:///etc/hosts" },
      { "example.com/x", "http:/x", "://x", "http://exa mple.com" } },
    { "MONTH", { "Jan", "January", "jun", "Sept", "Dec", "Mai", "M\xc3\xa4rz", "Okt", "oct" },
      { "Janu", "Foo", "13", "Ma", "JANUARY" } },
    { "MONTHNUM", { "1", "01", "12", "9" }, { "0", "13", "00" } },
    { "MONTHNUM2", { "01", "12" }, { "1", "13" } },
    { "MONTHDAY", { "1", "01", "9", "10", "31" }, { "0", "32", "00" } },
    { "DAY", { "Mon", "Monday", "Thu", "Sun" }, { "Mo", "mon", "Mondays" } },
    { "YEAR", { "2024", "99" }, { "999", "20245", "" } },
    { "HOUR", { "0", "09", "23" }, { "24", "123" } },
    { "MINUTE", { "00", "59" }, { "60", "5" } },
    { "SECOND", { "00", "59", "60", "01.123", "07,5" }, { "61", "1.", "" } },
    { "TIME", { "15:16:01", "5:16:01", "23:59:60.123" }, { "15:16", "24:00:00", "15:60:00" } },
    { "DATE_US", { "12/31/2024", "1-2-24" }, { "13/01/2024", "12/32/2024" } },
    { "DATE_EU", { "31.12.2024", "1/2/2024" }, { "32.12.2024", "31.13.2024" } },
    { "DATE", { "12/31/2024", "31.12.2024" }, { "2024-12-31" } },
    { "DATESTAMP", { "12/31/2024 23:59:59", "31.12.2024-08:00:00" },
      { "12/31/2024T23:59:59", "12/31/2024" } },
    { "ISO8601_TIMEZONE", { "Z", "+01:00", "-0530" }, { "+1", "UTC", "z" } },
    { "ISO8601_SECOND", { "59", "30.5" }, { "61" } },
    { "TIMESTAMP_ISO8601",
      { "2024-03-01T12:34:56Z", "2024-03-01 12:34:56.789+01:00", "2024-03-01T12:34",
        "2024-03-01T1234", "2024-03-01T12:34:56.123456-0700" },
      { "2024-03-01", "2024-13-01T00:00:00", "24-03-01X12:00", "2024-03-01T12" } },
    { "TZ", { "UTC", "PST", "EDT", "GMT" }, { "CEST", "XYZ", "utc" } },
    { "DATESTAMP_RFC822", { "Wed Jan 12 2014 10:00:00 UTC" }, { "Wed Jan 12 2014 10:00:00" } },
    { "DATESTAMP_RFC2822", { "Tue, 12 Jan 2014 10:00:00 +0000" },
      { "Tue 12 Jan 2014 10:00:00 +0000" } },
    { "DATESTAMP_OTHER", { "Tue Jan 12 10:00:00 UTC 2014" }, { "Tue Jan 12 10:00:00 2014" } },
    { "DATESTAMP_EVENTLOG", { "20140112100000" }, { "2014011210000x", "2014-01-12" } },
    { "SYSLOGTIMESTAMP", { "Jun 14 15:16:01", "Jun  4 15:16:01", "Dec 31 23:59:59" },
      { "Jun 14 15:16", "14 Jun 15:16:01", "Jun 32 15:16:01", "Jun 14 25:16:01" } },
    { "HTTPDATE", { "04/Dec/2005:04:47:44 +0000", "10/Oct/2000:13:55:36 -0700" },
      { "04/Dec/2005 04:47:44 +0000", "2005-12-04T04:47:44Z", "04/Foo/2005:04:47:44 +0000" } },
    { "PROG", { "sshd", "sshd(pam_unix)", "CRON", "systemd-logind", "postfix/smtpd" },
      { "sshd[1]", "a b", "" } },
    { "SYSLOGPROG", { "sshd(pam_unix)[19939]", "sshd[123]", "kernel", "postfix/smtpd[42]" },
      { "sshd[abc]", "sshd[0]", "sshd []", "[123]" } },
    { "SYSLOGHOST", { "web01", "10.0.0.1" }, { "web 01" } },
    { "SYSLOGFACILITY", { "<4.6>", "<13.5>" }, { "<4>", "4.6", "<4,6>" } },
    { "SYSLOGBASE",
      { "Jun 14 15:16:01 web01 sshd[19939]:", "Jun  4 15:16:01 <4.6> 10.0.0.1 CRON:" },
      { "Jun 14 15:16:01 web01 sshd[19939]", "web01 sshd[1]:" } },
    { "LOGLEVEL",
      { "INFO", "info", "Info", "WARN", "warning", "Warning", "ERROR", "err", "CRITICAL", "crit",
        "DEBUG", "trace" },
      { "ERRORS", "Informational", "verbose", "wArn", "", "INFOS" } },
};

#define CASE_COUNT (sizeof(builtin_cases) / sizeof(builtin_cases[0]))

static void test_builtin_list_is_covered(void **state)
{
    (void)state;
    /* Every built-in has a case here, and no name is listed twice. */
    for (size_t i = 0; i < ehs_grok_builtin_count; i++) {
        bool found = false;
        for (size_t c = 0; c < CASE_COUNT; c++)
            found |= strcmp(builtin_cases[c].name, ehs_grok_builtins[i].name) == 0;
        if (!found)
            fail_msg("built-in %s has no test case", ehs_grok_builtins[i].name);
        for (size_t j = i + 1; j < ehs_grok_builtin_count; j++)
            assert_string_not_equal(ehs_grok_builtins[i].name, ehs_grok_builtins[j].name);
    }
    assert_int_equal(CASE_COUNT, ehs_grok_builtin_count);
}

static void test_builtins_required_by_the_issue_exist(void **state)
{
    (void)state;
    static const char *const required[] = {
        "INT", "POSINT", "NONNEGINT", "NUMBER", "BASE10NUM", "BASE16NUM", "WORD", "NOTSPACE",
        "SPACE", "DATA", "GREEDYDATA", "QUOTEDSTRING", "UUID", "MAC", "IP", "IPV4", "IPV6",
        "HOSTNAME", "IPORHOST", "HOSTPORT", "PATH", "UNIXPATH", "URIPATH", "URI", "USERNAME",
        "USER", "EMAILADDRESS", "LOGLEVEL", "SYSLOGTIMESTAMP", "TIMESTAMP_ISO8601", "HTTPDATE",
        "PROG", "SYSLOGPROG",
    };
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        bool found = false;
        for (size_t j = 0; j < ehs_grok_builtin_count; j++)
            found |= strcmp(required[i], ehs_grok_builtins[j].name) == 0;
        if (!found)
            fail_msg("built-in %s is missing", required[i]);
    }
}

/* No built-in captures, with or without PCRE2_UTF. */
static void test_builtins_have_no_groups(void **state)
{
    (void)state;
    ehs_grok_library *library = new_library();
    for (size_t i = 0; i < ehs_grok_builtin_count; i++) {
        char expression[96];
        snprintf(expression, sizeof(expression), "%%{%s}", ehs_grok_builtins[i].name);
        for (int utf = 0; utf <= 1; utf++) {
            pcre2_code *code = compile_grok(library, expression, utf ? PCRE2_UTF : 0);
            uint32_t groups = 99;
            assert_int_equal(pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups), 0);
            if (groups != 0)
                fail_msg("built-in %s has %u capturing groups", ehs_grok_builtins[i].name,
                         groups);
            pcre2_code_free(code);
        }
    }
    ehs_grok_library_free(library);
}

static void check_case(const ehs_grok_library *library, const builtin_case *c, uint32_t options)
{
    char expression[96];
    snprintf(expression, sizeof(expression), "^%%{%s:x}$", c->name);
    pcre2_code *code = compile_grok(library, expression, options);
    for (size_t i = 0; i < MAX_SAMPLES && c->accept[i]; i++) {
        char value[256];
        if (!match_field(code, c->accept[i], "x", value))
            fail_msg("%s does not match \"%s\"", c->name, c->accept[i]);
        if (strcmp(value, c->accept[i]) != 0)
            fail_msg("%s captured \"%s\" of \"%s\"", c->name, value, c->accept[i]);
    }
    for (size_t i = 0; i < MAX_SAMPLES && c->reject[i]; i++)
        if (match_field(code, c->reject[i], NULL, NULL))
            fail_msg("%s matches \"%s\"", c->name, c->reject[i]);
    pcre2_code_free(code);
}

static void test_builtins_match_and_reject(void **state)
{
    (void)state;
    ehs_grok_library *library = new_library();
    for (size_t c = 0; c < CASE_COUNT; c++) {
        check_case(library, &builtin_cases[c], 0);
        check_case(library, &builtin_cases[c], PCRE2_UTF);
        /* An expression may turn on extended syntax; built-ins keep their meaning. */
        check_case(library, &builtin_cases[c], PCRE2_EXTENDED_MORE);
    }
    ehs_grok_library_free(library);
}

/* Unanchored, the patterns find the right part of a longer line. */
static void test_builtins_inside_lines(void **state)
{
    (void)state;
    static const struct {
        const char *expression, *line, *field, *value;
    } cases[] = {
        { "from %{IP:ip} port", "Accepted from ::ffff:192.0.2.1 port 22", "ip",
          "::ffff:192.0.2.1" },
        { "%{IPV6:a}", "peer 2001:db8::1 up", "a", "2001:db8::1" },
        { "%{IPV4:a}", "x1234.5.6.7 then 10.20.30.40.", "a", "10.20.30.40" },
        { "%{SYSLOGTIMESTAMP:t} %{SYSLOGHOST:h} %{SYSLOGPROG}: %{GREEDYDATA:m}",
          "Jun  4 15:16:01 web01 sshd(pam_unix)[19939]: session opened", "m", "session opened" },
        { "\\[%{HTTPDATE:t}\\]", "1.2.3.4 - - [04/Dec/2005:04:47:44 +0000] \"GET /\"", "t",
          "04/Dec/2005:04:47:44 +0000" },
        { "%{LOGLEVEL:l}", "2024-01-01 [WARNING] disk", "l", "WARNING" },
        { "%{QUOTEDSTRING:q}", "msg=\"a \\\"b\\\" c\" rest", "q", "\"a \\\"b\\\" c\"" },
        { "%{NUMBER:n}ms", "took 12.5ms", "n", "12.5" },
        { "%{TIMESTAMP_ISO8601:t} ", "at 2024-03-01T12:34:56.789Z done", "t",
          "2024-03-01T12:34:56.789Z" },
        { "%{WINPATH:p} ", "copy C:\\Temp\\a.txt now", "p", "C:\\Temp\\a.txt" },
        { "%{URI:u}", "see https://example.com/a?b=c for more", "u", "https://example.com/a?b=c" },
    };
    ehs_grok_library *library = new_library();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pcre2_code *code = compile_grok(library, cases[i].expression, 0);
        char value[256];
        if (!match_field(code, cases[i].line, cases[i].field, value))
            fail_msg("%s does not match \"%s\"", cases[i].expression, cases[i].line);
        assert_string_equal(value, cases[i].value);
        pcre2_code_free(code);
    }
    ehs_grok_library_free(library);
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Long lines of repeated near-misses must not make a built-in backtrack
 * exponentially. PCRE2's match limit does not count the simple repeats that
 * make a pattern quadratic, so this times each match; the bound is loose
 * (a quadratic 3 KB case takes a few milliseconds, an exponential one
 * hours) so sanitizers and slow machines pass.
 */
static void test_builtins_on_hostile_lines(void **state)
{
    (void)state;
    static const char *const units[] = {
        "a", "1", "1.", "a-", "/a", "::1", ":", "\"\\", "a.", "0x", "1:", "12:3", "Jan ", "a@",
        "\\a", "aa:", "1.1.", "ff:", "\"a", "a\\",
    };
    static const char *const shapes[] = { "%%{%s}", "^%%{%s}$", "%%{%s}!" };
    ehs_grok_library *library = new_library();
    char line[3001];
    for (size_t i = 0; i < ehs_grok_builtin_count; i++) {
        for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
            char expression[96];
            snprintf(expression, sizeof(expression), shapes[s], ehs_grok_builtins[i].name);
            pcre2_code *code = compile_grok(library, expression, 0);
            pcre2_match_data *data = pcre2_match_data_create_from_pattern(code, NULL);
            for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
                size_t unit_len = strlen(units[u]), len = 0;
                while (len + unit_len <= 3000) {
                    memcpy(line + len, units[u], unit_len);
                    len += unit_len;
                }
                double start = seconds_now();
                int rc = pcre2_match(code, (PCRE2_SPTR)line, len, 0, 0, data, NULL);
                double took = seconds_now() - start;
                assert_true(rc > 0 || rc == PCRE2_ERROR_NOMATCH);
                if (took > 0.25)
                    fail_msg("%s on 3000 bytes of '%s' took %.0f ms", expression, units[u],
                             took * 1e3);
            }
            pcre2_match_data_free(data);
            pcre2_code_free(code);
        }
    }
    ehs_grok_library_free(library);
}

/* ---- expansion text and captures ---- */

static void test_expansion_text(void **state)
{
    (void)state;
    ehs_grok_library *library = new_library();
    ehs_grok_expansion out;

    expand_ok(library, "%{INT:port:u16} %{WORD}", &out);
    assert_string_equal(out.pattern, "(?<port>[+-]?[0-9]+) (?:\\b\\w+\\b)");
    assert_int_equal(out.pattern_len, strlen(out.pattern));
    assert_int_equal(out.capture_count, 1);
    assert_string_equal(out.captures[0].name, "port");
    assert_string_equal(out.captures[0].type, "u16");
    assert_string_equal(out.captures[0].where.pattern, "");
    assert_int_equal(out.captures[0].where.offset, 6);
    ehs_grok_expansion_free(&out);
    assert_null(out.pattern);

    /* Regex text is kept byte for byte, '%' without '{' included. */
    expand_ok(library, "^(?<method>GET|POST) %{NOTSPACE:path} 100% done$", &out);
    assert_string_equal(out.pattern, "^(?<method>GET|POST) (?<path>\\S+) 100% done$");
    assert_int_equal(out.capture_count, 1);
    assert_string_equal(out.captures[0].name, "path");
    assert_null(out.captures[0].type);
    ehs_grok_expansion_free(&out);

    /* Nested built-ins become nested non-capturing groups. */
    expand_ok(library, "%{USER:u}", &out);
    assert_string_equal(out.pattern, "(?<u>(?:[a-zA-Z0-9._-]+))");
    ehs_grok_expansion_free(&out);

    expand_ok(library, "", &out);
    assert_string_equal(out.pattern, "");
    assert_int_equal(out.pattern_len, 0);
    assert_int_equal(out.capture_count, 0);
    ehs_grok_expansion_free(&out);

    /* A '%' at the very end is text too. */
    expand_ok(library, "50%", &out);
    assert_string_equal(out.pattern, "50%");
    ehs_grok_expansion_free(&out);

    /* Not NUL-terminated input. */
    ehs_grok_error error;
    const char buffer[] = "%{INT:a}XYZ";
    assert_int_equal(ehs_grok_expand(library, buffer, 8, &out, &error), 0);
    assert_string_equal(out.pattern, "(?<a>[+-]?[0-9]+)");
    ehs_grok_expansion_free(&out);

    ehs_grok_expansion_free(NULL);
    ehs_grok_library_free(library);
}

static void test_capture_order_and_types(void **state)
{
    (void)state;
    ehs_grok_library *library = new_library();
    add_pattern(library, "PAIR", "%{WORD:key}=%{INT:val:i32}");
    ehs_grok_expansion out;
    expand_ok(library, "%{WORD:a} (x) %{INT:b:int} %{PAIR} %{IP:c:ip} %{NUMBER:d:f64}", &out);
    static const char *const names[] = { "a", "b", "key", "val", "c", "d" };
    static const char *const types[] = { NULL, "int", NULL, "i32", "ip", "f64" };
    assert_int_equal(out.capture_count, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(out.captures[i].name, names[i]);
        if (types[i])
            assert_string_equal(out.captures[i].type, types[i]);
        else
            assert_null(out.captures[i].type);
    }
    /* Fields from a user pattern say where they are written. */
    assert_string_equal(out.captures[2].where.pattern, "PAIR");
    assert_int_equal(out.captures[2].where.offset, 7);
    assert_int_equal(out.captures[2].where.expression_offset, 27);
    assert_string_equal(out.captures[3].where.pattern, "PAIR");
    assert_int_equal(out.captures[3].where.offset, 18);

    /* PCRE2's group numbers follow the same order, after the (x) group. */
    int code_error;
    PCRE2_SIZE offset;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)out.pattern, out.pattern_len, 0, &code_error,
                                     &offset, NULL);
    assert_non_null(code);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(pcre2_substring_number_from_name(code, (PCRE2_SPTR)names[i]),
                         (int)i + (i == 0 ? 1 : 2));
    pcre2_code_free(code);
    ehs_grok_expansion_free(&out);
    ehs_grok_library_free(library);
}

static void test_sshd_line(void **state)
{
    (void)state;
    ehs_grok_library *library = new_library();
    const char *expression =
        "Failed password for (invalid user )?%{USERNAME:user} from %{IP:ip} port %{INT:port}";
    ehs_grok_expansion out;
    expand_ok(library, expression, &out);
    assert_int_equal(out.capture_count, 3);
    assert_string_equal(out.captures[0].name, "user");
    assert_string_equal(out.captures[1].name, "ip");
    assert_string_equal(out.captures[2].name, "port");
    ehs_grok_expansion_free(&out);

    pcre2_code *code = compile_grok(library, expression, 0);
    const char *line = "Failed password for invalid user admin from 203.0.113.45 port 52144 ssh2";
    pcre2_match_data *data = pcre2_match_data_create_from_pattern(code, NULL);
    assert_int_equal(pcre2_match(code, (PCRE2_SPTR)line, strlen(line), 0, 0, data, NULL), 5);
    PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(data);
    static const struct {
        const char *name, *value;
        int group;
    } expected[] = { { "user", "admin", 2 }, { "ip", "203.0.113.45", 3 }, { "port", "52144", 4 } };
    for (size_t i = 0; i < 3; i++) {
        int group = pcre2_substring_number_from_name(code, (PCRE2_SPTR)expected[i].name);
        assert_int_equal(group, expected[i].group);
        size_t start = ovector[2 * group], end = ovector[2 * group + 1];
        assert_int_equal(end - start, strlen(expected[i].value));
        assert_memory_equal(line + start, expected[i].value, end - start);
    }
    /* The unnamed group took part: "invalid user " */
    assert_int_equal(ovector[2], 20);
    assert_int_equal(ovector[3], 33);
    pcre2_match_data_free(data);

    /* And without "invalid user ". */
    char value[256];
    assert_true(match_field(code, "Failed password for root from ::1 port 22 ssh2", "user", value));
    assert_string_equal(value, "root");
    assert_true(match_field(code, "Failed password for root from ::1 port 22 ssh2", "ip", value));
    assert_string_equal(value, "::1");
    pcre2_code_free(code);
    ehs_grok_library_free(library);
}

/* ---- user patterns ---- */

static void test_user_patterns_any_order(void **state)
{
    (void)state;
    ehs_grok_library *library = new_library();
    /* B uses A, which is added after it; both use built-ins. */
    add_pattern(library, "B", "%{A}-%{INT:n}");
    add_pattern(library, "A", "[a-z]+@%{HOSTNAME}");
    add_pattern(library, "SSHUSER", "[A-Za-z0-9._-]+");
    ehs_grok_expansion out;
    expand_ok(library, "%{B:x}", &out);
    assert_true(strncmp(out.pattern, "(?<x>(?:[a-z]+@(?:\\b", 20) == 0);
    assert_true(strstr(out.pattern, ")-(?<n>[+-]?[0-9]+))") != NULL);
    assert_int_equal(out.capture_count, 2);
    assert_string_equal(out.captures[0].name, "x");
    assert_string_equal(out.captures[1].name, "n");
    ehs_grok_expansion_free(&out);

    pcre2_code *code = compile_grok(library, "^%{B:x}$", 0);
    char value[256];
    assert_true(match_field(code, "bob@example.com-42", "n", value));
    assert_string_equal(value, "42");
    assert_false(match_field(code, "Bob@example.com-42", NULL, NULL));
    pcre2_code_free(code);

    code = compile_grok(library,
                        "Failed password for (invalid user )?%{SSHUSER:user} from %{IP:ip}", 0);
    assert_true(match_field(code, "Failed password for a.b from 10.0.0.1", "user", value));
    assert_string_equal(value, "a.b");
    pcre2_code_free(code);

    for (const char *const *name = (const char *const[]){ "A", "B", "SSHUSER", NULL }; *name;
         name++) {
        ehs_grok_error error;
        assert_int_equal(ehs_grok_check(library, *name, strlen(*name), 0, &error), 0);
    }
    ehs_grok_library_free(library);
}

static void test_user_pattern_replaces_builtin(void **state)
{
    (void)state;
    ehs_grok_library *library = new_library();
    add_pattern(library, "HOSTNAME", "[a-z]+\\.internal");
    ehs_grok_expansion out;
    expand_ok(library, "%{HOSTNAME}", &out);
    assert_string_equal(out.pattern, "(?:[a-z]+\\.internal)");
    ehs_grok_expansion_free(&out);

    /* Built-ins that use HOSTNAME use the replacement. */
    pcre2_code *code = compile_grok(library, "^%{IPORHOST:h}$", 0);
    assert_true(match_field(code, "db.internal", NULL, NULL));
    assert_true(match_field(code, "10.0.0.1", NULL, NULL));
    assert_false(match_field(code, "db.example.com", NULL, NULL));
    pcre2_code_free(code);

    ehs_grok_error error;
    assert_int_equal(ehs_grok_check(library, "HOSTNAME", 8, 0, &error), 0);
    /* A built-in nobody replaced is no user pattern. */
    assert_int_equal(ehs_grok_check(library, "IPORHOST", 8, 0, &error), ENOENT);
    assert_string_equal(error.message, "no user grok pattern 'IPORHOST'");
    assert_int_equal(ehs_grok_check(library, "NOPE", 4, 0, &error), ENOENT);
    ehs_grok_library_free(library);
}

/* Named groups in a user body are kept, and show up only in PCRE2. */
static void test_user_pattern_with_named_group(void **state)
{
    (void)state;
    ehs_grok_library *library = new_library();
    add_pattern(library, "KV", "(?<key>\\w+)=%{INT:value}");
    ehs_grok_expansion out;
    expand_ok(library, "^%{KV}$", &out);
    assert_string_equal(out.pattern, "^(?:(?<key>\\w+)=(?<value>[+-]?[0-9]+))$");
    assert_int_equal(out.capture_count, 1);
    assert_string_equal(out.captures[0].name, "value");
    ehs_grok_expansion_free(&out);
    pcre2_code *code = compile_grok(library, "^%{KV}$", 0);
    char value[256];
    assert_true(match_field(code, "retries=3", "key", value));
    assert_string_equal(value, "retries");
    pcre2_code_free(code);
    ehs_grok_library_free(library);
}

static void test_library_add_errors(void **state)
{
    (void)state;
    ehs_grok_library *library = new_library();
    ehs_grok_error error;
    add_pattern(library, "MINE", "x");
    assert_int_equal(ehs_grok_library_add(library, "MINE", 4, "y", 1, &error), EINVAL);
    assert_string_equal(error.message, "duplicate grok pattern 'MINE'");
    assert_int_equal(ehs_grok_library_add(library, "MY PAT", 6, "y", 1, &error), EINVAL);
    assert_string_equal(error.message, "bad grok pattern name 'MY PAT': use letters, digits and _");
    assert_int_equal(ehs_grok_library_add(library, "", 0, "y", 1, &error), EINVAL);
    assert_string_equal(error.message, "bad grok pattern name '': use letters, digits and _");
    char long_name[80];
    memset(long_name, 'N', 65);
    long_name[65] = '\0';
    assert_int_equal(ehs_grok_library_add(library, long_name, 65, "y", 1, &error), EINVAL);
    assert_string_equal(error.message,
                        "grok pattern name 'NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN...' "
                        "is longer than 64 bytes");
    /* 64 bytes is fine. */
    assert_int_equal(ehs_grok_library_add(library, long_name, 64, "y", 1, &error), 0);
    /* Control bytes never reach a message. */
    assert_int_equal(ehs_grok_library_add(library, "A\nB", 3, "y", 1, &error), EINVAL);
    assert_string_equal(error.message, "bad grok pattern name 'A?B': use letters, digits and _");
    ehs_grok_library_free(library);
    ehs_grok_library_free(NULL);
}

/* ---- errors ---- */

static void test_unknown_pattern(void **state)
{
    (void)state;
    ehs_grok_library *library = new_library();
    ehs_grok_error error = expand_fails(library, "abc %{FOO:x} def", "unknown grok pattern 'FOO'");
    assert_string_equal(error.where.pattern, "");
    assert_int_equal(error.where.offset, 4);
    assert_int_equal(error.where.expression_offset, 4);

    /* Inside a user pattern: located in its body. */
    add_pattern(library, "P", "x%{NOPE}");
    error = expand_fails(library, "ab%{P}", "unknown grok pattern 'NOPE'");
    assert_string_equal(error.where.pattern, "P");
    assert_int_equal(error.where.offset, 1);
    assert_int_equal(error.where.expression_offset, 2);

    ehs_grok_error checked;
    assert_int_equal(ehs_grok_check(library, "P", 1, 0, &checked), EINVAL);
    assert_string_equal(checked.message, "unknown grok pattern 'NOPE'");
    assert_string_equal(checked.where.pattern, "P");
    assert_int_equal(checked.where.offset, 1);
    assert_int_equal(checked.where.expression_offset, 1);

    /* Names are case-sensitive. */
    expand_fails(library, "%{int}", "unknown grok pattern 'int'");
    ehs_grok_library_free(library);
}

static void test_cycles(void **state)
{
    (void)state;
    ehs_grok_library *library = new_library();
    add_pattern(library, "A", "%{B}");
    add_pattern(library, "B", "x%{A}");
    ehs_grok_error error = expand_fails(library, "..%{A}", "grok pattern cycle: A -> B -> A");
    assert_string_equal(error.where.pattern, "B");
    assert_int_equal(error.where.offset, 1);
    assert_int_equal(error.where.expression_offset, 2);
    expand_fails(library, "%{B:b}", "grok pattern cycle: B -> A -> B");

    add_pattern(library, "C", "%{INT}|%{C}");
    error = expand_fails(library, "%{C}", "grok pattern cycle: C -> C");
    assert_string_equal(error.where.pattern, "C");
    assert_int_equal(error.where.offset, 7);

    /* Entering the cycle from outside names only the cycle. */
    add_pattern(library, "D", "%{A}");
    expand_fails(library, "%{D}", "grok pattern cycle: A -> B -> A");

    assert_int_equal(ehs_grok_check(library, "A", 1, 0, &error), EINVAL);
    assert_string_equal(error.message, "grok pattern cycle: A -> B -> A");
    assert_string_equal(error.where.pattern, "B");

    /* Through a built-in the user replaced: reported in the user's text. */
    add_pattern(library, "HOSTNAME", "%{IPORHOST}");
    error = expand_fails(library, "%{HOSTNAME}",
                         "grok pattern cycle: HOSTNAME -> IPORHOST -> HOSTNAME");
    assert_string_equal(error.where.pattern, "HOSTNAME");
    assert_int_equal(error.where.offset, 0);
    error = expand_fails(library, "x %{IPORHOST}",
                         "grok pattern cycle: IPORHOST -> HOSTNAME -> IPORHOST");
    assert_string_equal(error.where.pattern, "HOSTNAME");
    assert_int_equal(error.where.offset, 0);
    assert_int_equal(error.where.expression_offset, 2);
    ehs_grok_library_free(library);
}

static void test_depth_and_size_limits(void **state)
{
    (void)state;
    ehs_grok_library *library = new_library();
    /* A chain 70 deep: P0 -> P1 -> ... -> P69. */
    for (int i = 0; i < 70; i++) {
        char name[16], body[32];
        snprintf(name, sizeof(name), "P%d", i);
        if (i == 69)
            snprintf(body, sizeof(body), "x");
        else
            snprintf(body, sizeof(body), "%%{P%d}", i + 1);
        add_pattern(library, name, body);
    }
    ehs_grok_error error = expand_fails(library, "%{P0}", "grok patterns nested more than 64 deep");
    assert_string_equal(error.where.pattern, "P63");
    ehs_grok_expansion out;
    expand_ok(library, "%{P10}", &out); /* 60 deep is fine */
    ehs_grok_expansion_free(&out);

    /* Doubling 30 times would make gigabytes; the cap stops it early. */
    for (int i = 0; i < 30; i++) {
        char name[16], body[32];
        snprintf(name, sizeof(name), "D%d", i);
        if (i == 29)
            snprintf(body, sizeof(body), "%%{GREEDYDATA}");
        else
            snprintf(body, sizeof(body), "%%{D%d}%%{D%d}", i + 1, i + 1);
        add_pattern(library, name, body);
    }
    expand_fails(library, "%{D0}", "grok expansion longer than 1048576 bytes");
    assert_int_equal(ehs_grok_check(library, "D0", 2, 0, &error), EINVAL);
    assert_string_equal(error.message, "grok expansion longer than 1048576 bytes");
    ehs_grok_library_free(library);
}

static void test_duplicate_fields(void **state)
{
    (void)state;
    ehs_grok_library *library = new_library();
    ehs_grok_error error = expand_fails(library, "%{INT:x} %{WORD:x}", "duplicate field name 'x'");
    assert_string_equal(error.where.pattern, "");
    assert_int_equal(error.where.offset, 16);

    /* Two uses of one pattern: the second use is the problem. */
    add_pattern(library, "P", "%{INT:n}");
    error = expand_fails(library, "%{P} %{P}", "duplicate field name 'n'");
    assert_string_equal(error.where.pattern, "");
    assert_int_equal(error.where.offset, 5);

    /* A field of the expression taken again inside a pattern. */
    error = expand_fails(library, "%{WORD:n} %{P}", "duplicate field name 'n'");
    assert_string_equal(error.where.pattern, "");
    assert_int_equal(error.where.offset, 10);

    /* Both inside one body: located there. */
    add_pattern(library, "Q", "%{INT:n}-%{INT:n}");
    error = expand_fails(library, "ab %{Q}", "duplicate field name 'n'");
    assert_string_equal(error.where.pattern, "Q");
    assert_int_equal(error.where.offset, 15);
    assert_int_equal(error.where.expression_offset, 3);
    ehs_grok_library_free(library);
}

static void test_reference_syntax_errors(void **state)
{
    (void)state;
    ehs_grok_library *library = new_library();
    ehs_grok_error error = expand_fails(library, "abc %{INT:x", "unterminated %{");
    assert_int_equal(error.where.offset, 4);
    error = expand_fails(library, "%{", "unterminated %{");
    assert_int_equal(error.where.offset, 0);

    error = expand_fails(
        library, "..%{INT:1x}",
        "bad field name '1x': use letters, digits and _, not starting with a digit");
    assert_int_equal(error.where.offset, 8);
    expand_fails(library, "%{INT:a-b}",
                 "bad field name 'a-b': use letters, digits and _, not starting with a digit");
    expand_fails(library, "%{INT:[a][b]}",
                 "bad field name '[a][b]': nested [a][b] names are not supported; use letters, "
                 "digits and _");
    error = expand_fails(library, "%{INT:}", "empty field name");
    assert_int_equal(error.where.offset, 6);
    error = expand_fails(library, "%{INT:x:}", "empty field type");
    assert_int_equal(error.where.offset, 8);
    error = expand_fails(library, "%{INT:x:u 16}", "bad field type 'u 16'");
    assert_int_equal(error.where.offset, 8);
    error = expand_fails(library, "  %{INT:x:u16:y}", "too many ':' in grok reference");
    assert_int_equal(error.where.offset, 2);
    expand_fails(library, "%{}", "empty grok pattern name");
    expand_fails(library, "%{:x}", "empty grok pattern name");
    expand_fails(library, "%{IN T}", "bad grok pattern name 'IN T'");
    expand_fails(library, "%{X=\\d+}",
                 "bad grok pattern name 'X=\\d+': inline definitions (%{NAME=regex}) are not "
                 "supported");
    /* 32 bytes is PCRE2's limit for group names. */
    expand_fails(library, "%{INT:a23456789012345678901234567890123}",
                 "field name 'a23456789012345678901234567890123' is longer than 32 bytes");
    ehs_grok_expansion out;
    expand_ok(library, "%{INT:a2345678901234567890123456789012}", &out);
    ehs_grok_expansion_free(&out);
    expand_ok(library, "%{INT:_x9}", &out);
    ehs_grok_expansion_free(&out);
    /* A quantifier on '%' is a reference in grok: it has to be written otherwise. */
    expand_fails(library, "%{2}", "unknown grok pattern '2'");
    ehs_grok_library_free(library);
}

/* ---- mapping PCRE2 offsets back ---- */

static void test_locate(void **state)
{
    (void)state;
    ehs_grok_library *library = new_library();
    add_pattern(library, "P", "xy%{INT}");
    const char *expression = "ab%{P:f}cd";
    ehs_grok_expansion out;
    expand_ok(library, expression, &out);
    assert_string_equal(out.pattern, "ab(?<f>xy(?:[+-]?[0-9]+))cd");
    ehs_grok_expansion_free(&out);

    static const struct {
        size_t at;
        const char *pattern;
        size_t offset, expression_offset;
    } cases[] = {
        { 0, "", 0, 0 },   { 1, "", 1, 1 },    /* "ab" */
        { 2, "", 2, 2 },   { 6, "", 2, 2 },    /* "(?<f>" */
        { 7, "P", 0, 2 },  { 8, "P", 1, 2 },   /* "xy" */
        { 9, "P", 2, 2 },  { 15, "P", 2, 2 },  /* the INT group and body */
        { 24, "", 2, 2 },                      /* ")" closing f */
        { 25, "", 8, 8 },  { 26, "", 9, 9 },   /* "cd" */
        { 27, "", 10, 10 }, { 500, "", 10, 10 }, /* the end, and past it */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ehs_grok_location where;
        assert_int_equal(ehs_grok_locate(library, expression, strlen(expression), cases[i].at,
                                         &where),
                         0);
        if (strcmp(where.pattern, cases[i].pattern) != 0 || where.offset != cases[i].offset ||
            where.expression_offset != cases[i].expression_offset)
            fail_msg("offset %zu -> '%s' %zu (%zu), expected '%s' %zu (%zu)", cases[i].at,
                     where.pattern, where.offset, where.expression_offset, cases[i].pattern,
                     cases[i].offset, cases[i].expression_offset);
    }

    /* A real compile error in the expression. */
    const char *bad = "%{INT:n} [z-a]";
    expand_ok(library, bad, &out);
    int code;
    PCRE2_SIZE offset;
    assert_null(pcre2_compile((PCRE2_SPTR)out.pattern, out.pattern_len, 0, &code, &offset, NULL));
    ehs_grok_location where;
    assert_int_equal(ehs_grok_locate(library, bad, strlen(bad), offset, &where), 0);
    assert_string_equal(where.pattern, "");
    assert_int_equal(where.offset, 12);
    ehs_grok_expansion_free(&out);

    /* An expression that does not expand cannot be located. */
    assert_int_equal(ehs_grok_locate(library, "%{NOPE}", 7, 0, &where), EINVAL);
    ehs_grok_library_free(library);
}

static void test_check_bad_regex(void **state)
{
    (void)state;
    ehs_grok_library *library = new_library();
    add_pattern(library, "UNBALANCED", "ab)|(?:c");
    add_pattern(library, "QUOTED", "x\\Qabc");
    add_pattern(library, "RANGE", "%{INT} [z-a]");
    add_pattern(library, "GOOD", "%{INT:n}(?:\\.%{INT:m})?");
    ehs_grok_error error;

    assert_int_equal(ehs_grok_check(library, "UNBALANCED", 10, 0, &error), EINVAL);
    assert_true(strncmp(error.message, "bad regex in grok pattern 'UNBALANCED': ", 40) == 0);
    assert_string_equal(error.where.pattern, "UNBALANCED");
    assert_int_equal(error.where.offset, 2);

    /* Fine alone, but it would swallow the group's closing parenthesis. */
    assert_int_equal(ehs_grok_check(library, "QUOTED", 6, 0, &error), EINVAL);
    assert_true(strncmp(error.message,
                        "bad regex in grok pattern 'QUOTED' when used inside a group: ", 61) == 0);
    assert_string_equal(error.where.pattern, "QUOTED");

    assert_int_equal(ehs_grok_check(library, "RANGE", 5, 0, &error), EINVAL);
    assert_string_equal(error.where.pattern, "RANGE");
    assert_int_equal(error.where.offset, 10);

    assert_int_equal(ehs_grok_check(library, "GOOD", 4, PCRE2_UTF, &error), 0);
    ehs_grok_library_free(library);
}

/* IPV6's lookahead only fails early: the body without it finds the same
 * match (or none) at every start of many random lines of the characters
 * addresses are made of. */
static void test_ipv6_guard(void **state)
{
    (void)state;
    const char *body = NULL;
    for (size_t i = 0; i < ehs_grok_builtin_count; i++)
        if (strcmp(ehs_grok_builtins[i].name, "IPV6") == 0)
            body = ehs_grok_builtins[i].body;
    assert_non_null(body);
    /* The guard is the body's one lookahead, without parentheses inside. */
    const char *at = strstr(body, "(?=");
    assert_non_null(at);
    const char *after = strchr(at, ')');
    assert_non_null(after);
    char unguarded[2048];
    size_t head = (size_t)(at - body);
    assert_true(strlen(body) < sizeof unguarded);
    memcpy(unguarded, body, head);
    strcpy(unguarded + head, after + 1);

    int error;
    PCRE2_SIZE offset;
    pcre2_code *fast = pcre2_compile((PCRE2_SPTR)body, PCRE2_ZERO_TERMINATED, 0, &error, &offset, NULL);
    pcre2_code *slow = pcre2_compile((PCRE2_SPTR)unguarded, PCRE2_ZERO_TERMINATED, 0, &error,
                                     &offset, NULL);
    assert_non_null(fast);
    assert_non_null(slow);
    pcre2_match_data *fast_data = pcre2_match_data_create(4, NULL);
    pcre2_match_data *slow_data = pcre2_match_data_create(4, NULL);
    static const char alphabet[] = "0123456789abcdefABCDEFgz:::...%% ";
    uint64_t seed = 0x1f2e3d4c5b6a7988u;
    unsigned matched = 0;
    for (int n = 0; n < 20000; n++) {
        char line[48];
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        size_t len = seed % sizeof line;
        for (size_t i = 0; i < len; i++) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            line[i] = alphabet[seed % (sizeof alphabet - 1)];
        }
        for (size_t start = 0; start <= len; start++) {
            int a = pcre2_match(fast, (PCRE2_SPTR)line, len, start, PCRE2_ANCHORED, fast_data, NULL);
            int b = pcre2_match(slow, (PCRE2_SPTR)line, len, start, PCRE2_ANCHORED, slow_data, NULL);
            if (a != b)
                fail_msg("'%.*s' at %zu: %d with the guard, %d without", (int)len, line, start, a, b);
            if (a > 0) {
                matched++;
                if (pcre2_get_ovector_pointer(fast_data)[1] != pcre2_get_ovector_pointer(slow_data)[1])
                    fail_msg("'%.*s' at %zu: the matches end apart", (int)len, line, start);
            }
        }
    }
    assert_true(matched > 1000); /* the lines do hold addresses */
    pcre2_match_data_free(fast_data);
    pcre2_match_data_free(slow_data);
    pcre2_code_free(fast);
    pcre2_code_free(slow);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_list_is_covered),
        cmocka_unit_test(test_builtins_required_by_the_issue_exist),
        cmocka_unit_test(test_builtins_have_no_groups),
        cmocka_unit_test(test_builtins_match_and_reject),
        cmocka_unit_test(test_builtins_inside_lines),
        cmocka_unit_test(test_builtins_on_hostile_lines),
        cmocka_unit_test(test_expansion_text),
        cmocka_unit_test(test_capture_order_and_types),
        cmocka_unit_test(test_sshd_line),
        cmocka_unit_test(test_user_patterns_any_order),
        cmocka_unit_test(test_user_pattern_replaces_builtin),
        cmocka_unit_test(test_user_pattern_with_named_group),
        cmocka_unit_test(test_library_add_errors),
        cmocka_unit_test(test_unknown_pattern),
        cmocka_unit_test(test_cycles),
        cmocka_unit_test(test_depth_and_size_limits),
        cmocka_unit_test(test_duplicate_fields),
        cmocka_unit_test(test_reference_syntax_errors),
        cmocka_unit_test(test_locate),
        cmocka_unit_test(test_check_bad_regex),
        cmocka_unit_test(test_ipv6_guard),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
