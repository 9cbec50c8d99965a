/* Keeping the library's own descriptors out of the host program's way. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "backend.h"

int ehd__fd_above_stdio(int fd)
{
    if (fd > 2)
        return fd;
    /* A program that closed 0..2 (daemon(), some shells) gets them back by its
     * next open or dup2; our descriptor must not be the one it lands on. */
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    int err = errno;
    close(fd);
    return moved >= 0 ? moved : -err;
}
