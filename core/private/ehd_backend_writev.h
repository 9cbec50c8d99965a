/*
 * Which writev (and write) the backends write events with, for a host that
 * interposes them itself: the shim's own events must not pass through its writev,
 * which looks at every descriptor the program writes to. Nothing installed
 * sees this; the library alone uses libc's writev.
 */
#ifndef EHD_BACKEND_WRITEV_H
#define EHD_BACKEND_WRITEV_H

#include <sys/types.h>
#include <sys/uio.h>

typedef ssize_t ehd_writev_fn(int fd, const struct iovec *iov, int iovcnt);

/* From now on the backends write with `fn` (NULL: libc's writev again).
 * Meant to be called once, before the first event; thread-safe. */
void ehd__set_backend_writev(ehd_writev_fn *fn);

typedef ssize_t ehd_write_fn(int fd, const void *buf, size_t count);

/* The same for write, which the capture backend uses for a record it could
 * gather into one buffer (NULL: libc's write again). */
void ehd__set_backend_write(ehd_write_fn *fn);

#endif /* EHD_BACKEND_WRITEV_H */
