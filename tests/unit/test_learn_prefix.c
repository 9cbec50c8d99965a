/*
 * The log-line prefixes of `ehshim learn` (tools/learn_prefix.c) and the
 * feed that holds the first lines until the prefix is known
 * (tools/learn_feed.c), on lines real programs printed
 * (tests/unit/learn_prefix_samples, whose README says which program made
 * each file): every format is found in its own lines and its captures hold
 * the right parts; lines without a shared prefix (loghub's message columns,
 * the examples' messages) get none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Pieces of the tool, not of a library: compiled into the test. */
#include "../../tools/learn_feed.c"
#include "../../tools/learn_prefix.c"
#include "../../tools/learn_templates.c"

typedef struct lines {
    char *data;
    const char *line[256];
    size_t len[256];
    size_t count;
} lines;

static void load(lines *out, const char *path_in_tree)
{
    const char *dir = getenv("EHSHIM_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : ".", path_in_tree);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s (set EHSHIM_SOURCE_DIR to the repository)", path);
    out->data = malloc(1 << 16);
    assert_non_null(out->data);
    size_t n = fread(out->data, 1, (1 << 16) - 1, f);
    fclose(f);
    out->count = 0;
    for (size_t at = 0; at < n && out->count < 256;) {
        const char *nl = memchr(out->data + at, '\n', n - at);
        size_t end = nl != NULL ? (size_t)(nl - out->data) : n;
        out->line[out->count] = out->data + at;
        out->len[out->count++] = end - at;
        at = end + 1;
    }
}

static void sample(lines *out, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "tests/unit/learn_prefix_samples/%s", name);
    load(out, path);
}

/* Named capture `name` of `format` on `line`, into `out` ("(null)" when it
 * took no part). */
static void capture(const learn_prefix_format *format, const char *line, const char *name,
                    char *out, size_t size)
{
    learn_prefix *p = learn_prefix_new(format);
    assert_non_null(p);
    int rc = pcre2_match(p->code, (PCRE2_SPTR)line, strlen(line), 0, 0, p->match, NULL);
    assert_true(rc > 0);
    PCRE2_SIZE len = size;
    int got = pcre2_substring_copy_byname(p->match, (PCRE2_SPTR)name, (PCRE2_UCHAR *)out, &len);
    if (got == PCRE2_ERROR_UNSET)
        snprintf(out, size, "(null)");
    else
        assert_int_equal(got, 0);
    learn_prefix_free(p);
}

/* What a sample file must show: its format, and one line's parts. */
typedef struct expect {
    const char *file;
    const char *format;
    size_t line;            /* 0-based, the line checked */
    const char *message;    /* its message */
    const char *fields[12]; /* name, value pairs, NULL-ended */
} expect;

static const expect samples[] = {
    { "python_default.log", "python", 9, "out of disk space on /var/lib/app",
      { "level", "CRITICAL", "logger", "app", NULL } },
    { "python_asctime_space.log", "time-level-logger", 7, "slow query took 2.5s",
      { "time", "2026-12-03 09:29:47,379", "level", "WARNING", "logger", "app.db", NULL } },
    { "python_asctime_bracket.log", "time-level-logger", 8,
      "upstream 127.0.0.1:8080 refused the connection",
      { "time", "2026-12-03 09:29:50,109", "level", "ERROR", "logger", "app.web", NULL } },
    { "python_asctime_dash.log", "python-dash", 1, "query 0 took 0.000 s",
      { "time", "2026-12-03 09:29:48,373", "level", "DEBUG", "logger", "app.db", NULL } },
    { "python_asctime_colon.log", "python-colon", 0, "starting 4 workers, pid 7049",
      { "time", "2026-12-03 09:29:49,377", "level", "INFO", "logger", "root", NULL } },
    { "python_asctime_level.log", "time-level", 7, "slow query took 2.5s",
      { "time", "2026-12-03 09:29:50,911", "level", "WARNING", NULL } },
    { "log4j_colon.log", "log4j", 1, "charging order 100 for 0 cents",
      { "time", "2026-12-03 09:29:39,582", "level", "DEBUG", "thread", "worker-1", "logger",
        "com.example.shop.Payment", NULL } },
    { "log4j_dash.log", "log4j", 7, "payment gateway slow: 1500 ms",
      { "time", "2026-12-03 09:29:42,078", "level", "WARN", "thread", "main", "logger",
        "com.example.shop.Payment", NULL } },
    { "logback.log", "logback", 8, "payment for order 102 declined",
      { "time", "09:29:45.155", "level", "ERROR", "thread", "main", "logger",
        "com.example.shop.Payment", NULL } },
    { "hadoop.log", "hadoop", 9, "ledger /var/lib/shop/orders.log is full",
      { "time", "261203 092944", "pid", "6764", "level", "FATAL", "component", "shop.Orders",
        NULL } },
    { "postgresql.log", "postgresql", 17, "password authentication failed for user \"app\"",
      { "time", "2026-12-02 04:28:00.451 CET", "pid", "15418", "user", "app", "database",
        "postgres", "level", "FATAL", NULL } },
    { "postgresql.log", "postgresql", 0,
      "starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu, compiled by "
      "gcc (Debian 12.2.0-14+deb12u1) 12.2.0, 64-bit",
      { "pid", "15337", "user", "(null)", "level", "LOG", NULL } },
    { "nginx_error.log", "nginx", 9, "access forbidden by rule, client: 127.0.0.1, server: "
                                      "localhost, request: \"GET /denied HTTP/1.1\", host: "
                                      "\"127.0.0.1:18080\"",
      { "time", "2026/12/02 03:32:35", "level", "error", "pid", "2622", "tid", "2622",
        "connection", "3", NULL } },
    { "nginx_error.log", "nginx", 0, "using the \"epoll\" event method",
      { "level", "notice", "pid", "2617", "connection", "(null)", NULL } },
    { "syslog_rsyslog_traditional.log", "syslog", 3,
      "Accepted publickey for alice from 192.0.2.7 port 50112 ssh2",
      { "time", "Dec  3 09:30:00", "host", "vm", "program", "sshd", "pid", "7484", NULL } },
    { "syslog_rsyslog_traditional.log", "syslog", 5, "(root) CMD (run-parts /etc/cron.hourly)",
      { "host", "vm", "program", "cron", "pid", "(null)", NULL } },
    { "syslog_rsyslog_rfc3339.log", "syslog-rfc3339", 1, "volume 2 is 91% full",
      { "time", "2026-12-03T09:30:00.874255+00:00", "host", "vm", "program", "backup", "pid",
        "7481", NULL } },
    { "syslog_rsyslog_rfc5424.log", "syslog-rfc5424", 4,
      "Failed password for root from 192.0.2.9 port 4242 ssh2",
      { "time", "2026-12-03T09:30:00.900851+00:00", "host", "vm", "program", "sshd", "pid",
        "7485", "msgid", "-", NULL } },
};

static const learn_prefix_format *format_named(const char *name)
{
    size_t count;
    const learn_prefix_format *f = learn_prefix_formats(&count);
    for (size_t i = 0; i < count; i++)
        if (strcmp(f[i].name, name) == 0)
            return &f[i];
    fail_msg("no format %s", name);
    return NULL;
}

static void every_sample_is_its_format(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof samples / sizeof samples[0]; s++) {
        const expect *e = &samples[s];
        lines in;
        sample(&in, e->file);
        size_t fitting = 0;
        const learn_prefix_format *f = learn_prefix_detect(in.line, in.len, in.count, &fitting);
        if (f == NULL || strcmp(f->name, e->format) != 0)
            fail_msg("%s: format %s, want %s", e->file, f ? f->name : "none", e->format);
        size_t voters = 0;
        for (size_t i = 0; i < in.count; i++)
            voters += in.len[i] > 0 && in.line[i][0] != '\t' && in.line[i][0] != ' ';
        /* Real output of one configuration: every line fits. */
        assert_int_equal(fitting, voters);

        learn_prefix *p = learn_prefix_new(f);
        assert_non_null(p);
        size_t at = 0;
        assert_true(e->line < in.count);
        assert_true(learn_prefix_split(p, in.line[e->line], in.len[e->line], &at));
        char message[1024];
        snprintf(message, sizeof message, "%.*s", (int)(in.len[e->line] - at),
                 in.line[e->line] + at);
        if (strcmp(message, e->message) != 0)
            fail_msg("%s line %zu: message [%s], want [%s]", e->file, e->line + 1, message,
                     e->message);
        learn_prefix_free(p);

        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)in.len[e->line], in.line[e->line]);
        for (size_t k = 0; e->fields[k] != NULL; k += 2) {
            char value[256];
            capture(f, line, e->fields[k], value, sizeof value);
            if (strcmp(value, e->fields[k + 1]) != 0)
                fail_msg("%s line %zu: %s [%s], want [%s]", e->file, e->line + 1, e->fields[k],
                         value, e->fields[k + 1]);
        }
        free(in.data);
    }
}

/* Messages without any prefix: loghub's Content column (the issue's own
 * examples) and the examples' programs that log bare messages. */
static void bare_messages_have_no_prefix(void **state)
{
    (void)state;
    const char *content[] = {
        "PacketResponder 1 for block blk_38865049064139660 terminating",
        "proxy.cse.cuhk.edu.hk:5070 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS",
        "BLOCK* NameSystem.allocateBlock: /user/root/rand/_temporary/_task_200811092030_0001_m_"
        "000590_0/part-00590. blk_-1727475099218615100",
    };
    size_t lens[3];
    for (size_t i = 0; i < 3; i++)
        lens[i] = strlen(content[i]);
    size_t fitting = 7;
    assert_null(learn_prefix_detect(content, lens, 3, &fitting));
    assert_int_equal(fitting, 0);

    const char *examples[] = { "examples/sshd/input.log", "examples/rsyncd/input.log",
                               "examples/cron/input.log", "examples/dnsmasq/input.log",
                               "examples/java/input.log" };
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        lines in;
        load(&in, examples[i]);
        const learn_prefix_format *f = learn_prefix_detect(in.line, in.len, in.count, NULL);
        if (f != NULL)
            fail_msg("%s: prefix %s found", examples[i], f->name);
        free(in.data);
    }
    /* Mixed outputs: nginx's error log among its access log and its own
     * stderr lines, Python's records in two formats. */
    const char *mixed[] = { "examples/nginx/input.log", "examples/python/input.log" };
    for (size_t i = 0; i < 2; i++) {
        lines in;
        load(&in, mixed[i]);
        assert_null(learn_prefix_detect(in.line, in.len, in.count, NULL));
        free(in.data);
    }
    assert_null(learn_prefix_detect(NULL, NULL, 0, NULL));
}

/* 9 lines of 10 fit: chosen; 8 of 10: not. Continuation lines and empty
 * ones do not vote (PostgreSQL's statements over lines). */
static void a_large_majority_chooses(void **state)
{
    (void)state;
    lines in;
    sample(&in, "python_default.log");
    assert_int_equal(in.count, 10);
    const char *text[12];
    size_t lens[12];
    for (size_t i = 0; i < 10; i++) {
        text[i] = in.line[i];
        lens[i] = in.len[i];
    }
    text[9] = "a line of its own";
    lens[9] = strlen(text[9]);
    size_t fitting;
    const learn_prefix_format *f = learn_prefix_detect(text, lens, 10, &fitting);
    assert_non_null(f);
    assert_string_equal(f->name, "python");
    assert_int_equal(fitting, 9);
    text[8] = "another";
    lens[8] = strlen(text[8]);
    assert_null(learn_prefix_detect(text, lens, 10, NULL));
    text[8] = "\tcontinued";
    lens[8] = strlen(text[8]);
    text[10] = "";
    lens[10] = 0;
    text[11] = "  indented";
    lens[11] = strlen(text[11]);
    text[9] = in.line[9];
    lens[9] = in.len[9];
    assert_non_null(learn_prefix_detect(text, lens, 12, &fitting));
    assert_int_equal(fitting, 9);
    free(in.data);
}

static void a_prefix_without_message_does_not_split(void **state)
{
    (void)state;
    learn_prefix *p = learn_prefix_new(format_named("python"));
    assert_non_null(p);
    size_t at = 99;
    assert_false(learn_prefix_split(p, "INFO:root:", 10, &at));
    assert_false(learn_prefix_split(p, "INFO:root:  \t", 13, &at));
    assert_false(learn_prefix_split(p, "NOTE:root:x", 11, &at));
    assert_int_equal(at, 99);
    assert_true(learn_prefix_split(p, "INFO:root:x", 11, &at));
    assert_int_equal(at, 10);
    learn_prefix_free(p);
}

/* Every format compiles, fits the rule buffers, and names a level capture
 * exactly when it has level words. */
static void formats_are_well_formed(void **state)
{
    (void)state;
    size_t count;
    const learn_prefix_format *f = learn_prefix_formats(&count);
    assert_true(count >= 10);
    for (size_t i = 0; i < count; i++) {
        assert_true(strlen(f[i].regex) < LEARN_PREFIX_REGEX_MAX);
        assert_int_equal(f[i].regex[0], '^');
        learn_prefix *p = learn_prefix_new(&f[i]);
        if (p == NULL)
            fail_msg("%s does not compile", f[i].name);
        uint32_t groups = 0;
        assert_int_equal(pcre2_pattern_info(p->code, PCRE2_INFO_NAMECOUNT, &groups), 0);
        learn_prefix_free(p);
        char names[LEARN_PREFIX_CAPTURES_MAX + 1][32];
        size_t n = learn_prefix_capture_names(&f[i], names, LEARN_PREFIX_CAPTURES_MAX + 1);
        assert_true(n <= LEARN_PREFIX_CAPTURES_MAX);
        assert_int_equal(n, groups);
        bool level = false;
        for (size_t k = 0; k < n; k++)
            level |= strcmp(names[k], "level") == 0;
        assert_int_equal(level, f[i].levels != NULL);
    }
    assert_int_equal(learn_prefix_capture_names(NULL, NULL, 0), 0);
}

static void levels_map_to_config_names(void **state)
{
    (void)state;
    cJSON *rule = cJSON_CreateObject();
    assert_true(learn_prefix_add_level(format_named("postgresql"), rule));
    assert_string_equal(cJSON_GetObjectItem(rule, "level_field")->valuestring, "level");
    const cJSON *map = cJSON_GetObjectItem(rule, "level_map");
    assert_string_equal(cJSON_GetObjectItem(map, "LOG")->valuestring, "info");
    assert_string_equal(cJSON_GetObjectItem(map, "FATAL")->valuestring, "critical");
    assert_string_equal(cJSON_GetObjectItem(map, "PANIC")->valuestring, "critical");
    assert_string_equal(cJSON_GetObjectItem(map, "WARNING")->valuestring, "warning");
    assert_string_equal(cJSON_GetObjectItem(map, "DEBUG3")->valuestring, "verbose");
    assert_null(cJSON_GetObjectItem(map, "STATEMENT"));
    assert_null(cJSON_GetObjectItem(map, "DEBUG[1-5]"));
    cJSON_Delete(rule);

    rule = cJSON_CreateObject();
    assert_true(learn_prefix_add_level(format_named("nginx"), rule));
    map = cJSON_GetObjectItem(rule, "level_map");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(map, "emerg")->valuestring, "critical");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(map, "warn")->valuestring, "warning");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(map, "debug")->valuestring, "verbose");
    cJSON_Delete(rule);

    /* syslog files carry no severity: no level_field. */
    rule = cJSON_CreateObject();
    assert_true(learn_prefix_add_level(format_named("syslog"), rule));
    assert_true(learn_prefix_add_level(NULL, rule));
    assert_null(rule->child);
    cJSON *fields = cJSON_CreateObject();
    assert_true(learn_prefix_add_types(format_named("nginx"), fields));
    assert_string_equal(cJSON_GetObjectItem(fields, "pid")->valuestring, "u32");
    assert_string_equal(cJSON_GetObjectItem(fields, "tid")->valuestring, "u32");
    assert_string_equal(cJSON_GetObjectItem(fields, "connection")->valuestring, "u64");
    assert_null(cJSON_GetObjectItem(fields, "time"));
    cJSON_Delete(fields);
    cJSON_Delete(rule);
}

/* The feed: the prefix is chosen on the first LEARN_FEED_SAMPLE_LINES
 * lines, those lines are learned once it is, later lines as they come;
 * lines without the prefix go to the bare learner whole. */
static void the_feed_holds_then_routes(void **state)
{
    (void)state;
    learner main_l = { 0 }, bare = { 0 };
    learn_feed feed = { .main = &main_l, .bare = &bare };
    char line[128];
    for (int i = 0; i < LEARN_FEED_SAMPLE_LINES - 1; i++) {
        int n = snprintf(line, sizeof line, "%s:app.db:query %d took %d ms",
                         i % 7 == 0 ? "WARNING" : "INFO", i, i % 13);
        assert_true(learn_feed_line(&feed, line, (size_t)n));
    }
    assert_false(feed.decided);
    assert_int_equal(main_l.lines, 0);
    assert_true(learn_feed_line(&feed, "Traceback (most recent call last):", 34));
    assert_true(feed.decided);
    assert_non_null(feed.format);
    assert_string_equal(feed.format->name, "python");
    assert_int_equal(main_l.lines, LEARN_FEED_SAMPLE_LINES - 1);
    assert_int_equal(bare.lines, 1);
    assert_true(learn_feed_line(&feed, "ERROR:app:disk full", 19));
    assert_true(learn_feed_line(&feed, "not a record", 12));
    assert_true(learn_feed_end(&feed));
    assert_int_equal(feed.fitted, LEARN_FEED_SAMPLE_LINES);
    assert_int_equal(main_l.lines, LEARN_FEED_SAMPLE_LINES);
    assert_int_equal(bare.lines, 2);
    /* The message alone was mined: its first token is "query". */
    assert_string_equal(main_l.templates[0].tokens[0].mask, "query");
    learn_feed_free(&feed);
    learner_free(&main_l);
    learner_free(&bare);

    /* Few lines, no prefix: all of them whole, to the main learner. */
    learner a = { 0 }, b = { 0 };
    learn_feed few = { .main = &a, .bare = &b };
    assert_true(learn_feed_line(&few, "PacketResponder 1 for block blk_1 terminating", 45));
    assert_true(learn_feed_line(&few, "", 0));
    assert_true(learn_feed_end(&few));
    assert_null(few.format);
    assert_int_equal(a.lines, 2);
    assert_int_equal(b.lines, 0);
    assert_string_equal(a.templates[0].tokens[0].mask, "PacketResponder");
    learn_feed_free(&few);
    learner_free(&a);
    learner_free(&b);
}

/* A line past the sample's byte cap decides at once, and votes. */
static void a_huge_line_decides(void **state)
{
    (void)state;
    learner a = { 0 }, b = { 0 };
    learn_feed feed = { .main = &a, .bare = &b };
    size_t len = LEARN_FEED_SAMPLE_BYTES + 10;
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, 'x', len);
    memcpy(big, "INFO:root:", 10);
    assert_true(learn_feed_line(&feed, "DEBUG:root:first", 16));
    assert_true(learn_feed_line(&feed, big, len));
    assert_true(feed.decided);
    assert_non_null(feed.format);
    assert_int_equal(feed.sample_fitting, 2);
    assert_int_equal(a.lines, 2);
    assert_int_equal(feed.bytes_used, 0);
    assert_true(learn_feed_end(&feed));
    free(big);
    learn_feed_free(&feed);
    learner_free(&a);
    learner_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_sample_is_its_format),
        cmocka_unit_test(bare_messages_have_no_prefix),
        cmocka_unit_test(a_large_majority_chooses),
        cmocka_unit_test(a_prefix_without_message_does_not_split),
        cmocka_unit_test(formats_are_well_formed),
        cmocka_unit_test(levels_map_to_config_names),
        cmocka_unit_test(the_feed_holds_then_routes),
        cmocka_unit_test(a_huge_line_decides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
