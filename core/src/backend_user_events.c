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

static const char *mounts_path_override;

void ehd__user_events_set_mounts_path(const char *path)
{
    mounts_path_override = path;
}

static bool is_field_separator(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* Cuts the next whitespace-separated field out of *cursor, or returns NULL. */
static char *next_field(char **cursor)
{
    char *p = *cursor;
    while (*p != '\0' && is_field_separator(*p))
        p++;
    if (*p == '\0')
        return NULL;
    char *start = p;
    while (*p != '\0' && !is_field_separator(*p))
        p++;
    if (*p != '\0')
        *p++ = '\0';
    *cursor = p;
    return start;
}

static bool is_octal_digit(char c)
{
    return c >= '0' && c <= '7';
}

/* The kernel writes a space in a mount point as \040 (and tab, newline and
 * backslash likewise); turn those back into the characters, in place. */
static void unescape_mount_point(char *text)
{
    char *out = text;
    const char *in = text;
    while (*in != '\0') {
        if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && is_octal_digit(in[2]) &&
            is_octal_digit(in[3])) {
            *out++ = (char)((in[1] - '0') << 6 | (in[2] - '0') << 3 | (in[3] - '0'));
            in += 4;
        } else {
            *out++ = *in++;
        }
    }
    *out = '\0';
}

/*
 * Finds where user_events_data lives: "<mnt>/user_events_data" for the first
 * tracefs mount, else "<mnt>/tracing/user_events_data" for the first debugfs
 * mount. Stores a malloc'ed path in *path and returns 0, or returns ENOTSUP
 * when neither is mounted, or the errno of reading the mounts file.
 */
static int find_user_events_data(char **path)
{
    const char *mounts_path = mounts_path_override ? mounts_path_override : "/proc/mounts";
    FILE *mounts = fopen(mounts_path, "re");
    if (mounts == NULL)
        return errno;

    char *line = NULL;
    size_t line_capacity = 0;
    char *tracefs_path = NULL;
    char *debugfs_path = NULL;
    int err = 0;
    while (tracefs_path == NULL && err == 0 && getline(&line, &line_capacity, mounts) >= 0) {
        char *cursor = line;
        char *device = next_field(&cursor);
        char *mount_point = next_field(&cursor);
        char *fs_type = next_field(&cursor);
        if (device == NULL || mount_point == NULL || fs_type == NULL)
            continue;
        const char *suffix;
        char **found;
        if (strcmp(fs_type, "tracefs") == 0) {
            suffix = "/user_events_data";
            found = &tracefs_path;
        } else if (strcmp(fs_type, "debugfs") == 0 && debugfs_path == NULL) {
            suffix = "/tracing/user_events_data";
            found = &debugfs_path;
        } else {
            continue;
        }
        unescape_mount_point(mount_point);
        if (asprintf(found, "%s%s", mount_point, suffix) < 0) {
            *found = NULL;
            err = ENOMEM;
        }
    }
    free(line);
    fclose(mounts);

    if (err == 0 && tracefs_path == NULL && debugfs_path == NULL)
        err = ENOTSUP;
    if (err != 0) {
        free(tracefs_path);
        free(debugfs_path);
        return err;
    }
    /* tracefs is the file system itself; debugfs only mounts it at tracing/. */
    if (tracefs_path != NULL) {
        free(debugfs_path);
        *path = tracefs_path;
    } else {
        *path = debugfs_path;
    }
    return 0;
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
        written = writev(data_fd, iov + 1, iovcnt - 1);
    while (written < 0 && errno == EINTR);
    return written < 0 ? errno : 0;
}
