/* sendto with /dev/log as the address of an unconnected socket, in Python's
 * SysLogHandler form ("<PRI>ident: message" and a NUL); then to a path
 * that does not exist: the same error with the shim, and no event. */
#include "syslog_socket.h"

int main(void)
{
    int receiver = private_devlog();
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    static const char message[] = "<14>pyapp: sendto works";
    report("sendto", sendto(fd, message, sizeof message, 0,
                            (const struct sockaddr *)&devlog_address, sizeof devlog_address));
    struct sockaddr_un missing = { .sun_family = AF_UNIX, .sun_path = "/dev/nothing-here" };
    report("sendto missing", sendto(fd, message, sizeof message, 0,
                                    (const struct sockaddr *)&missing, sizeof missing));
    /* The same address twice: the second classification is cached. */
    static const char again[] = "<10>pyapp: sendto again";
    report("sendto again", sendto(fd, again, sizeof again - 1, 0,
                                  (const struct sockaddr *)&devlog_address,
                                  sizeof devlog_address));
    print_received(receiver);
    return 0;
}
