/*
 * Another thread flushes every stream (fflush(NULL)) while this thread is
 * in the middle of an fprintf to stderr: the part of the line formatted so
 * far must not be lost. The shim formats into a stream of its own; glibc's
 * flush of all streams reaches that one too, and must wait for the call to
 * finish as it waits for stderr, or it would empty the half-made line.
 * The program's %Q conversion runs mid-line: it wakes the flusher and gives
 * it up to 200 ms (a flush that waits for the stream's lock never ends
 * sooner, one that does not wait ends at once).
 */
#include <errno.h>
#include <printf.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>

static sem_t flush_now, flushed;

static void *flusher(void *unused)
{
    (void)unused;
    while (sem_wait(&flush_now) != 0 && errno == EINTR)
        ;
    fflush(NULL);
    sem_post(&flushed);
    return NULL;
}

static int print_pause(FILE *stream, const struct printf_info *info, const void *const *args)
{
    (void)info;
    (void)args;
    sem_post(&flush_now);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 200 * 1000 * 1000;
    if (until.tv_nsec >= 1000 * 1000 * 1000) {
        until.tv_sec++;
        until.tv_nsec -= 1000 * 1000 * 1000;
    }
    while (sem_timedwait(&flushed, &until) != 0 && errno == EINTR)
        ;
    return fprintf(stream, "<pause>");
}

static int pause_arginfo(const struct printf_info *info, size_t n, int *types, int *size)
{
    (void)info;
    (void)n;
    (void)types;
    (void)size;
    return 0;
}

int main(void)
{
    sem_init(&flush_now, 0, 0);
    sem_init(&flushed, 0, 0);
    register_printf_specifier('Q', print_pause, pause_arginfo);
    pthread_t thread;
    if (pthread_create(&thread, NULL, flusher, NULL) != 0)
        return 1;
    fprintf(stderr, "formatted before the flush %Q and after it\n");
    pthread_join(thread, NULL);
    printf("done\n");
    return 0;
}
