/*
 * For the programs that send to the syslog socket themselves: a private
 * /dev/log (private_devlog.h) that the program reads back, so that its
 * output shows every byte the socket got and every return value and errno
 * of its sends; with and without the shim they must print the same.
 */
#ifndef SYSLOG_SOCKET_H
#define SYSLOG_SOCKET_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "private_devlog.h"

static const struct sockaddr_un devlog_address = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };

/* Prints what a send returned, and errno when it failed. */
static inline void report(const char *call, ssize_t result)
{
    if (result < 0)
        printf("%s: -1 %s\n", call, strerror(errno));
    else
        printf("%s: %zd\n", call, result);
}

/* Prints every datagram waiting on `receiver`, NULs shown as \0. */
static inline void print_received(int receiver)
{
    char buf[4096];
    ssize_t n;
    while ((n = recv(receiver, buf, sizeof buf, MSG_DONTWAIT)) >= 0) {
        printf("received %zd: ", n);
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\0')
                fputs("\\0", stdout);
            else
                putchar(buf[i]);
        }
        putchar('\n');
    }
}

/* A datagram socket connected to /dev/log, or -1 (reported). */
static inline int connect_devlog(void)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (const struct sockaddr *)&devlog_address, sizeof devlog_address) != 0) {
        perror("connect /dev/log");
        return -1;
    }
    return fd;
}

/* A SOCK_STREAM listener bound at /dev/log (stored in *listener) and a
 * socket connected to it (returned, `flags` added to its type); exits 1,
 * saying why, when either fails. */
static inline int connect_devlog_stream(int *listener, int flags)
{
    *listener = socket(AF_UNIX, SOCK_STREAM, 0);
    if (*listener < 0 ||
        bind(*listener, (const struct sockaddr *)&devlog_address, sizeof devlog_address) != 0 ||
        listen(*listener, 1) != 0) {
        perror("listen /dev/log");
        exit(1);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | flags, 0);
    if (fd < 0 || connect(fd, (const struct sockaddr *)&devlog_address, sizeof devlog_address) != 0) {
        perror("connect /dev/log");
        exit(1);
    }
    return fd;
}

#endif
