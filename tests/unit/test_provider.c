/*
 * Providers and event sets: name rules, tracepoint names, registering and
 * finding sets, the closed state, and what happens on a machine whose
 * kernel has no user_events. Backends have their own tests
 * (test_backend_capture.c, test_backend_user_events.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cmocka.h>

#include "ehd/ehd.h"
#include "../lib/scratch_dir.h"

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static char *repeat_char(char c, size_t count)
{
    char *text = malloc(count + 1);
    assert_non_null(text);
    memset(text, c, count);
    text[count] = '\0';
    return text;
}

/* Opening with these names must fail with EINVAL, touch no backend and leave
 * the provider closed. */
static void expect_rejected(const char *name, const char *group)
{
    scratch_dir s;
    assert_int_equal(scratch_dir_make(&s, "ehd-provider", "events.dat"), 0);
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = s.file);
    ehd_provider provider = EHD_PROVIDER_INIT;

    assert_int_equal(ehd_provider_open(&provider, name, group, &options), EINVAL);
    assert_int_equal(ehd_provider_errno(&provider), EINVAL);
    assert_int_equal(ehd_provider_backend(&provider), EHD_BACKEND_NONE);
    assert_int_equal(provider.data_fd, -1);
    assert_null(ehd_provider_register_set(&provider, 4, 1));
    assert_false(exists(s.file));

    ehd_provider_close(&provider);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

/* The options struct follows the sz rules of ehd_provider_options. */
static void test_options_size(void **state)
{
    (void)state;
    scratch_dir s;
    assert_int_equal(scratch_dir_make(&s, "ehd-provider", "events.dat"), 0);
    ehd_provider provider = EHD_PROVIDER_INIT;

    /* No size: refused, nothing opened. */
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = s.file);
    options.sz = 0;
    assert_int_equal(ehd_provider_open(&provider, "P", NULL, &options), EINVAL);
    assert_false(exists(s.file));
    assert_int_equal(ehd_provider_backend(&provider), EHD_BACKEND_NONE);

    /* A caller from before capture_path existed: it is not read, so the
     * provider tries user_events (absent here or not, never the file). */
    options.sz = offsetof(ehd_provider_options, capture_path);
    ehd_provider_open(&provider, "P", NULL, &options);
    assert_int_not_equal(ehd_provider_backend(&provider), EHD_BACKEND_CAPTURE);
    assert_false(exists(s.file));
    ehd_provider_close(&provider);

    /* A newer caller's larger struct: fine while its extra bytes are zero. */
    struct {
        ehd_provider_options known;
        uint64_t later;
    } newer = { EHD_PROVIDER_OPTIONS(.capture_path = s.file), 1 };
    newer.known.sz = sizeof newer;
    assert_int_equal(ehd_provider_open(&provider, "P", NULL, &newer.known), EINVAL);
    assert_false(exists(s.file));
    newer.later = 0;
    assert_int_equal(ehd_provider_open(&provider, "P", NULL, &newer.known), 0);
    assert_int_equal(ehd_provider_backend(&provider), EHD_BACKEND_CAPTURE);
    ehd_provider_close(&provider);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

static void test_invalid_names_are_einval(void **state)
{
    (void)state;
    expect_rejected("My Provider", NULL);
    expect_rejected("My:Provider", NULL);
    expect_rejected("", NULL);
    expect_rejected("", "perf");
    expect_rejected(NULL, NULL);
    expect_rejected("Tab\tName", NULL);
    expect_rejected("Newline\n", NULL);
    expect_rejected("Del\x7f", NULL);
    expect_rejected("MyProvider", "Perf");
    expect_rejected("MyProvider", "per-f");
    expect_rejected("MyProvider", "per_f");
    expect_rejected("MyProvider", "per f");
    expect_rejected("MyProvider", "perf:");

    char *too_long = repeat_char('a', EHD_PROVIDER_NAMES_MAX);
    expect_rejected(too_long, NULL);
    free(too_long);

    /* 200 + 34 = 234 = EHD_PROVIDER_NAMES_MAX: one too many together. */
    char *name = repeat_char('N', 200);
    char *group = repeat_char('g', 34);
    expect_rejected(name, group);
    free(name);
    free(group);

    assert_int_equal(ehd_provider_open(NULL, "MyProvider", NULL, NULL), EINVAL);
}

/* The longest names still open, and their longest tracepoint name fits. */
static void test_longest_names_are_accepted(void **state)
{
    (void)state;
    scratch_dir s;
    assert_int_equal(scratch_dir_make(&s, "ehd-provider", "events.dat"), 0);
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = s.file);

    char *name = repeat_char('N', 200);
    char *group = repeat_char('g', 33);
    ehd_provider provider = EHD_PROVIDER_INIT;
    assert_int_equal(ehd_provider_open(&provider, name, group, &options), 0);
    ehd_event_set *set = ehd_provider_register_set(&provider, 0xff, UINT64_MAX);
    assert_non_null(set);
    assert_int_equal(ehd_event_set_errno(set), 0);
    assert_int_equal(strlen(ehd_event_set_name(set)), EHD_NAME_MAX - 1);
    assert_int_equal(set->name_len, EHD_NAME_MAX - 1);
    ehd_provider_close(&provider);
    free(name);
    free(group);

    char *alone = repeat_char('a', EHD_PROVIDER_NAMES_MAX - 1);
    assert_int_equal(ehd_provider_open(&provider, alone, "", &options), 0);
    assert_string_equal(provider.options, "");
    ehd_provider_close(&provider);
    free(alone);

    /* Letters, digits, '_' and non-ASCII bytes are all fine. */
    assert_int_equal(ehd_provider_open(&provider, "My_Co_Comp0nent_\xc3\xa9", "0abc9z", &options),
                     0);
    ehd_provider_close(&provider);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

static void expect_format(uint8_t level, uint64_t keyword, const char *options,
                          const char *expected)
{
    char out[EHD_NAME_MAX];
    assert_int_equal(ehd_format_tracepoint_name(out, "MyProvider", level, keyword, options), 0);
    assert_string_equal(out, expected);
}

static void test_format_tracepoint_name(void **state)
{
    (void)state;
    expect_format(3, 0x2a, NULL, "MyProvider_L3K2a");
    expect_format(3, 0x2a, "", "MyProvider_L3K2a");
    expect_format(5, 0, "Gperf", "MyProvider_L5K0Gperf");
    expect_format(4, 0xF123456789ABCDEFull, NULL, "MyProvider_L4Kf123456789abcdef");
    expect_format(0xff, UINT64_MAX, "Gg1", "MyProvider_LffKffffffffffffffffGg1");
    expect_format(10, 16, NULL, "MyProvider_LaK10");

    char out[EHD_NAME_MAX];
    char *long_name = repeat_char('x', EHD_NAME_MAX - 6);
    /* 250 + "_L1K0" = 255 characters: fits exactly; one more does not. */
    assert_int_equal(ehd_format_tracepoint_name(out, long_name, 1, 0, NULL), 0);
    assert_int_equal(strlen(out), EHD_NAME_MAX - 1);
    assert_int_equal(ehd_format_tracepoint_name(out, long_name, 1, 0x10, NULL), EINVAL);
    assert_string_equal(out, "");
    free(long_name);

    assert_int_equal(ehd_format_tracepoint_name(out, NULL, 1, 0, NULL), EINVAL);
    assert_int_equal(ehd_format_tracepoint_name(NULL, "MyProvider", 1, 0, NULL), EINVAL);
}

/* The names sets actually get from their provider. */
static void test_set_tracepoint_names(void **state)
{
    (void)state;
    scratch_dir s;
    assert_int_equal(scratch_dir_make(&s, "ehd-provider", "events.dat"), 0);
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = s.file);
    ehd_provider mine = EHD_PROVIDER_INIT;
    ehd_provider other = EHD_PROVIDER_INIT;
    assert_int_equal(ehd_provider_open(&mine, "MyProvider", NULL, &options), 0);
    assert_int_equal(ehd_provider_open(&other, "OtherProvider", "perf", &options), 0);
    assert_string_equal(mine.name, "MyProvider");
    assert_string_equal(other.options, "Gperf");

    struct {
        ehd_provider *provider;
        uint8_t level;
        uint64_t keyword;
        const char *name;
    } cases[] = {
        { &mine, 3, 0x2a, "MyProvider_L3K2a" },
        { &other, 5, 0, "OtherProvider_L5K0Gperf" },
        { &mine, 4, 0xF123456789ABCDEFull, "MyProvider_L4Kf123456789abcdef" },
        { &other, 0xff, UINT64_MAX, "OtherProvider_LffKffffffffffffffffGperf" },
        { &mine, 1, 1, "MyProvider_L1K1" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ehd_event_set *set =
            ehd_provider_register_set(cases[i].provider, cases[i].level, cases[i].keyword);
        assert_non_null(set);
        assert_string_equal(ehd_event_set_name(set), cases[i].name);
        assert_int_equal(set->name_len, strlen(cases[i].name));
        assert_int_equal(set->level, cases[i].level);
        assert_true(set->keyword == cases[i].keyword);
        assert_ptr_equal(set->provider, cases[i].provider);
    }
    ehd_provider_close(&mine);
    ehd_provider_close(&other);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

static void test_register_once_and_find(void **state)
{
    (void)state;
    scratch_dir s;
    assert_int_equal(scratch_dir_make(&s, "ehd-provider", "events.dat"), 0);
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = s.file);
    ehd_provider provider = EHD_PROVIDER_INIT;
    assert_int_equal(ehd_provider_open(&provider, "MyProvider", NULL, &options), 0);

    assert_null(ehd_provider_find_set(&provider, 4, 1));
    ehd_event_set *first = ehd_provider_register_set(&provider, 4, 1);
    assert_non_null(first);
    assert_ptr_equal(ehd_provider_register_set(&provider, 4, 1), first);
    assert_ptr_equal(ehd_provider_find_set(&provider, 4, 1), first);

    ehd_event_set *second = ehd_provider_register_set(&provider, 4, 2);
    ehd_event_set *third = ehd_provider_register_set(&provider, 5, 1);
    assert_non_null(second);
    assert_non_null(third);
    assert_true(second != first && third != first && third != second);
    assert_ptr_equal(ehd_provider_find_set(&provider, 4, 1), first);
    assert_ptr_equal(ehd_provider_find_set(&provider, 4, 2), second);
    assert_ptr_equal(ehd_provider_find_set(&provider, 5, 1), third);

    assert_null(ehd_provider_find_set(&provider, 5, 2));
    assert_null(ehd_provider_find_set(&provider, 3, 1));
    assert_null(ehd_provider_find_set(&provider, 4, 0));
    assert_null(ehd_provider_find_set(NULL, 4, 1));

    /* Level 0 is not a level. */
    assert_null(ehd_provider_register_set(&provider, 0, 1));
    assert_null(ehd_provider_find_set(&provider, 0, 1));
    assert_null(ehd_provider_register_set(NULL, 4, 1));

    ehd_provider_close(&provider);
    assert_null(ehd_provider_find_set(&provider, 4, 1));
    assert_int_equal(scratch_dir_remove(&s), 0);
}

/* A provider that never opened, or was closed, is inert and safe to use. */
static void test_closed_provider_is_inert(void **state)
{
    (void)state;
    ehd_provider provider = EHD_PROVIDER_INIT;
    assert_int_equal(ehd_provider_errno(&provider), EINVAL);
    assert_int_equal(ehd_provider_backend(&provider), EHD_BACKEND_NONE);
    assert_null(ehd_provider_register_set(&provider, 4, 1));
    assert_null(ehd_provider_find_set(&provider, 4, 1));
    assert_false(ehd_provider_any_enabled(&provider));
    ehd_provider_close(&provider);
    ehd_provider_close(&provider);
    ehd_provider_close(NULL);
    assert_int_equal(ehd_provider_errno(NULL), EINVAL);
    assert_int_equal(ehd_provider_backend(NULL), EHD_BACKEND_NONE);

    /* Every set call is NULL-safe. */
    assert_false(ehd_event_set_enabled(NULL));
    assert_int_equal(ehd_event_set_errno(NULL), EINVAL);
    assert_string_equal(ehd_event_set_name(NULL), "");
    struct iovec iov[3] = { { NULL, 0 }, { NULL, 0 }, { "x", 1 } };
    assert_int_equal(ehd_event_set_writev(NULL, iov, 3), EBADF);
}

static void test_open_twice_is_ebusy_and_reopen_after_close(void **state)
{
    (void)state;
    scratch_dir s;
    assert_int_equal(scratch_dir_make(&s, "ehd-provider", "events.dat"), 0);
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = s.file);
    ehd_provider provider = EHD_PROVIDER_INIT;
    assert_int_equal(ehd_provider_open(&provider, "First", NULL, &options), 0);
    ehd_event_set *set = ehd_provider_register_set(&provider, 2, 7);
    assert_non_null(set);
    int fd = provider.data_fd;

    assert_int_equal(ehd_provider_open(&provider, "Second", NULL, &options), EBUSY);
    assert_string_equal(provider.name, "First");
    assert_int_equal(provider.data_fd, fd);
    assert_ptr_equal(ehd_provider_find_set(&provider, 2, 7), set);

    ehd_provider_close(&provider);
    assert_int_equal(provider.data_fd, -1);
    assert_int_equal(ehd_provider_open(&provider, "Second", "g", &options), 0);
    set = ehd_provider_register_set(&provider, 2, 7);
    assert_non_null(set);
    assert_string_equal(ehd_event_set_name(set), "Second_L2K7Gg");
    ehd_provider_close(&provider);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

/* ehd_provider_any_enabled: capture sets are always enabled, each set up to
 * EHD_ANY_ENABLED_BITS gets a bit of its own, the rest are looked at one
 * by one (the kernel side is proved by tests/kernel/ktest_register.c). */
static void test_any_enabled(void **state)
{
    (void)state;
    scratch_dir s;
    assert_int_equal(scratch_dir_make(&s, "ehd-provider", "events.dat"), 0);
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = s.file);
    ehd_provider provider = EHD_PROVIDER_INIT;
    assert_false(ehd_provider_any_enabled(NULL));
    assert_false(ehd_provider_any_enabled(&provider));
    assert_int_equal(ehd_provider_open(&provider, "Any", NULL, &options), 0);
    assert_false(ehd_provider_any_enabled(&provider));

    ehd_event_set *set = ehd_provider_register_set(&provider, 4, 1);
    assert_non_null(set);
    assert_int_equal(set->any_bit, 0);
    assert_true(ehd_provider_any_enabled(&provider));
    /* Registering it again hands out no second bit. */
    assert_ptr_equal(ehd_provider_register_set(&provider, 4, 1), set);
    assert_int_equal(provider.any_bits_used, 1);

    unsigned count = EHD_ANY_ENABLED_BITS + 3;
    for (unsigned i = 1; i < count; i++) {
        set = ehd_provider_register_set(&provider, 5, i + 1);
        assert_non_null(set);
        assert_int_equal(set->any_bit, i < EHD_ANY_ENABLED_BITS ? (int)i : -1);
    }
    assert_int_equal(provider.any_bits_used, EHD_ANY_ENABLED_BITS);
    assert_true(provider.any_enabled & EHD_ANY_ENABLED_OTHERS);
    assert_true(ehd_provider_any_enabled(&provider));
    /* Only the sets without a bit are left to say yes: the walk finds one. */
    __atomic_store_n(&provider.any_enabled, EHD_ANY_ENABLED_OTHERS, __ATOMIC_RELAXED);
    assert_true(ehd_provider_any_enabled(&provider));

    ehd_provider_close(&provider);
    assert_false(ehd_provider_any_enabled(&provider));
    assert_int_equal(provider.any_bits_used, 0);
    assert_int_equal(ehd_provider_open(&provider, "Again", NULL, &options), 0);
    assert_false(ehd_provider_any_enabled(&provider));
    ehd_provider_close(&provider);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

/* ---- many threads registering and finding at once ---------------------- */

enum { RACE_THREADS = 8, RACE_KEYS = 64 };

typedef struct race {
    ehd_provider *provider;
    pthread_barrier_t *start;
    unsigned first_key; /* threads start at different keys to collide more */
    ehd_event_set *seen[RACE_KEYS];
} race;

static void *race_thread(void *arg)
{
    race *r = arg;
    pthread_barrier_wait(r->start);
    for (unsigned n = 0; n < RACE_KEYS; n++) {
        unsigned key = (r->first_key + n) % RACE_KEYS;
        uint8_t level = (uint8_t)(1 + key % 5);
        ehd_event_set *found = ehd_provider_find_set(r->provider, level, key);
        ehd_event_set *set = ehd_provider_register_set(r->provider, level, key);
        if (found != NULL && found != set)
            set = NULL; /* reported by the main thread as a mismatch */
        r->seen[key] = set;
    }
    return NULL;
}

static void test_concurrent_register_and_find(void **state)
{
    (void)state;
    scratch_dir s;
    assert_int_equal(scratch_dir_make(&s, "ehd-provider", "events.dat"), 0);
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = s.file);
    ehd_provider provider = EHD_PROVIDER_INIT;
    assert_int_equal(ehd_provider_open(&provider, "Race", NULL, &options), 0);

    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, RACE_THREADS);
    race races[RACE_THREADS];
    pthread_t threads[RACE_THREADS];
    for (unsigned t = 0; t < RACE_THREADS; t++) {
        races[t] = (race){ .provider = &provider, .start = &start, .first_key = t * 7 };
        assert_int_equal(pthread_create(&threads[t], NULL, race_thread, &races[t]), 0);
    }
    for (unsigned t = 0; t < RACE_THREADS; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);
    pthread_barrier_destroy(&start);

    for (unsigned key = 0; key < RACE_KEYS; key++) {
        ehd_event_set *set = ehd_provider_find_set(&provider, (uint8_t)(1 + key % 5), key);
        assert_non_null(set);
        for (unsigned t = 0; t < RACE_THREADS; t++)
            assert_ptr_equal(races[t].seen[key], set);
    }
    size_t count = 0;
    for (ehd_event_set *set = provider.sets; set != NULL; set = set->next)
        count++;
    assert_int_equal(count, RACE_KEYS);

    ehd_provider_close(&provider);
    assert_int_equal(scratch_dir_remove(&s), 0);
}

/* ---- this machine: a kernel without user_events ------------------------- */

/*
 * Works out what ehd_provider_open must say on this machine, reading
 * /proc/mounts independently of the library. Returns false (with the path in
 * `found`) when user_events_data does exist, so the test cannot run here.
 */
static bool expected_open_errno(int *expected, char *found, size_t found_size)
{
    FILE *mounts = fopen("/proc/mounts", "re");
    assert_non_null(mounts);
    char device[512], mount_point[512], fs_type[64];
    bool traced_fs = false;
    int matched;
    while ((matched = fscanf(mounts, "%511s %511s %63s%*[^\n]", device, mount_point, fs_type)) !=
           EOF) {
        if (matched != 3)
            break;
        const char *suffix = strcmp(fs_type, "tracefs") == 0   ? "/user_events_data"
                             : strcmp(fs_type, "debugfs") == 0 ? "/tracing/user_events_data"
                                                               : NULL;
        if (suffix == NULL)
            continue;
        traced_fs = true;
        snprintf(found, found_size, "%s%s", mount_point, suffix);
        if (exists(found)) {
            fclose(mounts);
            return false;
        }
    }
    fclose(mounts);
    *expected = traced_fs ? ENOENT : ENOTSUP;
    return true;
}

static void test_kernel_without_user_events(void **state)
{
    (void)state;
    int expected;
    char found[1100];
    if (!expected_open_errno(&expected, found, sizeof(found))) {
        print_message("SKIP: %s exists: this kernel has user_events, so the "
                      "no-user_events path cannot be checked here\n",
                      found);
        skip();
    }

    ehd_provider provider = EHD_PROVIDER_INIT;
    assert_int_equal(ehd_provider_open(&provider, "MyProvider", NULL, NULL), expected);
    assert_int_equal(ehd_provider_errno(&provider), expected);
    assert_int_equal(ehd_provider_backend(&provider), EHD_BACKEND_NONE);
    assert_int_equal(provider.data_fd, -1);

    ehd_event_set *set = ehd_provider_register_set(&provider, 4, 0x10);
    assert_non_null(set);
    assert_string_equal(ehd_event_set_name(set), "MyProvider_L4K10");
    assert_int_equal(ehd_event_set_errno(set), expected);
    assert_false(ehd_event_set_enabled(set));
    assert_int_equal(set->any_bit, -1);
    assert_false(ehd_provider_any_enabled(&provider));
    assert_ptr_equal(ehd_provider_register_set(&provider, 4, 0x10), set);
    assert_ptr_equal(ehd_provider_find_set(&provider, 4, 0x10), set);

    uint8_t header[8] = { 0x07, 0, 0, 0, 0, 0, 0, 4 };
    struct iovec iov[3] = { { NULL, 0 }, { NULL, 0 }, { header, sizeof(header) } };
    assert_int_equal(ehd_event_set_writev(set, iov, 3), EBADF);

    ehd_provider_close(&provider);
    ehd_provider_close(&provider);
    assert_int_equal(ehd_provider_errno(&provider), EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_size),
        cmocka_unit_test(test_invalid_names_are_einval),
        cmocka_unit_test(test_longest_names_are_accepted),
        cmocka_unit_test(test_format_tracepoint_name),
        cmocka_unit_test(test_set_tracepoint_names),
        cmocka_unit_test(test_register_once_and_find),
        cmocka_unit_test(test_closed_provider_is_inert),
        cmocka_unit_test(test_open_twice_is_ebusy_and_reopen_after_close),
        cmocka_unit_test(test_any_enabled),
        cmocka_unit_test(test_concurrent_register_and_find),
        cmocka_unit_test(test_kernel_without_user_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
