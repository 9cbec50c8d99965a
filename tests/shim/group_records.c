/*
 * Multi-line records under the shim (tests/integration/test_shim_multiline.sh):
 * a record is a "BEGIN ..." line and the lines after it that start with a
 * space, each written by its own write() so that threads interleave line by
 * line. One mode per way a record can end.
 *
 *   threads N K  N threads write K records each, yielding between lines
 *   hold         a record waits; another thread's write after the hold time
 *                ends it; a late continuation is a line of its own
 *   exit         main and a second thread leave records open and exit()
 *   thread_exit  a thread leaves a record open and returns
 *   fork         a record open across fork(); the child writes its own lines
 *   exec         a record open when the program execs `true`
 *   write        several lines in one write(), one fputs, one fprintf
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void say(const char *text)
{
    size_t len = strlen(text);
    if (write(2, text, len) != (ssize_t)len)
        exit(3);
}

static void sayf(const char *format, int a, int b)
{
    char line[256];
    snprintf(line, sizeof line, format, a, b);
    say(line);
}

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

static int records_per_thread;

static void *thread_records(void *arg)
{
    int t = (int)(long)arg;
    for (int i = 0; i < records_per_thread; i++) {
        sayf("BEGIN t=%d i=%d\n", t, i);
        for (int j = 0; j < 3; j++) {
            sched_yield();
            char line[128];
            snprintf(line, sizeof line, "  line %d of t=%d i=%d\n", j, t, i);
            say(line);
        }
    }
    return NULL;
}

static int run_threads(int n, int k)
{
    pthread_t threads[64];
    records_per_thread = k;
    if (n > 64)
        return 2;
    for (int t = 0; t < n; t++)
        if (pthread_create(&threads[t], NULL, thread_records, (void *)(long)t) != 0)
            return 2;
    for (int t = 0; t < n; t++)
        pthread_join(threads[t], NULL);
    return 0;
}

static void *other_line(void *arg)
{
    say(arg);
    return NULL;
}

static int run_hold(void)
{
    say("BEGIN hold\n");
    say(" one\n");
    sleep_ms(400); /* hold_ms is 100 in the test's config */
    pthread_t thread;
    pthread_create(&thread, NULL, other_line, "other thread line\n");
    pthread_join(thread, NULL);
    say(" late\n");
    say("last\n");
    return 0;
}

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t opened = PTHREAD_COND_INITIALIZER;
static int second_open;

static void *open_and_wait(void *arg)
{
    (void)arg;
    say("BEGIN second thread\n");
    say(" its line\n");
    pthread_mutex_lock(&gate);
    second_open = 1;
    pthread_cond_signal(&opened);
    pthread_mutex_unlock(&gate);
    for (;;)
        pause();
    return NULL;
}

static int run_exit(void)
{
    pthread_t thread;
    pthread_create(&thread, NULL, open_and_wait, NULL);
    pthread_mutex_lock(&gate);
    while (!second_open)
        pthread_cond_wait(&opened, &gate);
    pthread_mutex_unlock(&gate);
    say("BEGIN main\n");
    say(" main line\n");
    exit(0);
}

static void *open_and_return(void *arg)
{
    (void)arg;
    say("BEGIN short thread\n");
    say(" its last line\n");
    return NULL;
}

static int run_thread_exit(void)
{
    pthread_t thread;
    pthread_create(&thread, NULL, open_and_return, NULL);
    pthread_join(thread, NULL);
    say("after the thread\n");
    return 0;
}

static int run_fork(void)
{
    say("BEGIN parent\n");
    say(" before fork\n");
    pid_t child = fork();
    if (child == 0) {
        say("child line\n");
        say("BEGIN child\n");
        say(" child cont\n");
        exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    say(" after fork\n");
    say("parent done\n");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static int run_exec(void)
{
    say("BEGIN before exec\n");
    say(" exec next\n");
    execlp("true", "true", (char *)NULL);
    return 1;
}

static int run_write(void)
{
    say("one write\n second line\nthird line\n");
    fputs("one fputs\nof two lines\n", stderr);
    fprintf(stderr, "one fprintf %d\nline %d\n", 1, 2);
    say("single\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "threads") == 0)
        return run_threads(atoi(argv[2]), atoi(argv[3]));
    if (argc == 2 && strcmp(argv[1], "hold") == 0)
        return run_hold();
    if (argc == 2 && strcmp(argv[1], "exit") == 0)
        return run_exit();
    if (argc == 2 && strcmp(argv[1], "thread_exit") == 0)
        return run_thread_exit();
    if (argc == 2 && strcmp(argv[1], "fork") == 0)
        return run_fork();
    if (argc == 2 && strcmp(argv[1], "exec") == 0)
        return run_exec();
    if (argc == 2 && strcmp(argv[1], "write") == 0)
        return run_write();
    fprintf(stderr, "usage: group_records threads N K | hold | exit | thread_exit | fork | "
                    "exec | write\n");
    return 2;
}
