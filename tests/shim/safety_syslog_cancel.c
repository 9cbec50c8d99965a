/*
 * A thread is cancelled inside syslog(): its cancellation is pending when it
 * calls syslog, and glibc's vsyslog acts on it at its first cancellation
 * point (connect or send). glibc releases its own lock in a cleanup
 * handler; afterwards the main thread must still be able to syslog,
 * openlog, closelog and fork.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "private_devlog.h"

static void *cancelled(void *unused)
{
    (void)unused;
    pthread_cancel(pthread_self());
    syslog(LOG_INFO, "the cancelled message");
    return NULL;
}

int main(void)
{
    private_devlog();
    pthread_t thread;
    void *result;
    if (pthread_create(&thread, NULL, cancelled, NULL) != 0 || pthread_join(thread, &result) != 0)
        return 1;
    printf("thread %s\n", result == PTHREAD_CANCELED ? "cancelled" : "not cancelled");
    syslog(LOG_INFO, "after the cancel");
    openlog("safety", LOG_PID, LOG_DAEMON);
    syslog(LOG_NOTICE, "after openlog");
    closelog();
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    int status;
    waitpid(child, &status, 0);
    printf("forked, child status %d\n", status);
    return 0;
}
