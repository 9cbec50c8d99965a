/* send on a stream socket connected to /dev/log: messages are cut by
 * their framing (newline, NUL, octet counting) whatever the pieces they are
 * sent in, and a message left unfinished at close is the last one. The
 * program reads back what its private /dev/log received. */
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include "syslog_socket.h"

static void send_piece(int fd, const char *piece)
{
    report("send", send(fd, piece, strlen(piece), MSG_NOSIGNAL));
}

int main(void)
{
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("ehshim-test", "/dev", "tmpfs", 0, "mode=755,size=64k") != 0) {
        printf("SKIP: a private /dev needs root: %s\n", strerror(errno));
        return 77;
    }
    int listener;
    int fd = connect_devlog_stream(&listener, SOCK_CLOEXEC);
    int peer = accept(listener, NULL, NULL);
    send_piece(fd, "<13>Dec  2 15:04:05 st[7]: one\n<13>Dec  2 15:04:05 st: tw");
    send_piece(fd, "o\n13 <14>st: three");
    send_piece(fd, "<14>st: four\n"); /* and a NUL after the newline, as Perl sends */
    report("send", send(fd, "", 1, MSG_NOSIGNAL)); /* its NUL, alone */
    static const char nul_framed[] = "<11>st: five";
    report("send", send(fd, nul_framed, sizeof nul_framed, MSG_NOSIGNAL));
    send_piece(fd, "<12>st: six, unfinished at close");
    close(fd);
    char buf[1024];
    ssize_t n = read(peer, buf, sizeof buf);
    printf("received %zd: ", n);
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\0')
            fputs("\\0", stdout);
        else if (buf[i] == '\n')
            fputs("\\n", stdout);
        else
            putchar(buf[i]);
    }
    putchar('\n');
    return 0;
}
