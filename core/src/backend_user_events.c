/*
 * The user_events backend: the kernel's user_events_data file under tracefs.
 * Registration hands the kernel the address of a set's status word, which
 * the kernel then keeps current; a write sends the tracepoint's write index
 * followed by the event.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backend.h"
#include "tracing_dir.h"

/*
 * Kernel ABI (include/uapi/linux/user_events.h), spelled out here because
 * build machines often lack that header. Both structs are packed in the
 * kernel's definition, so their sizes are part of the ABI.
 */
struct ehd_user_reg {
    uint32_t size;        /* sizeof(struct ehd_user_reg) */
    uint8_t enable_bit;   /* which bit of the word at enable_addr the kernel drives */
    uint8_t enable_size;  /* size of that word: 4 or 8 */
    uint16_t flags;       /* 0 */
    uint64_t enable_addr; /* address of the word, aligned to enable_size */
    uint64_t name_args;   /* address of "name field;field;..." */
    uint32_t write_index; /* out: first 4 bytes of every write */
} __attribute__((packed));

struct ehd_user_unreg {
    uint32_t size;         /* sizeof(struct ehd_user_unreg) */
    uint8_t disable_bit;   /* the enable_bit given at registration */
    uint8_t reserved;      /* 0 */
    uint16_t reserved2;    /* 0 */
    uint64_t disable_addr; /* the enable_addr given at registration */
} __attribute__((packed));

_Static_assert(sizeof(struct ehd_user_reg) == 28, "user_reg layout must match the kernel");
_Static_assert(sizeof(struct ehd_user_unreg) == 16, "user_unreg layout must match the kernel");

/* The kernel encodes a pointer's size, not the struct's, in these numbers. */
#define EHD_DIAG_IOC_MAGIC '*'
#define EHD_DIAG_IOCSREG _IOWR(EHD_DIAG_IOC_MAGIC, 0, struct ehd_user_reg *)
#define EHD_DIAG_IOCSUNREG _IOW(EHD_DIAG_IOC_MAGIC, 2, struct ehd_user_unreg *)

_Static_assert(sizeof(void *) != 8 || EHD_DIAG_IOCSREG == 0xc0082a00u, "DIAG_IOCSREG");
_Static_assert(sizeof(void *) != 8 || EHD_DIAG_IOCSUNREG == 0x40082a02u, "DIAG_IOCSUNREG");

/* The bit of status_word the kernel sets while the tracepoint is enabled. */
enum { STATUS_ENABLE_BIT = 0 };

/*
 * Where user_events_data lives: in the tracing directory (tracing_dir.h).
 * Stores a malloc'ed path in *path and returns 0, or returns ENOTSUP when
 * neither tracefs nor debugfs is mounted, ENOMEM, or the errno of reading
 * the mounts file.
 */
static int find_user_events_data(char **path)
{
    char *dir = NULL;
    int err = ehd__tracing_dir(&dir, NULL);
    if (err != 0)
        return err;
    err = asprintf(path, "%s/user_events_data", dir) < 0 ? ENOMEM : 0;
    free(dir);
    return err;
}

int ehd__user_events_open(void)
{
    char *path = NULL;
    int err = find_user_events_data(&path);
    if (err != 0)
        return -err;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    err = errno;
    free(path);
    if (fd < 0)
        return -err;
    return ehd__fd_above_stdio(fd);
}

/* Registers the tracepoint of `set` with bit `bit` of the `size`-byte word
 * at `word` as an enable bit; stores the write index in *write_index. */
static int register_enabler(int data_fd, const ehd_event_set *set, void *word, size_t size,
                            unsigned bit, uint32_t *write_index)
{
    char command[EHD_NAME_MAX + sizeof(EHD_COMMAND_TYPES)];
    int length = snprintf(command, sizeof(command), "%s %s", set->tracepoint_name,
                          EHD_COMMAND_TYPES);
    if (length < 0 || (size_t)length >= sizeof(command))
        return EINVAL;

    struct ehd_user_reg reg = {
        .size = sizeof(reg),
        .enable_bit = (uint8_t)bit,
        .enable_size = (uint8_t)size,
        .flags = 0,
        .enable_addr = (uintptr_t)word,
        .name_args = (uintptr_t)command,
    };
    if (ioctl(data_fd, EHD_DIAG_IOCSREG, &reg) < 0)
        return errno;
    *write_index = reg.write_index;
    return 0;
}

static int unregister_enabler(int data_fd, void *word, unsigned bit)
{
    struct ehd_user_unreg unreg = {
        .size = sizeof(unreg),
        .disable_bit = (uint8_t)bit,
        .disable_addr = (uintptr_t)word,
    };
    if (ioctl(data_fd, EHD_DIAG_IOCSUNREG, &unreg) < 0)
        return errno;
    return 0;
}

int ehd__user_events_register(int data_fd, ehd_event_set *set)
{
    set->status_word = 0;
    return register_enabler(data_fd, set, &set->status_word, sizeof(set->status_word),
                            STATUS_ENABLE_BIT, &set->write_index);
}

int ehd__user_events_register_bit(int data_fd, const ehd_event_set *set, unsigned long *word,
                                  unsigned bit)
{
    /* The same name and fields: the kernel finds the tracepoint the first
     * registration made and adds an enable bit to it (a different address
     * and bit, so it accepts both). The write index is the same. */
    uint32_t write_index;
    return register_enabler(data_fd, set, word, sizeof(*word), bit, &write_index);
}

int ehd__user_events_unregister_bit(int data_fd, unsigned long *word, unsigned bit)
{
    return unregister_enabler(data_fd, word, bit);
}

int ehd__user_events_unregister(int data_fd, ehd_event_set *set)
{
    return unregister_enabler(data_fd, &set->status_word, STATUS_ENABLE_BIT);
}

int ehd__user_events_writev(int data_fd, const ehd_event_set *set, struct iovec *iov,
                            int iovcnt)
{
    uint32_t write_index = set->write_index;
    iov[0] = (struct iovec){ NULL, 0 };
    iov[1] = (struct iovec){ &write_index, sizeof(write_index) };
    /* iov[0] is the capture backend's slot; the kernel wants the index first. */
    ssize_t written;
    do
        written = ehd__backend_writev(data_fd, iov + 1, iovcnt - 1);
    while (written < 0 && errno == EINTR);
    return written < 0 ? errno : 0;
}
