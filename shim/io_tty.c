/*
 * login_tty and forkpty make a terminal the process's 0, 1 and 2 with
 * libc's internal dup2 and close, which our dup2 and close never see: the
 * descriptor table is told here (fdtrack.c). A descriptor stays stderr
 * only if it still is the file it was marked on (a program started on that
 * very terminal). Nothing else changes: the result and errno are the real
 * call's.
 */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <pty.h>
#include <utmp.h>

#include "real.h"
#include "shim.h"

static void terminal_installed(int closed)
{
    if (!shim_tracking_fds())
        return;
    int real_errno = errno;
    shim_fd_recheck(0, 2);
    if (closed > 2)
        shim_fd_closed(closed);
    errno = real_errno;
}

SHIM_EXPORT int login_tty(int fd)
{
    shim_real_login_tty_fn *real = SHIM_REAL(login_tty);
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    int result = real(fd);
    if (result == 0)
        terminal_installed(fd);
    return result;
}

/* In the child (0) the terminal is on 0, 1 and 2; libc closed the
 * controlling side of it there, a descriptor the child never marked. */
SHIM_EXPORT pid_t forkpty(int *controller, char *name, const struct termios *termp,
                          const struct winsize *winp)
{
    shim_real_forkpty_fn *real = SHIM_REAL(forkpty);
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    pid_t pid = real(controller, name, termp, winp);
    if (pid == 0)
        terminal_installed(-1);
    return pid;
}
