/* fault_flood [-n LINES] [-t THREADS] [-s EVERY] [-w]: THREADS threads
 * (default 1) each log LINES lines (default 1000) to stderr with fprintf
 * (-w: write), and every EVERY-th line (-s) also through syslog. stdout
 * gets one line when the program starts and one when it ends, so the
 * fault tests can check that stdout is untouched. For the full file system
 * and valgrind tests: the program keeps logging whatever the shim's
 * capture file does. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

static long lines = 1000;
static long syslog_every;
static int use_write;

static void *log_lines(void *arg)
{
    int thread = (int)(long)arg;
    char line[160];
    for (long i = 0; i < lines; i++) {
        if (use_write) {
            int n = snprintf(line, sizeof line,
                             "flood thread %d line %ld: the quick brown fox jumps\n", thread, i);
            if (write(STDERR_FILENO, line, (size_t)n) != n)
                return (void *)1;
        } else {
            fprintf(stderr, "flood thread %d line %ld: the quick brown fox jumps\n", thread, i);
        }
        if (syslog_every > 0 && i % syslog_every == 0)
            syslog(LOG_WARNING, "flood thread %d syslog %ld", thread, i);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = 1, opt;
    while ((opt = getopt(argc, argv, "n:t:s:w")) != -1) {
        switch (opt) {
        case 'n': lines = atol(optarg); break;
        case 't': threads = atoi(optarg); break;
        case 's': syslog_every = atol(optarg); break;
        case 'w': use_write = 1; break;
        default: return 2;
        }
    }
    if (threads < 1 || threads > 64 || lines < 0)
        return 2;
    printf("fault_flood: %d thread(s) x %ld lines\n", threads, lines);
    fflush(stdout);
    pthread_t ids[64];
    for (int t = 1; t < threads; t++)
        if (pthread_create(&ids[t], NULL, log_lines, (void *)(long)t) != 0)
            return 1;
    void *failed = log_lines(NULL);
    for (int t = 1; t < threads; t++) {
        void *result;
        pthread_join(ids[t], &result);
        if (result != NULL)
            failed = result;
    }
    printf("fault_flood: done\n");
    return failed != NULL ? 1 : 0;
}
