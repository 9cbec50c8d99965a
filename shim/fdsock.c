/*
 * Which descriptors send to the local syslog socket, or to the journal's
 * native socket (/run/systemd/journal/socket, where libsystemd's
 * sd_journal_print sends each entry with sendmsg). A program that logs
 * without syslog() (logger, Python's SysLogHandler, dnsmasq) opens an
 * AF_UNIX datagram (or stream) socket and either connects it to /dev/log (or to
 * /run/systemd/journal/dev-log, where /dev/log usually points) or names
 * that path in every sendto/sendmsg. A path is the syslog socket when it is
 * one of those names, or when it resolves to the same socket (a symlink, a
 * bind mount): so a connect pays a few stat calls, and a send to a named
 * address pays them only when the address differs from that descriptor's
 * previous one (a hash of it is kept per descriptor).
 *
 * As for stderr (fdtrack.c), a descriptor keeps its mark while it refers to
 * the socket it was marked on: a number the program reuses behind our back
 * (a close inside libc) is told apart by the socket's inode. Lock-free and
 * async-signal-safe: atomic bytes and words, stat and fstat.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "shim.h"

/* The names of the sockets followed, and what sending there is. */
typedef struct known_socket {
    const char *path;
    int kind; /* SHIM_SOCK_SYSLOG or SHIM_SOCK_JOURNAL (for datagrams) */
} known_socket;
static const known_socket known_sockets[] = {
    { "/dev/log", SHIM_SOCK_SYSLOG },
    { "/run/systemd/journal/dev-log", SHIM_SOCK_SYSLOG },
    { "/run/systemd/journal/socket", SHIM_SOCK_JOURNAL },
};
#define KNOWN_SOCKET_COUNT (sizeof known_sockets / sizeof known_sockets[0])

/* Per descriptor: its kind (shim_sock_kind), the inode of the socket it was
 * marked on, and the hash and verdict of the last address it sent to. */
uint8_t shim_sock_kinds[SHIM_SOCK_LIMIT];
#define sock_kind shim_sock_kinds
static uint64_t sock_ino[SHIM_SOCK_LIMIT];
static uint32_t last_address_hash[SHIM_SOCK_LIMIT];
static uint8_t last_address_kind[SHIM_SOCK_LIMIT]; /* 0: none cached, else kind + 1 */

static bool in_range(int fd)
{
    return fd >= 0 && fd < SHIM_SOCK_LIMIT;
}

/* The socket inode `fd` refers to now, or 0. */
static uint64_t socket_inode(int fd)
{
    int saved_errno = errno;
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
    errno = saved_errno;
    return ok ? (uint64_t)st.st_ino : 0;
}

/* Which known socket `path` (NUL-terminated) is: its datagram kind, or
 * SHIM_SOCK_NONE. */
static int known_socket_kind(const char *path)
{
    for (size_t i = 0; i < KNOWN_SOCKET_COUNT; i++) {
        if (strcmp(path, known_sockets[i].path) == 0)
            return known_sockets[i].kind;
    }
    int saved_errno = errno;
    struct stat target;
    int kind = SHIM_SOCK_NONE;
    if (stat(path, &target) == 0 && S_ISSOCK(target.st_mode)) {
        for (size_t i = 0; i < KNOWN_SOCKET_COUNT && kind == SHIM_SOCK_NONE; i++) {
            struct stat known;
            if (stat(known_sockets[i].path, &known) == 0 && known.st_dev == target.st_dev &&
                known.st_ino == target.st_ino)
                kind = known_sockets[i].kind;
        }
    }
    errno = saved_errno;
    return kind;
}

/* The path of an AF_UNIX address, NUL-terminated in `out`; false for other
 * families, abstract and unnamed addresses. */
static bool unix_path(const struct sockaddr *address, socklen_t length,
                      char out[sizeof(((struct sockaddr_un *)0)->sun_path) + 1])
{
    size_t offset = offsetof(struct sockaddr_un, sun_path);
    if (address == NULL || length <= (socklen_t)offset || address->sa_family != AF_UNIX)
        return false;
    const struct sockaddr_un *un = (const struct sockaddr_un *)address;
    size_t max = (size_t)length - offset;
    if (max > sizeof un->sun_path)
        max = sizeof un->sun_path;
    if (un->sun_path[0] == '\0')
        return false;
    size_t n = strnlen(un->sun_path, max);
    memcpy(out, un->sun_path, n);
    out[n] = '\0';
    return true;
}

/* The kind a datagram sent on `fd` to `address` belongs to. */
static int classify(int fd, const struct sockaddr *address, socklen_t length)
{
    char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
    if (!unix_path(address, length, path))
        return SHIM_SOCK_NONE;
    int saved_errno = errno;
    int type = 0;
    socklen_t type_length = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_length) != 0)
        type = 0;
    errno = saved_errno;
    if (type != SOCK_DGRAM && type != SOCK_STREAM)
        return SHIM_SOCK_NONE;
    int kind = known_socket_kind(path);
    if (type == SOCK_DGRAM || kind == SHIM_SOCK_NONE)
        return kind;
    /* The journal takes datagrams only. */
    return kind == SHIM_SOCK_SYSLOG ? SHIM_SOCK_SYSLOG_STREAM : SHIM_SOCK_NONE;
}

/* FNV-1a of the address bytes. */
static uint32_t address_hash(const struct sockaddr *address, socklen_t length)
{
    const uint8_t *bytes = (const uint8_t *)address;
    uint32_t hash = 2166136261u;
    for (socklen_t i = 0; i < length; i++)
        hash = (hash ^ bytes[i]) * 16777619u;
    return hash;
}

int shim_sock_kind(int fd)
{
    if (!in_range(fd) || __atomic_load_n(&sock_kind[fd], __ATOMIC_ACQUIRE) == SHIM_SOCK_NONE)
        return SHIM_SOCK_NONE;
    int kind = __atomic_load_n(&sock_kind[fd], __ATOMIC_ACQUIRE);
    return socket_inode(fd) == __atomic_load_n(&sock_ino[fd], __ATOMIC_RELAXED) ? kind
                                                                               : SHIM_SOCK_NONE;
}

int shim_sock_kind_to(int fd, const struct sockaddr *address, socklen_t length)
{
    if (address == NULL || length == 0)
        return shim_sock_kind(fd);
    if (address->sa_family != AF_UNIX)
        return SHIM_SOCK_NONE;
    if (!in_range(fd))
        return classify(fd, address, length);
    uint32_t hash = address_hash(address, length);
    uint8_t cached = __atomic_load_n(&last_address_kind[fd], __ATOMIC_ACQUIRE);
    if (cached != 0 && __atomic_load_n(&last_address_hash[fd], __ATOMIC_RELAXED) == hash)
        return cached - 1;
    int kind = classify(fd, address, length);
    /* Racing writers may pair a hash with the other's verdict for one send:
     * both verdicts are for addresses this descriptor just used. */
    __atomic_store_n(&last_address_hash[fd], hash, __ATOMIC_RELAXED);
    __atomic_store_n(&last_address_kind[fd], (uint8_t)(kind + 1), __ATOMIC_RELEASE);
    return kind;
}

void shim_sock_connected(int fd, const struct sockaddr *address, socklen_t length)
{
    if (!in_range(fd))
        return;
    int kind = classify(fd, address, length);
    uint64_t ino = kind != SHIM_SOCK_NONE ? socket_inode(fd) : 0;
    if (kind != SHIM_SOCK_NONE && ino == 0)
        kind = SHIM_SOCK_NONE;
    if (kind == SHIM_SOCK_SYSLOG_STREAM)
        shim_sock_stream_open(fd, shim_config->max_message_bytes);
    __atomic_store_n(&sock_ino[fd], ino, __ATOMIC_RELAXED);
    __atomic_store_n(&sock_kind[fd], (uint8_t)kind, __ATOMIC_RELEASE);
}

void shim_sock_copied(int from, int to)
{
    if (!in_range(to) || from == to)
        return;
    /* A copy of a stream socket would need the assembler of the original:
     * only datagram sockets are followed through copies. */
    int kind = shim_sock_kind(from);
    if (kind == SHIM_SOCK_SYSLOG_STREAM)
        kind = SHIM_SOCK_NONE;
    __atomic_store_n(&sock_ino[to], kind != SHIM_SOCK_NONE ? sock_ino[from] : 0,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&sock_kind[to], (uint8_t)kind, __ATOMIC_RELEASE);
    __atomic_store_n(&last_address_kind[to], 0, __ATOMIC_RELEASE);
}

void shim_sock_closed(int fd)
{
    if (!in_range(fd))
        return;
    int kind = __atomic_load_n(&sock_kind[fd], __ATOMIC_RELAXED);
    if (kind == SHIM_SOCK_SYSLOG_STREAM)
        shim_sock_stream_flush(fd);
    if (kind != SHIM_SOCK_NONE)
        __atomic_store_n(&sock_kind[fd], SHIM_SOCK_NONE, __ATOMIC_RELEASE);
    if (__atomic_load_n(&last_address_kind[fd], __ATOMIC_RELAXED) != 0)
        __atomic_store_n(&last_address_kind[fd], 0, __ATOMIC_RELEASE);
}
