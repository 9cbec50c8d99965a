/* Threads that each leave a line unfinished while another thread prints:
 * every thread's printf text must be assembled into that thread's own
 * lines, also in a thread that took over the per-thread state (and printf
 * stream) of one that ended. Semaphores fix the order, so the events come
 * in one order only:
 *   main line 1 / first: one two / main: three four /
 *   main line 2 / second: five six / main: seven eight
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t to_main, to_thread;

static void *partial(void *arg)
{
    const char *const *words = arg;
    fprintf(stderr, "%s: %s ", words[0], words[1]);
    sem_post(&to_main);
    sem_wait(&to_thread);
    fprintf(stderr, "%s\n", words[2]);
    return NULL;
}

/* Runs one thread that prints `words` over two calls, with main printing
 * a whole line and half of another in between. */
static int round_of(const char *const *words, int round, const char *start, const char *end)
{
    pthread_t id;
    if (pthread_create(&id, NULL, partial, (void *)words) != 0)
        return 1;
    sem_wait(&to_main);
    fprintf(stderr, "main line %d\n", round);
    fprintf(stderr, "main: %s ", start);
    sem_post(&to_thread);
    pthread_join(id, NULL);
    fprintf(stderr, "%s\n", end);
    return 0;
}

int main(void)
{
    static const char *const first[] = { "first", "one", "two" };
    static const char *const second[] = { "second", "five", "six" };
    if (sem_init(&to_main, 0, 0) != 0 || sem_init(&to_thread, 0, 0) != 0)
        return 1;
    /* The second thread starts after the first ended: it takes the first
     * one's per-thread state, printf stream and all. */
    return round_of(first, 1, "three", "four") || round_of(second, 2, "seven", "eight");
}
