/* fault_fd_unseen MODE [FILE]: takes fd 2 away from stderr through a libc
 * call whose own dup2 and close the shim cannot see (libc calls itself
 * internally), or through a raw system call nobody can see, then writes to
 * whatever fd 2 is now. Only the "before" line is stderr; what follows
 * must not be captured as stderr (for `raw`: not past the bound).
 *
 *   fclose       fclose(stderr); a memfd lands on fd 2
 *   close_range  close_range(2, 2, 0); a memfd lands on fd 2
 *   closefrom    closefrom(2); a memfd lands on fd 2
 *   daemon       daemon(1, 0): fd 2 is /dev/null in the daemon, which
 *                creates FILE when it is done
 *   login_tty    openpty, then login_tty in a child: fd 2 is the terminal
 *   forkpty      forkpty: in the child fd 2 is the terminal
 *   raw          syscall(SYS_dup3) of a memfd onto fd 2, then
 *                SHIM_FD_RECHECK_EVERY (argv[2]) lines "unseen N" and three
 *                lines "past the bound N"
 *
 * stdout shows what reached fd 2's new file (read back) and every result,
 * so the runs with and without the shim can be compared. */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utmp.h>

static void say(int fd, const char *line)
{
    size_t len = strlen(line);
    ssize_t w = write(fd, line, len);
    printf("write %zu bytes to fd %d: %zd\n", len, fd, w);
}

/* The bytes a memfd on fd 2 holds, printed on stdout. */
static void show_fd2_file(void)
{
    char buf[8192];
    ssize_t got = pread(2, buf, sizeof buf - 1, 0);
    buf[got > 0 ? got : 0] = '\0';
    printf("fd 2 holds %zd bytes:\n%s", got, buf);
}

static int memfd_on_fd2(void)
{
    int fd = memfd_create("fault_fd_unseen", 0);
    printf("memfd is fd %d\n", fd);
    return fd == 2 ? 0 : 1;
}

/* The terminal's side of a child whose fd 2 is the terminal: what it
 * wrote (the line discipline turns \n into \r\n). */
static void show_terminal(int controller, pid_t child)
{
    char buf[4096];
    size_t have = 0;
    ssize_t got;
    while (have < sizeof buf - 1 &&
           (got = read(controller, buf + have, sizeof buf - 1 - have)) > 0)
        have += (size_t)got;
    buf[have] = '\0';
    int status;
    waitpid(child, &status, 0);
    printf("terminal read %zu bytes: %s", have, buf);
    printf("child status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *mode = argv[1];
    fprintf(stderr, "before %s\n", mode);
    fflush(stdout);
    if (strcmp(mode, "fclose") == 0) {
        printf("fclose: %d\n", fclose(stderr));
        if (memfd_on_fd2() != 0)
            return 1;
    } else if (strcmp(mode, "close_range") == 0) {
        printf("close_range: %d\n", close_range(2, 2, 0));
        if (memfd_on_fd2() != 0)
            return 1;
    } else if (strcmp(mode, "closefrom") == 0) {
        closefrom(2);
        if (memfd_on_fd2() != 0)
            return 1;
    } else if (strcmp(mode, "daemon") == 0) {
        if (argc != 3)
            return 2;
        if (daemon(1, 0) != 0)
            return 1;
        say(2, "in the daemon\n");
        say(2, "in the daemon, again\n");
        int done = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        return done >= 0 ? 0 : 1;
    } else if (strcmp(mode, "login_tty") == 0) {
        int controller, terminal;
        if (openpty(&controller, &terminal, NULL, NULL, NULL) != 0)
            return 1;
        pid_t child = fork();
        if (child == 0) {
            close(controller);
            if (login_tty(terminal) != 0)
                _exit(1);
            say(2, "on the terminal\n");
            _exit(0);
        }
        close(terminal);
        show_terminal(controller, child);
        return 0;
    } else if (strcmp(mode, "forkpty") == 0) {
        int controller;
        fflush(stdout);
        pid_t child = forkpty(&controller, NULL, NULL, NULL);
        if (child < 0)
            return 1;
        if (child == 0) {
            say(2, "on the terminal\n");
            _exit(0);
        }
        show_terminal(controller, child);
        return 0;
    } else if (strcmp(mode, "raw") == 0) {
        if (argc != 3)
            return 2;
        int every = atoi(argv[2]);
        int fd = memfd_create("fault_fd_unseen", 0);
        printf("dup3: %ld\n", syscall(SYS_dup3, fd, 2, 0));
        close(fd);
        char line[64];
        for (int i = 1; i <= every; i++) {
            snprintf(line, sizeof line, "unseen %d\n", i);
            say(2, line);
        }
        for (int i = 1; i <= 3; i++) {
            snprintf(line, sizeof line, "past the bound %d\n", i);
            say(2, line);
        }
    } else {
        return 2;
    }
    say(2, "after\n");
    dprintf(2, "after, dprintf\n");
    show_fd2_file();
    return 0;
}
