/*
 * ktest_big --ready FILE --go FILE --done FILE SIZE...: measures the largest
 * event that
 * user_events delivers. Registers KtestBig_L4K1, creates FILE (--ready),
 * waits until the tracepoint is enabled and the --go file exists, then
 * writes one event of exactly SIZE bytes (header to end of data) for each
 * SIZE, straight to user_events_data past the core's size check, so the
 * kernel alone decides what arrives. Each event carries its size in field
 * `size` and its position in the header's id, for readers that see only
 * the header (ftrace's `trace` file).
 *
 * Then, through the core: an event of EHD_USER_EVENTS_EVENT_MAX bytes must
 * be written (field `via` = "core") and one byte more must be refused with
 * EMSGSIZE before it reaches the kernel.
 *
 * Then creates the --done file and keeps the tracepoint registered until
 * the --go file is gone, so that ftrace's `trace` file can still name the
 * events it holds.
 *
 * Prints "wrote SIZE" per raw event and "core: ..." lines; exit status 0
 * when every write went as described, 1 otherwise, 2 for bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "ehd/ehd.h"
#include "../lib/ktest_wait.h"

enum { SIZE_LIMIT = 65535 };

static char padding[SIZE_LIMIT];

/* Builds an event of exactly `size` bytes into `builder`; false when the
 * fields alone are larger. */
static bool build_sized(ehd_builder *builder, uint16_t id, uint32_t size, const char *via)
{
    for (int pass = 0; pass < 2; pass++) {
        size_t pad = 0;
        if (pass == 1) {
            size_t bare = ehd_builder_event_size(builder);
            if (bare > size)
                return false;
            pad = size - bare;
        }
        ehd_builder_reset(builder, "Big", 0);
        ehd_builder_id_version(builder, id, 0);
        ehd_builder_add_value(builder, "size", &size, sizeof size, EHD_FMT_DEFAULT, 0);
        if (via != NULL)
            ehd_builder_add_string(builder, "via", via, 1, strlen(via), EHD_FMT_DEFAULT, 0);
        ehd_builder_add_string(builder, "pad", padding, 1, pad, EHD_FMT_DEFAULT, 0);
    }
    return ehd_builder_event_size(builder) == size;
}

int main(int argc, char **argv)
{
    const char *ready_path = NULL, *go_path = NULL, *done_path = NULL;
    int first_size = 1;
    for (; first_size + 1 < argc && argv[first_size][0] == '-'; first_size += 2) {
        if (strcmp(argv[first_size], "--ready") == 0)
            ready_path = argv[first_size + 1];
        else if (strcmp(argv[first_size], "--go") == 0)
            go_path = argv[first_size + 1];
        else if (strcmp(argv[first_size], "--done") == 0)
            done_path = argv[first_size + 1];
    }
    if (ready_path == NULL || go_path == NULL || done_path == NULL || first_size >= argc) {
        fprintf(stderr, "usage: ktest_big --ready FILE --go FILE --done FILE SIZE...\n");
        return 2;
    }
    memset(padding, 'p', sizeof padding);

    ehd_provider provider = EHD_PROVIDER_INIT;
    ehd_event_set *set = ktest_open_and_wait(&provider, "KtestBig", ready_path, go_path, "ktest_big");
    if (set == NULL)
        return 1;

    static uint8_t event[SIZE_LIMIT];
    ehd_builder *builder = ehd_builder_new(NULL);
    int failures = 0;
    for (int i = first_size; i < argc; i++) {
        unsigned long size = strtoul(argv[i], NULL, 10);
        size_t got = 0;
        if (size > SIZE_LIMIT || !build_sized(builder, (uint16_t)(i - first_size + 1),
                                              (uint32_t)size, NULL) ||
            ehd_builder_copy_event(builder, 4, NULL, NULL, event, sizeof event, &got) != 0 ||
            got != size) {
            fprintf(stderr, "ktest_big: cannot build an event of %lu bytes\n", size);
            failures++;
            continue;
        }
        uint32_t write_index = set->write_index;
        struct iovec iov[2] = { { &write_index, sizeof write_index }, { event, got } };
        ssize_t written = writev(ehd_provider_fd(&provider), iov, 2);
        if (written != (ssize_t)(sizeof write_index + got)) {
            fprintf(stderr, "ktest_big: writev of %lu bytes: %s\n", size,
                    written < 0 ? strerror(errno) : "short");
            failures++;
            continue;
        }
        printf("wrote %lu\n", size);
    }

    size_t max = ehd_provider_event_max(&provider);
    int rc;
    if (!build_sized(builder, 0, (uint32_t)max, "core") ||
        (rc = ehd_builder_write(builder, set, NULL, NULL)) != 0) {
        fprintf(stderr, "ktest_big: core write of %zu bytes failed\n", max);
        failures++;
    } else {
        printf("core: wrote %zu\n", max);
    }
    if (!build_sized(builder, 0, (uint32_t)max + 1, "core") ||
        (rc = ehd_builder_write(builder, set, NULL, NULL)) != EMSGSIZE) {
        fprintf(stderr, "ktest_big: core write of %zu bytes was not refused with EMSGSIZE\n",
                max + 1);
        failures++;
    } else {
        printf("core: refused %zu (EMSGSIZE)\n", max + 1);
    }
    ehd_builder_free(builder);
    fflush(stdout);
    close(open(done_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    struct timespec pause = { 0, 10 * 1000000 };
    for (int i = 0; i < 6000 && access(go_path, F_OK) == 0; i++)
        nanosleep(&pause, NULL);
    ehd_provider_close(&provider);
    return failures == 0 ? 0 : 1;
}
