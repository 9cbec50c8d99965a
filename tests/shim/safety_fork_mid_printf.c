/*
 * fork() while another thread is in the middle of an fprintf to stderr:
 * the thread's own printf conversion (%W) holds it there until the child
 * has exited. The child's exit() flushes every stdio stream; the part of
 * the other thread's message formatted so far must not come out of the
 * child. stderr holds the message once, whole.
 */
#include <printf.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* %W is registered below, unknown to the compiler. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

static sem_t inside, forked;

static int print_waiting(FILE *stream, const struct printf_info *info, const void *const *args)
{
    (void)info;
    sem_post(&inside);
    while (sem_wait(&forked) != 0) {
    }
    return fprintf(stream, "<%d>", *(const int *)args[0]);
}

static int one_int(const struct printf_info *info, size_t n, int *types, int *size)
{
    (void)info;
    (void)size;
    if (n > 0)
        types[0] = PA_INT;
    return 1;
}

static void *printer(void *unused)
{
    (void)unused;
    fprintf(stderr, "the message begins, %W, and ends\n", 7);
    return NULL;
}

int main(void)
{
    register_printf_specifier('W', print_waiting, one_int);
    sem_init(&inside, 0, 0);
    sem_init(&forked, 0, 0);
    pthread_t thread;
    if (pthread_create(&thread, NULL, printer, NULL) != 0)
        return 1;
    while (sem_wait(&inside) != 0) {
    }
    pid_t child = fork();
    if (child == 0)
        exit(0);
    int status;
    waitpid(child, &status, 0);
    sem_post(&forked);
    pthread_join(thread, NULL);
    printf("child status %d\n", status);
    return 0;
}
