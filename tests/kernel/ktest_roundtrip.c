/*
 * ktest_roundtrip --capture FILE.dat --ready FILE [--events N] [--seed S]
 *                 [--wait SECONDS]
 *
 * Emits the events of the core round-trip suite (tests/lib/roundtrip_gen,
 * same seed, same events) twice: into a capture file, and through the
 * kernel's user_events. The test then compares `ehshim decode` of the
 * capture with what `ehshim listen` collected.
 *
 * Every tracepoint is registered first; then FILE (--ready) is created and
 * the program waits until a listener has enabled every one of them, so no
 * event is written to nobody. Exit status 0 when every event was written
 * both ways; messages on stderr say what went wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../lib/roundtrip_gen.h"
#include "ehd/ehd.h"

/* One generated event, ready to write. */
typedef struct stored_event {
    uint8_t level;
    uint64_t keyword;
    uint8_t *bytes;
    size_t size;
    ehd_event_set *set;  /* of the provider being written to */
} stored_event;

typedef struct options {
    const char *capture_path;
    const char *ready_path;
    size_t events;
    uint64_t seed;
    long wait_seconds;
} options;

static int usage(void)
{
    fprintf(stderr, "usage: ktest_roundtrip --capture FILE.dat --ready FILE [--events N] "
                    "[--seed S] [--wait SECONDS]\n");
    return 2;
}

static bool parse_options(int argc, char **argv, options *opt)
{
    *opt = (options){ NULL, NULL, 3000, RT_DEFAULT_SEED, 120 };
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *value = argv[i + 1];
        if (strcmp(argv[i], "--capture") == 0)
            opt->capture_path = value;
        else if (strcmp(argv[i], "--ready") == 0)
            opt->ready_path = value;
        else if (strcmp(argv[i], "--events") == 0)
            opt->events = strtoul(value, NULL, 0);
        else if (strcmp(argv[i], "--seed") == 0)
            opt->seed = strtoull(value, NULL, 0);
        else if (strcmp(argv[i], "--wait") == 0)
            opt->wait_seconds = strtol(value, NULL, 0);
        else
            return false;
    }
    return argc % 2 == 1 && opt->capture_path != NULL && opt->ready_path != NULL;
}

static bool generate(const options *opt, stored_event *events)
{
    static rt_generator generator;
    if (rt_generator_init(&generator, opt->seed) != 0)
        return false;
    static uint8_t buffer[EHD_EVENT_MAX];
    bool ok = true;
    for (size_t i = 0; i < opt->events && ok; i++) {
        rt_event event;
        size_t size = 0;
        if (!rt_generate(&generator, &event)) {
            fprintf(stderr, "ktest_roundtrip: event %zu: %s\n", i, generator.problem);
            ok = false;
        } else if (ehd_builder_copy_event(generator.builder, event.level,
                                          rt_event_activity(&event), rt_event_related(&event),
                                          buffer, sizeof buffer, &size) != 0 ||
                   (events[i].bytes = malloc(size)) == NULL) {
            fprintf(stderr, "ktest_roundtrip: event %zu could not be copied\n", i);
            ok = false;
        } else {
            memcpy(events[i].bytes, buffer, size);
            events[i] = (stored_event){ event.level, event.keyword, events[i].bytes, size, NULL };
        }
    }
    rt_generator_destroy(&generator);
    return ok;
}

/* Writes every event to its set; returns how many failed. A short pause
 * now and then lets a listener on the same CPU drain its ring: the test is
 * about what arrives, not about how fast. */
static size_t write_all(const stored_event *events, size_t count)
{
    size_t failed = 0;
    struct timespec pause = { 0, 200 * 1000 };
    for (size_t i = 0; i < count; i++) {
        if (i % 50 == 49)
            nanosleep(&pause, NULL);
        ehd_event_set *set = events[i].set;
        struct iovec iov[3] = { { NULL, 0 }, { NULL, 0 }, { events[i].bytes, events[i].size } };
        int err = ehd_event_set_writev(set, iov, 3);
        if (err != 0 && failed++ < 5)
            fprintf(stderr, "ktest_roundtrip: writing event %zu to %s: %s\n", i,
                    set ? ehd_event_set_name(set) : "(no set)", strerror(err));
    }
    return failed;
}

/* Registers every event's set with `provider`; returns how many failed. */
static size_t register_all(ehd_provider *provider, stored_event *events, size_t count)
{
    size_t failed = 0;
    for (size_t i = 0; i < count; i++) {
        ehd_event_set *set = ehd_provider_register_set(provider, events[i].level,
                                                       events[i].keyword);
        events[i].set = set;
        int err = set ? ehd_event_set_errno(set) : ENOMEM;
        if (err != 0 && failed++ < 5)
            fprintf(stderr, "ktest_roundtrip: registering event %zu: %s\n", i, strerror(err));
    }
    return failed;
}

/* Waits until every event's set is enabled; false after `seconds`. A
 * listener only ever adds tracepoints, so the scan resumes where it stopped. */
static bool wait_all_enabled(const stored_event *events, size_t count, long seconds)
{
    struct timespec pause = { 0, 20 * 1000000 };
    size_t enabled = 0;
    for (long round = 0; round < seconds * 50; round++) {
        while (enabled < count && ehd_event_set_enabled(events[enabled].set))
            enabled++;
        if (enabled == count)
            return true;
        nanosleep(&pause, NULL);
    }
    return false;
}

int main(int argc, char **argv)
{
    options opt;
    if (!parse_options(argc, argv, &opt) || opt.events == 0)
        return usage();
    stored_event *events = calloc(opt.events, sizeof *events);
    if (events == NULL || !generate(&opt, events))
        return 1;

    ehd_provider capture = EHD_PROVIDER_INIT;
    ehd_provider_options capture_options = EHD_PROVIDER_OPTIONS(.capture_path = opt.capture_path);
    int err = ehd_provider_open(&capture, RT_PROVIDER, NULL, &capture_options);
    if (err != 0) {
        fprintf(stderr, "ktest_roundtrip: %s: %s\n", opt.capture_path, strerror(err));
        return 1;
    }
    size_t failed = register_all(&capture, events, opt.events);
    failed += write_all(events, opt.events);
    ehd_provider_close(&capture);

    ehd_provider live = EHD_PROVIDER_INIT;
    err = ehd_provider_open(&live, RT_PROVIDER, NULL, NULL);
    if (err != 0) {
        fprintf(stderr, "ktest_roundtrip: user_events: %s\n", strerror(err));
        return 1;
    }
    failed += register_all(&live, events, opt.events);
    int ready = open(opt.ready_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (ready < 0) {
        fprintf(stderr, "ktest_roundtrip: %s: %s\n", opt.ready_path, strerror(errno));
        return 1;
    }
    close(ready);
    if (!wait_all_enabled(events, opt.events, opt.wait_seconds)) {
        fprintf(stderr, "ktest_roundtrip: not every tracepoint was enabled within %ld s\n",
                opt.wait_seconds);
        return 1;
    }
    failed += write_all(events, opt.events);
    ehd_provider_close(&live);
    for (size_t i = 0; i < opt.events; i++)
        free(events[i].bytes);
    free(events);
    printf("ktest_roundtrip: %zu events written twice, %zu failures\n", opt.events, failed);
    return failed == 0 ? 0 : 1;
}
