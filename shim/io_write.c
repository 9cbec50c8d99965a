/*
 * write and writev: the async-signal-safe entry points, for stderr, stdout
 * and a syslog socket the program connected itself. No lock, no malloc,
 * no initialisation here; a call nested in shim code (a signal handler
 * interrupting us, the core's own writev) passes through untouched. Before
 * the real functions are resolved, raw system calls stand in.
 */
#undef _FORTIFY_SOURCE /* fortified headers would define inline wrappers of what we define */
#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

#include "real.h"
#include "shim.h"

/* A write or writev on a descriptor the program connected to the syslog
 * (or journal) socket: one datagram, captured as io_socket.c captures a
 * send. */
static int to_syslog_socket(int fd)
{
    if (!shim_sock_maybe(fd) || !shim_capturing(SHIM_ARM_SYSLOG | SHIM_ARM_JOURNAL, false))
        return SHIM_SOCK_NONE;
    return shim_sock_armed_kind(shim_sock_kind(fd));
}


SHIM_EXPORT ssize_t write(int fd, const void *buf, size_t count)
{
    shim_real_write_fn *real = SHIM_REAL(write);
    if (real == NULL)
        return shim_raw_write(fd, buf, count);
    int kind = to_syslog_socket(fd);
    if (__builtin_expect(kind != SHIM_SOCK_NONE, 0)) {
        shim_busy_enter();
        ssize_t written = real(fd, buf, count);
        struct iovec piece = { (void *)buf, count };
        return shim_sock_send_done(fd, kind, &piece, 1, written);
    }
    ehs_source source = shim_fd_marked(fd);
    if (source == EHS_SOURCE_ANY || !shim_capturing(shim_arm_bit(source), false))
        return real(fd, buf, count);
    shim_busy_enter();
    ssize_t written = real(fd, buf, count);
    int real_errno = errno;
    if (written > 0 && shim_fd_source(fd) == source)
        shim_output_feed(source, buf, (size_t)written);
    shim_busy_leave();
    errno = real_errno;
    return written;
}

SHIM_EXPORT ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
    shim_real_writev_fn *real = SHIM_REAL(writev);
    if (real == NULL)
        return shim_raw_writev(fd, iov, iovcnt);
    int kind = to_syslog_socket(fd);
    if (__builtin_expect(kind != SHIM_SOCK_NONE, 0)) {
        shim_busy_enter();
        ssize_t written = real(fd, iov, iovcnt);
        return shim_sock_send_done(fd, kind, iov, (size_t)iovcnt, written);
    }
    ehs_source source = shim_fd_marked(fd);
    if (source == EHS_SOURCE_ANY || !shim_capturing(shim_arm_bit(source), false))
        return real(fd, iov, iovcnt);
    shim_busy_enter();
    ssize_t written = real(fd, iov, iovcnt);
    int real_errno = errno;
    if (written > 0 && shim_fd_source(fd) == source) {
        /* Only what the kernel took: a short writev ends mid-vector. */
        size_t left = (size_t)written;
        for (int i = 0; i < iovcnt && left > 0; i++) {
            size_t piece = iov[i].iov_len < left ? iov[i].iov_len : left;
            shim_output_feed(source, iov[i].iov_base, piece);
            left -= piece;
        }
    }
    shim_busy_leave();
    errno = real_errno;
    return written;
}
