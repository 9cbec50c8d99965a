/*
 * What a program sends to the local syslog socket (or the journal's, see
 * io_journal.c) itself: connect marks the
 * descriptor (fdsock.c); send, sendto, sendmsg, write and writev on it pass
 * through unchanged, and what the kernel took becomes syslog events with the
 * priority and ident of each message's header (syslog_wire.c), as if the
 * program had called syslog(): one per datagram, or on a stream socket one
 * per message its framing delimits (sock_stream.c). glibc's own syslog()
 * sends through libc's internal calls, which never reach these, so its
 * messages are not counted twice. Like write(), no lock (but a stream's own)
 * and no allocation here; a call made while the shim is busy on this thread
 * passes through untouched.
 */
#undef _FORTIFY_SOURCE /* fortified headers would define inline wrappers of what we define */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "real.h"
#include "shim.h"
#include "syslog_wire.h"

/* Longest ident taken from a header (the wire reader's TAG limit). */
enum { IDENT_BYTES = 48 };

static void emit_record(shim_thread *thread, const char *bytes, size_t len);

/* The first `sent` bytes of the vector, gathered into this thread's scratch
 * space (cut to its size), as one syslog event. */
static void emit_datagram(const struct iovec *iov, size_t iovcnt, size_t sent)
{
    shim_thread *thread = shim_thread_get();
    if (thread == NULL)
        return;
    size_t capacity;
    char *text = shim_thread_scratch(thread, &capacity);
    size_t len = 0;
    for (size_t i = 0; i < iovcnt && len < sent && len < capacity; i++) {
        size_t piece = iov[i].iov_len;
        if (piece > sent - len)
            piece = sent - len;
        if (piece > capacity - len)
            piece = capacity - len;
        memcpy(text + len, iov[i].iov_base, piece);
        len += piece;
    }
    emit_record(thread, text, len);
}

/* One message (header and all) as a syslog event. */
static void emit_record(shim_thread *thread, const char *bytes, size_t len)
{
    shim_syslog_record record;
    shim_syslog_parse(bytes, len, &record);
    char ident[IDENT_BYTES + 1];
    const char *name = shim_program_name();
    if (record.ident != NULL) {
        size_t n = record.ident_len < IDENT_BYTES ? record.ident_len : IDENT_BYTES;
        memcpy(ident, record.ident, n);
        ident[n] = '\0';
        name = ident;
    }
    shim_emit(thread, EHS_SOURCE_SYSLOG, name, record.priority, record.text, record.len);
}

/* One message of a stream (shim_sock_message_fn). */
static void emit_stream_message(const char *bytes, size_t len)
{
    shim_thread *thread = shim_thread_get();
    if (thread == NULL)
        return;
    emit_record(thread, bytes, len);
}

void shim_sock_sent(int fd, int kind, const struct iovec *iov, size_t iovcnt, ssize_t sent)
{
    int saved_errno = errno;
    if (sent > 0 && kind == SHIM_SOCK_SYSLOG_STREAM)
        shim_sock_stream_sent(fd, iov, iovcnt, (size_t)sent, emit_stream_message);
    else if (sent >= 0 && kind == SHIM_SOCK_SYSLOG)
        emit_datagram(iov, iovcnt, (size_t)sent);
    else if (kind == SHIM_SOCK_JOURNAL)
        shim_journal_sent(NULL, iov, iovcnt, sent);
    errno = saved_errno;
}

ssize_t shim_sock_send_done(int fd, int kind, const struct iovec *iov, size_t iovcnt,
                            ssize_t sent)
{
    int real_errno = errno;
    shim_sock_sent(fd, kind, iov, iovcnt, sent);
    shim_busy_leave();
    errno = real_errno;
    return sent;
}

void shim_sock_stream_flush(int fd)
{
    int saved_errno = errno;
    if (shim_capturing(SHIM_ARM_SYSLOG, false)) {
        shim_busy_enter();
        shim_sock_stream_closed(fd, emit_stream_message);
        shim_busy_leave();
    } else {
        shim_sock_stream_closed(fd, NULL);
    }
    errno = saved_errno;
}

/* The kind of a send on `fd` (to `address`, NULL when connected) to
 * capture, or SHIM_SOCK_NONE. */
static int capturing_send(int fd, const struct sockaddr *address, socklen_t length)
{
    if (address == NULL && !shim_sock_maybe(fd))
        return SHIM_SOCK_NONE;
    if (address != NULL && address->sa_family != AF_UNIX)
        return SHIM_SOCK_NONE;
    if (!shim_capturing(SHIM_ARM_SYSLOG | SHIM_ARM_JOURNAL, false))
        return SHIM_SOCK_NONE;
    return shim_sock_armed_kind(shim_sock_kind_to(fd, address, length));
}

SHIM_EXPORT int connect(int fd, const struct sockaddr *address, socklen_t length)
{
    shim_real_connect_fn *real = SHIM_REAL(connect);
    int result = real != NULL ? real(fd, address, length)
                              : (int)syscall(SYS_connect, fd, address, length);
    /* Only AF_UNIX matters; the others pay one comparison. */
    if (address != NULL && address->sa_family == AF_UNIX &&
        (__atomic_load_n(&shim_armed, __ATOMIC_ACQUIRE) & (SHIM_ARM_SYSLOG | SHIM_ARM_JOURNAL))) {
        int saved_errno = errno;
        if (result == 0)
            shim_sock_connected(fd, address, length);
        else
            shim_sock_closed(fd); /* a failed connect leaves it unconnected */
        errno = saved_errno;
    }
    return result;
}

/* The common case, inline in each interposer so that it ends in a tail
 * call: no address of another family to look at, and no mark on `fd`. */
static inline bool maybe_syslog_send(int fd, const struct sockaddr *address)
{
    if (address != NULL)
        return address->sa_family == AF_UNIX;
    return shim_sock_maybe(fd);
}

__attribute__((noinline)) static ssize_t sendto_checked(shim_real_sendto_fn *real, int fd,
                                                        const void *buf, size_t len, int flags,
                                                        const struct sockaddr *address,
                                                        socklen_t length)
{
    int kind = capturing_send(fd, address, length);
    if (kind == SHIM_SOCK_NONE)
        return real(fd, buf, len, flags, address, length);
    shim_busy_enter();
    ssize_t sent = real(fd, buf, len, flags, address, length);
    struct iovec piece = { (void *)buf, len };
    return shim_sock_send_done(fd, kind, &piece, 1, sent);
}

SHIM_EXPORT ssize_t sendto(int fd, const void *buf, size_t len, int flags,
                           const struct sockaddr *address, socklen_t length)
{
    shim_real_sendto_fn *real = SHIM_REAL(sendto);
    if (__builtin_expect(real == NULL, 0))
        return syscall(SYS_sendto, fd, buf, len, flags, address, length);
    if (__builtin_expect(!maybe_syslog_send(fd, address), 1))
        return real(fd, buf, len, flags, address, length);
    return sendto_checked(real, fd, buf, len, flags, address, length);
}

__attribute__((noinline)) static ssize_t send_checked(shim_real_send_fn *real, int fd,
                                                      const void *buf, size_t len, int flags)
{
    int kind = capturing_send(fd, NULL, 0);
    if (kind == SHIM_SOCK_NONE)
        return real(fd, buf, len, flags);
    shim_busy_enter();
    ssize_t sent = real(fd, buf, len, flags);
    struct iovec piece = { (void *)buf, len };
    return shim_sock_send_done(fd, kind, &piece, 1, sent);
}

SHIM_EXPORT ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    shim_real_send_fn *real = SHIM_REAL(send);
    if (__builtin_expect(real == NULL, 0))
        return syscall(SYS_sendto, fd, buf, len, flags, NULL, 0);
    if (__builtin_expect(!shim_sock_maybe(fd), 1))
        return real(fd, buf, len, flags);
    return send_checked(real, fd, buf, len, flags);
}

__attribute__((noinline)) static ssize_t sendmsg_checked(shim_real_sendmsg_fn *real, int fd,
                                                         const struct msghdr *message,
                                                         int flags)
{
    const struct sockaddr *address =
        message->msg_namelen != 0 ? (const struct sockaddr *)message->msg_name : NULL;
    int kind = capturing_send(fd, address, message->msg_namelen);
    if (kind == SHIM_SOCK_NONE)
        return real(fd, message, flags);
    shim_busy_enter();
    ssize_t sent = real(fd, message, flags);
    if (kind != SHIM_SOCK_JOURNAL)
        return shim_sock_send_done(fd, kind, message->msg_iov, message->msg_iovlen, sent);
    /* The journal's big entries come as a passed memfd: it needs the
     * control messages too. */
    int real_errno = errno;
    shim_journal_sent(message, message->msg_iov, message->msg_iovlen, sent);
    shim_busy_leave();
    errno = real_errno;
    return sent;
}

SHIM_EXPORT ssize_t sendmsg(int fd, const struct msghdr *message, int flags)
{
    shim_real_sendmsg_fn *real = SHIM_REAL(sendmsg);
    if (__builtin_expect(real == NULL, 0))
        return syscall(SYS_sendmsg, fd, message, flags);
    if (__builtin_expect(message == NULL ||
                             !maybe_syslog_send(fd, message->msg_namelen != 0
                                                        ? (const struct sockaddr *)message->msg_name
                                                        : NULL),
                         1))
        return real(fd, message, flags);
    return sendmsg_checked(real, fd, message, flags);
}
