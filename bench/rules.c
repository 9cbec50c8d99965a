/*
 * bench/rules [--source syslog|stderr] [--ident NAME] [--priority N]
 *             [--min-lines N] CONFIG FILE
 *
 * What the shim spends on one line once someone listens, short of the
 * write itself: the rules engine matches the line and builds its event
 * (ehs_engine_build), for every line of FILE.
 *
 * FILE is read into memory first and split into lines, so the timing sees
 * neither the disk nor the splitting; each line is cut to
 * max_message_bytes + EHS_STDERR_PREFIX_MAX + 1 bytes, as the shim's line
 * buffer cuts it. One
 * untimed pass over the file warms the caches, the PCRE2 JIT stack and the
 * builder's buffers (the shim keeps them per thread for its whole life);
 * then the file is replayed, whole passes only, until at least --min-lines
 * lines (default 1,000,000) have gone through the timed loop, so a short
 * sample file still gives a stable figure. One thread, one core.
 *
 * Prints the lines per second and ns per line, how the lines fell (rule
 * events, default events, dropped) to show the mix was the intended one,
 * and the rules tried per line of the timed loop (matchers run:
 * ehs_thread_state_rules_tried), which says how many rules the index let
 * through to PCRE2. Defaults: --source stderr, --ident ehshim, --priority 14 (LOG_USER |
 * LOG_INFO), as for `ehshim parse`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ehd/ehd.h"
#include "ehs/ehs_config.h"
#include "ehs/ehs_engine.h"

#define DEFAULT_MIN_LINES 1000000L

typedef struct line {
    const char *text;
    size_t len;
} line;

static void usage(void)
{
    fprintf(stderr, "usage: rules [--source syslog|stderr] [--ident NAME] [--priority N] "
                    "[--min-lines N] CONFIG FILE\n");
}

/* Reads all of `path`; returns the bytes (NUL-terminated) or NULL. */
static char *read_file(const char *path, size_t *size_out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "rules: %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    char *bytes = malloc(size + 1);
    size_t done = 0;
    while (bytes != NULL && done < size) {
        ssize_t n = read(fd, bytes + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            fprintf(stderr, "rules: %s: %s\n", path, n < 0 ? strerror(errno) : "file shrank");
            free(bytes);
            bytes = NULL;
            break;
        }
        done += (size_t)n;
    }
    close(fd);
    if (bytes == NULL)
        return NULL;
    bytes[size] = '\0';
    *size_out = size;
    return bytes;
}

/* Splits `bytes` at '\n' into `*lines_out` (a last line without '\n'
 * counts), each cut to `keep` bytes. Returns the count, 0 on failure. */
static size_t split_lines(const char *bytes, size_t size, size_t keep, line **lines_out)
{
    size_t count = 0, capacity = 1024;
    line *lines = malloc(capacity * sizeof *lines);
    const char *p = bytes, *end = bytes + size;
    while (lines != NULL && p < end) {
        const char *newline = memchr(p, '\n', (size_t)(end - p));
        size_t len = newline != NULL ? (size_t)(newline - p) : (size_t)(end - p);
        if (count == capacity) {
            capacity *= 2;
            line *grown = realloc(lines, capacity * sizeof *lines);
            if (grown == NULL) {
                free(lines);
                return 0;
            }
            lines = grown;
        }
        lines[count++] = (line){ p, len < keep ? len : keep };
        p += len + 1;
    }
    *lines_out = lines;
    return lines != NULL ? count : 0;
}

static double seconds_between(const struct timespec *start, const struct timespec *end)
{
    return (double)(end->tv_sec - start->tv_sec) + (double)(end->tv_nsec - start->tv_nsec) * 1e-9;
}

int main(int argc, char **argv)
{
    ehs_message message = {
        .source = EHS_SOURCE_STDERR,
        .ident = "ehshim",
        .priority = LOG_USER | LOG_INFO,
    };
    long min_lines = DEFAULT_MIN_LINES;
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        const char *value = argv[i + 1];
        if (strcmp(argv[i], "--source") == 0 && strcmp(value, "syslog") == 0)
            message.source = EHS_SOURCE_SYSLOG;
        else if (strcmp(argv[i], "--source") == 0 && strcmp(value, "stderr") == 0)
            message.source = EHS_SOURCE_STDERR;
        else if (strcmp(argv[i], "--ident") == 0)
            message.ident = value;
        else if (strcmp(argv[i], "--priority") == 0)
            message.priority = atoi(value);
        else if (strcmp(argv[i], "--min-lines") == 0)
            min_lines = atol(value);
        else {
            usage();
            return 2;
        }
    }
    if (argc - i != 2) {
        usage();
        return 2;
    }
    const char *config_path = argv[i], *input_path = argv[i + 1];
    message.ident_len = strlen(message.ident);
    if ((message.priority & LOG_FACMASK) == 0)
        message.priority |= LOG_USER;

    ehs_config *config = NULL;
    ehs_errors errors = { 0 };
    int err = ehs_config_load_file(config_path, &config, &errors);
    for (size_t e = 0; e < errors.count; e++)
        fprintf(stderr, "%s\n", errors.lines[e]);
    ehs_errors_free(&errors);
    if (err != 0) {
        fprintf(stderr, "rules: %s: cannot load: %s\n", config_path, strerror(err));
        return 1;
    }

    size_t size = 0;
    char *bytes = read_file(input_path, &size);
    line *lines = NULL;
    size_t keep = config->max_message_bytes + EHS_STDERR_PREFIX_MAX + 1;
    size_t count = bytes != NULL ? split_lines(bytes, size, keep, &lines) : 0;
    ehs_thread_state *state = ehs_thread_state_new(config);
    if (count == 0 || state == NULL) {
        fprintf(stderr, "rules: %s\n", bytes == NULL ? "no input" : count == 0
                                                                  ? "no lines (or out of memory)"
                                                                  : "out of memory");
        return 1;
    }

    ehd_builder *builder = ehd_builder_new(NULL);
    ehs_outcome outcome;
    size_t rule_events = 0, default_events = 0, dropped = 0, bytes_built = 0;
    /* Warm-up pass, untimed; its outcomes describe the mix of the file. */
    for (size_t l = 0; l < count; l++) {
        message.text = lines[l].text;
        message.len = lines[l].len;
        if (ehs_engine_build(config, state, &message, builder, &outcome) == EHS_DROPPED)
            dropped++;
        else if (outcome.rule != NULL)
            rule_events++;
        else
            default_events++;
    }

    long passes = (min_lines + (long)count - 1) / (long)count;
    if (passes < 1)
        passes = 1;
    struct timespec start, end;
    uint64_t tried_before = ehs_thread_state_rules_tried(state);
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long pass = 0; pass < passes; pass++) {
        for (size_t l = 0; l < count; l++) {
            message.text = lines[l].text;
            message.len = lines[l].len;
            if (ehs_engine_build(config, state, &message, builder, &outcome) == EHS_BUILT)
                bytes_built += ehd_builder_event_size(builder);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    uint64_t tried = ehs_thread_state_rules_tried(state) - tried_before;

    double total = (double)passes * (double)count;
    double seconds = seconds_between(&start, &end);
    printf("rules: %s on %s: %zu lines (%zu rule events, %zu default events, %zu dropped)\n",
           config_path, input_path, count, rule_events, default_events, dropped);
    printf("rules: %.0f lines in %.3f s: %.0f lines/s, %.1f ns/line, %.0f event bytes/line\n",
           total, seconds, seconds > 0 ? total / seconds : 0.0,
           total > 0 ? seconds * 1e9 / total : 0.0, total > 0 ? (double)bytes_built / total : 0.0);
    printf("rules: %zu rules, %.2f rules tried per line\n", config->rule_count,
           total > 0 ? (double)tried / total : 0.0);

    ehd_builder_free(builder);
    ehs_thread_state_free(state);
    ehs_config_free(config);
    free(lines);
    free(bytes);
    return 0;
}
