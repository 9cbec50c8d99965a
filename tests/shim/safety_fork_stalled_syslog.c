/*
 * A stalled log daemon: nobody reads /dev/log, so a thread's syslog() blocks
 * in send() once the socket's queue is full. The main thread then forks.
 * Without the shim fork returns at once (the child exits); fork must not
 * wait for the blocked thread. Prints how many syslog calls completed, for
 * the test to count the events.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "private_devlog.h"

static unsigned long completed;

static void *flood(void *unused)
{
    (void)unused;
    for (unsigned long i = 0;; i++) {
        syslog(LOG_INFO, "filler %lu", i);
        __atomic_store_n(&completed, i + 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

int main(void)
{
    private_devlog();
    pthread_t thread;
    if (pthread_create(&thread, NULL, flood, NULL) != 0)
        return 1;
    /* Blocked: the count stays still for half a second. */
    unsigned long seen = 0;
    for (int still = 0; still < 5;) {
        struct timespec tenth = { 0, 100 * 1000 * 1000 };
        nanosleep(&tenth, NULL);
        unsigned long now = __atomic_load_n(&completed, __ATOMIC_ACQUIRE);
        still = now == seen && now > 0 ? still + 1 : 0;
        seen = now;
    }
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    int status;
    waitpid(child, &status, 0);
    printf("forked, child status %d\n", status);
    printf("completed %lu\n", seen);
    fflush(stdout);
    _exit(0);
}
