/*
 * Run with stderr on a pipe nobody reads yet: the pipe is cut to one page
 * and made non-blocking, and one fprintf prints a line of 5,000 bytes.
 * The kernel takes 4,096 of them, then says EAGAIN: fprintf fails, but
 * those 4,096 bytes are on stderr and must be in an event (the unfinished
 * line is emitted at exit). Prints what fprintf returned.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    if (fcntl(2, F_SETPIPE_SZ, 4096) < 0 || fcntl(2, F_SETFL, O_WRONLY | O_NONBLOCK) < 0) {
        printf("SKIP: stderr is not a pipe\n");
        return 77;
    }
    static char line[5001];
    memset(line, 'p', sizeof(line) - 1);
    int printed = fprintf(stderr, "%s\n", line);
    printf("fprintf returned %d (%s)\n", printed, printed < 0 ? strerror(errno) : "ok");
    return 0;
}
