/* send on a datagram socket connected to /dev/log: one syslog event per
 * datagram, its priority and tag from the header (RFC 3164, as glibc and
 * logger write it); the receiver gets the same bytes. */
#include "syslog_socket.h"

int main(void)
{
    int receiver = private_devlog();
    int fd = connect_devlog();
    if (fd < 0)
        return 1;
    static const char message[] = "<13>Dec  2 15:04:05 sendtag[42]: send works";
    report("send", send(fd, message, sizeof message - 1, MSG_NOSIGNAL));
    print_received(receiver);
    return 0;
}
