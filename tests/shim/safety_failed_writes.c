/*
 * Run with stderr on /dev/full: every write fails with ENOSPC. Nothing
 * reaches stderr, so nothing may become a stderr event: not fprintf,
 * dprintf, perror, warn, warnx, psignal, error or error_at_line. One syslog() message at the end
 * shows the shim is capturing. Prints what the calls returned.
 */
#include <err.h>
#include <errno.h>
#include <error.h>
#include <signal.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

int main(void)
{
    int printed = fprintf(stderr, "lost by fprintf %d\n", 1);
    printf("fprintf returned %d, error flag %d\n", printed, ferror(stderr) != 0);
    clearerr(stderr);
    printf("dprintf returned %d\n", dprintf(2, "lost by dprintf %d\n", 2));
    errno = ENOENT;
    perror("lost by perror");
    errno = EACCES;
    warn("lost by warn %d", 3);
    warnx("lost by warnx %d", 4);
    psignal(SIGINT, "lost by psignal");
    error(0, EIO, "lost by error %d", 5);
    error_at_line(0, 0, "input.conf", 6, "lost by error_at_line");
    syslog(LOG_NOTICE, "the shim is capturing");
    return 0;
}
