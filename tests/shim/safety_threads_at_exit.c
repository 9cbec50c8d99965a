/*
 * Threads with unfinished stderr lines when another thread ends the
 * process: each line is on stderr, so each must be an event. argv[1] picks
 * how the main thread ends it: exit (return from main) or _exit.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_barrier_t written;

static void *unfinished(void *arg)
{
    char text[64];
    snprintf(text, sizeof(text), "thread %ld, unfinished", (long)arg);
    (void)!write(2, text, strlen(text));
    pthread_barrier_wait(&written);
    pause(); /* until the process ends */
    return NULL;
}

int main(int argc, char **argv)
{
    enum { THREADS = 3 };
    pthread_barrier_init(&written, NULL, THREADS + 1);
    for (long i = 0; i < THREADS; i++) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, unfinished, (void *)i) != 0)
            return 1;
    }
    pthread_barrier_wait(&written);
    (void)!write(2, "\n", 1);
    if (argc > 1 && strcmp(argv[1], "_exit") == 0)
        _exit(0);
    return 0;
}
