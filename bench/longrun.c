/*
 * bench/longrun [LINES]: a long-running legacy-style logger for the shim's
 * long-run memory check. Writes LINES lines (default 2,000,000) to stderr,
 * alternating fprintf and write, every 10th line also through syslog, and
 * every 100,000 lines starts a short-lived thread that logs 100 lines of
 * its own and exits. Prints VmRSS (from /proc/self/status) after its first
 * line - when the shim has set up everything it keeps - at every tenth of
 * the run, and at the end, with VmHWM and the wall time, on stdout.
 *
 * Run it with stderr on /dev/null and the shim preloaded, capture on (see
 * bench/run.sh): the shim's memory must stay flat, whatever the line count.
 *
 * A plain program: it stands for the programs the shim goes into and uses
 * nothing of the project.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static long status_kib(const char *key)
{
    FILE *status = fopen("/proc/self/status", "r");
    if (status == NULL)
        return -1;
    char line[256];
    long kib = -1;
    size_t key_len = strlen(key);
    while (fgets(line, sizeof line, status) != NULL) {
        if (strncmp(line, key, key_len) == 0 && line[key_len] == ':') {
            kib = atol(line + key_len + 1);
            break;
        }
    }
    fclose(status);
    return kib;
}

static void log_line(long i)
{
    if (i % 2 == 0) {
        fprintf(stderr, "worker %ld: request %ld done in %ld ms status=200 bytes=%ld\n", i % 16,
                i, i % 97, (i * 7919) % 65536);
    } else {
        char line[160];
        int n = snprintf(line, sizeof line,
                         "worker %ld: request %ld done in %ld ms status=200 bytes=%ld\n", i % 16,
                         i, i % 97, (i * 7919) % 65536);
        if (write(STDERR_FILENO, line, (size_t)n) != n)
            exit(1);
    }
    if (i % 10 == 0)
        syslog(LOG_INFO, "request %ld accepted from 192.0.2.%ld port %ld", i, i % 250,
               1024 + i % 60000);
}

static void *short_thread(void *arg)
{
    long base = (long)arg;
    for (long i = 0; i < 100; i++)
        fprintf(stderr, "helper %ld: step %ld\n", base, i);
    return NULL;
}

int main(int argc, char **argv)
{
    long lines = argc > 1 ? atol(argv[1]) : 2000000;
    if (lines < 1)
        return 2;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    log_line(0);
    long first = status_kib("VmRSS");
    printf("longrun: line 1: VmRSS %ld KiB\n", first);
    long step = lines / 10 > 0 ? lines / 10 : 1;
    for (long i = 1; i < lines; i++) {
        log_line(i);
        if (i % 100000 == 0) {
            pthread_t id;
            if (pthread_create(&id, NULL, short_thread, (void *)i) == 0)
                pthread_join(id, NULL);
        }
        if ((i + 1) % step == 0)
            printf("longrun: line %ld: VmRSS %ld KiB\n", i + 1, status_kib("VmRSS"));
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long last = status_kib("VmRSS");
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("longrun: %ld lines in %.1f s (%.0f ns/line): VmRSS %ld KiB after the first line, "
           "%ld KiB at the end (%+ld KiB); VmHWM %ld KiB\n",
           lines, seconds, seconds * 1e9 / (double)lines, first, last, last - first,
           status_kib("VmHWM"));
    return 0;
}
