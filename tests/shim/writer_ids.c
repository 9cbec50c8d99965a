/*
 * Children and threads that write stderr lines, each line naming the
 * process and thread that wrote it ("... pid=P tid=T", asked of the kernel
 * right there), so a test can hold every event's stamp to its own text.
 * In order: the main thread; a vfork child; a vfork child that vforks a
 * grandchild; a fork child; children of _Fork and of a raw clone system
 * call (no atfork handlers); three threads; a thread that forks and one that
 * vforks; last (the shim stops trusting what it kept after it) a
 * clone(CLONE_VM | CLONE_VFORK) child. The main thread writes a line after
 * each. With argument "plain N" it writes N lines naming nobody instead;
 * with "no-nested" it leaves the nested vfork out (a sanitizer runtime's
 * vfork interceptor keeps one return address per thread and crashes on it,
 * shim or not).
 * Children write with write(2) and leave with _exit: nothing of stdio, no
 * allocation, as a vfork child may.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Appends the decimal digits of `value` at `at`; returns the end. */
static char *put_number(char *at, long value)
{
    char digits[24];
    int n = 0;
    do
        digits[n++] = (char)('0' + value % 10);
    while ((value /= 10) > 0);
    while (n > 0)
        *at++ = digits[--n];
    return at;
}

/* Writes "<who> pid=P tid=T\n" in one write. */
static void say(const char *who)
{
    char line[256];
    size_t len = strlen(who);
    memcpy(line, who, len);
    char *at = line + len;
    memcpy(at, " pid=", 5);
    at = put_number(at + 5, (long)getpid());
    memcpy(at, " tid=", 5);
    at = put_number(at + 5, syscall(SYS_gettid));
    *at++ = '\n';
    (void)!write(2, line, (size_t)(at - line));
}

static void wait_for(pid_t child)
{
    int status;
    if (child > 0)
        waitpid(child, &status, 0);
}

static void vfork_child(const char *who)
{
    pid_t child = vfork();
    if (child == 0) {
        say(who);
        _exit(0);
    }
    wait_for(child);
}

static void nested_vfork(void)
{
    pid_t child = vfork();
    if (child == 0) {
        vfork_child("vfork grandchild");
        say("vfork child after its child");
        _exit(0);
    }
    wait_for(child);
}

static void fork_child(const char *who)
{
    pid_t child = fork();
    if (child == 0) {
        say(who);
        _exit(0);
    }
    wait_for(child);
}

static void *thread_says(void *name)
{
    say(name);
    return NULL;
}

static void *thread_forks(void *unused)
{
    (void)unused;
    say("forking thread");
    fork_child("fork child of a thread");
    say("forking thread again");
    return NULL;
}

static void *thread_vforks(void *unused)
{
    (void)unused;
    say("vforking thread");
    vfork_child("vfork child of a thread");
    say("vforking thread again");
    return NULL;
}

static void run_thread(void *(*body)(void *), void *arg)
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, body, arg) == 0)
        pthread_join(thread, NULL);
}

static int clone_body(void *unused)
{
    (void)unused;
    say("clone child");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "plain") == 0) {
        for (int i = atoi(argv[2]); i > 0; i--)
            (void)!write(2, "a line naming nobody\n", 21);
        return 0;
    }
    say("main first");
    vfork_child("vfork child");
    say("main after vfork");
    if (argc < 2 || strcmp(argv[1], "no-nested") != 0) {
        nested_vfork();
        say("main after nested vfork");
    }
    fork_child("fork child");
    say("main after fork");
    /* Children made without atfork handlers. */
    pid_t bare = _Fork();
    if (bare == 0) {
        say("bare fork child");
        _exit(0);
    }
    wait_for(bare);
    bare = (pid_t)syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
    if (bare == 0) {
        say("raw clone child");
        _exit(0);
    }
    wait_for(bare);
    say("main after bare forks");
    pthread_t threads[3];
    static char *const names[3] = { "thread one", "thread two", "thread three" };
    for (int i = 0; i < 3; i++)
        pthread_create(&threads[i], NULL, thread_says, names[i]);
    for (int i = 0; i < 3; i++)
        pthread_join(threads[i], NULL);
    say("main after threads");
    run_thread(thread_forks, NULL);
    run_thread(thread_vforks, NULL);
    say("main after forking threads");
    static char stack[64 * 1024] __attribute__((aligned(16)));
    pid_t child = clone(clone_body, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
    wait_for(child);
    say("main after clone");
    return 0;
}
