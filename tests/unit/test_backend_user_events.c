/*
 * The user_events backend without a kernel that has it: a fake mounts file
 * (through the ehd__tracing_set_mounts_path seam) names temporary
 * directories, so finding tracefs or debugfs, the errors on the way, the
 * descriptor's placement and the write layout can all be checked. The real
 * registration is proved by the VM tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend.h"
#include "tracing_dir.h"
#include "ehd/ehd.h"
#include "../lib/scratch_dir.h"
#include "../lib/stdin_slot.h"

/* A scratch directory (see tests/lib/scratch_dir.h) with the mounts file
 * as its file and fake mount points below it. */
typedef scratch_dir fake_root;

static int fake_root_setup(void **state)
{
    fake_root *root = calloc(1, sizeof(*root));
    if (root == NULL || scratch_dir_make(root, "ehd-ue", "mounts") != 0) {
        free(root);
        return -1;
    }
    ehd__tracing_set_mounts_path(root->file);
    *state = root;
    return 0;
}

static int fake_root_teardown(void **state)
{
    fake_root *root = *state;
    ehd__tracing_set_mounts_path(NULL);
    int err = scratch_dir_remove_all(root);
    free(root);
    return err;
}

/* Returns "<root>/<relative>" in a static buffer (one at a time). */
static const char *in_root(const fake_root *root, const char *relative)
{
    static char path[PATH_MAX + 256];
    snprintf(path, sizeof(path), "%s/%s", root->path, relative);
    return path;
}

static void make_dir(const fake_root *root, const char *relative)
{
    assert_int_equal(mkdir(in_root(root, relative), 0755), 0);
}

static void make_file(const fake_root *root, const char *relative, mode_t mode)
{
    int fd = open(in_root(root, relative), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    assert_true(fd >= 0);
    close(fd);
}

/* Writes the mounts file; "@" in `lines` stands for the root directory. */
static void write_mounts(const fake_root *root, const char *lines)
{
    FILE *file = fopen(root->file, "we");
    assert_non_null(file);
    for (const char *p = lines; *p != '\0'; p++) {
        if (*p == '@')
            fputs(root->path, file);
        else
            fputc(*p, file);
    }
    assert_int_equal(fclose(file), 0);
}

static bool same_file(int fd, const char *path)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* The open fails with `expected`; the provider stays usable and inert. */
static void expect_open_errno(int expected)
{
    ehd_provider provider = EHD_PROVIDER_INIT;
    assert_int_equal(ehd_provider_open(&provider, "UeProv", NULL, NULL), expected);
    assert_int_equal(ehd_provider_errno(&provider), expected);
    assert_int_equal(ehd_provider_backend(&provider), EHD_BACKEND_NONE);
    assert_int_equal(provider.data_fd, -1);
    ehd_event_set *set = ehd_provider_register_set(&provider, 2, 3);
    assert_non_null(set);
    assert_int_equal(ehd_event_set_errno(set), expected);
    assert_false(ehd_event_set_enabled(set));
    uint8_t byte = 0;
    struct iovec iov[3] = { { NULL, 0 }, { NULL, 0 }, { &byte, 1 } };
    assert_int_equal(ehd_event_set_writev(set, iov, 3), EBADF);
    ehd_provider_close(&provider);
    ehd_provider_close(&provider);
}

static void test_missing_mounts_file(void **state)
{
    (void)state;
    /* The mounts file is never written in this test. */
    expect_open_errno(ENOENT);
}

static void test_no_tracefs_or_debugfs_is_enotsup(void **state)
{
    fake_root *root = *state;
    write_mounts(root, "proc /proc proc rw,relatime 0 0\n"
                       "/dev/vda / ext4 rw,relatime 0 0\n"
                       "tracefs\n"                /* too few fields */
                       "nodev @ tracefsx rw 0 0\n" /* not quite tracefs */
                       "\n");
    expect_open_errno(ENOTSUP);
    write_mounts(root, "");
    expect_open_errno(ENOTSUP);
}

static void test_tracefs_without_user_events_is_enoent(void **state)
{
    fake_root *root = *state;
    make_dir(root, "tracing");
    write_mounts(root, "sysfs /sys sysfs rw 0 0\n"
                       "nodev @/tracing tracefs rw,relatime 0 0\n");
    expect_open_errno(ENOENT);
}

static void test_debugfs_without_user_events_is_enoent(void **state)
{
    fake_root *root = *state;
    make_dir(root, "debug");
    make_dir(root, "debug/tracing");
    write_mounts(root, "debugfs @/debug debugfs rw 0 0\n");
    expect_open_errno(ENOENT);
}

/* The open's own errno comes back, whatever it is. */
static void test_open_errno_is_passed_on(void **state)
{
    fake_root *root = *state;
    make_file(root, "not-a-dir", 0644);
    write_mounts(root, "nodev @/not-a-dir tracefs rw 0 0\n");
    expect_open_errno(ENOTDIR);

    if (geteuid() != 0) {
        make_dir(root, "locked");
        make_file(root, "locked/user_events_data", 0);
        write_mounts(root, "nodev @/locked tracefs rw 0 0\n");
        expect_open_errno(EACCES);
    }
}

/*
 * A regular file standing in for user_events_data: the provider opens it,
 * write-only, close-on-exec, above 2; registration then fails in the ioctl
 * (ENOTTY: a regular file knows no DIAG_IOCSREG), so the set stays disabled.
 */
static void test_user_events_data_descriptor(void **state)
{
    fake_root *root = *state;
    make_dir(root, "debug");
    make_dir(root, "debug/tracing");
    make_file(root, "debug/tracing/user_events_data", 0644);
    write_mounts(root, "debugfs @/debug debugfs rw 0 0\n");

    ehd_provider provider = EHD_PROVIDER_INIT;
    int saved_stdin = stdin_slot_vacate();
    int err = ehd_provider_open(&provider, "UeProv", "grp", NULL);
    int fd0_flags = fcntl(0, F_GETFD);
    stdin_slot_restore(saved_stdin);

    assert_int_equal(err, 0);
    assert_int_equal(fd0_flags, -1);
    assert_int_equal(ehd_provider_backend(&provider), EHD_BACKEND_USER_EVENTS);
    assert_true(provider.data_fd > 2);
    assert_true(same_file(provider.data_fd, in_root(root, "debug/tracing/user_events_data")));
    int flags = fcntl(provider.data_fd, F_GETFD);
    assert_true(flags >= 0 && (flags & FD_CLOEXEC) != 0);
    assert_int_equal(fcntl(provider.data_fd, F_GETFL) & O_ACCMODE, O_WRONLY);

    ehd_event_set *set = ehd_provider_register_set(&provider, 5, 0x10);
    assert_non_null(set);
    assert_string_equal(ehd_event_set_name(set), "UeProv_L5K10Ggrp");
    assert_int_equal(ehd_event_set_errno(set), ENOTTY);
    assert_false(ehd_event_set_enabled(set));
    assert_ptr_equal(ehd_provider_find_set(&provider, 5, 0x10), set);
    uint8_t byte = 0;
    struct iovec iov[3] = { { NULL, 0 }, { NULL, 0 }, { &byte, 1 } };
    assert_int_equal(ehd_event_set_writev(set, iov, 3), EBADF);

    int fd = provider.data_fd;
    ehd_provider_close(&provider);
    assert_int_equal(fcntl(fd, F_GETFD), -1);
    ehd_provider_close(&provider);

    struct stat st;
    assert_int_equal(stat(in_root(root, "debug/tracing/user_events_data"), &st), 0);
    assert_int_equal(st.st_size, 0);
}

/* tracefs wins over debugfs whatever the order; mount points are unescaped. */
static void test_prefers_tracefs_and_unescapes_mount_points(void **state)
{
    fake_root *root = *state;
    make_dir(root, "debug");
    make_dir(root, "debug/tracing");
    make_file(root, "debug/tracing/user_events_data", 0644);
    make_dir(root, "trace fs\\x");
    make_file(root, "trace fs\\x/user_events_data", 0644);
    write_mounts(root, "debugfs @/debug debugfs rw 0 0\n"
                       "nodev\t@/trace\\040fs\\134x tracefs rw,nosuid 0 0\n"
                       "debugfs /elsewhere debugfs rw 0 0\n");

    ehd_provider provider = EHD_PROVIDER_INIT;
    assert_int_equal(ehd_provider_open(&provider, "UeProv", NULL, NULL), 0);
    assert_true(same_file(provider.data_fd, in_root(root, "trace fs\\x/user_events_data")));
    ehd_provider_close(&provider);
}

/*
 * The write layout, with the enable bit set by hand (the fake file cannot
 * register): the 4-byte write index, then the event, in one write.
 */
static void test_write_sends_index_then_event(void **state)
{
    fake_root *root = *state;
    make_dir(root, "tracing");
    make_file(root, "tracing/user_events_data", 0644);
    write_mounts(root, "nodev @/tracing tracefs rw 0 0\n");

    ehd_provider provider = EHD_PROVIDER_INIT;
    assert_int_equal(ehd_provider_open(&provider, "UeProv", NULL, NULL), 0);
    ehd_event_set *set = ehd_provider_register_set(&provider, 4, 1);
    assert_non_null(set);
    set->write_index = 0x11223344;
    __atomic_store_n(&set->status_word, 1, __ATOMIC_RELAXED);

    uint8_t header[8] = { 0x07, 1, 2, 0, 3, 0, 0, 4 };
    struct iovec iov[4] = {
        { (void *)"junk", 4 }, /* reserved: must not be sent */
        { (void *)"junk", 4 },
        { header, sizeof(header) },
        { (void *)"xyz", 3 },
    };
    assert_int_equal(ehd_event_set_writev(set, iov, 4), 0);
    assert_int_equal(iov[0].iov_len, 0);
    assert_int_equal(iov[1].iov_len, 4);

    /* An event over what reaches a perf reader is refused, not sent: the
     * kernel would take the write and drop the event. */
    assert_int_equal(ehd_provider_event_max(&provider), EHD_USER_EVENTS_EVENT_MAX);
    assert_int_equal(EHD_USER_EVENTS_EVENT_MAX, 8184);
    static uint8_t padding[EHD_USER_EVENTS_EVENT_MAX];
    struct iovec over[4] = { { NULL, 0 }, { NULL, 0 }, { header, sizeof(header) },
                             { padding, EHD_USER_EVENTS_EVENT_MAX + 1 - sizeof(header) } };
    assert_int_equal(ehd_event_set_writev(set, over, 4), EMSGSIZE);

    /* The disabled check comes first: no write at all. */
    __atomic_store_n(&set->status_word, 0, __ATOMIC_RELAXED);
    assert_int_equal(ehd_event_set_writev(set, iov, 4), EBADF);
    ehd_provider_close(&provider);

    static const uint8_t expected[] = {
        0x44, 0x33, 0x22, 0x11, 0x07, 1, 2, 0, 3, 0, 0, 4, 'x', 'y', 'z',
    };
    uint8_t bytes[64];
    int fd = open(in_root(root, "tracing/user_events_data"), O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    ssize_t n = read(fd, bytes, sizeof(bytes));
    close(fd);
    assert_int_equal(n, sizeof(expected));
    assert_memory_equal(bytes, expected, sizeof(expected));
}

int main(void)
{
#define FAKE_ROOT_TEST(f) cmocka_unit_test_setup_teardown(f, fake_root_setup, fake_root_teardown)
    const struct CMUnitTest tests[] = {
        FAKE_ROOT_TEST(test_missing_mounts_file),
        FAKE_ROOT_TEST(test_no_tracefs_or_debugfs_is_enotsup),
        FAKE_ROOT_TEST(test_tracefs_without_user_events_is_enoent),
        FAKE_ROOT_TEST(test_debugfs_without_user_events_is_enoent),
        FAKE_ROOT_TEST(test_open_errno_is_passed_on),
        FAKE_ROOT_TEST(test_user_events_data_descriptor),
        FAKE_ROOT_TEST(test_prefers_tracefs_and_unescapes_mount_points),
        FAKE_ROOT_TEST(test_write_sends_index_then_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
