/*
 * The write path of an event set. It runs on every traced call of the host
 * program, so it takes no lock and allocates nothing: a disabled set costs
 * one relaxed load, an enabled one a size check and a single writev.
 */
#include <errno.h>
#include <sys/uio.h>

#include "backend.h"
#include "ehd/ehd.h"
#include "ehd_api.h"

EHD_API int ehd_event_set_errno(const ehd_event_set *set)
{
    return set != NULL ? set->err : EINVAL;
}

EHD_API const char *ehd_event_set_name(const ehd_event_set *set)
{
    return set != NULL ? set->tracepoint_name : "";
}

EHD_API int ehd_event_set_writev(const ehd_event_set *set, struct iovec *iov, int iovcnt)
{
    return ehd__event_set_writev_as(set, iov, iovcnt, NULL);
}

int ehd__event_set_writev_as(const ehd_event_set *set, struct iovec *iov, int iovcnt,
                             const ehd__writer *writer)
{
    if (!ehd_event_set_enabled(set))
        return EBADF;
    if (iov == NULL || iovcnt < 2)
        return EINVAL;
    const ehd_provider *provider = set->provider;
    /* An event the backend cannot carry would vanish past a successful
     * write (the kernel drops perf records over 8 KiB): refused here, the
     * caller can count it. */
    if (provider->backend != EHD_BACKEND_NONE &&
        ehd__event_bytes(iov, iovcnt) > ehd__backend_event_max(provider->backend))
        return EMSGSIZE;
    /* The descriptor may move (ehd_provider_move_fd) while others write. */
    int fd = __atomic_load_n(&provider->data_fd, __ATOMIC_RELAXED);
    switch (provider->backend) {
    case EHD_BACKEND_USER_EVENTS:
        return ehd__user_events_writev(fd, set, iov, iovcnt);
    case EHD_BACKEND_CAPTURE:
        return ehd__capture_writev(fd, set, iov, iovcnt, writer);
    case EHD_BACKEND_NONE:
        break;
    }
    return EBADF;
}

ehd_writev_fn *ehd__backend_writev_fn;

void ehd__set_backend_writev(ehd_writev_fn *fn)
{
    __atomic_store_n(&ehd__backend_writev_fn, fn, __ATOMIC_RELAXED);
}

ehd_write_fn *ehd__backend_write_fn;

void ehd__set_backend_write(ehd_write_fn *fn)
{
    __atomic_store_n(&ehd__backend_write_fn, fn, __ATOMIC_RELAXED);
}
