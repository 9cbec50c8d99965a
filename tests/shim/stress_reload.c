/* stress_reload CONFIG CHANGES: eight threads log "tT N" lines to stderr
 * (fprintf) as fast as they can while the main thread rewrites CONFIG
 * CHANGES times (a new file renamed over it, as editors and config
 * management do), each version naming its event "GenG" for its number G,
 * and every fifth one broken so that the shim must refuse it and keep the
 * one in force. Versions also differ in how many rules and capture groups
 * they have, so each thread's engine state must be made anew for them.
 *
 * Then the threads log a little longer (version CHANGES, the last good
 * one, in force by then) and stop. Prints to stdout the lines each thread
 * logged, and the resident memory (VmRSS, KiB) after the first tenth of
 * the changes and at the end: what the shim keeps for replaced configs
 * must not grow with their number. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { THREADS = 8 };

static atomic_bool stop;
static long logged[THREADS];

static void *keep_logging(void *arg)
{
    int thread = (int)(long)arg;
    long i = 0;
    while (!atomic_load(&stop)) {
        fprintf(stderr, "t%d %ld\n", thread, i++);
        /* A pause now and then: the writer gets to run on a busy two-core
         * machine, and the capture file stays some tens of MB. */
        if (i % 8 == 0)
            usleep(1000);
    }
    logged[thread] = i;
    return NULL;
}

/* The config of version `version`: good, or (broken) not JSON. */
static void write_config(const char *path, int version, bool broken)
{
    char temp[4096];
    snprintf(temp, sizeof temp, "%s.tmp", path);
    FILE *f = fopen(temp, "w");
    if (f == NULL) {
        perror(temp);
        exit(2);
    }
    fprintf(f, "{ \"capture\": { \"syslog\": false, \"journal\": false },\n"
               "  \"reload\": { \"check_ms\": 1 },\n  \"rules\": [\n");
    /* Rules that never match, with more groups in some versions. */
    for (int r = 0; r < version % 5; r++) {
        fprintf(f, "    { \"name\": \"Never%d\", \"regex\": \"^never", r);
        for (int g = 0; g <= r * 3; g++)
            fprintf(f, "(?<g%d>x)", g);
        fprintf(f, "\" },\n");
    }
    fprintf(f,
            "    { \"name\": \"Gen%d\", \"regex\": \"^t(?<thread>\\\\d+) (?<seq>\\\\d+)$\",\n"
            "      \"fields\": { \"thread\": \"u8\", \"seq\": \"u32\" } }\n  ]\n}\n",
            version);
    if (broken)
        fprintf(f, "trailing garbage %d\n", version);
    if (fclose(f) != 0 || rename(temp, path) != 0) {
        perror(path);
        exit(2);
    }
}

static long resident_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return kib;
}

static void pause_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
    nanosleep(&t, NULL);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: stress_reload CONFIG CHANGES\n");
        return 2;
    }
    const char *path = argv[1];
    int changes = atoi(argv[2]);
    pthread_t threads[THREADS];
    for (long t = 0; t < THREADS; t++)
        pthread_create(&threads[t], NULL, keep_logging, (void *)t);
    long rss_early = -1;
    for (int version = 1; version <= changes; version++) {
        /* Every fifth version is broken, but never the last. */
        write_config(path, version, version % 5 == 0 && version != changes);
        pause_ms(3);
        if (version == changes / 10)
            rss_early = resident_kib();
    }
    /* Long enough for the last version to be in force everywhere. */
    pause_ms(300);
    atomic_store(&stop, true);
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    long rss_late = resident_kib();
    for (int t = 0; t < THREADS; t++)
        printf("t%d logged %ld\n", t, logged[t]);
    printf("rss %ld %ld\n", rss_early, rss_late);
    return 0;
}
