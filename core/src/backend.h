/*
 * Internal: the two ways a provider can deliver events. provider.c decides
 * which one a provider uses when it opens; everything here is hidden from
 * the library's users.
 *
 * Conventions: helpers that produce a descriptor return it or -errno; the
 * others return 0 or a positive errno.
 */
#ifndef EHD_BACKEND_H
#define EHD_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ehd/ehd.h"
#include "ehd_backend_writev.h"

/* ---- shared ------------------------------------------------------------ */

/* The largest event `backend` carries (ehd_provider_event_max); 0 for none. */
static inline size_t ehd__backend_event_max(ehd_backend backend)
{
    switch (backend) {
    case EHD_BACKEND_USER_EVENTS:
        return EHD_USER_EVENTS_EVENT_MAX;
    case EHD_BACKEND_CAPTURE:
        return EHD_CAPTURE_EVENT_MAX;
    case EHD_BACKEND_NONE:
        break;
    }
    return 0;
}

/* Bytes in iov[2..iovcnt): the event a write carries. SIZE_MAX when the
 * sum overflows, which no backend takes. */
static inline size_t ehd__event_bytes(const struct iovec *iov, int iovcnt)
{
    size_t total = 0;
    for (int i = 2; i < iovcnt; i++) {
        if (__builtin_add_overflow(total, iov[i].iov_len, &total))
            return SIZE_MAX;
    }
    return total;
}

/* The writev set with ehd__set_backend_writev, or libc's. */
extern ehd_writev_fn *ehd__backend_writev_fn;
static inline ssize_t ehd__backend_writev(int fd, const struct iovec *iov, int iovcnt)
{
    ehd_writev_fn *fn = __atomic_load_n(&ehd__backend_writev_fn, __ATOMIC_RELAXED);
    return fn != NULL ? fn(fd, iov, iovcnt) : writev(fd, iov, iovcnt);
}

/* The write set with ehd__set_backend_write, or libc's. */
extern ehd_write_fn *ehd__backend_write_fn;
static inline ssize_t ehd__backend_write(int fd, const void *buf, size_t count)
{
    ehd_write_fn *fn = __atomic_load_n(&ehd__backend_write_fn, __ATOMIC_RELAXED);
    return fn != NULL ? fn(fd, buf, count) : write(fd, buf, count);
}

/*
 * Returns `fd` itself when it is above 2, else a close-on-exec duplicate
 * above 2 (and closes `fd`), so a host program's dup2/close on 0..2 can never
 * hit it. Returns -errno when no duplicate could be made (`fd` is closed).
 */
int ehd__fd_above_stdio(int fd);

/* Who writes an event, as its caller knows it (ehd_write_options). */
typedef struct ehd__writer {
    uint32_t pid;
    uint32_t tid;
} ehd__writer;

/* ehd_event_set_writev for a caller that knows who writes; `writer` NULL:
 * the backend asks the kernel when it needs to know. */
int ehd__event_set_writev_as(const ehd_event_set *set, struct iovec *iov, int iovcnt,
                             const ehd__writer *writer);

/* ---- user_events ------------------------------------------------------- */

/*
 * Finds tracefs (or debugfs) in the mounts file and opens user_events_data
 * write-only, close-on-exec, above 2. Returns the descriptor, or -ENOTSUP
 * when neither file system is mounted, or -errno of the failed open.
 */
int ehd__user_events_open(void);

/*
 * Registers `set` (its tracepoint_name must be filled in) on `data_fd`: the
 * kernel will keep bit 0 of set->status_word up to date. Stores the write
 * index in the set. Returns 0 or the errno of the ioctl.
 */
int ehd__user_events_register(int data_fd, ehd_event_set *set);

/*
 * Registers the tracepoint of `set` (registered with the call above) once
 * more, with bit `bit` of *word as the enable bit: the kernel then keeps
 * that bit current as well (ehd_provider_any_enabled). Returns 0 or the
 * errno of the ioctl.
 */
int ehd__user_events_register_bit(int data_fd, const ehd_event_set *set, unsigned long *word,
                                  unsigned bit);

/* Undoes ehd__user_events_register_bit, like the call below. */
int ehd__user_events_unregister_bit(int data_fd, unsigned long *word, unsigned bit);

/*
 * Stops the kernel from updating `set`; only for a set that registered.
 * Returns 0 or the errno of the ioctl. The kernel ties the enable bit to the
 * process's memory, not to the descriptor: until this succeeds (or says
 * ENOENT) it may still write to the set, so the set must not be freed.
 */
int ehd__user_events_unregister(int data_fd, ehd_event_set *set);

/* Sends iov[2..iovcnt) with the write index in iov[1]; iov[0] is left out. */
int ehd__user_events_writev(int data_fd, const ehd_event_set *set, struct iovec *iov,
                            int iovcnt);

/* ---- capture ----------------------------------------------------------- */

/* Opens (creating, mode 0644 less umask) `path` for appending records, above
 * 2 and close-on-exec. Returns the descriptor or -errno. */
int ehd__capture_open(const char *path);

/*
 * Appends one record: iov[0] becomes the size word, iov[1] the tracepoint
 * name with its NUL, iov[2..iovcnt) are the event. One system call (a write
 * of the record gathered into one buffer when it is small, else a writev),
 * so records of concurrent writers never interleave. Returns 0, ERANGE for a record too big
 * for its size word, EIO for a short write (full disk, RLIMIT_FSIZE; the
 * part written is truncated away again unless another writer appended after
 * it, so readers never meet a torn record), or the errno of writev. The
 * stamp takes its pid and tid from `writer`, or from the kernel when NULL.
 */
int ehd__capture_writev(int data_fd, const ehd_event_set *set, struct iovec *iov, int iovcnt,
                        const ehd__writer *writer);

#endif /* EHD_BACKEND_H */
