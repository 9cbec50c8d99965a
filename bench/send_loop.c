/*
 * bench/send_loop N: N sends of a short datagram on a connected AF_UNIX
 * socket pair, read back as they go: the kind of socket traffic a program
 * has besides its logging. With the shim preloaded, a send on a socket
 * that is not the syslog socket must cost one table look-up more
 * (bench/run.sh measures it with callgrind).
 *
 * A plain program: it uses nothing of the project.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
    int pair[2];
    if (n < 0 || socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) != 0) {
        perror("send_loop");
        return 1;
    }
    static const char message[] = "request 41 done in 17 ms";
    char buf[64];
    for (long i = 0; i < n; i++) {
        if (send(pair[0], message, sizeof message - 1, 0) < 0 ||
            recv(pair[1], buf, sizeof buf, 0) < 0) {
            perror("send_loop");
            return 1;
        }
    }
    return 0;
}
