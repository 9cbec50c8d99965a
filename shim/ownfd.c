/*
 * The shim's own descriptor (user_events_data or the capture file) must stay
 * out of the host program's way. The core opens it above 2 with O_CLOEXEC,
 * but programs also use 3..9 by number: `exec 3>&2` in a shell script is a
 * dup2(2, 3), which would silently replace our descriptor with stderr and
 * send binary records to the terminal. So:
 *
 *  - after the provider opens, its descriptor moves high (half the soft
 *    RLIMIT_NOFILE, at most SHIM_OWN_FD_FLOOR_MAX), where no program uses
 *    fixed numbers;
 *  - close() of it (a program closing "all" descriptors one by one) fails
 *    with EBADF, as for a descriptor that is not open, and close_range /
 *    closefrom skip it;
 *  - dup2/dup3 onto it first move it elsewhere, then let the program have
 *    the number it asked for.
 *
 * When it cannot stay, the shim gives it up and stops capturing for good
 * (shim_armed goes to 0, and shim_emit writes nothing once it is 0): the
 * number is then the program's, and another write there would put records
 * into the program's own files or sockets. That happens on a dup2 onto it
 * with no other number left to move to, and when a raw close_range system
 * call closed it, seen as EBADF at the shim's next write. One gap remains:
 * after a raw close, a program that reuses the number before the shim's
 * next write (it would have to open about half its descriptor limit) gets
 * that write; so may a write already under way on another thread at the
 * moment the shim gives up. Moving goes through
 * ehd_provider_move_fd, so writers on other threads see the old or the new
 * number, both valid until the dup2 that follows.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "shim.h"

#define SHIM_OWN_FD_FLOOR_MAX 512

static int own_fd = -1;
static int own_fd_floor = 3;

static int choose_floor(void)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return SHIM_OWN_FD_FLOOR_MAX;
    rlim_t half = limit.rlim_cur / 2;
    if (half > SHIM_OWN_FD_FLOOR_MAX)
        return SHIM_OWN_FD_FLOOR_MAX;
    return half > 3 ? (int)half : 3;
}

/* Moves the provider's descriptor to `floor` or above, closing the old
 * number only with `close_old`; false on failure. */
static bool move_own_fd(int floor, bool close_old)
{
    if (ehd_provider_move_fd(&shim_provider, floor, close_old) != 0)
        return false;
    __atomic_store_n(&own_fd, ehd_provider_fd(&shim_provider), __ATOMIC_RELEASE);
    return true;
}

void shim_own_fd_setup(void)
{
    int fd = ehd_provider_fd(&shim_provider);
    if (fd < 0)
        return;
    int saved_errno = errno;
    own_fd_floor = choose_floor();
    if (fd >= own_fd_floor || !move_own_fd(own_fd_floor, true))
        __atomic_store_n(&own_fd, fd, __ATOMIC_RELEASE);
    errno = saved_errno;
}

bool shim_is_own_fd(int fd)
{
    return fd >= 0 && fd == __atomic_load_n(&own_fd, __ATOMIC_ACQUIRE);
}

int shim_own_fd(void)
{
    return __atomic_load_n(&own_fd, __ATOMIC_ACQUIRE);
}

/* The number is the program's now: stop capturing, never write there again,
 * and let the program's close/close_range/dup2 have it. Idempotent. */
static void give_up_own_fd(const char *why)
{
    int fd = __atomic_exchange_n(&own_fd, -1, __ATOMIC_ACQ_REL);
    if (fd < 0)
        return;
    __atomic_store_n(&shim_armed, 0, __ATOMIC_RELEASE);
    shim_debug("descriptor %d, the shim's own, %s; not capturing any more", fd, why);
}

void shim_own_fd_make_way(int fd)
{
    if (!shim_is_own_fd(fd))
        return;
    int saved_errno = errno;
    /* Above the number the program wants, so the next such call (a loop
     * over numbers) does not meet us again right away. */
    int floor = fd + 1 > own_fd_floor ? fd + 1 : own_fd_floor;
    if (!move_own_fd(floor, false) && !move_own_fd(3, false))
        give_up_own_fd("is wanted by the program's dup2 and no other number is free");
    errno = saved_errno;
}

void shim_own_fd_check_closed(void)
{
    int fd = shim_own_fd();
    if (fd < 0)
        return;
    int saved_errno = errno;
    if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
        give_up_own_fd("was closed behind the shim's back (a raw close_range?)");
    errno = saved_errno;
}
