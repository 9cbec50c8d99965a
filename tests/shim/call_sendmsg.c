/* sendmsg with the address in the message and the datagram in three
 * pieces, in RFC 5424 form; the receiver gets them as one datagram. */
#include "syslog_socket.h"

int main(void)
{
    int receiver = private_devlog();
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    char head[] = "<165>1 2026-12-02T15:04:05Z host ";
    char app[] = "msgapp 77 ID1 [x@1 a=\"b\"] ";
    char body[] = "sendmsg works";
    struct iovec pieces[3] = { { head, strlen(head) }, { app, strlen(app) }, { body, strlen(body) } };
    struct msghdr message = {
        .msg_name = (void *)&devlog_address,
        .msg_namelen = sizeof devlog_address,
        .msg_iov = pieces,
        .msg_iovlen = 3,
    };
    report("sendmsg", sendmsg(fd, &message, 0));
    print_received(receiver);
    return 0;
}
