/*
 * ktest_fork_logger: a plain program that logs from a forked child. Run
 * under the shim, the child's events must carry the child's own pid. Each
 * line names the pid of the process that wrote it, so the test can compare
 * it with the pid the kernel recorded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

int main(void)
{
    fprintf(stderr, "parent before fork pid=%d\n", (int)getpid());
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        fprintf(stderr, "child after fork pid=%d\n", (int)getpid());
        openlog("ktest-fork", 0, LOG_USER);
        syslog(LOG_NOTICE, "child syslog pid=%d", (int)getpid());
        closelog();
        exit(0);
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 1;
    fprintf(stderr, "parent after fork pid=%d child=%d\n", (int)getpid(), (int)child);
    return 0;
}
