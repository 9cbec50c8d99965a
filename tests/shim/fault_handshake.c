/* fault_handshake READY GO LINES [LINES2]: logs LINES stderr lines ("phase
 * 1 line N"), creates the file READY, waits (up to 20 s) for the file GO to
 * exist, then logs LINES2 (default LINES) more ("phase 2 line N") and one
 * syslog message. The test
 * changes the world in between (frees space, deletes or replaces the
 * config, deletes a tracepoint). stdout says what happened; exit status 3
 * when GO never came. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static void log_phase(int phase, long lines)
{
    for (long i = 0; i < lines; i++)
        fprintf(stderr, "phase %d line %ld: the quick brown fox jumps over the lazy dog\n", phase,
                i);
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5)
        return 2;
    long lines = atol(argv[3]);
    long lines2 = argc == 5 ? atol(argv[4]) : lines;
    printf("fault_handshake: phase 1\n");
    fflush(stdout);
    log_phase(1, lines);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return 1;
    close(fd);
    struct timespec tick = { 0, 10 * 1000 * 1000 };
    int waited = 0;
    while (access(argv[2], F_OK) != 0) {
        if (++waited > 2000) {
            printf("fault_handshake: %s never appeared\n", argv[2]);
            return 3;
        }
        nanosleep(&tick, NULL);
    }
    printf("fault_handshake: phase 2\n");
    fflush(stdout);
    log_phase(2, lines2);
    syslog(LOG_ERR, "phase 2 syslog");
    printf("fault_handshake: done\n");
    return 0;
}
