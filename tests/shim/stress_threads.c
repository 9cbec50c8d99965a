/* THREADS threads (default 8) each log LINES lines (default 20000) to
 * stderr, half through fprintf and half through write: every line must
 * come out intact, once, as output and as an event. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static long lines_per_thread = 20000;

static void *log_lines(void *arg)
{
    int thread = (int)(long)arg;
    char line[64];
    for (long i = 0; i < lines_per_thread; i++) {
        if (thread % 2 == 0) {
            fprintf(stderr, "thread %d line %ld\n", thread, i);
        } else {
            int n = snprintf(line, sizeof line, "thread %d line %ld\n", thread, i);
            if (write(STDERR_FILENO, line, (size_t)n) != n)
                abort();
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 8;
    if (argc > 2)
        lines_per_thread = atol(argv[2]);
    if (threads < 1 || threads > 256 || lines_per_thread < 0)
        return 2;
    pthread_t ids[256];
    for (int t = 0; t < threads; t++)
        if (pthread_create(&ids[t], NULL, log_lines, (void *)(long)t) != 0)
            return 1;
    for (int t = 0; t < threads; t++)
        pthread_join(ids[t], NULL);
    return 0;
}
