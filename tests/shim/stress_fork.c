/* Forks CHILDREN children (default 200) one after the other while three
 * other threads keep logging to stderr and syslog. Each child logs one
 * stderr line with fprintf and leaves, through exit() (atexit handlers and
 * destructors run in a copy of a multi-threaded process: a lock held by a
 * logging thread at fork time would hang it), through _exit(), or every
 * tenth by exec'ing this program again; every seventh is a vfork + exec.
 * A child that has not finished after 10 seconds is reported and killed.
 * Prints a summary; exits 0 only when every child exited 0.
 *
 * Children use only what glibc keeps usable after fork in a threaded
 * process (stdio and malloc locks are reset in the child); syslog is not:
 * its lock, taken by a logging thread at fork time, stays taken, and a
 * child calling syslog can hang without any shim.
 *
 * A second argument "warm" makes the main thread log one line before
 * anything starts, so the shim's per-thread state exists before the first
 * fork and no child needs to allocate for its line: the sanitizer build
 * needs that, since ASan's allocator (GCC 12) is not fork-safe and a child
 * calling malloc can hang on a lock a logging thread held at fork time. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static atomic_bool stop;

static void *keep_logging(void *arg)
{
    int thread = (int)(long)arg;
    for (long i = 0; !atomic_load(&stop); i++) {
        fprintf(stderr, "background %d line %ld\n", thread, i);
        if (i % 16 == 0)
            syslog(LOG_INFO, "background %d syslog %ld", thread, i);
        usleep(20);
    }
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits for `pid` up to 10 s; returns its wait status, or -1 if it hung. */
static int wait_briefly(pid_t pid)
{
    double deadline = now() + 10;
    for (;;) {
        int status;
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
            return status;
        if (done < 0 && errno != EINTR)
            return -2;
        if (now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        usleep(200);
    }
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "exec-child") == 0) {
        fprintf(stderr, "exec child %s says hello\n", argv[2]);
        return 0;
    }
    int children = argc > 1 ? atoi(argv[1]) : 200;
    if (argc > 2 && strcmp(argv[2], "warm") == 0)
        fprintf(stderr, "parent warm-up line\n");
    pthread_t threads[3];
    for (int t = 0; t < 3; t++)
        if (pthread_create(&threads[t], NULL, keep_logging, (void *)(long)t) != 0)
            return 1;

    int hung = 0, failed = 0;
    for (int i = 0; i < children; i++) {
        char number[16];
        snprintf(number, sizeof number, "%d", i);
        pid_t pid;
        /* Unflushed stdout would be flushed again by every exit() child. */
        fflush(stdout);
        if (i % 7 == 3) {
            /* A vfork child shares our memory: only exec or _exit here. */
            pid = vfork();
            if (pid == 0) {
                execl("/proc/self/exe", argv[0], "exec-child", number, (char *)NULL);
                _exit(127);
            }
        } else {
            pid = fork();
            if (pid == 0) {
                fprintf(stderr, "child %d says hello\n", i);
                if (i % 10 == 0) {
                    execl("/proc/self/exe", argv[0], "exec-child", number, (char *)NULL);
                    _exit(127);
                }
                if (i % 2 == 0)
                    _exit(0);
                exit(0);
            }
        }
        if (pid < 0) {
            fprintf(stdout, "fork %d failed: %s\n", i, strerror(errno));
            failed++;
            continue;
        }
        int status = wait_briefly(pid);
        if (status == -1) {
            printf("child %d (pid %d) hung for 10 s and was killed\n", i, (int)pid);
            hung++;
        } else if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            printf("child %d (pid %d) ended badly: wait status %#x\n", i, (int)pid, status);
            failed++;
        }
    }
    atomic_store(&stop, true);
    for (int t = 0; t < 3; t++)
        pthread_join(threads[t], NULL);
    printf("%d children: %d hung, %d failed\n", children, hung, failed);
    return hung == 0 && failed == 0 ? 0 : 1;
}
