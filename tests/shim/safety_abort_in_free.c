/*
 * A crash reporter on a thread that never wrote to stderr before: the
 * thread frees a forged block, glibc finds the heap corrupt and aborts while
 * it holds the arena lock; the SIGABRT handler writes one line with
 * write(2) (or fprintf, with argv[1] "fprintf") and leaves with _exit(3). Anything in the handler's path that
 * calls malloc waits for that lock forever. One arena only, so the lock the
 * abort holds is the one any thread's malloc needs.
 */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int use_fprintf;

static void on_abort(int sig)
{
    if (use_fprintf) {
        /* Not async-signal-safe, yet what many crash reporters do; glibc
         * prints it without allocating. */
        fprintf(stderr, "crash reporter: caught signal %d\n", sig);
    } else {
        static const char line[] = "crash reporter: caught SIGABRT\n";
        (void)!write(2, line, sizeof(line) - 1);
    }
    _exit(3);
}

/* A chunk header whose size points 1 GiB past the heap: free() takes the
 * arena lock, then reports "double free or corruption (out)" and aborts. */
static _Alignas(16) size_t forged[8];

static void *crash(void *unused)
{
    (void)unused;
    forged[1] = ((size_t)1 << 30) | 1;
    void *volatile block = &forged[2];
    free(block);
    return NULL;
}

int main(int argc, char **argv)
{
    use_fprintf = argc > 1 && strcmp(argv[1], "fprintf") == 0;
    mallopt(M_ARENA_MAX, 1);
    free(malloc(64)); /* the arena exists */
    signal(SIGABRT, on_abort);
    pthread_t thread;
    if (pthread_create(&thread, NULL, crash, NULL) != 0)
        return 1;
    pthread_join(thread, NULL);
    return 0;
}
