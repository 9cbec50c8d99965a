/*
 * bench/learn_input N [FILE ...]: writes N log messages, one a line, for
 * timing `ehshim learn` (bench/learn_speed.sh).
 * bench/learn_input --random-words N: writes N lines of random words,
 * nearly every one a template of its own, to show that the template cap
 * bounds the learner's memory.
 *
 * Deterministic: a fixed-seed generator, so every machine benchmarks the
 * same bytes. The mix of the first form:
 *   - 60%: a real line of one of the FILEs (examples/NAME/input.log, the
 *     sshd traffic of bench/authlog), the FILE picked first, then a line
 *     of it, every number replaced by a random one no larger (pids,
 *     ports, times, addresses vary and stay valid, the words stay);
 *   - 40%: one of 1,200 synthetic message kinds: 3 to 11 words of a
 *     vocabulary of log words with 1 to 3 values among them (a count, a
 *     duration, a hex id, an address and port, a path, key=value), picked
 *     with a skew (the first kinds are frequent, the last ones rare, but
 *     every one comes often enough to be learned), so the learner holds
 *     over a thousand templates at once, as on a real host's many
 *     programs.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/lib/xorshift.h"

static uint64_t rng_state = 0x2545F4914F6CDD1Du;

/* The high half of xorshift64* (tests/lib/xorshift.h), the better half. */
static uint32_t next_random(void)
{
    return (uint32_t)(xorshift_next(&rng_state) >> 32);
}

static uint32_t below(uint32_t n)
{
    return next_random() % n;
}

/* A uniform number in [0, 1). */
static double uniform(void)
{
    return next_random() / 4294967296.0;
}

static const char *const vocabulary[] = {
    "connection", "request",  "failed",    "user",      "session",  "opened",   "closed",
    "timeout",    "retrying", "worker",    "started",   "stopped",  "cache",    "miss",
    "hit",        "block",    "received",  "sent",      "packet",   "client",   "server",
    "error",      "warning",  "loaded",    "module",    "config",   "reload",   "queue",
    "job",        "finished", "scheduled", "disk",      "write",    "read",     "file",
    "not",        "found",    "denied",    "accepted",  "token",    "expired",  "refresh",
    "lease",      "renewed",  "address",   "assigned",  "interface", "up",      "down",
    "link",       "backup",   "snapshot",  "replica",   "primary",  "election", "vote",
    "leader",     "follower", "commit",    "rollback",  "transaction", "lock",  "acquired",
    "released",   "waiting",  "for",       "from",      "to",       "on",       "in",
    "with",       "the",      "of",        "upstream",  "downstream", "health", "check",
    "passed",     "slow",     "query",     "index",     "rebuilt",  "table",    "row",
    "inserted",   "deleted",  "updated",   "heartbeat", "lost",     "restored", "node",
    "joined",     "left",     "cluster",   "shard",     "migrated", "memory",   "pressure",
    "high",       "low",      "threshold", "exceeded",  "limit",    "rate",     "throttled",
    "certificate", "verify",  "handshake", "tls",       "protocol", "version",  "mismatch",
    "invalid",    "header",   "body",      "response",  "status",   "route",    "added",
    "removed",    "peer",     "service",   "unit",      "mounted",  "unmounted", "device",
    "attached",   "detached", "event",     "dispatch",  "handler",  "plugin",   "init",
};
enum { VOCABULARY = sizeof vocabulary / sizeof vocabulary[0] };

enum { KINDS = 1200, KIND_WORDS_MAX = 14 };

/* A value slot's kinds. */
enum { SLOT_WORD, SLOT_COUNT, SLOT_MS, SLOT_HEX, SLOT_ENDPOINT, SLOT_PATH, SLOT_KEYVALUE };

typedef struct kind {
    unsigned count;
    unsigned char slot[KIND_WORDS_MAX];        /* SLOT_* */
    const char *word[KIND_WORDS_MAX];          /* the word, or a key=value's key */
} kind;

static kind kinds[KINDS];

static void make_kinds(void)
{
    for (size_t k = 0; k < KINDS; k++) {
        kind *m = &kinds[k];
        unsigned words = 3 + below(9);
        unsigned values = 1 + below(3);
        m->count = words + values;
        for (unsigned i = 0; i < m->count; i++) {
            m->slot[i] = SLOT_WORD;
            m->word[i] = vocabulary[below(VOCABULARY)];
        }
        /* The values go anywhere but first: a message starts with words. */
        for (unsigned v = 0; v < values; v++)
            m->slot[1 + below(m->count - 1)] = (unsigned char)(SLOT_COUNT + below(6));
    }
}

static void write_kind(const kind *m, FILE *out)
{
    for (unsigned i = 0; i < m->count; i++) {
        if (i > 0)
            putc(' ', out);
        switch (m->slot[i]) {
        case SLOT_WORD:
            fputs(m->word[i], out);
            break;
        case SLOT_COUNT:
            fprintf(out, "%u", below(100000));
            break;
        case SLOT_MS:
            fprintf(out, "%ums", below(5000));
            break;
        case SLOT_HEX:
            fprintf(out, "0x%08x", next_random());
            break;
        case SLOT_ENDPOINT:
            fprintf(out, "10.%u.%u.%u:%u", below(256), below(256), 1 + below(254),
                     1024 + below(64512));
            break;
        case SLOT_PATH:
            fprintf(out, "/var/lib/%s/%u.dat", m->word[i], below(10000));
            break;
        default:
            fprintf(out, "%s=%u", m->word[i], below(1000));
            break;
        }
    }
    putc('\n', out);
}

/* The lines of one FILE. */
typedef struct seed_file {
    char **lines;
    size_t count;
} seed_file;

static int read_seed(const char *path, seed_file *f)
{
    FILE *in = fopen(path, "r");
    if (in == NULL) {
        perror(path);
        return -1;
    }
    size_t cap = 0;
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t n;
    while ((n = getline(&line, &line_cap, in)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        if (f->count == cap) {
            cap = cap != 0 ? cap * 2 : 256;
            char **grown = realloc(f->lines, cap * sizeof *grown);
            if (grown == NULL) {
                fclose(in);
                free(line);
                return -1;
            }
            f->lines = grown;
        }
        f->lines[f->count] = strdup(line);
        if (f->lines[f->count] == NULL) {
            fclose(in);
            free(line);
            return -1;
        }
        f->count++;
    }
    free(line);
    fclose(in);
    return 0;
}

/* Writes `line` with every number replaced by a random one no larger,
 * written as wide when it had leading zeros: addresses stay addresses,
 * times stay times, pids and ports vary. */
static void write_seed_line(const char *line, FILE *out)
{
    for (const char *p = line; *p != '\0';) {
        if (*p < '0' || *p > '9') {
            putc(*p++, out);
            continue;
        }
        size_t len = strspn(p, "0123456789");
        if (len > 9) {
            for (size_t i = 0; i < len; i++)
                putc('0' + (int)below(10), out);
        } else {
            uint32_t v = (uint32_t)strtoul(p, NULL, 10);
            uint32_t value = v == 0 ? 0 : below(v + 1);
            if (p[0] == '0' && len > 1)
                fprintf(out, "%0*u", (int)len, value);
            else
                fprintf(out, "%u", value);
        }
        p += len;
    }
    putc('\n', out);
}

static void write_random_words(FILE *out)
{
    unsigned words = 4 + below(9);
    for (unsigned i = 0; i < words; i++) {
        if (i > 0)
            putc(' ', out);
        unsigned letters = 2 + below(8);
        for (unsigned j = 0; j < letters; j++)
            putc('a' + (int)below(26), out);
    }
    putc('\n', out);
}

int main(int argc, char **argv)
{
    bool random_words = argc > 1 && strcmp(argv[1], "--random-words") == 0;
    int first = random_words ? 2 : 1;
    if (argc <= first || (random_words && argc != 3)) {
        fprintf(stderr, "usage: learn_input N [FILE ...] > OUT\n"
                        "       learn_input --random-words N > OUT\n");
        return 2;
    }
    long n = strtol(argv[first], NULL, 10);
    static char buffer[1 << 16];
    setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
    if (random_words) {
        for (long i = 0; i < n; i++)
            write_random_words(stdout);
        return fflush(stdout) == 0 ? 0 : 1;
    }

    size_t file_count = (size_t)(argc - first - 1);
    seed_file *files = calloc(file_count + 1, sizeof *files);
    if (files == NULL)
        return 1;
    size_t usable = 0;
    for (size_t i = 0; i < file_count; i++) {
        if (read_seed(argv[first + 1 + (int)i], &files[usable]) != 0)
            return 1;
        usable += files[usable].count != 0;
    }
    make_kinds();
    for (long i = 0; i < n; i++) {
        if (usable != 0 && below(100) < 60) {
            const seed_file *f = &files[below((uint32_t)usable)];
            write_seed_line(f->lines[below((uint32_t)f->count)], stdout);
        } else {
            /* Skewed: P(index < x) = (x / KINDS)^(1/3). */
            double u = uniform();
            size_t k = (size_t)(KINDS * u * u * u);
            write_kind(&kinds[k < KINDS ? k : KINDS - 1], stdout);
        }
    }
    for (size_t i = 0; i < usable; i++) {
        for (size_t j = 0; j < files[i].count; j++)
            free(files[i].lines[j]);
        free(files[i].lines);
    }
    free(files);
    return fflush(stdout) == 0 ? 0 : 1;
}
