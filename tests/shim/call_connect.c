/* connect to /dev/log through a symlink, then write and writev: still the
 * syslog socket; without a header the message is user.notice under the
 * program's name. A second socket connected elsewhere is left alone. */
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "syslog_socket.h"

int main(void)
{
    int receiver = private_devlog();
    if (symlink("/dev/log", "/dev/log-link") != 0) {
        perror("symlink");
        return 1;
    }
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un link = { .sun_family = AF_UNIX, .sun_path = "/dev/log-link" };
    if (connect(fd, (const struct sockaddr *)&link, sizeof link) != 0) {
        perror("connect");
        return 1;
    }
    static const char plain[] = "connect write works";
    report("write", write(fd, plain, sizeof plain - 1));
    struct iovec pieces[2] = { { (void *)"<11>vtag: writev ", 17 }, { (void *)"works", 5 } };
    report("writev", writev(fd, pieces, 2));

    /* Not a log socket: a private one of the program's. */
    int other_receiver = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un other = { .sun_family = AF_UNIX, .sun_path = "/dev/other" };
    if (bind(other_receiver, (const struct sockaddr *)&other, sizeof other) != 0) {
        perror("bind");
        return 1;
    }
    int other_fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (connect(other_fd, (const struct sockaddr *)&other, sizeof other) != 0) {
        perror("connect other");
        return 1;
    }
    report("write other", write(other_fd, "<11>no: event", 13));
    print_received(receiver);
    print_received(other_receiver);
    return 0;
}
