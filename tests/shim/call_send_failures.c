/* Sends that fail, to the syslog socket and to the journal's: the program
 * must see the same results, errno and signals with the shim as without,
 * and nothing that was not sent becomes an event. In a private /dev and
 * /run (a mount namespace of the process's own):
 *   - a stream connected to /dev/log whose peer has closed: send with
 *     MSG_NOSIGNAL fails with EPIPE; a child sending without it dies of
 *     SIGPIPE (the kernel's signal, not ours);
 *   - /dev/log bound but unread and closed: ECONNREFUSED;
 *   - no /run/systemd/journal/socket: sendmsg to it fails with ENOENT;
 *   - a journal socket nobody listens on any more: ECONNREFUSED;
 *   - then one good journal entry, and one in a file passed with
 *     SCM_RIGHTS, not sealed: the two events. */
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syslog_socket.h"

static const struct sockaddr_un journal_address = {
    .sun_family = AF_UNIX, .sun_path = "/run/systemd/journal/socket"
};

static ssize_t send_entry(int fd, const char *entry)
{
    struct iovec piece = { (void *)entry, strlen(entry) };
    struct msghdr message = {
        .msg_name = (void *)&journal_address,
        .msg_namelen = sizeof journal_address,
        .msg_iov = &piece,
        .msg_iovlen = 1,
    };
    return sendmsg(fd, &message, MSG_NOSIGNAL);
}

/* A socket of `type` bound at `path` and closed at once: the file stays,
 * nobody listens. */
static void stale(const struct sockaddr_un *address, int type)
{
    int fd = socket(AF_UNIX, type, 0);
    if (fd < 0 || bind(fd, (const struct sockaddr *)address, sizeof *address) != 0) {
        perror("stale socket");
        exit(1);
    }
    close(fd);
}

int main(void)
{
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("ehshim-test", "/dev", "tmpfs", 0, "mode=755,size=64k") != 0 ||
        mount("ehshim-test", "/run", "tmpfs", 0, "mode=755,size=64k") != 0) {
        printf("SKIP: a private /dev and /run need root: %s\n", strerror(errno));
        return 77;
    }
    setvbuf(stdout, NULL, _IONBF, 0);

    /* A stream whose peer closed. */
    int listener;
    int fd = connect_devlog_stream(&listener, 0);
    close(accept(listener, NULL, NULL));
    static const char message[] = "<13>st: to a closed peer\n";
    report("send MSG_NOSIGNAL", send(fd, message, sizeof message - 1, MSG_NOSIGNAL));
    pid_t child = fork();
    if (child == 0) {
        send(fd, message, sizeof message - 1, 0);
        _exit(0); /* not reached: SIGPIPE ends it */
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (WIFSIGNALED(status))
        printf("child: killed by %s\n", strsignal(WTERMSIG(status)));
    else
        printf("child: exit %d\n", WEXITSTATUS(status));
    close(fd);
    close(listener);
    unlink("/dev/log");

    /* /dev/log that nobody reads any more. */
    stale(&devlog_address, SOCK_DGRAM);
    int dgram = socket(AF_UNIX, SOCK_DGRAM, 0);
    report("sendto stale /dev/log",
           sendto(dgram, "<13>st: nobody", 14, 0, (const struct sockaddr *)&devlog_address,
                  sizeof devlog_address));

    /* The journal: absent, then stale, then there. */
    report("sendmsg no journal", send_entry(dgram, "MESSAGE=nowhere\n"));
    mkdir("/run/systemd", 0755);
    mkdir("/run/systemd/journal", 0755);
    stale(&journal_address, SOCK_DGRAM);
    report("sendmsg stale journal", send_entry(dgram, "MESSAGE=nobody\n"));
    unlink(journal_address.sun_path);
    int journal = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (journal < 0 ||
        bind(journal, (const struct sockaddr *)&journal_address, sizeof journal_address) != 0) {
        perror("journal");
        return 1;
    }
    report("sendmsg journal", send_entry(dgram, "MESSAGE=received\nPRIORITY=3\nMY_FIELD=1\n"));
    print_received(journal);

    /* An entry in a file that is not sealed, passed as libsystemd passes
     * its memfd: read, not mapped (it could shrink under a mapping). */
    int file = memfd_create("unsealed-entry", MFD_CLOEXEC);
    static const char passed[] = "MESSAGE=passed in a file\nSYSLOG_IDENTIFIER=filed\n";
    if (file < 0 || write(file, passed, sizeof passed - 1) != (ssize_t)(sizeof passed - 1)) {
        perror("memfd");
        return 1;
    }
    union {
        struct cmsghdr header;
        char bytes[CMSG_SPACE(sizeof(int))];
    } control = { 0 };
    struct msghdr passing = {
        .msg_name = (void *)&journal_address,
        .msg_namelen = sizeof journal_address,
        .msg_control = control.bytes,
        .msg_controllen = sizeof control.bytes,
    };
    struct cmsghdr *c = CMSG_FIRSTHDR(&passing);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &file, sizeof file);
    report("sendmsg passed file", sendmsg(dgram, &passing, MSG_NOSIGNAL));
    return 0;
}
