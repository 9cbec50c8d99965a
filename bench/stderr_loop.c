/*
 * bench/stderr_loop N: writes N short log lines to stderr with fprintf, the
 * way a legacy service logs ("worker 3: request 41 done in 17 ms"), and
 * prints the wall time per line to stdout. Run it with stderr on /dev/null,
 * with and without the shim preloaded (see bench/run.sh).
 *
 * bench/stderr_loop --writev-floor N: N writev calls of a line-sized record
 * in three pieces to a descriptor of its own on /dev/null, the system call
 * the capture backend makes per event: the floor of what capturing a line
 * can cost. Run it without the shim.
 *
 * A plain program: it stands for the programs the shim goes into and uses
 * nothing of the project.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static long parse_count(const char *text)
{
    char *end;
    long n = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || n < 0) {
        fprintf(stderr, "stderr_loop: bad count \"%s\"\n", text);
        exit(2);
    }
    return n;
}

static int writev_floor(long n)
{
    int fd = open("/dev/null", O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) {
        perror("stderr_loop: /dev/null");
        return 1;
    }
    /* About the size of a capture record for one short line: size word,
     * tracepoint name, event bytes. */
    static const char size_word[4] = { 96, 0, 0, 0 };
    static const char name[] = "ehshim_L4K2";
    static char event[80];
    struct iovec iov[3] = {
        { (void *)size_word, sizeof size_word },
        { (void *)name, sizeof name },
        { event, sizeof event },
    };
    double start = now_ns();
    for (long i = 0; i < n; i++) {
        if (writev(fd, iov, 3) < 0) {
            perror("stderr_loop: writev");
            return 1;
        }
    }
    double ns = now_ns() - start;
    close(fd);
    printf("writev-floor: %ld calls, %.1f ns/call\n", n, n ? ns / (double)n : 0.0);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--writev-floor") == 0)
        return writev_floor(parse_count(argv[2]));
    if (argc != 2) {
        fprintf(stderr, "usage: stderr_loop N | stderr_loop --writev-floor N\n");
        return 2;
    }
    long n = parse_count(argv[1]);
    static const char *const verbs[4] = { "done", "done", "retried", "done" };
    double start = now_ns();
    for (long i = 0; i < n; i++) {
        /* 38 to 48 bytes a line. */
        fprintf(stderr, "worker %d: request %ld %s in %d ms\n", (int)(i % 8), i, verbs[i % 4],
                (int)((i * 37) % 250));
    }
    double ns = now_ns() - start;
    printf("stderr_loop: %ld lines, %.1f ns/line\n", n, n ? ns / (double)n : 0.0);
    return 0;
}
