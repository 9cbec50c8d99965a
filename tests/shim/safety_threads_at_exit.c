/*
 * Threads with unfinished stderr lines when another thread ends the
 * process: each line is on stderr, so each must be an event. argv[1] picks
 * how the main thread ends it: exit (return from main) or _exit.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static sem_t written;

static void *unfinished(void *arg)
{
    char text[64];
    snprintf(text, sizeof(text), "thread %ld, unfinished", (long)arg);
    (void)!write(2, text, strlen(text));
    sem_post(&written);
    pause(); /* until the process ends */
    return NULL;
}

int main(int argc, char **argv)
{
    enum { THREADS = 3 };
    sem_init(&written, 0, 0);
    /* One after the other, so that stderr is the same in every run. */
    for (long i = 0; i < THREADS; i++) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, unfinished, (void *)i) != 0)
            return 1;
        while (sem_wait(&written) != 0) {
        }
    }
    (void)!write(2, "\n", 1);
    if (argc > 1 && strcmp(argv[1], "_exit") == 0)
        _exit(0);
    return 0;
}
