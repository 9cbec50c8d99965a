/*
 * The built-in multi-line detectors over real captured output
 * (tests/unit/detect_samples, whose README says which runtime printed
 * each file): every sample goes line by line through a grouping loop like
 * the shim's, and the records it makes and what `describe` reads from each
 * are compared whole. Then the edges: ordinary lines, '\r' endings, empty
 * input, a line of 1 MiB, and every truncation of every line and record in
 * buffers of exactly their size (so ASan or valgrind sees any read past
 * the given length).
 *
 * The samples are found under $EHSHIM_SOURCE_DIR, or under the current
 * directory (the tests run from the repository root). With
 * EHSHIM_DETECT_PRINT=1 the test prints what it found for each sample, to
 * review after a deliberate change to a detector.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect.h"

/* One sample file, split into lines, each in a buffer of its exact size. */
typedef struct sample {
    char **line;
    size_t *len;
    size_t count;
} sample;

typedef struct record {
    size_t first, last; /* 0-based, inclusive */
} record;

#define MAX_RECORDS 64
#define MAX_FRAMES 64

static char *dup_exact(const char *s, size_t len)
{
    char *p = malloc(len ? len : 1);
    assert_non_null(p);
    if (len)
        memcpy(p, s, len);
    return p;
}

static void load(sample *out, const char *name, bool add_cr)
{
    const char *dir = getenv("EHSHIM_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/unit/detect_samples/%s", dir && *dir ? dir : ".", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (set EHSHIM_SOURCE_DIR to the repository)", path);
    static char data[1 << 16];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    assert_true(n < sizeof data);
    out->count = 0;
    out->line = calloc(n + 1, sizeof *out->line);
    out->len = calloc(n + 1, sizeof *out->len);
    for (size_t at = 0; at < n;) {
        const char *nl = memchr(data + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - data) : n;
        char tmp[4096];
        size_t len = end - at;
        assert_true(len + 1 < sizeof tmp);
        memcpy(tmp, data + at, len);
        if (add_cr)
            tmp[len++] = '\r';
        out->line[out->count] = dup_exact(tmp, len);
        out->len[out->count++] = len;
        at = end + 1;
    }
}

static void unload(sample *s)
{
    for (size_t i = 0; i < s->count; i++)
        free(s->line[i]);
    free(s->line);
    free(s->len);
}

/*
 * The grouping loop: a line that `starts` opens a record; each next line
 * is asked; CONTINUE and LAST add it (and the lines held before it), LAST
 * and NO end the record; TENTATIVE lines are held. Lines held when the
 * record ends, and the line that ended it, are tried again as starts.
 */
static size_t group(const ehs_detector *d, const sample *s, record *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < s->count;) {
        uint32_t state = 0xDEADBEEF;
        if (!d->starts(s->line[i], s->len[i], &state)) {
            i++;
            continue;
        }
        record r = {i, i};
        for (size_t j = i + 1; j < s->count; j++) {
            ehs_verdict v = d->next(&state, s->line[i], s->len[i], s->line[j], s->len[j]);
            if (v == EHS_VERDICT_NO)
                break;
            if (v == EHS_VERDICT_TENTATIVE)
                continue;
            assert_true(v == EHS_VERDICT_CONTINUE || v == EHS_VERDICT_LAST);
            r.last = j;
            if (v == EHS_VERDICT_LAST)
                break;
        }
        assert_true(n < max);
        out[n++] = r;
        i = r.last + 1;
    }
    return n;
}

/* The record's lines joined with '\n', in a buffer of exactly that size. */
static char *join(const sample *s, record r, size_t *len)
{
    size_t total = 0;
    for (size_t i = r.first; i <= r.last; i++)
        total += s->len[i] + (i < r.last);
    char *text = malloc(total ? total : 1);
    assert_non_null(text);
    size_t at = 0;
    for (size_t i = r.first; i <= r.last; i++) {
        memcpy(text + at, s->line[i], s->len[i]);
        at += s->len[i];
        if (i < r.last)
            text[at++] = '\n';
    }
    *len = total;
    return text;
}

/* Appends to a growing string; `shorten` is replaced by "P/" so the
 * expectations need not spell the programs' directory every time. */
static const char shorten[] = "/work/wt-detect/tests/unit/detect_samples/programs/";

static void put(char **out, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *piece;
    int n = vasprintf(&piece, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    *out = realloc(*out, *len + (size_t)n + 1);
    assert_non_null(*out);
    memcpy(*out + *len, piece, (size_t)n + 1);
    *len += (size_t)n;
    free(piece);
}

static void put_field(char **out, size_t *len, const char *text, size_t n, const char *record,
                      size_t record_len)
{
    if (!text) {
        put(out, len, "-");
        return;
    }
    /* every field points into the record */
    assert_true(text >= record && text + n <= record + record_len);
    const char *p = text;
    size_t left = n;
    put(out, len, "[");
    while (left) {
        size_t s = sizeof shorten - 1;
        if (left >= s && !memcmp(p, shorten, s)) {
            put(out, len, "P/");
            p += s;
            left -= s;
        } else {
            put(out, len, "%c", *p == '\r' ? '\001' : *p);
            p++;
            left--;
        }
    }
    put(out, len, "]");
}

/*
 * One line per record: "first-last (1-based) [type] [message]", then one
 * line per frame: "  [file] line [function]", '-' for what is absent.
 */
static char *render(const ehs_detector *d, const sample *s, const record *r, size_t n)
{
    char *out = NULL;
    size_t len = 0;
    put(&out, &len, "%s", "");
    for (size_t k = 0; k < n; k++) {
        size_t text_len;
        char *text = join(s, r[k], &text_len);
        ehs_exception e;
        ehs_frame f[MAX_FRAMES + 1];
        memset(f, 0xA5, sizeof f);
        size_t frames = d->describe(text, text_len, &e, f, MAX_FRAMES);
        assert_true(frames <= MAX_FRAMES);
        put(&out, &len, "%zu-%zu ", r[k].first + 1, r[k].last + 1);
        put_field(&out, &len, e.type, e.type_len, text, text_len);
        put(&out, &len, " ");
        put_field(&out, &len, e.message, e.message_len, text, text_len);
        put(&out, &len, "\n");
        for (size_t i = 0; i < frames; i++) {
            put(&out, &len, "  ");
            put_field(&out, &len, f[i].file, f[i].file_len, text, text_len);
            if (f[i].has_line)
                put(&out, &len, " %u ", f[i].line);
            else
                put(&out, &len, " - ");
            put_field(&out, &len, f[i].function, f[i].function_len, text, text_len);
            put(&out, &len, "\n");
        }
        /* fewer frames wanted: the same count, only those written */
        if (frames > 0) {
            ehs_frame one[2];
            memset(one, 0x5A, sizeof one);
            ehs_exception e2;
            assert_int_equal(d->describe(text, text_len, &e2, one, 1), frames);
            assert_true(one[0].file == f[0].file && one[0].line == f[0].line);
            unsigned char *tail = (unsigned char *)&one[1];
            for (size_t b = 0; b < sizeof one[1]; b++)
                assert_int_equal(tail[b], 0x5A);
            assert_int_equal(d->describe(text, text_len, &e2, NULL, 0), frames);
        }
        free(text);
    }
    return out;
}

static const ehs_detector *detector(const char *name)
{
    const ehs_detector *d = ehs_detector_find(name, strlen(name));
    assert_non_null(d);
    return d;
}

/* Groups `file` with detector `name`; the rendering must be `expected`;
 * with '\r' at the end of every line, the same but for the '\r' bytes
 * inside fields (rendered as byte 1 and dropped before comparing). */
static void check_sample(const char *name, const char *file, const char *expected)
{
    const ehs_detector *d = detector(name);
    for (int cr = 0; cr < 2; cr++) {
        sample s;
        record r[MAX_RECORDS];
        load(&s, file, cr);
        size_t n = group(d, &s, r, MAX_RECORDS);
        char *got = render(d, &s, r, n);
        if (cr) {
            size_t w = 0;
            for (size_t i = 0; got[i]; i++)
                if (got[i] != '\001')
                    got[w++] = got[i];
            got[w] = '\0';
        }
        const char *print = getenv("EHSHIM_DETECT_PRINT");
        bool printing = print && *print == '1';
        if (printing && !cr)
            printf("==== %s %s\n%s", name, file, got);
        else if (!printing)
            assert_string_equal(got, expected);
        free(got);
        unload(&s);
    }
}

/*
 * What the loop and describe make of each sample. Read against the sample
 * files (cat -n): these were checked line by line when written.
 */
static const char expect_python_simple[] =
    "1-15 [ValueError] [invalid literal for int() with base 10: 'x']\n"
    "  [P/py_simple.py] 14 [<module>]\n"
    "  [P/py_simple.py] 11 [main]\n"
    "  [P/py_simple.py] 6 [load]\n"
    "  [P/py_simple.py] 6 [<listcomp>]\n"
    "  [P/py_simple.py] 2 [parse]\n";

static const char expect_python_chained[] =
    "1-23 [ConfigError] [no port in]\n"
    "  [P/py_chained.py] 11 [load]\n"
    "  [P/py_chained.py] 6 [read]\n"
    "  [P/py_chained.py] 14 [load]\n"
    "  [P/py_chained.py] 19 [<module>]\n"
    "  [P/py_chained.py] 16 [load]\n";

static const char expect_python_group[] =
    "1-21 [ExceptionGroup] [two failures (2 sub-exceptions)]\n"
    "  [P/py_group.py] 19 [<module>]\n"
    "  [P/py_group.py] 16 [main]\n"
    "  [P/py_group.py] 13 [main]\n"
    "  [P/py_group.py] 2 [f]\n"
    "  [P/py_group.py] 13 [main]\n"
    "  [P/py_group.py] 6 [g]\n";

static const char expect_python_group_nested[] =
    "1-28 [RuntimeError] [giving up]\n"
    "  [P/py_group_nested.py] 13 [<module>]\n"
    "  [P/py_group_nested.py] 9 [outer]\n"
    "  [P/py_group_nested.py] 7 [outer]\n"
    "  [P/py_group_nested.py] 2 [inner]\n"
    "  [P/py_group_nested.py] 15 [<module>]\n";

static const char expect_python_thread[] =
    "1-9 [RuntimeError] [worker failed]\n"
    "  [/usr/lib/python3.11/threading.py] 1038 [_bootstrap_inner]\n"
    "  [/usr/lib/python3.11/threading.py] 975 [run]\n"
    "  [P/py_thread.py] 5 [worker]\n";

static const char expect_python_syntax[] =
    "1-4 [SyntaxError] [invalid syntax]\n"
    "  [P/py_syntax.py] 1 -\n";

static const char expect_python_ignored[] =
    "1-5 [OSError] [cannot close]\n"
    "  [P/py_ignored.py] 3 [__del__]\n"
    "7-10 [KeyboardInterrupt] -\n"
    "  [P/py_ignored.py] 9 [<module>]\n";

static const char expect_java_caused_suppressed[] =
    "1-14 [java.lang.IllegalStateException] [cannot start]\n"
    "  [JavaCausedSuppressed.java] 19 [JavaCausedSuppressed.step]\n"
    "  [JavaCausedSuppressed.java] 25 [JavaCausedSuppressed.main]\n"
    "  [NumberFormatException.java] 67 [java.base/java.lang.NumberFormatException.forInputString]\n"
    "  [Integer.java] 668 [java.base/java.lang.Integer.parseInt]\n"
    "  [Integer.java] 786 [java.base/java.lang.Integer.parseInt]\n"
    "  [JavaCausedSuppressed.java] 12 [JavaCausedSuppressed.parse]\n"
    "  [JavaCausedSuppressed.java] 17 [JavaCausedSuppressed.step]\n"
    "  [JavaCausedSuppressed.java] 7 [JavaCausedSuppressed$Resource.close]\n"
    "  [JavaCausedSuppressed.java] 16 [JavaCausedSuppressed.step]\n"
    "16-35 [java.lang.reflect.InvocationTargetException] -\n"
    "  - - [java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0]\n"
    "  [NativeMethodAccessorImpl.java] 77 [java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke]\n"
    "  [DelegatingMethodAccessorImpl.java] 43 [java.base/jdk.internal.reflect.DelegatingMethodAccessorImpl.invoke]\n"
    "  [Method.java] 569 [java.base/java.lang.reflect.Method.invoke]\n"
    "  [JavaCausedSuppressed.java] 31 [JavaCausedSuppressed.main]\n"
    "  [JavaCausedSuppressed.java] 19 [JavaCausedSuppressed.step]\n"
    "  [NumberFormatException.java] 67 [java.base/java.lang.NumberFormatException.forInputString]\n"
    "  [Integer.java] 668 [java.base/java.lang.Integer.parseInt]\n"
    "  [Integer.java] 786 [java.base/java.lang.Integer.parseInt]\n"
    "  [JavaCausedSuppressed.java] 12 [JavaCausedSuppressed.parse]\n"
    "  [JavaCausedSuppressed.java] 17 [JavaCausedSuppressed.step]\n"
    "  [JavaCausedSuppressed.java] 7 [JavaCausedSuppressed$Resource.close]\n"
    "  [JavaCausedSuppressed.java] 16 [JavaCausedSuppressed.step]\n";

static const char expect_java_thread[] =
    "1-4 [java.lang.ArrayIndexOutOfBoundsException] [Index 3 out of bounds for length 2]\n"
    "  [JavaThread.java] 3 [JavaThread.work]\n"
    "  [JavaThread.java] 7 [JavaThread.lambda$main$0]\n"
    "  [Thread.java] 840 [java.base/java.lang.Thread.run]\n"
    "6-7 [java.lang.NullPointerException] [Cannot invoke \"Object.hashCode()\" because \"<local2>\" is null]\n"
    "  [JavaThread.java] 12 [JavaThread.main]\n";

static const char expect_java_multiline_custom[] =
    "1-4 [java.lang.IllegalArgumentException] [port 80 is reserved\nuse a port above 1023]\n"
    "  [Boom.java] 8 [Boom.check]\n"
    "  [Boom.java] 13 [Boom.main]\n"
    "5-6 [Boom] [custom class, default package]\n"
    "  [Boom.java] 17 [Boom.main]\n";

static const char expect_go_panic[] =
    "1-7 [panic] [too many items: 3]\n"
    "  [P/go_panic.go] 11 [main.check]\n"
    "  [P/go_panic.go] 25 [main.main]\n";

static const char expect_go_panic_recovered[] =
    "1-12 [panic] [cleanup failed]\n"
    "  [P/go_panic.go] 17 [main.cleanup]\n"
    "  [/usr/lib/go-1.19/src/runtime/panic.go] 884 [panic]\n"
    "  [P/go_panic.go] 11 [main.check]\n"
    "  [P/go_panic.go] 25 [main.main]\n";

static const char expect_go_index[] =
    "1-7 [panic] [runtime error: index out of range [5] with length 3]\n"
    "  [P/go_runtime.go] 11 [main.index]\n"
    "  [P/go_runtime.go] 21 [main.main]\n";

static const char expect_go_nil[] =
    "1-8 [panic] [runtime error: invalid memory address or nil pointer dereference]\n"
    "  [P/go_runtime.go] 15 [main.deref]\n"
    "  [P/go_runtime.go] 23 [main.main]\n";

static const char expect_go_goroutine[] =
    "1-9 [panic] [runtime error: index out of range [2] with length 0]\n"
    "  [P/go_runtime.go] 11 [main.index]\n"
    "  [P/go_runtime.go] 29 [main.main.func1]\n"
    "  [P/go_runtime.go] 27 [main.main]\n";

static const char expect_go_goroutine_all[] =
    "1-17 [panic] [runtime error: index out of range [2] with length 0]\n"
    "  [P/go_runtime.go] 11 [main.index]\n"
    "  [P/go_runtime.go] 29 [main.main.func1]\n"
    "  [P/go_runtime.go] 27 [main.main]\n"
    "  [/usr/lib/go-1.19/src/runtime/sema.go] 62 [sync.runtime_Semacquire]\n"
    "  [/usr/lib/go-1.19/src/sync/waitgroup.go] 139 [sync.(*WaitGroup).Wait]\n"
    "  [P/go_runtime.go] 31 [main.main]\n";

static const char expect_go_deadlock[] =
    "1-5 [fatal error] [all goroutines are asleep - deadlock!]\n"
    "  [P/go_runtime.go] 34 [main.main]\n";

static const char expect_go_cgo[] =
    "1-5 [panic] [assignment to entry in nil map]\n"
    "  [P/go_cgo.go] 11 [main.main]\n";

static const char expect_go_multiline[] =
    "1-6 [panic] [cannot load config:\nbad key port]\n"
    "  [P/go_multiline.go] 20 [main.main]\n";

static const char expect_rust_panic[] =
    "2-4 [panic] [port must be a number: ParseIntError { kind: InvalidDigit }]\n"
    "  [rust_panic.rs] 6 -\n";

static const char expect_rust_backtrace[] =
    "2-14 [panic] [index out of bounds: the len is 3 but the index is 7]\n"
    "  [rust_panic.rs] 2 -\n"
    "  [/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs] 689 [__rustc::rust_begin_unwind]\n"
    "  [/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/panicking.rs] 80 [core::panicking::panic_fmt]\n"
    "  [/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/panicking.rs] 271 [core::panicking::panic_bounds_check]\n"
    "  - - [rust_panic::lookup]\n"
    "  - - [rust_panic::main]\n"
    "  - - [core::ops::function::FnOnce::call_once]\n";

static const char expect_rust_old_panic[] =
    "1-2 [panic] [port must be a number: ParseIntError { kind: InvalidDigit }]\n"
    "  [rust_panic.rs] 6 -\n";

static const char expect_rust_old_backtrace[] =
    "1-12 [panic] [index out of bounds: the len is 3 but the index is 7]\n"
    "  [rust_panic.rs] 2 -\n"
    "  [/usr/src/rustc-1.63.0/library/std/src/panicking.rs] 584 [rust_begin_unwind]\n"
    "  [/usr/src/rustc-1.63.0/library/core/src/panicking.rs] 142 [core::panicking::panic_fmt]\n"
    "  [/usr/src/rustc-1.63.0/library/core/src/panicking.rs] 84 [core::panicking::panic_bounds_check]\n"
    "  - - [rust_panic::lookup]\n"
    "  - - [rust_panic::main]\n"
    "  - - [core::ops::function::FnOnce::call_once]\n";

static const char expect_rust_thread[] =
    "2-6 [panic] [cannot load the configuration:\nport = eighty\nexpected a number]\n"
    "  [rust_thread.rs] 8 -\n"
    "9-10 [panic] [index out of bounds: the len is 0 but the index is 1]\n"
    "  [rust_thread.rs] 14 -\n";

static const char expect_rust_old_thread[] =
    "1-4 [panic] [cannot load the configuration:\nport = eighty\nexpected a number]\n"
    "  [rust_thread.rs] 8 -\n"
    "6-6 [panic] [index out of bounds: the len is 0 but the index is 1]\n"
    "  [rust_thread.rs] 14 -\n";

static const char expect_ruby_plain[] =
    "1-3 [RuntimeError] [cannot parse \"\"]\n"
    "  [ruby_error.rb] 7 [check]\n"
    "  [ruby_error.rb] 3 [parse]\n"
    "  [ruby_error.rb] 17 [<main>]\n";

static const char expect_ruby_multi[] =
    "1-5 [ArgumentError] [bad input:]\n"
    "  [ruby_error.rb] 8 [check]\n"
    "  [ruby_error.rb] 3 [parse]\n"
    "  [ruby_error.rb] 15 [<main>]\n";

static const char expect_ruby_typo[] =
    "1-7 [NoMethodError] [undefined method `lenght' for \"abc\":String]\n"
    "  [ruby_error.rb] 9 [check]\n"
    "  [ruby_error.rb] 3 [parse]\n"
    "  [ruby_error.rb] 16 [<main>]\n";

static const char expect_ruby_toplevel[] =
    "1-2 [KeyError] [key not found: \"host\"]\n"
    "  [ruby_toplevel.rb] 3 [fetch]\n"
    "  [ruby_toplevel.rb] 3 [<main>]\n";

static const char expect_cxx_what[] =
    "2-3 [std::runtime_error] [cannot open /etc/app.conf]\n";

static const char expect_cxx_none[] =
    "2-2 - [terminate called without an active exception]\n";

static const char expect_cxx_int[] =
    "2-2 [int] -\n";

static const char expect_postgresql_default_prefix[] =
    "1-1 [LOG] [starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14+deb12u1) 12.2.0, 64-bit]\n"
    "2-2 [LOG] [listening on IPv4 address \"127.0.0.1\", port 54329]\n"
    "3-3 [LOG] [listening on Unix socket \"/tmp/ehs_detect_pg/.s.PGSQL.54329\"]\n"
    "4-4 [LOG] [database system was shut down at 2026-12-03 06:18:56 UTC]\n"
    "5-5 [LOG] [database system is ready to accept connections]\n"
    "6-9 [ERROR] [relation \"nowhere\" does not exist at character 20]\n"
    "10-11 [ERROR] [syntax error at or near \"SELEC\" at character 1]\n"
    "12-21 [ERROR] [quota exceeded]\n"
    "22-24 [ERROR] [division by zero]\n"
    "25-27 [WARNING] [disk almost full]\n"
    "28-28 [LOG] [received fast shutdown request]\n"
    "29-29 [LOG] [aborting any active transactions]\n"
    "30-30 [LOG] [background worker \"logical replication launcher\" (PID 26058) exited with exit code 1]\n"
    "31-31 [LOG] [shutting down]\n"
    "32-32 [LOG] [checkpoint starting: shutdown immediate]\n"
    "33-33 [LOG] [checkpoint complete: wrote 13 buffers (0.1%); 0 WAL file(s) added, 0 removed, 0 recycled; write=0.003 s, sync=0.002 s, total=0.010 s; sync files=11, longest=0.001 s, average=0.001 s; distance=47 kB, estimate=47 kB]\n"
    "34-34 [LOG] [database system is shut down]\n";

static const char expect_postgresql_user_db_verbose[] =
    "1-2 [LOG] [00000: starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14+deb12u1) 12.2.0, 64-bit]\n"
    "3-4 [LOG] [00000: listening on IPv4 address \"127.0.0.1\", port 54329]\n"
    "5-6 [LOG] [00000: listening on Unix socket \"/tmp/ehs_detect_pg/.s.PGSQL.54329\"]\n"
    "7-8 [LOG] [00000: database system was shut down at 2026-12-03 06:19:02 UTC]\n"
    "9-10 [LOG] [00000: database system is ready to accept connections]\n"
    "11-15 [ERROR] [42P01: relation \"nowhere\" does not exist at character 20]\n"
    "16-18 [ERROR] [42601: syntax error at or near \"SELEC\" at character 1]\n"
    "19-29 [ERROR] [P0001: quota exceeded]\n"
    "30-33 [ERROR] [22012: division by zero]\n"
    "34-37 [WARNING] [01000: disk almost full]\n"
    "38-39 [FATAL] [3D000: database \"nosuchdb\" does not exist]\n"
    "40-41 [LOG] [00000: received fast shutdown request]\n"
    "42-43 [LOG] [00000: aborting any active transactions]\n"
    "44-45 [LOG] [00000: background worker \"logical replication launcher\" (PID 26112) exited with exit code 1]\n"
    "46-47 [LOG] [00000: shutting down]\n"
    "48-49 [LOG] [00000: checkpoint starting: shutdown immediate]\n"
    "50-51 [LOG] [00000: checkpoint complete: wrote 9 buffers (0.1%); 0 WAL file(s) added, 0 removed, 0 recycled; write=0.003 s, sync=0.002 s, total=0.009 s; sync files=8, longest=0.001 s, average=0.001 s; distance=39 kB, estimate=39 kB]\n"
    "52-53 [LOG] [00000: database system is shut down]\n";
static const struct {
    const char *detector, *file, *expected;
} samples[] = {
#define S(d, f) {d, #f ".txt", expect_##f}
    S("python", python_simple),
    S("python", python_chained),
    S("python", python_group),
    S("python", python_group_nested),
    S("python", python_thread),
    S("python", python_syntax),
    S("python", python_ignored),
    S("java", java_caused_suppressed),
    S("java", java_thread),
    S("java", java_multiline_custom),
    S("go", go_panic),
    S("go", go_panic_recovered),
    S("go", go_index),
    S("go", go_nil),
    S("go", go_goroutine),
    S("go", go_goroutine_all),
    S("go", go_deadlock),
    S("go", go_cgo),
    S("go", go_multiline),
    S("rust", rust_panic),
    S("rust", rust_backtrace),
    S("rust", rust_old_panic),
    S("rust", rust_old_backtrace),
    S("rust", rust_thread),
    S("rust", rust_old_thread),
    S("ruby", ruby_plain),
    S("ruby", ruby_multi),
    S("ruby", ruby_typo),
    S("ruby", ruby_toplevel),
    S("cxx", cxx_what),
    S("cxx", cxx_none),
    S("cxx", cxx_int),
    S("postgresql", postgresql_default_prefix),
    S("postgresql", postgresql_user_db_verbose),
#undef S
};
#define SAMPLE_COUNT (sizeof samples / sizeof samples[0])

static void test_samples(void **state)
{
    (void)state;
    for (size_t i = 0; i < SAMPLE_COUNT; i++)
        check_sample(samples[i].detector, samples[i].file, samples[i].expected);
}

/*
 * Every detector over every other runtime's samples: the records another
 * detector makes there. Only the documented overlaps may appear (none in
 * these samples, so the list is empty); printed with EHSHIM_DETECT_PRINT.
 */
static const char expect_cross[] = "";

static void test_cross(void **state)
{
    (void)state;
    char *got = NULL;
    size_t len = 0;
    put(&got, &len, "%s", "");
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        sample s;
        load(&s, samples[i].file, false);
        for (size_t k = 0; k < ehs_detector_count; k++) {
            const ehs_detector *d = &ehs_detectors[k];
            if (strcmp(d->name, samples[i].detector) == 0)
                continue;
            record r[MAX_RECORDS];
            size_t n = group(d, &s, r, MAX_RECORDS);
            for (size_t j = 0; j < n; j++)
                put(&got, &len, "%s %s %zu-%zu\n", d->name, samples[i].file, r[j].first + 1,
                    r[j].last + 1);
        }
        unload(&s);
    }
    const char *print = getenv("EHSHIM_DETECT_PRINT");
    if (print && *print == '1')
        printf("==== cross\n%s", got);
    else
        assert_string_equal(got, expect_cross);
    free(got);
}

/* Lines no detector takes for a start: a program's ordinary output. */
static const char *const ordinary[] = {
    "",
    "\r",
    " ",
    "Starting server on port 8080",
    "2026-12-03T06:00:00Z INFO request served path=/ status=200",
    "level=error msg=\"connection refused\" err=\"dial tcp 127.0.0.1:5432: connect\"",
    "{\"level\":\"error\",\"msg\":\"x\"}",
    "Error: file not found",
    "Exception: something went wrong",
    "ValueError: boom",                      /* alone, without its Traceback */
    "Traceback (most recent call last)",     /* no colon */
    "Traceback (most recent call last): x",
    "  File \"x.py\", line 3, in f",        /* a frame without its Traceback */
    "\tat com.example.Foo.bar(Foo.java:12)", /* a frame without its header */
    "Caused by: java.io.IOException: x",
    "FooException: default package",
    "java.lang.Thread: not an exception class",
    "goroutine 1 [running]:",
    "panic:x",
    "fatal error:x",
    "thread 'main' did not panic",
    "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
    "x.rb:3:in `foo'",                        /* what `puts caller` prints */
    "x.rb:3: warning: already initialized constant X",
    "terminate called",
    "terminate called after throwing an instance of",
    "  what():  boom",
    "12:30:45 worker: done",
    "DETAIL:  used 12 of 10 slots",
    "ERROR: one space only",
    "XERROR:  not a word of its own",
    "GET /index.html HTTP/1.1 200 612",
};

/* Lines that do start a record, and for which detectors (documented in
 * each detector's header comment). */
static const struct {
    const char *line;
    const char *detectors;
} starting_lines[] = {
    {"Traceback (most recent call last):", "python"},
    {"Exception in thread Thread-1 (worker):", "python"},
    {"Exception ignored in: <function f at 0x7f>", "python"},
    {"  File \"x.py\", line 1", "python"},
    {"  + Exception Group Traceback (most recent call last):", "python"},
    {"Exception in thread \"main\" com.example.Boom", "java"},
    {"java.io.IOException: disk full", "java"},
    {"com.example.FooError", "java"},
    {"pkg.mod.CustomError: a dotted Python type", "java"},
    {"panic: boom", "go"},
    {"fatal error: all goroutines are asleep - deadlock!", "go"},
    {"thread 'main' panicked at src/main.rs:2:5:", "rust"},
    {"thread '<unnamed>' panicked at 'boom', src/main.rs:2:5", "rust"},
    {"x.rb:3:in `foo': boom (RuntimeError)", "ruby"},
    {"x.rb:3:in 'Object#foo': boom (RuntimeError)", "ruby"},
    {"x.rb:1:in `<main>': unhandled exception", "ruby"},
    {"terminate called after throwing an instance of 'int'", "cxx"},
    {"terminate called without an active exception", "cxx"},
    {"ERROR:  relation \"t\" does not exist", "postgresql"},
    {"2026-12-03 06:00:00.123 UTC [12] LOG:  checkpoint starting: time", "postgresql"},
    {"2026-12-03 06:00:00.123 UTC [12] DEBUG3:  x", "postgresql"},
    {"psql:x.sql:3: ERROR:  syntax error", "postgresql"},
};

static void starters(const char *line, size_t len, char *out, size_t size)
{
    out[0] = '\0';
    char *copy = dup_exact(line, len);
    for (size_t k = 0; k < ehs_detector_count; k++) {
        uint32_t state;
        if (ehs_detectors[k].starts(copy, len, &state)) {
            if (out[0])
                strncat(out, " ", size - strlen(out) - 1);
            strncat(out, ehs_detectors[k].name, size - strlen(out) - 1);
        }
    }
    free(copy);
}

static void test_single_lines(void **state)
{
    (void)state;
    char got[256];
    for (size_t i = 0; i < sizeof ordinary / sizeof ordinary[0]; i++) {
        starters(ordinary[i], strlen(ordinary[i]), got, sizeof got);
        if (got[0])
            fail_msg("\"%s\" starts a record for %s", ordinary[i], got);
    }
    for (size_t i = 0; i < sizeof starting_lines / sizeof starting_lines[0]; i++) {
        const char *line = starting_lines[i].line;
        starters(line, strlen(line), got, sizeof got);
        assert_string_equal(got, starting_lines[i].detectors);
        /* the same with a '\r' at the end */
        char cr[256];
        snprintf(cr, sizeof cr, "%s\r", line);
        starters(cr, strlen(cr), got, sizeof got);
        assert_string_equal(got, starting_lines[i].detectors);
    }
}

/* Nothing at all: no start, a verdict without a crash, nothing found. */
static void test_empty(void **state)
{
    (void)state;
    char *empty = malloc(1);
    assert_non_null(empty);
    for (size_t k = 0; k < ehs_detector_count; k++) {
        const ehs_detector *d = &ehs_detectors[k];
        uint32_t st = 0;
        assert_false(d->starts(empty, 0, &st));
        for (st = 0; st < 64; st++) {
            uint32_t s = st;
            ehs_verdict v = d->next(&s, empty, 0, empty, 0);
            assert_true(v >= EHS_VERDICT_NO && v <= EHS_VERDICT_TENTATIVE);
        }
        ehs_exception e;
        ehs_frame f[4];
        assert_int_equal(d->describe(empty, 0, &e, f, 4), 0);
        if (e.type || e.message)
            fail_msg("%s finds an exception in nothing", d->name);
    }
    free(empty);
}

/*
 * Runs `text` (exactly `len` bytes, at the end of its buffer) through
 * every function of `d`: as a start, as every kind of next line after
 * `first`, and as a record.
 */
static void exercise(const ehs_detector *d, const char *first, size_t first_len, const char *text,
                     size_t len)
{
    uint32_t st;
    (void)d->starts(text, len, &st);
    if (first && d->starts(first, first_len, &st))
        (void)d->next(&st, first, first_len, text, len);
    for (uint32_t probe = 0; probe < 16; probe++) {
        st = probe;
        (void)d->next(&st, text, len, text, len);
    }
    ehs_exception e;
    ehs_frame f[8];
    size_t frames = d->describe(text, len, &e, f, 8);
    for (size_t i = 0; i < frames && i < 8; i++) {
        assert_true(!f[i].file || (f[i].file >= text && f[i].file + f[i].file_len <= text + len));
        assert_true(!f[i].function ||
                    (f[i].function >= text && f[i].function + f[i].function_len <= text + len));
    }
    assert_true(!e.type || (e.type >= text && e.type + e.type_len <= text + len));
    assert_true(!e.message || (e.message >= text && e.message + e.message_len <= text + len));
}

/*
 * Every truncation of every sample line, and of every record the samples
 * make, in a buffer that ends where the text ends: a read past the length
 * is a read past the allocation, which ASan and valgrind report.
 */
static void test_truncations(void **state)
{
    (void)state;
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        sample s;
        load(&s, samples[i].file, false);
        const ehs_detector *own = detector(samples[i].detector);
        record r[MAX_RECORDS];
        size_t n = group(own, &s, r, MAX_RECORDS);
        const char *first = n ? s.line[r[0].first] : NULL;
        size_t first_len = n ? s.len[r[0].first] : 0;
        for (size_t l = 0; l < s.count; l++) {
            size_t len = s.len[l];
            char *buf = malloc(len ? len : 1);
            for (size_t k = 0; k <= len; k++) {
                memcpy(buf + len - k, s.line[l], k);
                for (size_t j = 0; j < ehs_detector_count; j++)
                    exercise(&ehs_detectors[j], first, first_len, buf + len - k, k);
            }
            free(buf);
        }
        for (size_t j = 0; j < n; j++) {
            size_t len;
            char *text = join(&s, r[j], &len);
            char *buf = malloc(len ? len : 1);
            for (size_t k = 0; k <= len; k++) {
                memcpy(buf + len - k, text, k);
                ehs_exception e;
                ehs_frame f[4];
                (void)own->describe(buf + len - k, k, &e, f, 4);
            }
            /* a first line cut short, as `first` for the lines after it */
            size_t flen = s.len[r[j].first];
            char *fbuf = malloc(flen ? flen : 1);
            for (size_t k = 0; k <= flen; k++) {
                memcpy(fbuf + flen - k, s.line[r[j].first], k);
                uint32_t st;
                if (!own->starts(fbuf + flen - k, k, &st))
                    continue;
                for (size_t l = r[j].first + 1; l <= r[j].last; l++)
                    (void)own->next(&st, fbuf + flen - k, k, s.line[l], s.len[l]);
            }
            free(fbuf);
            free(buf);
            free(text);
        }
        unload(&s);
    }
}

/* A line of 1 MiB: ordinary bytes, separators the detectors search for,
 * and each sample's first line padded out; all in exact buffers. */
static void test_huge_line(void **state)
{
    (void)state;
    const size_t big = 1 << 20;
    char *buf = malloc(big);
    assert_non_null(buf);
    static const char *const fills[] = {"a", ":", ":  ", "a:1:", "a:1:in `", "1:2:", "\t", " ", "|",
                                        "A.", "'", "(", ")", "\", line ", "ERROR:  ", "\n"};
    for (size_t f = 0; f < sizeof fills / sizeof fills[0]; f++) {
        size_t fl = strlen(fills[f]);
        for (size_t i = 0; i < big; i++)
            buf[i] = fills[f][i % fl];
        for (size_t j = 0; j < ehs_detector_count; j++)
            exercise(&ehs_detectors[j], buf, big, buf, big);
        uint32_t st;
        if (fills[f][0] == 'a')
            for (size_t j = 0; j < ehs_detector_count; j++)
                assert_false(ehs_detectors[j].starts(buf, big, &st));
    }
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        sample s;
        load(&s, samples[i].file, false);
        const ehs_detector *own = detector(samples[i].detector);
        record r[MAX_RECORDS];
        size_t n = group(own, &s, r, MAX_RECORDS);
        for (size_t j = 0; j < n; j++) {
            size_t fl = s.len[r[j].first];
            memcpy(buf, s.line[r[j].first], fl);
            memset(buf + fl, 'x', big - fl);
            uint32_t st;
            (void)own->starts(buf, big, &st);
            exercise(own, s.line[r[j].first], fl, buf, big);
        }
        unload(&s);
    }
    free(buf);
}

/* The table: its order, and finding by name with an exact length. */
static void test_find(void **state)
{
    (void)state;
    static const char *const names[] = {"python", "java", "go", "rust", "ruby", "cxx", "postgresql"};
    assert_int_equal(ehs_detector_count, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(ehs_detectors[i].name, names[i]);
        assert_ptr_equal(ehs_detector_find(names[i], strlen(names[i])), &ehs_detectors[i]);
    }
    assert_null(ehs_detector_find("pyth", 4));
    assert_null(ehs_detector_find("python3", 7));
    assert_ptr_equal(ehs_detector_find("gopher", 2), &ehs_detectors[2]);
    assert_null(ehs_detector_find("", 0));
    assert_null(ehs_detector_find(NULL, 0));
}

/*
 * PostgreSQL: a report's lines carry the same prefix, so another
 * process's DETAIL or LOCATION (captured lines, put side by side here)
 * does not join it; Python: a chain sentence without the blank line
 * before it is not a chain.
 */
static void test_interleaved(void **state)
{
    (void)state;
    sample s;
    load(&s, "postgresql_user_db_verbose.txt", false);
    const ehs_detector *pg = detector("postgresql");
    uint32_t st;
    /* line 11: ERROR of pid 26160; line 2: LOCATION of pid 26106 */
    assert_true(pg->starts(s.line[10], s.len[10], &st));
    assert_int_equal(pg->next(&st, s.line[10], s.len[10], s.line[1], s.len[1]), EHS_VERDICT_NO);
    assert_int_equal(pg->next(&st, s.line[10], s.len[10], s.line[11], s.len[11]),
                     EHS_VERDICT_CONTINUE);
    unload(&s);

    load(&s, "python_chained.txt", false);
    const ehs_detector *py = detector("python");
    assert_true(py->starts(s.line[0], s.len[0], &st));
    for (size_t i = 1; i < 7; i++)
        assert_int_equal(py->next(&st, s.line[0], s.len[0], s.line[i], s.len[i]),
                         EHS_VERDICT_CONTINUE);
    /* line 9 ("During handling ...") right after the exception line:
     * only a blank line may lead to a chain */
    assert_int_equal(py->next(&st, s.line[0], s.len[0], s.line[8], s.len[8]), EHS_VERDICT_NO);
    unload(&s);
}

static void test_print(void **state)
{
    (void)state;
    for (size_t i = 0; i < SAMPLE_COUNT; i++)
        check_sample(samples[i].detector, samples[i].file, "");
}

int main(void)
{
    const char *print = getenv("EHSHIM_DETECT_PRINT");
    if (print && *print == '1') {
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_print),
            cmocka_unit_test(test_cross),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples),     cmocka_unit_test(test_cross),
        cmocka_unit_test(test_single_lines), cmocka_unit_test(test_empty),
        cmocka_unit_test(test_truncations), cmocka_unit_test(test_huge_line),
        cmocka_unit_test(test_find),        cmocka_unit_test(test_interleaved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
