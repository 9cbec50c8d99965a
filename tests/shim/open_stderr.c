/*
 * Opens stderr by name in every way a program can (open, openat, the
 * fortified __open_2, fopen, freopen; /dev/stderr, /dev/fd/2,
 * /proc/self/fd/2, /proc/PID/fd/2) and writes one line through each. A
 * file opened by any other name is no stderr: its line is no event.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void say(int fd, const char *text)
{
    if (write(fd, text, strlen(text)) < 0)
        exit(3);
}

int main(int argc, char **argv)
{
    (void)argc;
    int fd = open("/dev/stderr", O_WRONLY);
    if (fd < 0)
        return 1;
    say(fd, "open /dev/stderr\n");
    close(fd);

    fd = openat(AT_FDCWD, "/dev/fd/2", O_WRONLY | O_APPEND);
    say(fd, "openat /dev/fd/2\n");
    close(fd);

    /* A flags value the compiler cannot see makes the fortified call. */
    int flags = argv[0][0] == '\1' ? O_RDONLY : O_WRONLY;
    fd = open("/proc/self/fd/2", flags);
    say(fd, "open /proc/self/fd/2\n");
    close(fd);

    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd/2", (int)getpid());
    fd = open(path, O_WRONLY);
    say(fd, "open /proc/PID/fd/2\n");
    close(fd);

    FILE *stream = fopen("/dev/stderr", "w");
    if (stream == NULL)
        return 1;
    fputs("fopen /dev/stderr\n", stream);
    fclose(stream);

    /* Not stderr: a file of its own, then its number reused for stderr. */
    fd = open("/dev/null", O_WRONLY);
    say(fd, "not stderr\n");
    close(fd);
    fd = open("/dev/stderr", O_WRONLY);
    say(fd, "reused number\n");
    close(fd);
    fd = open("/dev/null", O_WRONLY);
    say(fd, "not stderr either\n");
    close(fd);

    if (freopen("/dev/stderr", "w", stdout) == NULL)
        return 1;
    fputs("freopen stdout onto /dev/stderr\n", stdout);
    fflush(stdout);
    return 0;
}
