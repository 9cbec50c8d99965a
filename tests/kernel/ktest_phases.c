/*
 * ktest_phases STEP...: a legacy-style logger whose pace the guest test
 * sets, for changing the kernel side under a program that runs under the
 * shim. Steps, in order:
 *   log:N        N lines to stderr, "step S line I" (S: the step's number)
 *   ready:PATH   creates PATH
 *   wait:PATH    waits (up to 60 s) for PATH to exist; exit 3 if it never does
 * stdout gets "step S done" after each step.
 *
 * ktest_phases --delete NAME: asks the kernel to delete user_events
 * tracepoint NAME with the DIAG_IOCSDEL ioctl on user_events_data and
 * prints "delete NAME: ok" or "delete NAME: <strerror>"; exit 0 either way
 * (1 when user_events_data cannot be opened).
 *
 * Plain C and libc: it stands for a program the shim goes into.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define DIAG_IOC_MAGIC '*'
#define DIAG_IOCSDEL _IOW(DIAG_IOC_MAGIC, 1, char *)

static int delete_tracepoint(const char *name)
{
    int fd = open("/sys/kernel/tracing/user_events_data", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        printf("delete %s: cannot open user_events_data: %s\n", name, strerror(errno));
        return 1;
    }
    int rc = ioctl(fd, DIAG_IOCSDEL, name);
    printf("delete %s: %s\n", name, rc == 0 ? "ok" : strerror(errno));
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--delete") == 0)
        return delete_tracepoint(argv[2]);
    struct timespec tick = { 0, 10 * 1000 * 1000 };
    for (int s = 1; s < argc; s++) {
        const char *step = argv[s];
        if (strncmp(step, "log:", 4) == 0) {
            long lines = atol(step + 4);
            for (long i = 0; i < lines; i++)
                fprintf(stderr, "step %d line %ld\n", s, i);
        } else if (strncmp(step, "ready:", 6) == 0) {
            int fd = open(step + 6, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
            if (fd < 0)
                return 1;
            close(fd);
        } else if (strncmp(step, "wait:", 5) == 0) {
            int waited = 0;
            while (access(step + 5, F_OK) != 0) {
                if (++waited > 6000)
                    return 3;
                nanosleep(&tick, NULL);
            }
        } else {
            return 2;
        }
        printf("step %d done\n", s);
        fflush(stdout);
    }
    return 0;
}
