/*
 * A child made while the parent has an unfinished stderr line: each
 * process's events hold its own text only. argv[1] picks how the child is
 * made: vfork (the child runs on the parent's memory), _Fork (no atfork
 * handlers), or a raw clone system call. The child writes one whole line
 * and one unfinished one, then leaves with _exit; the parent then ends its
 * line.
 */
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *text)
{
    (void)!write(2, text, strlen(text));
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "vfork";
    say("parent begins, ");
    pid_t child;
    if (strcmp(how, "vfork") == 0)
        child = vfork();
    else if (strcmp(how, "_Fork") == 0)
        child = _Fork();
    else
        child = (pid_t)syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
    if (child < 0)
        return 1;
    if (child == 0) {
        say("child line\n");
        say("child unfinished");
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    say("parent ends\n");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
