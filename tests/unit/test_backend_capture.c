/*
 * The capture backend: records land byte for byte as ehd_capture.h says,
 * whole records only, from any number of threads and processes; its
 * descriptor stays out of 0..2 and out of exec'd programs; a capture file
 * that cannot be opened leaves everything disabled.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ehd/ehd.h"
#include "ehd/ehd_capture.h"
#include "ehd/ehd_decode.h"
#include "ehd_backend_writev.h"
#include "ehd_builder_write.h"
#include "../lib/scratch_dir.h"
#include "../lib/stdin_slot.h"
#include "../lib/xorshift.h"

/* Reads the whole file; the caller frees. */
static uint8_t *read_file(const char *path, size_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    uint8_t *bytes = malloc((size_t)st.st_size + 1);
    assert_non_null(bytes);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, bytes + got, (size_t)st.st_size - got);
        assert_true(n > 0);
        got += (size_t)n;
    }
    close(fd);
    *size = got;
    return bytes;
}

/* The file at `path` holds exactly the `size` bytes at `expected`. */
static void expect_file_bytes(const char *path, const uint8_t *expected, size_t size)
{
    size_t got;
    uint8_t *bytes = read_file(path, &got);
    assert_int_equal(got, size);
    assert_memory_equal(bytes, expected, size);
    free(bytes);
}

/* Opens `provider`, named `name`, capturing into a new file of scratch
 * directory `s`. */
static void open_capture(scratch_dir *s, ehd_provider *provider, const char *name)
{
    assert_int_equal(scratch_dir_make(s, "ehd-capture", "events.dat"), 0);
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = s->file);
    assert_int_equal(ehd_provider_open(provider, name, NULL, &options), 0);
}

static void test_capture_sets_are_enabled(void **state)
{
    (void)state;
    scratch_dir s;
    assert_int_equal(scratch_dir_make(&s, "ehd-capture", "events.dat"), 0);
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = s.file);
    ehd_provider provider = EHD_PROVIDER_INIT;
    assert_int_equal(ehd_provider_open(&provider, "CapProv", "grp", &options), 0);
    assert_int_equal(ehd_provider_backend(&provider), EHD_BACKEND_CAPTURE);
    assert_int_equal(ehd_provider_errno(&provider), 0);

    for (uint8_t level = 1; level <= 5; level++) {
        ehd_event_set *set = ehd_provider_register_set(&provider, level, 1u << level);
        assert_non_null(set);
        assert_int_equal(ehd_event_set_errno(set), 0);
        assert_true(ehd_event_set_enabled(set));
        assert_int_equal(set->status_word, 1);
    }
    ehd_provider_close(&provider);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

/* Descriptor above 2 even when 0 is free, close-on-exec, mode 0644 less umask. */
static void test_capture_descriptor(void **state)
{
    (void)state;
    scratch_dir s;
    assert_int_equal(scratch_dir_make(&s, "ehd-capture", "events.dat"), 0);
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = s.file);
    ehd_provider provider = EHD_PROVIDER_INIT;

    int saved_stdin = stdin_slot_vacate();
    mode_t old_umask = umask(022);
    int err = ehd_provider_open(&provider, "CapProv", NULL, &options);
    int fd0_flags = fcntl(0, F_GETFD);
    umask(old_umask);
    stdin_slot_restore(saved_stdin);

    assert_int_equal(err, 0);
    assert_int_equal(fd0_flags, -1); /* the low descriptor did not stay open */
    assert_true(provider.data_fd > 2);
    int flags = fcntl(provider.data_fd, F_GETFD);
    assert_true(flags >= 0 && (flags & FD_CLOEXEC) != 0);
    int status_flags = fcntl(provider.data_fd, F_GETFL);
    assert_true((status_flags & O_APPEND) != 0);
    assert_int_equal(status_flags & O_ACCMODE, O_WRONLY);
    struct stat st;
    assert_int_equal(stat(s.file, &st), 0);
    /* Events hold what programs log (logins, SQL): a new file is private. */
    assert_int_equal(st.st_mode & 07777, 0600);
    ehd_provider_close(&provider);

    /* An existing file keeps the mode its owner gave it. */
    assert_int_equal(chmod(s.file, 0644), 0);
    assert_int_equal(ehd_provider_open(&provider, "CapProv", NULL, &options), 0);
    assert_int_equal(stat(s.file, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    ehd_provider_close(&provider);
    unlink(s.file);

    old_umask = umask(077);
    err = ehd_provider_open(&provider, "CapProv", NULL, &options);
    umask(old_umask);
    assert_int_equal(err, 0);
    assert_int_equal(stat(s.file, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    ehd_provider_close(&provider);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

/*
 * A stamped event reads as the unstamped one: the decoder, which makes the
 * reference EventEnumerator's checks, skips the unknown extension kind, so
 * the JSON line is the one of the bytes a user_events write would carry,
 * with activity ids too (the stamp chains in front of their block).
 */
static void test_capture_stamp_is_transparent(void **state)
{
    (void)state;
    scratch_dir s;
    ehd_provider provider = EHD_PROVIDER_INIT;
    open_capture(&s, &provider, "CapProv");
    ehd_event_set *set = ehd_provider_register_set(&provider, 3, 0x10);
    ehd_builder *builder = ehd_builder_new(NULL);
    assert_non_null(builder);
    static const uint8_t activity[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    for (int with_activity = 0; with_activity < 2; with_activity++) {
        ehd_builder_reset(builder, "Login", 7);
        ehd_builder_add_string_n(builder, "user", 4, "root", 1, 4, 0, 0);
        assert_int_equal(ehd_builder_write(builder, set, with_activity ? activity : NULL, NULL), 0);
        uint8_t plain[256];
        size_t plain_size;
        assert_int_equal(ehd_builder_copy_event(builder, 3, with_activity ? activity : NULL, NULL,
                                                plain, sizeof plain, &plain_size),
                         0);
        /* The size the builder reports leaves out the activity block. */
        assert_int_equal(ehd_builder_event_size(builder) + (with_activity ? 4 + 16 : 0),
                         plain_size);
        ehd_text expected = EHD_TEXT_INIT, got = EHD_TEXT_INIT;
        assert_int_equal(ehd_decode_json(&expected, "CapProv_L3K10", 13, plain, plain_size, NULL), 0);

        size_t size;
        uint8_t *bytes = read_file(s.file, &size);
        size_t offset = 0;
        ehd_capture_record record;
        for (int i = 0; i <= with_activity; i++)
            assert_int_equal(ehd_capture_next(bytes, size, &offset, &record, NULL), 0);
        assert_int_equal(record.event_size, plain_size + 20);
        assert_int_equal(ehd_decode_json(&got, record.tracepoint_name, record.name_len,
                                         record.event, record.event_size, NULL),
                         0);
        assert_string_equal(got.chars, expected.chars);
        /* The bytes are the plain event's with the block after the header. */
        assert_memory_equal(record.event + 28, plain + 8, plain_size - 8);
        ehd_text_free(&expected);
        ehd_text_free(&got);
        free(bytes);
    }
    ehd_builder_free(builder);
    ehd_provider_close(&provider);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

static void test_capture_record_bytes(void **state)
{
    (void)state;
    scratch_dir s;
    ehd_provider provider = EHD_PROVIDER_INIT;
    open_capture(&s, &provider, "CapProv");
    ehd_event_set *set = ehd_provider_register_set(&provider, 4, 1);
    assert_non_null(set);

    uint8_t header[8] = { 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04 };
    char payload[] = "abc";
    struct iovec iov[4] = {
        { (void *)"junk", 4 }, /* reserved slots: the backend overwrites them */
        { (void *)"junk", 4 },
        { header, sizeof(header) },
        { payload, 3 },
    };
    struct timespec before, after;
    clock_gettime(CLOCK_REALTIME, &before);
    assert_int_equal(ehd_event_set_writev(set, iov, 4), 0);
    clock_gettime(CLOCK_REALTIME, &after);
    /* An event with no bytes at all is still a well-formed record, without
     * a stamp: it has no header to carry one. */
    struct iovec empty[2];
    assert_int_equal(ehd_event_set_writev(set, empty, 2), 0);
    /* A header without the extension flag gets it; the stamp is then the
     * only block, not chained. */
    uint8_t bare[8] = { 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04 };
    struct iovec bare_iov[4] = { { NULL, 0 }, { NULL, 0 }, { bare, 3 }, { bare + 3, 5 } };
    assert_int_equal(ehd_event_set_writev(set, bare_iov, 4), 0);

    static const uint8_t expected_head[] = {
        48, 0, 0, 0,                                               /* 4 + 13 + 8 + 20 + 3 */
        'C', 'a', 'p', 'P', 'r', 'o', 'v', '_', 'L', '4', 'K', '1', 0, /* name + NUL */
        0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,            /* event header */
        16, 0, 0xC0, 0xFE,                                         /* stamp block, chained */
    };
    size_t size;
    uint8_t *bytes = read_file(s.file, &size);
    assert_int_equal(size, 48 + 17 + 45);
    assert_memory_equal(bytes, expected_head, sizeof(expected_head));
    assert_memory_equal(bytes + 45, "abc", 3);

    /* And the reader agrees. */
    size_t offset = 0;
    ehd_capture_record record;
    assert_int_equal(ehd_capture_next(bytes, size, &offset, &record, NULL), 0);
    assert_string_equal(record.tracepoint_name, "CapProv_L4K1");
    assert_int_equal(record.event_size, 31);
    ehd_sample_meta stamp;
    assert_true(ehd_capture_stamp(record.event, record.event_size, &stamp));
    assert_int_equal(stamp.present, EHD_SAMPLE_TIME | EHD_SAMPLE_PID_TID);
    assert_true(stamp.time_is_utc);
    assert_int_equal(stamp.pid, getpid());
    assert_int_equal(stamp.tid, gettid());
    uint64_t low = (uint64_t)before.tv_sec * 1000000000u + (uint64_t)before.tv_nsec;
    uint64_t high = (uint64_t)after.tv_sec * 1000000000u + (uint64_t)after.tv_nsec;
    assert_true(stamp.time_ns >= low && stamp.time_ns <= high);

    assert_int_equal(ehd_capture_next(bytes, size, &offset, &record, NULL), 0);
    assert_int_equal(record.event_size, 0);
    assert_false(ehd_capture_stamp(record.event, record.event_size, &stamp));
    assert_int_equal(stamp.present, 0);

    assert_int_equal(ehd_capture_next(bytes, size, &offset, &record, NULL), 0);
    assert_int_equal(record.event_size, 28);
    static const uint8_t bare_expected[] = { 0x07, 0, 0, 0, 0, 0, 0, 0x04, 16, 0, 0xC0, 0x7E };
    assert_memory_equal(record.event, bare_expected, sizeof(bare_expected));
    assert_true(ehd_capture_stamp(record.event, record.event_size, &stamp));
    assert_int_equal(stamp.pid, getpid());
    assert_int_equal(ehd_capture_next(bytes, size, &offset, &record, NULL), ENODATA);
    free(bytes);

    /* The two reserved slots are required. */
    assert_int_equal(ehd_event_set_writev(set, iov, 1), EINVAL);
    assert_int_equal(ehd_event_set_writev(set, NULL, 4), EINVAL);

    ehd_provider_close(&provider);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

/* The event of the next record of `bytes`, its stamp checked for pid and
 * tid and then zeroed (time included) so two events can be compared. */
static size_t next_event(const uint8_t *bytes, size_t size, size_t *offset, uint8_t *event,
                         uint32_t pid, uint32_t tid)
{
    ehd_capture_record record;
    assert_int_equal(ehd_capture_next(bytes, size, offset, &record, NULL), 0);
    ehd_sample_meta stamp;
    assert_true(ehd_capture_stamp(record.event, record.event_size, &stamp));
    assert_int_equal(stamp.pid, pid);
    assert_int_equal(stamp.tid, tid);
    /* The stamp is the first block: after the 8-byte header and its own
     * 4-byte block header. */
    memcpy(event, record.event, record.event_size);
    memset(event + 12, 0, EHD_CAPTURE_STAMP_SIZE);
    return record.event_size;
}

/* ehd_builder_write_opts: the pid and tid of the options go into the stamp
 * when both are set, else the kernel's; activity ids as ehd_builder_write
 * takes them; options of an older (shorter) or newer (longer, zero tail)
 * caller work, others are EINVAL. Everything but the stamp is
 * ehd_builder_write's event. */
static void test_capture_write_opts_ids(void **state)
{
    (void)state;
    scratch_dir s;
    ehd_provider provider = EHD_PROVIDER_INIT;
    open_capture(&s, &provider, "CapProv");
    ehd_event_set *set = ehd_provider_register_set(&provider, 4, 1);
    ehd_builder *b = ehd_builder_new(NULL);
    assert_non_null(b);
    ehd_builder_reset(b, "Ids", 0);
    uint32_t value = 7;
    ehd_builder_add_value(b, "v", &value, sizeof value, 0, 0);
    static const uint8_t activity[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

    /* 1, 2: the same event, the kernel's ids and given ones. */
    assert_int_equal(ehd_builder_write(b, set, NULL, NULL), 0);
    ehd_write_options given = EHD_WRITE_OPTIONS(.pid = 4242, .tid = 4343);
    assert_int_equal(ehd_builder_write_opts(b, set, &given), 0);
    /* 3, 4, 5: only one of the two, none, no options: the kernel's. */
    ehd_write_options half = EHD_WRITE_OPTIONS(.pid = 4242);
    assert_int_equal(ehd_builder_write_opts(b, set, &half), 0);
    ehd_write_options none = EHD_WRITE_OPTIONS(.tid = 0);
    assert_int_equal(ehd_builder_write_opts(b, set, &none), 0);
    assert_int_equal(ehd_builder_write_opts(b, set, NULL), 0);
    /* 6, 7: activity ids, as ehd_builder_write with them. */
    assert_int_equal(ehd_builder_write(b, set, activity, activity), 0);
    ehd_write_options with_ids = EHD_WRITE_OPTIONS(.activity_id = activity,
                                                   .related_id = activity, .pid = 1, .tid = 2);
    assert_int_equal(ehd_builder_write_opts(b, set, &with_ids), 0);
    /* 8: an older caller's options end before pid: what lies past them is
     * not read. */
    ehd_write_options older = EHD_WRITE_OPTIONS(.pid = 99, .tid = 99);
    older.sz = offsetof(ehd_write_options, pid);
    assert_int_equal(ehd_builder_write_opts(b, set, &older), 0);
    /* 9: a newer caller's, with nothing set in what this library lacks. */
    struct {
        ehd_write_options known;
        uint64_t unknown;
    } newer = { EHD_WRITE_OPTIONS(.pid = 5, .tid = 6), 0 };
    newer.known.sz = sizeof newer;
    assert_int_equal(ehd_builder_write_opts(b, set, &newer.known), 0);
    /* Refused, nothing written: a newer caller's with something set there,
     * a size that does not even cover sz, a related id alone. */
    newer.unknown = 1;
    assert_int_equal(ehd_builder_write_opts(b, set, &newer.known), EINVAL);
    ehd_write_options tiny = EHD_WRITE_OPTIONS(.pid = 5, .tid = 6);
    tiny.sz = 4;
    assert_int_equal(ehd_builder_write_opts(b, set, &tiny), EINVAL);
    ehd_write_options related_alone = EHD_WRITE_OPTIONS(.related_id = activity);
    assert_int_equal(ehd_builder_write_opts(b, set, &related_alone), EINVAL);

    size_t size;
    uint8_t *bytes = read_file(s.file, &size);
    size_t offset = 0;
    uint8_t first[256], event[256];
    uint32_t pid = (uint32_t)getpid(), tid = (uint32_t)gettid();
    size_t first_size = next_event(bytes, size, &offset, first, pid, tid);
    static const struct {
        uint32_t pid, tid;
    } plain[] = { { 4242, 4343 }, { 0, 0 }, { 0, 0 }, { 0, 0 } };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        size_t n = next_event(bytes, size, &offset, event, plain[i].pid ? plain[i].pid : pid,
                              plain[i].tid ? plain[i].tid : tid);
        assert_int_equal(n, first_size);
        assert_memory_equal(event, first, first_size);
    }
    uint8_t with_activity[256];
    size_t activity_size = next_event(bytes, size, &offset, with_activity, pid, tid);
    assert_int_equal(activity_size, first_size + 4 + 32);
    assert_int_equal(next_event(bytes, size, &offset, event, 1, 2), activity_size);
    assert_memory_equal(event, with_activity, activity_size);
    assert_int_equal(next_event(bytes, size, &offset, event, pid, tid), first_size);
    assert_memory_equal(event, first, first_size);
    assert_int_equal(next_event(bytes, size, &offset, event, 5, 6), first_size);
    assert_memory_equal(event, first, first_size);
    assert_int_equal(offset, size);
    free(bytes);

    ehd_builder_free(b);
    ehd_provider_close(&provider);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

/* A second provider on an existing file appends after what is there. */
static void test_capture_appends(void **state)
{
    (void)state;
    scratch_dir s;
    assert_int_equal(scratch_dir_make(&s, "ehd-capture", "events.dat"), 0);
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = s.file);
    for (int round = 0; round < 2; round++) {
        ehd_provider provider = EHD_PROVIDER_INIT;
        assert_int_equal(ehd_provider_open(&provider, "P", NULL, &options), 0);
        ehd_event_set *set = ehd_provider_register_set(&provider, 1, (uint64_t)round);
        uint8_t byte = (uint8_t)(0xa0 + round);
        struct iovec iov[3] = { { NULL, 0 }, { NULL, 0 }, { &byte, 1 } };
        assert_int_equal(ehd_event_set_writev(set, iov, 3), 0);
        ehd_provider_close(&provider);
    }
    static const uint8_t expected[] = {
        12, 0, 0, 0, 'P', '_', 'L', '1', 'K', '0', 0, 0xa0,
        12, 0, 0, 0, 'P', '_', 'L', '1', 'K', '1', 0, 0xa1,
    };
    expect_file_bytes(s.file, expected, sizeof(expected));
    assert_int_equal(scratch_dir_remove(&s), 0);
}

/* A host's write and writev (ehd__set_backend_write, _writev) write every
 * record, whole, in one call: write for a record small enough to gather
 * into one buffer (what the shim writes), writev for a larger one, with
 * the same bytes either way. NULL gives libc's back. */
static int host_writes, host_writevs;
static ssize_t host_write(int fd, const void *buf, size_t count)
{
    host_writes++;
    return write(fd, buf, count);
}

static ssize_t host_writev(int fd, const struct iovec *iov, int iovcnt)
{
    host_writevs++;
    return writev(fd, iov, iovcnt);
}

static void test_capture_host_writev(void **state)
{
    (void)state;
    scratch_dir s;
    ehd_provider provider = EHD_PROVIDER_INIT;
    open_capture(&s, &provider, "P");
    ehd_event_set *set = ehd_provider_register_set(&provider, 1, 0);
    /* No header: no stamp, so every byte is known. */
    static uint8_t big[2000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7 + 1);
    uint8_t byte = 0xa0;
    struct iovec iov[3] = { { NULL, 0 }, { NULL, 0 }, { &byte, 1 } };
    struct iovec big_iov[4] = { { NULL, 0 }, { NULL, 0 }, { big, 5 }, { big + 5, 1995 } };
    host_writes = host_writevs = 0;
    ehd__set_backend_write(host_write);
    ehd__set_backend_writev(host_writev);
    assert_int_equal(ehd_event_set_writev(set, iov, 3), 0);
    assert_int_equal(host_writes, 1);
    assert_int_equal(host_writevs, 0);
    assert_int_equal(ehd_event_set_writev(set, big_iov, 4), 0);
    assert_int_equal(host_writes, 1);
    assert_int_equal(host_writevs, 1);
    ehd__set_backend_write(NULL);
    ehd__set_backend_writev(NULL);
    byte = 0xa1;
    assert_int_equal(ehd_event_set_writev(set, iov, 3), 0);
    assert_int_equal(ehd_event_set_writev(set, big_iov, 4), 0);
    assert_int_equal(host_writes + host_writevs, 2);
    ehd_provider_close(&provider);
    /* The big event is stamped: its first 8 bytes become its header, the
     * stamp follows, then the rest as it was. */
    size_t size;
    uint8_t *bytes = read_file(s.file, &size);
    assert_int_equal(size, 2 * (12 + 4 + 7 + 2000 + 20));
    size_t offset = 0;
    for (int round = 0; round < 2; round++) {
        ehd_capture_record record;
        assert_int_equal(ehd_capture_next(bytes, size, &offset, &record, NULL), 0);
        assert_string_equal(record.tracepoint_name, "P_L1K0");
        assert_int_equal(record.event_size, 1);
        assert_int_equal(record.event[0], 0xa0 + round);
        assert_int_equal(ehd_capture_next(bytes, size, &offset, &record, NULL), 0);
        assert_int_equal(record.event_size, 2000 + 20);
        assert_memory_equal(record.event + 1, big + 1, 7);
        assert_memory_equal(record.event + 28, big + 8, 2000 - 8);
        ehd_sample_meta stamp;
        assert_true(ehd_capture_stamp(record.event, record.event_size, &stamp));
        assert_int_equal(stamp.pid, getpid());
    }
    free(bytes);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

/* Stores the low `n` bytes of `value` at `p`, little- or big-endian. */
static void store_order(uint8_t *p, size_t n, uint64_t value, bool little)
{
    for (size_t i = 0; i < n; i++)
        p[little ? i : n - 1 - i] = (uint8_t)(value >> (8 * i));
}

/*
 * The record ehd_capture.h describes for `event` (`size` bytes) on the
 * tracepoint `name`: size word, name and NUL, then, when `stamped` and the
 * event has a whole header, the header with the extension flag, the stamp
 * block (time left 0) in the header's byte order, chained when the event
 * had blocks of its own, and the rest of the event; else the event as it
 * is. Written from the format's description, not from the backend.
 */
static size_t reference_record(uint8_t *out, const char *name, const uint8_t *event,
                               size_t size, bool stamped, uint32_t pid, uint32_t tid)
{
    stamped = stamped && size >= 8;
    size_t name_size = strlen(name) + 1;
    size_t total = 4 + name_size + size + (stamped ? 20 : 0);
    store_order(out, 4, total, true);
    memcpy(out + 4, name, name_size);
    uint8_t *e = out + 4 + name_size;
    if (!stamped) {
        memcpy(e, event, size);
        return total;
    }
    bool little = (event[0] & EHD_FLAG_LITTLE_ENDIAN) != 0;
    bool chained = (event[0] & EHD_FLAG_EXTENSION) != 0;
    memcpy(e, event, 8);
    e[0] |= EHD_FLAG_EXTENSION;
    store_order(e + 8, 2, 16, little);
    store_order(e + 10, 2, 0x7EC0 | (chained ? 0x8000 : 0), little);
    memset(e + 12, 0, 8);
    store_order(e + 20, 4, pid, little);
    store_order(e + 24, 4, tid, little);
    memcpy(e + 28, event + 8, size - 8);
    return total;
}


/* A random builder event whose record will be about `target` bytes. */
static void random_event(ehd_builder *b, uint64_t *rng, size_t record_overhead, size_t target)
{
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    char name[64];
    size_t name_len = 1 + xorshift_next(rng) % 40;
    for (size_t i = 0; i < name_len; i++)
        name[i] = letters[xorshift_next(rng) % (sizeof letters - 1)];
    ehd_builder_reset_n(b, name, name_len, (uint16_t)xorshift_next(rng));
    if (xorshift_next(rng) % 2)
        ehd_builder_id_version(b, (uint16_t)xorshift_next(rng), (uint8_t)xorshift_next(rng));
    if (xorshift_next(rng) % 2)
        ehd_builder_opcode(b, (uint8_t)(xorshift_next(rng) % 10));
    static uint8_t bytes[2048];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (uint8_t)xorshift_next(rng);
    unsigned small = (unsigned)(xorshift_next(rng) % 6);
    for (unsigned f = 0; f < small; f++) {
        char field[24];
        size_t field_len = 1 + xorshift_next(rng) % 20;
        for (size_t i = 0; i < field_len; i++)
            field[i] = letters[xorshift_next(rng) % 26];
        switch (xorshift_next(rng) % 3) {
        case 0: {
            static const size_t sizes[] = { 1, 2, 4, 8, 16 };
            size_t size = sizes[xorshift_next(rng) % 5];
            ehd_builder_add_value_n(b, field, field_len, bytes, size, 0,
                                    (uint16_t)(xorshift_next(rng) % 2 ? 0 : 7));
            break;
        }
        case 1:
            ehd_builder_add_string_n(b, field, field_len, bytes, 1, xorshift_next(rng) % 40,
                                     (uint8_t)(xorshift_next(rng) % 2 ? 0 : EHD_FMT_STRING_UTF), 0);
            break;
        default:
            ehd_builder_add_binary_n(b, field, field_len, bytes, xorshift_next(rng) % 3 ? 0 : 33,
                                     0, 0);
            break;
        }
    }
    /* One last string fills the record up to the target: 3 bytes of
     * metadata ("m", NUL, encoding) and its 2-byte length. */
    size_t now = record_overhead + ehd_builder_event_size(b) + 3 + 2;
    size_t fill = target > now ? target - now : 0;
    ehd_builder_add_string_n(b, "m", 1, bytes, 1, fill, 0, 0);
}

/* Splits the `size` bytes at `bytes` into iov[2..]: 1 to 6 pieces, some of
 * them empty, the header cut anywhere. Returns the count. */
static int random_pieces(struct iovec *iov, uint8_t *bytes, size_t size, uint64_t *rng)
{
    int n = 2;
    size_t at = 0;
    int pieces = 1 + (int)(xorshift_next(rng) % 6);
    for (int i = 0; i < pieces - 1; i++) {
        size_t take = xorshift_next(rng) % 3 == 0 ? 0 : xorshift_next(rng) % (size - at + 1);
        if (xorshift_next(rng) % 2 && size - at > 12)
            take = xorshift_next(rng) % 12; /* inside the header, or just past it */
        iov[n++] = (struct iovec){ bytes + at, take };
        at += take;
    }
    iov[n++] = (struct iovec){ bytes + at, size - at };
    return n;
}

/*
 * The builder's write makes each record in one pass into one buffer (up
 * to 1 KiB), ehd_event_set_writev gathers the pieces it is given, larger
 * records go out with writev: on many random events of every size around
 * that bound, with activity ids or not, on tracepoint names short and long,
 * every path gives the record the format describes, in one system call,
 * write for a record that fits the buffer and writev for one that does not.
 */
static void test_capture_paths_agree(void **state)
{
    (void)state;
    scratch_dir s;
    assert_int_equal(scratch_dir_make(&s, "ehd-capture", "events.dat"), 0);
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = s.file);
    char long_name[200];
    memset(long_name, 'q', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    const char *names[] = { "P", "CapProv", "A_provider_of_20chr", "Forty_characters_of_provider_name_here_x",
                            long_name };
    enum { PROVIDERS = sizeof names / sizeof names[0], EVENTS = 3000 };
    ehd_provider providers[PROVIDERS];
    ehd_event_set *sets[PROVIDERS][3];
    for (size_t i = 0; i < PROVIDERS; i++) {
        providers[i] = (ehd_provider)EHD_PROVIDER_INIT;
        assert_int_equal(ehd_provider_open(&providers[i], names[i], NULL, &options), 0);
        for (int j = 0; j < 3; j++) {
            sets[i][j] = ehd_provider_register_set(&providers[i], (uint8_t)(1 + j), 0x1234567ull << (8 * j));
            assert_non_null(sets[i][j]);
        }
    }
    ehd_builder *b = ehd_builder_new(NULL);
    assert_non_null(b);
    static const uint8_t activity[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    static const uint8_t related[16] = { 0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
                                         0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f };
    uint32_t pid = (uint32_t)getpid(), tid = (uint32_t)gettid();
    static uint8_t expected[EVENTS][2048];
    static size_t expected_size[EVENTS];
    static bool stamped_as[EVENTS];
    static uint8_t event[4096];
    uint64_t rng = 0x5eed1234abcdull;
    size_t gathered = 0, large = 0;
    struct timespec before, after;
    clock_gettime(CLOCK_REALTIME, &before);
    ehd__set_backend_write(host_write);
    ehd__set_backend_writev(host_writev);
    for (int e = 0; e < EVENTS; e++) {
        size_t p = xorshift_next(&rng) % PROVIDERS;
        ehd_event_set *set = sets[p][xorshift_next(&rng) % 3];
        int ids = (int)(xorshift_next(&rng) % 3);
        const void *act = ids > 0 ? activity : NULL, *rel = ids > 1 ? related : NULL;
        size_t overhead = 4 + strlen(set->tracepoint_name) + 1 + 20 + (ids ? 4 + 16u * (unsigned)ids : 0);
        /* Half of them within 40 bytes of the bound. */
        size_t target = xorshift_next(&rng) % 2 ? 1004 + xorshift_next(&rng) % 41
                                                : overhead + xorshift_next(&rng) % 1300;
        random_event(b, &rng, overhead, target);
        size_t size;
        assert_int_equal(ehd_builder_copy_event(b, set->level, act, rel, event, sizeof event, &size), 0);
        assert_true(size + 4 + sizeof set->tracepoint_name + 20 <= sizeof expected[e]);
        expected_size[e] = reference_record(expected[e], set->tracepoint_name, event, size, true,
                                            pid, tid);
        bool fits = expected_size[e] <= 1024;
        gathered += fits;
        large += !fits;
        int before_write = host_writes, before_writev = host_writevs;
        /* The builder's write, each way in: the first record of the pair. */
        switch (e % 3) {
        case 0:
            assert_int_equal(ehd_builder_write(b, set, act, rel), 0);
            break;
        case 1: {
            ehd_write_options given = EHD_WRITE_OPTIONS(.activity_id = act, .related_id = rel,
                                                         .pid = pid, .tid = tid);
            assert_int_equal(ehd_builder_write_opts(b, set, &given), 0);
            break;
        }
        default:
            if (ids == 0)
                assert_int_equal(ehd__builder_write_ids(b, set, pid, tid), 0);
            else
                assert_int_equal(ehd_builder_write(b, set, act, rel), 0);
            break;
        }
        assert_int_equal(host_writes - before_write, fits ? 1 : 0);
        assert_int_equal(host_writevs - before_writev, fits ? 0 : 1);
        /* The same event in pieces: the second. */
        struct iovec iov[10];
        int iovcnt = random_pieces(iov, event, size, &rng);
        assert_int_equal(ehd_event_set_writev(set, iov, iovcnt), 0);
        assert_int_equal(host_writes - before_write, fits ? 2 : 0);
        assert_int_equal(host_writevs - before_writev, fits ? 0 : 2);
    }
    ehd__set_backend_write(NULL);
    ehd__set_backend_writev(NULL);
    clock_gettime(CLOCK_REALTIME, &after);
    /* Both sides of the bound, often. */
    assert_true(gathered > EVENTS / 3 && large > EVENTS / 4);

    size_t file_size;
    uint8_t *bytes = read_file(s.file, &file_size);
    uint64_t low = (uint64_t)before.tv_sec * 1000000000u + (uint64_t)before.tv_nsec;
    uint64_t high = (uint64_t)after.tv_sec * 1000000000u + (uint64_t)after.tv_nsec;
    size_t offset = 0;
    for (int e = 0; e < EVENTS; e++) {
        for (int copy = 0; copy < 2; copy++) {
            size_t at = offset;
            ehd_capture_record record;
            assert_int_equal(ehd_capture_next(bytes, file_size, &offset, &record, NULL), 0);
            assert_int_equal(offset - at, expected_size[e]);
            ehd_sample_meta stamp;
            assert_true(ehd_capture_stamp(record.event, record.event_size, &stamp));
            assert_true(stamp.time_ns >= low && stamp.time_ns <= high);
            memset((uint8_t *)record.event + 12, 0, 8);
            assert_memory_equal(bytes + at, expected[e], expected_size[e]);
        }
    }
    assert_int_equal(offset, file_size);
    free(bytes);

    /* Events of any header (either byte order, with blocks or without),
     * of 0 to 1100 bytes, in up to 14 pieces, some empty: stamped when they
     * have a whole header; in 15 pieces or more: as they are. */
    assert_int_equal(ftruncate(providers[0].data_fd, 0), 0);
    ehd_event_set *set = sets[1][0];
    ehd__set_backend_write(host_write);
    ehd__set_backend_writev(host_writev);
    for (int e = 0; e < EVENTS; e++) {
        size_t size = xorshift_next(&rng) % 3 ? xorshift_next(&rng) % 1100 : xorshift_next(&rng) % 12;
        for (size_t i = 0; i < size; i++)
            event[i] = (uint8_t)xorshift_next(&rng);
        struct iovec iov[24];
        int iovcnt;
        bool many = xorshift_next(&rng) % 8 == 0;
        if (many) {
            iovcnt = 14 + (int)(xorshift_next(&rng) % 3);
            size_t at = 0;
            for (int i = 2; i < iovcnt; i++) {
                size_t take = i + 1 == iovcnt ? size - at : xorshift_next(&rng) % (size - at + 1) / 4;
                iov[i] = (struct iovec){ event + at, take };
                at += take;
            }
        } else {
            iovcnt = size != 0 ? random_pieces(iov, event, size, &rng) : 2 + (int)(xorshift_next(&rng) % 3);
            for (int i = 2; size == 0 && i < iovcnt; i++)
                iov[i] = (struct iovec){ NULL, 0 };
        }
        bool stamped = iovcnt <= 14;
        stamped_as[e] = stamped && size >= 8;
        expected_size[e] = reference_record(expected[e], set->tracepoint_name, event, size, stamped,
                                            pid, tid);
        int before_write = host_writes, before_writev = host_writevs;
        assert_int_equal(ehd_event_set_writev(set, iov, iovcnt), 0);
        bool fits = expected_size[e] <= 1024;
        assert_int_equal(host_writes - before_write, fits ? 1 : 0);
        assert_int_equal(host_writevs - before_writev, fits ? 0 : 1);
    }
    ehd__set_backend_write(NULL);
    ehd__set_backend_writev(NULL);
    bytes = read_file(s.file, &file_size);
    offset = 0;
    for (int e = 0; e < EVENTS; e++) {
        size_t at = offset;
        ehd_capture_record record;
        assert_int_equal(ehd_capture_next(bytes, file_size, &offset, &record, NULL), 0);
        assert_int_equal(offset - at, expected_size[e]);
        if (stamped_as[e]) /* the stamp's time is not known */
            memset((uint8_t *)record.event + 12, 0, 8);
        assert_memory_equal(bytes + at, expected[e], expected_size[e]);
    }
    assert_int_equal(offset, file_size);
    free(bytes);
    ehd_builder_free(b);
    for (size_t i = 0; i < PROVIDERS; i++)
        ehd_provider_close(&providers[i]);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

/* The descriptor can move out of a host program's way; writes follow it,
 * the old number is closed only when asked. */
static void test_capture_descriptor_moves(void **state)
{
    (void)state;
    scratch_dir s;
    ehd_provider provider = EHD_PROVIDER_INIT;
    open_capture(&s, &provider, "P");
    ehd_event_set *set = ehd_provider_register_set(&provider, 1, 0);
    int first = ehd_provider_fd(&provider);
    assert_true(first > 2);

    assert_int_equal(ehd_provider_move_fd(&provider, 200, true), 0);
    int second = ehd_provider_fd(&provider);
    assert_true(second >= 200);
    assert_int_equal(fcntl(second, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    assert_int_equal(fcntl(first, F_GETFD), -1);
    assert_int_equal(errno, EBADF);

    assert_int_equal(ehd_provider_move_fd(&provider, 300, false), 0);
    int third = ehd_provider_fd(&provider);
    assert_true(third >= 300);
    assert_true(fcntl(second, F_GETFD) >= 0); /* left for the caller */
    close(second);

    uint8_t byte = 0xb0;
    struct iovec iov[3] = { { NULL, 0 }, { NULL, 0 }, { &byte, 1 } };
    assert_int_equal(ehd_event_set_writev(set, iov, 3), 0);
    ehd_provider_close(&provider);
    assert_int_equal(fcntl(third, F_GETFD), -1);

    static const uint8_t expected[] = { 12, 0, 0, 0, 'P', '_', 'L', '1', 'K', '0', 0, 0xb0 };
    expect_file_bytes(s.file, expected, sizeof(expected));

    ehd_provider closed = EHD_PROVIDER_INIT;
    assert_int_equal(ehd_provider_fd(&closed), -1);
    assert_int_equal(ehd_provider_move_fd(&closed, 10, true), EBADF);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

/* A record too large for its size word is refused before any write. */
/* A capture file carries events up to EHD_CAPTURE_EVENT_MAX bytes, as
 * ehd_provider_event_max says; larger ones are refused before any write,
 * even when their sizes overflow. */
static void test_capture_refuses_oversized_records(void **state)
{
    (void)state;
    scratch_dir s;
    assert_int_equal(scratch_dir_make(&s, "ehd-capture", "events.dat"), 0);
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = s.file);
    ehd_provider provider = EHD_PROVIDER_INIT;
    assert_int_equal(ehd_provider_event_max(&provider), 0);
    assert_int_equal(ehd_provider_event_max(NULL), 0);
    assert_int_equal(ehd_provider_open(&provider, "P", NULL, &options), 0);
    assert_int_equal(ehd_provider_event_max(&provider), EHD_CAPTURE_EVENT_MAX);
    assert_int_equal(EHD_CAPTURE_EVENT_MAX, 65535);
    ehd_event_set *set = ehd_provider_register_set(&provider, 1, 1);
    uint8_t byte = 0;
    struct iovec iov[4] = { { NULL, 0 }, { NULL, 0 }, { &byte, SIZE_MAX }, { &byte, 2 } };
    assert_int_equal(ehd_event_set_writev(set, iov, 4), EMSGSIZE);
    struct iovec big[3] = { { NULL, 0 }, { NULL, 0 }, { &byte, UINT32_MAX } };
    assert_int_equal(ehd_event_set_writev(set, big, 3), EMSGSIZE);

    uint8_t *event = calloc(1, EHD_CAPTURE_EVENT_MAX + 1);
    assert_non_null(event);
    event[0] = 0x07; /* header flags; the rest of the bytes are data */
    struct iovec over[4] = { { NULL, 0 }, { NULL, 0 }, { event, 8 },
                             { event + 8, EHD_CAPTURE_EVENT_MAX + 1 - 8 } };
    assert_int_equal(ehd_event_set_writev(set, over, 4), EMSGSIZE);
    struct stat st;
    assert_int_equal(stat(s.file, &st), 0);
    assert_int_equal(st.st_size, 0);

    struct iovec largest[4] = { { NULL, 0 }, { NULL, 0 }, { event, 8 },
                                { event + 8, EHD_CAPTURE_EVENT_MAX - 8 } };
    assert_int_equal(ehd_event_set_writev(set, largest, 4), 0);
    assert_int_equal(stat(s.file, &st), 0);
    /* size word, "P_L1K1" and its NUL, the event and its 20-byte stamp */
    assert_int_equal(st.st_size, 4 + 7 + EHD_CAPTURE_EVENT_MAX + 20);
    free(event);
    ehd_provider_close(&provider);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

/*
 * A write the file system cuts short is an error, never finished by a
 * second write, and the part that was written is taken back: a torn record
 * would make every later record unreadable. RLIMIT_FSIZE cuts it; done in
 * a child to keep the limit out of this process. The limit lets one whole
 * record through and a part of the next. Exit status: 0 ok, else the step
 * that failed.
 */
enum { SHORT_EVENT = 32, SHORT_RECORD = 4 + sizeof("P_L1K1") + SHORT_EVENT + 4 + 16 };

static int short_write_child(const char *path)
{
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = path);
    ehd_provider provider = EHD_PROVIDER_INIT;
    if (ehd_provider_open(&provider, "P", NULL, &options) != 0)
        return 1;
    ehd_event_set *set = ehd_provider_register_set(&provider, 1, 1);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = { SHORT_RECORD + 20, SHORT_RECORD + 20 };
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0)
        return 2;
    uint8_t event[SHORT_EVENT] = { 0 };
    struct iovec iov[3] = { { NULL, 0 }, { NULL, 0 }, { event, sizeof(event) } };
    if (ehd_event_set_writev(set, iov, 3) != 0)
        return 3;
    if (ehd_event_set_writev(set, iov, 3) != EIO)
        return 4;
    struct stat st;
    if (stat(path, &st) != 0 || st.st_size != SHORT_RECORD)
        return 5;
    /* Cut back, so the next write is cut again, and taken back again. */
    if (ehd_event_set_writev(set, iov, 3) != EIO)
        return 6;
    ehd_provider_close(&provider);
    return 0;
}

static void test_capture_short_write_is_eio(void **state)
{
    (void)state;
    scratch_dir s;
    assert_int_equal(scratch_dir_make(&s, "ehd-capture", "events.dat"), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(short_write_child(s.file));
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    struct stat st;
    assert_int_equal(stat(s.file, &st), 0);
    assert_int_equal(st.st_size, SHORT_RECORD); /* the whole record, no torn one */
    assert_int_equal(scratch_dir_remove(&s), 0);
}

/* ---- concurrent writers ------------------------------------------------- */

enum {
    WRITER_THREADS = 8,
    WRITER_PROCESSES = 4,
    RECORDS_PER_WRITER = 1500,
    WRITERS = WRITER_THREADS + WRITER_PROCESSES,
};

/* Event of writer `writer`, number `seq`: writer, seq and length, then a
 * payload whose every byte depends on all three, in several iovecs. */
static size_t payload_length(unsigned writer, unsigned seq)
{
    return (writer * 977u + seq * 131u) % 3000u;
}

static uint8_t payload_byte(unsigned writer, unsigned seq, size_t i)
{
    return (uint8_t)(writer * 31u + seq * 7u + i);
}

static uint8_t level_of(unsigned writer)
{
    return (uint8_t)(1 + writer % 5);
}

/* Writes this writer's records; returns 0 or the first failing errno. */
static int write_records(ehd_provider *provider, unsigned writer)
{
    ehd_event_set *set = ehd_provider_register_set(provider, level_of(writer), writer);
    if (set == NULL)
        return ENOMEM;
    static _Thread_local uint8_t payload[3000];
    for (unsigned seq = 0; seq < RECORDS_PER_WRITER; seq++) {
        uint32_t head[3] = { writer, seq, (uint32_t)payload_length(writer, seq) };
        size_t length = head[2];
        for (size_t i = 0; i < length; i++)
            payload[i] = payload_byte(writer, seq, i);
        /* An event header first: the backend stamps the record after it. */
        uint8_t header[8] = { 0x07, 0, 0, 0, 0, 0, 0, level_of(writer) };
        struct iovec iov[6] = {
            { NULL, 0 },
            { NULL, 0 },
            { header, sizeof(header) },
            { head, sizeof(head) },
            { payload, length / 2 },
            { payload + length / 2, length - length / 2 },
        };
        int err = ehd_event_set_writev(set, iov, 6);
        if (err != 0)
            return err;
    }
    return 0;
}

typedef struct writer_arg {
    ehd_provider *provider;
    unsigned writer;
    int err;
} writer_arg;

static void *writer_thread(void *arg)
{
    writer_arg *w = arg;
    w->err = write_records(w->provider, w->writer);
    return NULL;
}

/* Parses the whole file and checks every record; all writers complete. */
static void check_concurrent_file(const char *path, ehd_provider *provider)
{
    size_t size;
    uint8_t *bytes = read_file(path, &size);
    unsigned next_seq[WRITERS] = { 0 };
    size_t offset = 0;
    ehd_capture_record record;
    const char *why = NULL;
    int err;
    while ((err = ehd_capture_next(bytes, size, &offset, &record, &why)) == 0) {
        uint32_t head[3];
        enum { STAMPED = 8 + 4 + 16 };
        assert_true(record.event_size >= STAMPED + sizeof(head));
        ehd_sample_meta stamp;
        assert_true(ehd_capture_stamp(record.event, record.event_size, &stamp));
        memcpy(head, record.event + STAMPED, sizeof(head));
        unsigned writer = head[0], seq = head[1];
        assert_true(writer < WRITERS);
        /* Each writer's records appear in order, none lost or doubled. */
        assert_int_equal(seq, next_seq[writer]);
        next_seq[writer]++;
        assert_int_equal(head[2], payload_length(writer, seq));
        assert_int_equal(record.event_size, STAMPED + sizeof(head) + head[2]);
        char name[EHD_NAME_MAX];
        assert_int_equal(ehd_format_tracepoint_name(name, provider->name, level_of(writer), writer,
                                                    provider->options),
                         0);
        assert_string_equal(record.tracepoint_name, name);
        const uint8_t *payload = record.event + STAMPED + sizeof(head);
        for (size_t i = 0; i < head[2]; i++) {
            if (payload[i] != payload_byte(writer, seq, i))
                fail_msg("writer %u record %u: byte %zu differs", writer, seq, i);
        }
    }
    if (err != ENODATA)
        fail_msg("malformed record at offset %zu: %s", offset, why);
    for (unsigned w = 0; w < WRITERS; w++)
        assert_int_equal(next_seq[w], RECORDS_PER_WRITER);
    free(bytes);
}

static void test_capture_concurrent_writers_never_interleave(void **state)
{
    (void)state;
    scratch_dir s;
    assert_int_equal(scratch_dir_make(&s, "ehd-capture", "events.dat"), 0);
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = s.file);
    ehd_provider provider = EHD_PROVIDER_INIT;
    assert_int_equal(ehd_provider_open(&provider, "Busy", "many", &options), 0);

    /* Processes share the descriptor through fork, like a forking server. */
    pid_t children[WRITER_PROCESSES];
    for (unsigned p = 0; p < WRITER_PROCESSES; p++) {
        children[p] = fork();
        assert_true(children[p] >= 0);
        if (children[p] == 0)
            _exit(write_records(&provider, WRITER_THREADS + p) == 0 ? 0 : 1);
    }
    writer_arg args[WRITER_THREADS];
    pthread_t threads[WRITER_THREADS];
    for (unsigned t = 0; t < WRITER_THREADS; t++) {
        args[t] = (writer_arg){ .provider = &provider, .writer = t };
        assert_int_equal(pthread_create(&threads[t], NULL, writer_thread, &args[t]), 0);
    }
    for (unsigned t = 0; t < WRITER_THREADS; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
        assert_int_equal(args[t].err, 0);
    }
    for (unsigned p = 0; p < WRITER_PROCESSES; p++) {
        int status;
        assert_int_equal(waitpid(children[p], &status, 0), children[p]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }

    check_concurrent_file(s.file, &provider);
    ehd_provider_close(&provider);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

/* ---- closing, and files that cannot be opened ---------------------------- */

static void test_capture_close_is_idempotent(void **state)
{
    (void)state;
    scratch_dir s;
    ehd_provider provider = EHD_PROVIDER_INIT;
    open_capture(&s, &provider, "P");
    ehd_provider_register_set(&provider, 1, 1);
    ehd_provider_register_set(&provider, 2, 1);
    int fd = provider.data_fd;

    ehd_provider_close(&provider);
    assert_int_equal(fcntl(fd, F_GETFD), -1);
    assert_int_equal(errno, EBADF);
    assert_int_equal(provider.data_fd, -1);
    assert_null(provider.sets);
    assert_int_equal(ehd_provider_backend(&provider), EHD_BACKEND_NONE);
    assert_int_equal(ehd_provider_errno(&provider), EINVAL);
    assert_null(ehd_provider_find_set(&provider, 1, 1));

    /* A second close must not close whatever now has that number. */
    int other = open(s.file, O_RDONLY | O_CLOEXEC);
    assert_true(other >= 0);
    ehd_provider_close(&provider);
    assert_true(fcntl(other, F_GETFD) >= 0);
    close(other);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

static void expect_unwritable(const char *path, int expected)
{
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = path);
    ehd_provider provider = EHD_PROVIDER_INIT;
    assert_int_equal(ehd_provider_open(&provider, "P", NULL, &options), expected);
    assert_int_equal(ehd_provider_errno(&provider), expected);
    assert_int_equal(ehd_provider_backend(&provider), EHD_BACKEND_NONE);
    assert_int_equal(provider.data_fd, -1);

    ehd_event_set *set = ehd_provider_register_set(&provider, 3, 5);
    assert_non_null(set);
    assert_string_equal(ehd_event_set_name(set), "P_L3K5");
    assert_int_equal(ehd_event_set_errno(set), expected);
    assert_false(ehd_event_set_enabled(set));
    uint8_t byte = 1;
    struct iovec iov[3] = { { NULL, 0 }, { NULL, 0 }, { &byte, 1 } };
    assert_int_equal(ehd_event_set_writev(set, iov, 3), EBADF);
    ehd_provider_close(&provider);
    ehd_provider_close(&provider);
}

static void test_capture_unwritable_path_disables_everything(void **state)
{
    (void)state;
    scratch_dir s;
    assert_int_equal(scratch_dir_make(&s, "ehd-capture", "events.dat"), 0);
    expect_unwritable(s.path, EISDIR);
    expect_unwritable("/nonexistent/dir/x.dat", ENOENT);
    expect_unwritable("", ENOENT);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capture_sets_are_enabled),
        cmocka_unit_test(test_capture_descriptor),
        cmocka_unit_test(test_capture_record_bytes),
        cmocka_unit_test(test_capture_stamp_is_transparent),
        cmocka_unit_test(test_capture_write_opts_ids),
        cmocka_unit_test(test_capture_appends),
        cmocka_unit_test(test_capture_host_writev),
        cmocka_unit_test(test_capture_paths_agree),
        cmocka_unit_test(test_capture_descriptor_moves),
        cmocka_unit_test(test_capture_refuses_oversized_records),
        cmocka_unit_test(test_capture_short_write_is_eio),
        cmocka_unit_test(test_capture_concurrent_writers_never_interleave),
        cmocka_unit_test(test_capture_close_is_idempotent),
        cmocka_unit_test(test_capture_unwritable_path_disables_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
