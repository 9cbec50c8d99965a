/*
 * Resolving the real libc functions. dlsym may allocate (through dlerror)
 * and so re-enter an interposer on this thread; the TLS `resolving` flag
 * makes those nested calls fall back to raw syscalls (write, writev) or
 * fail cleanly instead of recursing. glibc declares dlsym a leaf function,
 * so the compiler may assume it cannot observe our stores: the flag is only
 * touched through volatile accesses, which it must keep in order.
 */
#include <dlfcn.h>
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "real.h"
#include "shim.h"

void *shim_real_table[SHIM_REAL_COUNT];

static const char *const shim_real_names[SHIM_REAL_COUNT] = {
#define SHIM_REAL_NAME(name, ret, params) [SHIM_REAL_ID_##name] = #name,
    SHIM_REAL_FUNCTIONS(SHIM_REAL_NAME)
#undef SHIM_REAL_NAME
};

static __thread unsigned char shim_tls_resolving SHIM_TLS;

int shim_real_resolving(void)
{
    return *(volatile unsigned char *)&shim_tls_resolving;
}

void *shim_real_resolve(shim_real_id id)
{
    volatile unsigned char *resolving = &shim_tls_resolving;
    if (*resolving)
        return NULL;
    int saved_errno = errno;
    *resolving = 1;
    void *fn = dlsym(RTLD_NEXT, shim_real_names[id]);
    *resolving = 0;
    errno = saved_errno;
    if (fn != NULL)
        __atomic_store_n(&shim_real_table[id], fn, __ATOMIC_RELEASE);
    return fn;
}

void shim_real_resolve_all(void)
{
    for (int id = 0; id < SHIM_REAL_COUNT; id++) {
        if (__atomic_load_n(&shim_real_table[id], __ATOMIC_ACQUIRE) == NULL)
            shim_real_resolve((shim_real_id)id);
    }
}

ssize_t shim_raw_write(int fd, const void *buf, size_t count)
{
    return syscall(SYS_write, fd, buf, count);
}

ssize_t shim_raw_writev(int fd, const struct iovec *iov, int iovcnt)
{
    return syscall(SYS_writev, fd, iov, iovcnt);
}
