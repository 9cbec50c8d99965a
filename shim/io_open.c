/*
 * Opening stderr by name: open("/dev/stderr"), fopen("/dev/fd/2", "a"),
 * "/proc/self/fd/2". The program gets a new descriptor on the same file as
 * fd 2, and nginx can put its access log on stderr only this way. Such a
 * descriptor is a copy of stderr (fdtrack.c): it is marked like a dup of
 * the descriptor the name points at. Every call here is the real call, then
 * a cheap look at the name; nothing changes the result or errno.
 */
#undef _FORTIFY_SOURCE /* fortified headers would define inline wrappers of what we define */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "io.h"
#include "real.h"
#include "shim.h"

/* Reads a decimal descriptor number that ends `path` at `digits`; -1 when
 * it is not one. */
static int trailing_fd(const char *digits)
{
    if (*digits < '0' || *digits > '9')
        return -1;
    int fd = 0;
    for (; *digits != '\0'; digits++) {
        if (*digits < '0' || *digits > '9' || fd > 100000)
            return -1;
        fd = fd * 10 + (*digits - '0');
    }
    return fd;
}

/* The descriptor `path` names (/dev/stderr -> 2, /dev/fd/N, /proc/self/fd/N,
 * /proc/thread-self/fd/N, /proc/PID/fd/N of this process), or -1. */
static int named_descriptor(const char *path)
{
    if (path == NULL || path[0] != '/')
        return -1;
    if (strncmp(path, "/dev/", 5) == 0) {
        const char *rest = path + 5;
        if (strcmp(rest, "stderr") == 0)
            return 2;
        if (strcmp(rest, "stdout") == 0)
            return 1;
        if (strcmp(rest, "stdin") == 0)
            return 0;
        if (strncmp(rest, "fd/", 3) == 0)
            return trailing_fd(rest + 3);
        return -1;
    }
    if (strncmp(path, "/proc/", 6) != 0)
        return -1;
    const char *rest = path + 6;
    if (strncmp(rest, "self/fd/", 8) == 0)
        return trailing_fd(rest + 8);
    if (strncmp(rest, "thread-self/fd/", 15) == 0)
        return trailing_fd(rest + 15);
    const char *slash = strchr(rest, '/');
    if (slash == NULL || strncmp(slash, "/fd/", 4) != 0)
        return -1;
    long pid = 0;
    for (const char *c = rest; c < slash; c++) {
        if (*c < '0' || *c > '9' || pid > 1L << 30)
            return -1;
        pid = pid * 10 + (*c - '0');
    }
    if (pid != (long)getpid())
        return -1;
    return trailing_fd(slash + 4);
}

/* After a successful open of `path` as `fd`. */
static void opened(const char *path, int fd)
{
    if (fd < 0 || !shim_tracking_fds())
        return;
    int saved_errno = errno;
    int named = named_descriptor(path);
    if (named >= 0 && named != fd)
        shim_fd_copied(named, fd);
    else if (named < 0)
        shim_fd_closed(fd); /* a new file on a number that may have been stderr */
    errno = saved_errno;
}

static bool takes_mode(int flags)
{
    return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
}

/* open and openat before the real ones are known (inside dlsym): the system
 * call itself, so that nothing fails for want of a pointer. */
static int raw_openat(int dirfd, const char *path, int flags, mode_t mode)
{
    return (int)syscall(SYS_openat, dirfd, path, flags, mode);
}

#define MODE_ARGUMENT(flags, last)                                                             \
    mode_t mode = 0;                                                                           \
    if (takes_mode(flags)) {                                                                   \
        va_list args;                                                                          \
        va_start(args, last);                                                                  \
        mode = (mode_t)va_arg(args, int);                                                      \
        va_end(args);                                                                          \
    }

SHIM_EXPORT int open(const char *path, int flags, ...)
{
    MODE_ARGUMENT(flags, flags);
    shim_real_open_fn *real = SHIM_REAL(open);
    int fd = real != NULL ? real(path, flags, mode) : raw_openat(AT_FDCWD, path, flags, mode);
    opened(path, fd);
    return fd;
}

SHIM_EXPORT int open64(const char *path, int flags, ...)
{
    MODE_ARGUMENT(flags, flags);
    shim_real_open64_fn *real = SHIM_REAL(open64);
    int fd = real != NULL ? real(path, flags, mode)
                          : raw_openat(AT_FDCWD, path, flags | O_LARGEFILE, mode);
    opened(path, fd);
    return fd;
}

SHIM_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
    MODE_ARGUMENT(flags, flags);
    shim_real_openat_fn *real = SHIM_REAL(openat);
    int fd = real != NULL ? real(dirfd, path, flags, mode) : raw_openat(dirfd, path, flags, mode);
    opened(path, fd);
    return fd;
}

SHIM_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
    MODE_ARGUMENT(flags, flags);
    shim_real_openat64_fn *real = SHIM_REAL(openat64);
    int fd = real != NULL ? real(dirfd, path, flags, mode)
                          : raw_openat(dirfd, path, flags | O_LARGEFILE, mode);
    opened(path, fd);
    return fd;
}

/* The fortified forms (_FORTIFY_SOURCE with a flags value the compiler
 * cannot see): no mode argument, glibc checks O_CREAT has none. */
SHIM_EXPORT int __open_2(const char *path, int flags)
{
    shim_real___open_2_fn *real = SHIM_REAL(__open_2);
    int fd = real != NULL ? real(path, flags) : raw_openat(AT_FDCWD, path, flags, 0);
    opened(path, fd);
    return fd;
}

SHIM_EXPORT int __open64_2(const char *path, int flags)
{
    shim_real___open64_2_fn *real = SHIM_REAL(__open64_2);
    int fd = real != NULL ? real(path, flags) : raw_openat(AT_FDCWD, path, flags | O_LARGEFILE, 0);
    opened(path, fd);
    return fd;
}

SHIM_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
    shim_real___openat_2_fn *real = SHIM_REAL(__openat_2);
    int fd = real != NULL ? real(dirfd, path, flags) : raw_openat(dirfd, path, flags, 0);
    opened(path, fd);
    return fd;
}

SHIM_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
    shim_real___openat64_2_fn *real = SHIM_REAL(__openat64_2);
    int fd = real != NULL ? real(dirfd, path, flags) : raw_openat(dirfd, path, flags | O_LARGEFILE, 0);
    opened(path, fd);
    return fd;
}

/* fopen and freopen open through libc's internal open, not the PLT.
 * freopen(NULL, ...) keeps the stream's file: nothing changes then. */
static FILE *stream_opened(const char *path, FILE *stream)
{
    if (stream != NULL && path != NULL && shim_tracking_fds())
        opened(path, fileno(stream));
    return stream;
}

SHIM_EXPORT FILE *fopen(const char *path, const char *mode)
{
    shim_real_fopen_fn *real = SHIM_REAL(fopen);
    if (real == NULL) {
        errno = ENOSYS;
        return NULL;
    }
    return stream_opened(path, real(path, mode));
}

SHIM_EXPORT FILE *fopen64(const char *path, const char *mode)
{
    shim_real_fopen64_fn *real = SHIM_REAL(fopen64);
    if (real == NULL) {
        errno = ENOSYS;
        return NULL;
    }
    return stream_opened(path, real(path, mode));
}

SHIM_EXPORT FILE *freopen(const char *path, const char *mode, FILE *stream)
{
    shim_real_freopen_fn *real = SHIM_REAL(freopen);
    if (real == NULL) {
        errno = ENOSYS;
        return NULL;
    }
    return stream_opened(path, shim_stream_reopen(real, path, mode, stream));
}

SHIM_EXPORT FILE *freopen64(const char *path, const char *mode, FILE *stream)
{
    shim_real_freopen64_fn *real = SHIM_REAL(freopen64);
    if (real == NULL) {
        errno = ENOSYS;
        return NULL;
    }
    return stream_opened(path, shim_stream_reopen(real, path, mode, stream));
}
