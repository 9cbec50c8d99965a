/*
 * Threads share nothing but the read-only config: 8 threads matching the
 * same few thousand mixed lines at once, each with its own state and
 * builder, must produce byte-identical events (and outcomes) to one thread
 * doing it alone. Lines come from the Linux syslog sample of
 * ../shared/corpus (EHSHIM_CORPUS overrides the directory), turned into
 * syslog messages, stderr lines with "<N>" prefixes, kv lines and JSON
 * lines; without the sample, synthetic lines of the same shapes.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "engine_harness.h"

enum { THREADS = 8, ROUNDS = 2, MAX_LINES = 4000 };

static const char config_text[] =
    "{ 'provider': 'Corpus', 'group': 'test', 'rules': ["
    "  { 'name': 'AuthFailure', 'ident': 'sshd', 'source': 'syslog',"
    "    'regex': '^authentication failure; logname=(?<logname>[^ ]*) uid=(?<uid>[0-9]+) "
    "euid=(?<euid>[0-9]+) tty=(?<tty>[^ ]*) ruser=(?<ruser>[^ ]*) rhost=(?<rhost>[^ ]*)"
    "(?: +user=(?<user>[^ ]+))?',"
    "    'fields': { 'uid': 'u32', 'euid': 'u32' }, 'level': 'warning', 'keyword': '0x10' },"
    "  { 'name': 'UnknownUser', 'ident': 'sshd', 'regex': '^check pass; user unknown$',"
    "    'level': 'warning', 'keyword': '0x10' },"
    "  { 'name': 'SessionOpened', 'regex': '^session opened for user (?<user>[^ ]+) by "
    "(?<by>[^ (]*)\\\\(uid=(?<uid>[0-9]+)\\\\)', 'fields': { 'uid': 'pid' } },"
    "  { 'name': 'SessionClosed', 'regex': '^session closed for user (?<user>[^ ]+)' },"
    "  { 'name': 'FtpConnection', 'ident': 'ftpd',"
    "    'regex': '^connection from (?<ip>[^ ]+) \\\\((?<host>[^)]*)\\\\) at (?<when>.*[0-9])',"
    "    'fields': { 'ip': 'ip', 'when': 'time' }, 'time_format': '%a %b %d %H:%M:%S %Y' },"
    "  { 'name': 'Anonymous', 'ident': 'ftpd', 'regex': '^ANONYMOUS FTP LOGIN', 'drop': true },"
    "  { 'name': 'Alert', 'regex': 'ALERT exited abnormally with \\\\[(?<code>[0-9]+)\\\\]',"
    "    'fields': { 'code': 'i8' }, 'level': 'critical' },"
    "  { 'name': 'Kernel', 'ident': 'kernel', 'grok': '%{GREEDYDATA:text}', 'keyword': '0x4' },"
    "  { 'name': 'Klogind', 'ident': 'klogind', 'regex': '(?<word>[A-Za-z]+) (?<rest>.*)$',"
    "    'level_field': 'word', 'level_map': { 'Authentication': 'error' } },"
    "  { 'name': 'Json', 'json': true, 'fields': { 'n': 'u16', 'addr': 'ip' } },"
    "  { 'name': 'Kv', 'source': 'stderr', 'kv': true, 'fields': { 'line': 'u32', 'ok': 'bool' },"
    "    'level_field': 'level', 'level_map': { 'error': 2 } }"
    "] }";

typedef struct line {
    ehs_message message;
    char ident[64];
    char *text;
} line;

typedef struct expected_event {
    int result;
    ehs_outcome outcome;
    uint8_t *bytes;
    size_t size;
} expected_event;

static line lines[MAX_LINES];
static expected_event expected[MAX_LINES];
static size_t line_count;
static const ehs_config *shared_config;
static pthread_barrier_t start_barrier;

/* "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: text" -> ident "sshd",
 * text "text". False when the line has no such shape. */
static bool split_syslog_line(const char *raw, char *ident, size_t ident_size, const char **text)
{
    const char *p = raw;
    for (int spaces = 0; spaces < 4; spaces++) {
        p = strchr(p, ' ');
        if (p == NULL)
            return false;
        while (*p == ' ')
            p++;
    }
    size_t n = strcspn(p, "[(: ");
    if (n == 0 || n >= ident_size)
        return false;
    memcpy(ident, p, n);
    ident[n] = '\0';
    const char *colon = strstr(p, ": ");
    *text = colon != NULL ? colon + 2 : p + n;
    return true;
}

static void add_line(size_t index, const char *ident, const char *text)
{
    line *l = &lines[line_count++];
    snprintf(l->ident, sizeof l->ident, "%s", ident);
    size_t size = strlen(text) + 64;
    l->text = malloc(size);
    assert_non_null(l->text);
    /* The mix: mostly syslog with varied priorities, every third a stderr
     * line with a "<N>" prefix, every seventh JSON, every eleventh kv. */
    l->message.source = EHS_SOURCE_SYSLOG;
    l->message.priority = (int)((index % 24) << 3 | (index % 8));
    if (index % 7 == 0) {
        snprintf(l->text, size, "{\"n\":%zu,\"addr\":\"10.0.%zu.%zu\",\"who\":\"%s\",\"len\":%zu}",
                 index, index % 256, index % 7, ident, strlen(text));
    } else if (index % 11 == 0) {
        l->message.source = EHS_SOURCE_STDERR;
        snprintf(l->text, size, "line=%zu ok=%s level=%s ident=%s", index,
                 index % 2 ? "yes" : "maybe", index % 3 ? "info" : "error", ident);
    } else if (index % 3 == 0) {
        l->message.source = EHS_SOURCE_STDERR;
        snprintf(l->text, size, "<%zu>%s", index % 9, text);
    } else {
        snprintf(l->text, size, "%s", text);
    }
    l->message.ident = l->ident;
    l->message.ident_len = strlen(l->ident);
    l->message.text = l->text;
    l->message.len = strlen(l->text);
}

static void load_lines(void)
{
    const char *dir = getenv("EHSHIM_CORPUS");
    char path[4096];
    snprintf(path, sizeof path, "%s/Linux_2k.log", dir && *dir ? dir : "../shared/corpus");
    FILE *f = fopen(path, "r");
    char raw[4096];
    size_t index = 0;
    if (f != NULL) {
        while (line_count < MAX_LINES / 2 && fgets(raw, sizeof raw, f) != NULL) {
            raw[strcspn(raw, "\r\n")] = '\0';
            char ident[64];
            const char *text;
            if (split_syslog_line(raw, ident, sizeof ident, &text))
                add_line(index++, ident, text);
        }
        fclose(f);
    } else {
        fprintf(stderr, "note: %s not found, using synthetic lines\n", path);
    }
    /* Synthetic lines of the same shapes, to reach a few thousand. */
    static const char *const shapes[][2] = {
        { "sshd", "authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= "
                  "rhost=218.188.2.4  user=root" },
        { "sshd", "check pass; user unknown" },
        { "su", "session opened for user news by (uid=0)" },
        { "su", "session closed for user news" },
        { "ftpd", "connection from 24.54.76.216 (24-54-76-216.bflony.adelphia.net) at Fri "
                  "Jun 17 07:07:00 2005 " },
        { "ftpd", "ANONYMOUS FTP LOGIN FROM 84.102.20.2, (anonymous)" },
        { "logrotate", "ALERT exited abnormally with [1]" },
        { "kernel", "Linux version 2.6.5-1.358 (bhcompile@bugs.build.redhat.com)" },
        { "klogind", "Authentication failed from 163.27.187.39 (163.27.187.39): Permission "
                     "denied in replay cache code" },
        { "cups", "cupsd shutdown succeeded" },
    };
    for (size_t i = 0; line_count < MAX_LINES; i++)
        add_line(index++, shapes[i % 10][0], shapes[i % 10][1]);
}

static void build_one(const ehs_config *config, ehs_thread_state *state, ehd_builder *builder,
                      const line *l, expected_event *out, uint8_t *buffer, size_t capacity)
{
    out->result = ehs_engine_build(config, state, &l->message, builder, &out->outcome);
    out->size = 0;
    if (out->result == EHS_BUILT)
        assert_int_equal(ehd_builder_copy_event(builder, out->outcome.level, NULL, NULL, buffer,
                                                capacity, &out->size),
                         0);
}

static void *thread_main(void *arg)
{
    size_t thread = (size_t)(uintptr_t)arg;
    ehs_thread_state *state = ehs_thread_state_new(shared_config);
    ehd_builder *builder = ehd_builder_new(NULL);
    uint8_t *buffer = malloc(70000);
    size_t mismatches = 0;
    pthread_barrier_wait(&start_barrier);
    for (size_t round = 0; round < ROUNDS; round++) {
        for (size_t k = 0; k < line_count; k++) {
            /* Each thread starts elsewhere, so they meet every line shape at once. */
            size_t i = (k + thread * line_count / THREADS + round * 17) % line_count;
            expected_event got;
            build_one(shared_config, state, builder, &lines[i], &got, buffer, 70000);
            const expected_event *want = &expected[i];
            if (got.result != want->result || got.size != want->size ||
                memcmp(buffer, want->bytes, got.size) != 0 ||
                got.outcome.rule != want->outcome.rule ||
                got.outcome.level != want->outcome.level ||
                got.outcome.keyword != want->outcome.keyword ||
                got.outcome.conversion_failures != want->outcome.conversion_failures ||
                got.outcome.truncated != want->outcome.truncated)
                mismatches++;
        }
    }
    free(buffer);
    ehd_builder_free(builder);
    ehs_thread_state_free(state);
    return (void *)(uintptr_t)mismatches;
}

static void test_threads_match_one_thread(void **state_)
{
    (void)state_;
    harness *h = harness_new(config_text);
    shared_config = h->config;
    load_lines();
    assert_int_equal(line_count, MAX_LINES);

    /* The reference: one thread, in order. */
    static uint8_t buffer[70000];
    size_t built = 0, dropped = 0, failures = 0;
    size_t by_rule[32] = { 0 };
    for (size_t i = 0; i < line_count; i++) {
        build_one(h->config, h->state, h->builder, &lines[i], &expected[i], buffer,
                  sizeof buffer);
        expected[i].bytes = malloc(expected[i].size ? expected[i].size : 1);
        assert_non_null(expected[i].bytes);
        memcpy(expected[i].bytes, buffer, expected[i].size);
        built += expected[i].result == EHS_BUILT;
        dropped += expected[i].result == EHS_DROPPED;
        failures += expected[i].outcome.conversion_failures;
        const ehs_rule *rule = expected[i].outcome.rule;
        by_rule[rule != NULL ? (size_t)(rule - h->config->rules) : h->config->rule_count]++;
    }
    /* The mix really is mixed: every rule matched something, some lines
     * dropped, some values failed to convert. */
    for (size_t r = 0; r <= h->config->rule_count; r++)
        if (by_rule[r] == 0)
            fail_msg("rule %zu matched no line", r);
    assert_true(dropped > 0);
    assert_true(failures > 0);
    assert_int_equal(built + dropped, line_count);

    pthread_t threads[THREADS];
    assert_int_equal(pthread_barrier_init(&start_barrier, NULL, THREADS), 0);
    for (size_t t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, thread_main, (void *)(uintptr_t)t), 0);
    size_t mismatches = 0;
    for (size_t t = 0; t < THREADS; t++) {
        void *result;
        assert_int_equal(pthread_join(threads[t], &result), 0);
        mismatches += (size_t)(uintptr_t)result;
    }
    pthread_barrier_destroy(&start_barrier);
    assert_int_equal(mismatches, 0);

    for (size_t i = 0; i < line_count; i++) {
        free(expected[i].bytes);
        free(lines[i].text);
    }
    harness_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_match_one_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
