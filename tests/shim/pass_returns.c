/* Prints on stdout what every interposed call returned and what errno was
 * afterwards, in success and failure, so a run with the shim can be
 * compared to a run without: the shim must return exactly what libc
 * returned and leave errno as libc left it. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

/* errno before each call: a value no successful call sets. */
#define SENTINEL EDOM

#define SHOW(call)                                                                   \
    do {                                                                             \
        errno = SENTINEL;                                                            \
        long result_ = (long)(call);                                                 \
        int errno_ = errno;                                                          \
        printf("%-52s -> %ld errno %d\n", #call, result_, errno_);                   \
        fflush(stdout);                                                              \
    } while (0)

static int v_fprintf(FILE *f, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vfprintf(f, format, args);
    va_end(args);
    return n;
}

static int v_dprintf(int fd, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vdprintf(fd, format, args);
    va_end(args);
    return n;
}

int main(void)
{
    struct iovec pieces[] = { { "writev ", 7 }, { "ok\n", 3 } };
    FILE *read_only = fopen("/dev/null", "r");
    /* High enough that no dup below reuses it. */
    int closed_fd = 900;
    close(closed_fd);

    SHOW(write(STDERR_FILENO, "write ok\n", 9));
    SHOW(write(STDERR_FILENO, "", 0));
    SHOW(write(closed_fd, "to a closed fd\n", 15));
    SHOW(writev(STDERR_FILENO, pieces, 2));
    SHOW(writev(closed_fd, pieces, 2));
    SHOW(fwrite("fwrite ok\n", 1, 10, stderr));
    SHOW(fwrite("", 1, 0, stderr));
    SHOW(fputs("fputs ok\n", stderr));
    SHOW(fputs("", stderr));
    SHOW(fputc('!', stderr));
    SHOW(fputc('\n', stderr));
    SHOW(putc('\n', stderr));
    SHOW(fprintf(stderr, "fprintf ok %d\n", 1));
    SHOW(fprintf(stderr, "%s", ""));
    SHOW(v_fprintf(stderr, "vfprintf ok %d\n", 2));
    SHOW(dprintf(STDERR_FILENO, "dprintf ok %d\n", 3));
    SHOW(dprintf(closed_fd, "dprintf to a closed fd\n"));
    SHOW(v_dprintf(STDERR_FILENO, "vdprintf ok %d\n", 4));
    SHOW(fwrite_unlocked("fwrite_unlocked ok\n", 1, 19, stderr));
    SHOW(fputs_unlocked("fputs_unlocked ok\n", stderr));
    SHOW(fputs("to a read-only stream\n", read_only));
    SHOW(fputc('x', read_only));
    SHOW(fprintf(read_only, "fprintf to a read-only stream\n"));
    SHOW(fwrite("fwrite to a read-only stream\n", 1, 29, read_only));
    SHOW(dup(STDERR_FILENO) >= 0);
    SHOW(dup(closed_fd));
    SHOW(dup2(STDERR_FILENO, 20));
    SHOW(dup2(closed_fd, 21));
    SHOW(dup3(STDERR_FILENO, 22, O_CLOEXEC));
    SHOW(dup3(STDERR_FILENO, STDERR_FILENO, 0));
    SHOW(fcntl(STDERR_FILENO, F_DUPFD, 30));
    SHOW(fcntl(STDERR_FILENO, F_GETFD));
    SHOW(fcntl(closed_fd, F_DUPFD, 30));
    SHOW(setlogmask(0));
    errno = ENOENT;
    perror("perror ok");
    printf("after perror: errno %d\n", errno);
    errno = ENOENT;
    syslog(LOG_INFO, "syslog ok %m");
    printf("after syslog: errno %d\n", errno);
    errno = ENOENT;
    openlog("pass-returns", LOG_PID, LOG_DAEMON);
    printf("after openlog: errno %d\n", errno);
    closelog();
    printf("after closelog: errno %d\n", errno);
    return 0;
}
