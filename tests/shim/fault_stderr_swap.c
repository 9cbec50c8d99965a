/* fault_stderr_swap MODE DIR: logs to stderr, then takes fd 2 away from
 * the stderr it started with, and goes on logging through every path
 * (fprintf, write, perror, syslog with LOG_PERROR):
 *
 *   close    close(2); later writes to fd 2 fail with EBADF; then a data
 *            file is opened and lands on fd 2 (DIR/fd2-data)
 *   reopen   freopen(DIR/reopened, "w", stderr)
 *   dup2     dup2 of a file (DIR/dup2-file) onto fd 2
 *   socket   dup2 of one end of a socketpair onto fd 2; a child reads the
 *            other end into DIR/socket-bytes
 *
 * What reaches the files is the program's own output; the test compares
 * them with a run without the shim. stdout records the return values. */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

static void log_round(const char *when)
{
    errno = 0;
    int r = fprintf(stderr, "fprintf %s\n", when);
    int e = errno;
    fflush(stderr);
    printf("fprintf %s: %d errno %d\n", when, r, e);
    char line[128];
    int n = snprintf(line, sizeof line, "write %s\n", when);
    errno = 0;
    ssize_t w = write(2, line, (size_t)n);
    printf("write %s: %zd errno %d\n", when, w, errno);
    errno = ENOENT;
    perror(when);
    clearerr(stderr);
    syslog(LOG_WARNING, "syslog %s", when);
    fflush(stdout);
}

static void path_in(char *out, size_t size, const char *dir, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    const char *mode = argv[1], *dir = argv[2];
    char path[4096];
    openlog("fault_stderr_swap", LOG_PERROR, LOG_USER);
    log_round("before");
    pid_t reader = -1;
    if (strcmp(mode, "close") == 0) {
        printf("close: %d\n", close(2));
        log_round("closed");
        path_in(path, sizeof path, dir, "fd2-data");
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        printf("data file opened as fd %d\n", fd);
    } else if (strcmp(mode, "reopen") == 0) {
        path_in(path, sizeof path, dir, "reopened");
        printf("freopen: %s\n", freopen(path, "w", stderr) != NULL ? "ok" : "failed");
    } else if (strcmp(mode, "dup2") == 0) {
        path_in(path, sizeof path, dir, "dup2-file");
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        printf("dup2: %d\n", dup2(fd, 2));
        close(fd);
    } else if (strcmp(mode, "socket") == 0) {
        int pair[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0)
            return 1;
        fflush(stdout);
        reader = fork();
        if (reader == 0) {
            close(pair[0]);
            path_in(path, sizeof path, dir, "socket-bytes");
            int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            char buf[4096];
            ssize_t got;
            while ((got = read(pair[1], buf, sizeof buf)) > 0)
                if (write(out, buf, (size_t)got) != got)
                    _exit(1);
            _exit(0);
        }
        close(pair[1]);
        printf("dup2: %d\n", dup2(pair[0], 2));
        close(pair[0]);
    } else {
        return 2;
    }
    log_round("after");
    for (int i = 0; i < 100; i++)
        fprintf(stderr, "after line %d\n", i);
    fflush(stderr);
    if (reader > 0) {
        close(2);
        int status;
        waitpid(reader, &status, 0);
        printf("reader: %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    return 0;
}
