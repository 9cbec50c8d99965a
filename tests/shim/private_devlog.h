/*
 * For the syslog safety programs: a private /dev (a tmpfs in a mount
 * namespace of the process's own) holding a /dev/log datagram socket that
 * the program itself owns and never reads, so glibc's syslog() sends to a
 * stalled log daemon without touching the machine's logging. Call before
 * starting any thread (unshare of the mount namespace needs a single
 * thread) and before the first syslog().
 */
#ifndef PRIVATE_DEVLOG_H
#define PRIVATE_DEVLOG_H

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Returns the never-read socket; exits 77 (SKIP) saying why when the
 * process may not make a namespace. */
static inline int private_devlog(void)
{
    const char *failed = NULL;
    if (unshare(CLONE_NEWNS) != 0)
        failed = "unshare(CLONE_NEWNS) (needs root)";
    else if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        failed = "making / private in the new mount namespace";
    else if (mount("ehshim-test", "/dev", "tmpfs", 0, "mode=755,size=64k") != 0)
        failed = "mounting a tmpfs on /dev";
    if (failed != NULL) {
        printf("SKIP: %s failed: %s\n", failed, strerror(errno));
        exit(77);
    }
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un address = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
        perror("private /dev/log");
        exit(1);
    }
    return fd;
}

#endif
