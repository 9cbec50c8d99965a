/* Short and failing writes to stderr, made deterministic with
 * RLIMIT_FSIZE: with stderr a regular file and a 300-byte limit, a write
 * that crosses the limit writes only up to it, the next fails with EFBIG.
 * The results are printed on stdout after the limit is lifted. Run it with
 * stderr redirected to an empty regular file. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define LIMIT 300

int main(void)
{
    char line[201];
    memset(line, 'p', sizeof line - 2);
    line[sizeof line - 2] = '\n';
    line[sizeof line - 1] = '\0';

    struct rlimit original;
    if (getrlimit(RLIMIT_FSIZE, &original) != 0)
        return 1;
    struct rlimit limited = { .rlim_cur = LIMIT, .rlim_max = original.rlim_max };
    if (original.rlim_max != RLIM_INFINITY && original.rlim_max < LIMIT)
        return 1;
    signal(SIGXFSZ, SIG_IGN);
    if (setrlimit(RLIMIT_FSIZE, &limited) != 0)
        return 1;

    long results[6];
    int errnos[6];
    errno = 0;
    results[0] = write(STDERR_FILENO, line, 200); /* 200 */
    errnos[0] = errno;
    results[1] = write(STDERR_FILENO, line, 200); /* 100: cut at the limit */
    errnos[1] = errno;
    errno = 0;
    results[2] = write(STDERR_FILENO, line, 200); /* -1 EFBIG */
    errnos[2] = errno;
    errno = 0;
    results[3] = fprintf(stderr, "fprintf past the limit %d\n", 42);
    errnos[3] = errno;
    errno = 0;
    results[4] = fputs("fputs past the limit\n", stderr);
    errnos[4] = errno;
    errno = 0;
    results[5] = (long)fwrite("fwrite past the limit\n", 1, 22, stderr);
    errnos[5] = errno;
    clearerr(stderr);

    if (setrlimit(RLIMIT_FSIZE, &original) != 0)
        return 1;
    for (int i = 0; i < 6; i++)
        printf("call %d: returned %ld, errno %d (%s)\n", i, results[i], errnos[i],
               strerror(errnos[i]));
    return 0;
}
