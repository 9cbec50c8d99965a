/* fault_close_fds MODE DIR: a program that takes every descriptor number
 * for itself, in three ways, logging to stderr before and after:
 *
 *   interposed  closes every descriptor above 2 one by one, with closefrom
 *               and with close_range (libc's functions), then opens a file
 *               and dup2()s it onto every number from 3 to the soft
 *               RLIMIT_NOFILE - 1, writing a line through each, so no
 *               number is left for anybody else
 *   raw         close_range as a raw system call (no libc function to
 *               interpose), logs, then opens files until it runs out of
 *               descriptors, writing a line into each
 *   dup2        like interposed, without the closing first
 *
 * Everything written to the files is the program's own; the test compares
 * them (DIR/data*) with a run without the shim. stdout says what happened;
 * the counts must be the same with and without the shim. */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_data(const char *dir, int n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data%d", dir, n);
    return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
}

static void data_line(int fd, const char *what, int n)
{
    char line[128];
    int len = snprintf(line, sizeof line, "%s %d\n", what, n);
    (void)!write(fd, line, (size_t)len);
}

static void close_everything(void)
{
    int closed = 0;
    for (int fd = 3; fd < 1024; fd++)
        if (close(fd) == 0)
            closed++;
    printf("close loop closed %d descriptors\n", closed);
    closefrom(3);
    errno = 0;
    int result = close_range(3, ~0U, 0);
    printf("close_range returned %d, errno %d\n", result, errno);
}

/* dup2 of one file onto every number up to the limit: returns how many. */
static int take_every_number(const char *dir)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur > 4096)
        return -1;
    int data = open_data(dir, 0);
    int taken = 0;
    for (int fd = 3; fd < (int)limit.rlim_cur; fd++) {
        if (fd == data)
            continue;
        if (dup2(data, fd) == fd)
            taken++;
        data_line(fd, "data through fd", fd);
        if (fd % 32 == 0)
            fprintf(stderr, "stderr while taking fd %d\n", fd);
    }
    return taken;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    const char *mode = argv[1], *dir = argv[2];
    fprintf(stderr, "first line\n");
    if (strcmp(mode, "interposed") == 0 || strcmp(mode, "dup2") == 0) {
        if (strcmp(mode, "interposed") == 0)
            close_everything();
        fprintf(stderr, "after closing\n");
        printf("dup2 took %d numbers\n", take_every_number(dir));
        fprintf(stderr, "after taking every number\n");
    } else if (strcmp(mode, "raw") == 0) {
        long result = syscall(SYS_close_range, 3U, ~0U, 0U);
        printf("raw close_range returned %ld\n", result);
        fprintf(stderr, "after raw close_range\n");
        int opened = 0, fd;
        while ((fd = open_data(dir, opened)) >= 0) {
            data_line(fd, "data in file", opened);
            opened++;
            if (opened % 32 == 0)
                fprintf(stderr, "stderr after %d files\n", opened);
        }
        printf("opened %d files before %s\n", opened, strerror(errno));
        fprintf(stderr, "after opening every file\n");
    } else {
        return 2;
    }
    fprintf(stderr, "last line\n");
    return 0;
}
