/* Starts a shell child in each way a program can: fork + execvp,
 * posix_spawnp, system() and popen() (the last two spawn inside glibc,
 * without going through the exported exec functions). Each child writes
 * "via WAY" to stderr. Under the default config (inherit: true) every
 * child carries the shim too, so each line is an event; with
 * "inherit": false no child may carry it, so none is. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int wait_for(pid_t pid)
{
    int status;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
    int ok = 1;
    char *execvp_argv[] = { "sh", "-c", "echo via execvp >&2", NULL };
    pid_t pid = fork();
    if (pid == 0) {
        execvp("sh", execvp_argv);
        _exit(127);
    }
    ok &= pid > 0 && wait_for(pid);

    char *spawn_argv[] = { "sh", "-c", "echo via posix_spawnp >&2", NULL };
    ok &= posix_spawnp(&pid, "sh", NULL, NULL, spawn_argv, environ) == 0 && wait_for(pid);

    ok &= system("echo via system >&2") == 0;

    FILE *child = popen("echo via popen >&2", "r");
    ok &= child != NULL && pclose(child) == 0;
    return ok ? 0 : 1;
}
