/* THREADS short-lived threads (default 2000), one after another, each
 * logging one stderr line and one syslog message and exiting: per-thread
 * state is made and released each time; every message must be an event. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

static void *log_once(void *arg)
{
    long n = (long)arg;
    fprintf(stderr, "short thread %ld\n", n);
    syslog(LOG_INFO, "short thread %ld syslog", n);
    return NULL;
}

int main(int argc, char **argv)
{
    long threads = argc > 1 ? atol(argv[1]) : 2000;
    for (long n = 0; n < threads; n++) {
        pthread_t id;
        if (pthread_create(&id, NULL, log_once, (void *)n) != 0)
            return 1;
        if (n % 2 == 0)
            pthread_join(id, NULL);
        else
            pthread_detach(id);
    }
    pthread_exit(NULL);
}
