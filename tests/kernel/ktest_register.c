/*
 * ktest_register TRACEFS_DIR: registration through the real kernel.
 *
 * A set registered with the user_events backend must see its enable bit go
 * 0 -> 1 -> 0 as its tracepoint is enabled and disabled through tracefs;
 * a write must succeed exactly while it is enabled (and land in the trace
 * buffer); closing the provider must unregister, so the tracepoint goes.
 * The provider's any-enabled word (ehd_provider_any_enabled, a second
 * registration of every set with a bit of that word) must follow, for a
 * set with a bit of its own and for one past the word's bits.
 *
 * Prints one line per check ("ok ..." or "FAIL ..."); exit status 0 when
 * every check passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ehd/ehd.h"

#define PROVIDER "KtestRegister"
enum { LEVEL = 4, KEYWORD = 0x5 };

static const char *tracefs;
static int failures;

static void check(bool ok, const char *what, const char *detail)
{
    printf("%s %s%s%s\n", ok ? "ok" : "FAIL", what, detail[0] ? ": " : "", detail);
    failures += !ok;
}

static void sleep_ms(long ms)
{
    struct timespec pause = { ms / 1000, (ms % 1000) * 1000000 };
    nanosleep(&pause, NULL);
}

/* Waits up to two seconds for the set's enable state to become `want`. */
static bool wait_enabled(const ehd_event_set *set, bool want)
{
    for (int i = 0; i < 200; i++) {
        if (ehd_event_set_enabled(set) == want)
            return true;
        sleep_ms(10);
    }
    return ehd_event_set_enabled(set) == want;
}

/* The same for "some set of the provider is enabled". */
static bool wait_any_enabled(const ehd_provider *provider, bool want)
{
    for (int i = 0; i < 200; i++) {
        if (ehd_provider_any_enabled(provider) == want)
            return true;
        sleep_ms(10);
    }
    return ehd_provider_any_enabled(provider) == want;
}

static void tracepoint_path(char *out, size_t size, const char *name, const char *file)
{
    snprintf(out, size, "%s/events/user_events/%s%s%s", tracefs, name, file[0] ? "/" : "", file);
}

static bool write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    return close(fd) == 0 && ok;
}

/* True when the trace buffer holds a line with `needle`. */
static bool trace_holds(const char *needle)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/trace", tracefs);
    FILE *trace = fopen(path, "re");
    if (trace == NULL)
        return false;
    char line[4096];
    bool found = false;
    while (!found && fgets(line, sizeof line, trace) != NULL)
        found = strstr(line, needle) != NULL;
    fclose(trace);
    return found;
}

static int write_event(ehd_builder *builder, const ehd_event_set *set, uint32_t value)
{
    ehd_builder_reset(builder, "Probe", 0);
    ehd_builder_add_value(builder, "value", &value, sizeof value, EHD_FMT_DEFAULT, 0);
    return ehd_builder_write(builder, set, NULL, NULL);
}

/* More sets than the any-enabled word has bits: the last one has none, and
 * ehd_provider_any_enabled must still see it. */
static void check_many_sets(void)
{
    enum { SETS = EHD_ANY_ENABLED_BITS + 2 };
    char detail[512];
    ehd_provider provider = EHD_PROVIDER_INIT;
    int err = ehd_provider_open(&provider, PROVIDER "Many", NULL, NULL);
    ehd_event_set *last = NULL;
    int failed = 0;
    for (int i = 0; err == 0 && i < SETS; i++) {
        last = ehd_provider_register_set(&provider, (uint8_t)(1 + i % 5), (uint64_t)(1 + i / 5));
        failed += last == NULL || ehd_event_set_errno(last) != 0;
    }
    snprintf(detail, sizeof detail, "%d sets, %d failed%s%s", SETS, failed, err ? ": " : "",
             err ? strerror(err) : "");
    check(err == 0 && failed == 0, "more sets than the any-enabled word has bits register",
          detail);
    if (err != 0 || failed != 0 || last == NULL) {
        ehd_provider_close(&provider);
        return;
    }
    check(!ehd_provider_any_enabled(&provider), "any-enabled starts false with many sets", "");
    char name[EHD_NAME_MAX];
    snprintf(name, sizeof name, "%s", ehd_event_set_name(last));
    char path[4400];
    tracepoint_path(path, sizeof path, name, "enable");
    check(write_file(path, "1"), "enabling a set without a bit of its own", path);
    check(wait_enabled(last, true) && wait_any_enabled(&provider, true),
          "any-enabled sees a set without a bit of its own", "");
    check(write_file(path, "0"), "disabling it again", path);
    check(wait_any_enabled(&provider, false), "any-enabled goes back to false", "");
    ehd_provider_close(&provider);
}

int main(int argc, char **argv)
{
    tracefs = argc > 1 ? argv[1] : "/sys/kernel/tracing";
    char detail[512];

    ehd_provider provider = EHD_PROVIDER_INIT;
    int err = ehd_provider_open(&provider, PROVIDER, NULL, NULL);
    snprintf(detail, sizeof detail, "%s", err ? strerror(err) : "");
    check(err == 0 && ehd_provider_backend(&provider) == EHD_BACKEND_USER_EVENTS,
          "provider opens on user_events", detail);
    ehd_event_set *set = ehd_provider_register_set(&provider, LEVEL, KEYWORD);
    err = set ? ehd_event_set_errno(set) : ENOMEM;
    snprintf(detail, sizeof detail, "%s", err ? strerror(err) : "");
    check(err == 0, "set registers", detail);
    if (err != 0)
        return 1;
    /* Copied: the set's own copy goes with the provider. */
    char name[EHD_NAME_MAX];
    snprintf(name, sizeof name, "%s", ehd_event_set_name(set));

    char path[4400];
    tracepoint_path(path, sizeof path, name, "");
    check(access(path, F_OK) == 0, "registration creates the tracepoint", path);
    check(!ehd_event_set_enabled(set), "enable bit starts at 0", "");
    /* A second set, so that the provider's any-enabled word has two bits. */
    ehd_event_set *other = ehd_provider_register_set(&provider, LEVEL + 1, KEYWORD);
    check(other != NULL && ehd_event_set_errno(other) == 0, "a second set registers", "");
    check(!ehd_provider_any_enabled(&provider), "any-enabled starts false", "");

    ehd_builder *builder = ehd_builder_new(NULL);
    err = write_event(builder, set, 1);
    snprintf(detail, sizeof detail, "got %s", err ? strerror(err) : "success");
    check(err == EBADF, "a write while disabled returns EBADF", detail);

    tracepoint_path(path, sizeof path, name, "enable");
    check(write_file(path, "1"), "enabling through tracefs", path);
    check(wait_enabled(set, true), "enable bit goes to 1", "");
    check(wait_any_enabled(&provider, true), "any-enabled goes true with it", "");
    err = write_event(builder, set, 0xC0FFEE);
    snprintf(detail, sizeof detail, "%s", err ? strerror(err) : "");
    check(err == 0, "a write while enabled succeeds", detail);
    check(trace_holds(name), "the event is in the trace buffer", name);

    check(write_file(path, "0"), "disabling through tracefs", path);
    check(wait_enabled(set, false), "enable bit goes back to 0", "");
    check(wait_any_enabled(&provider, false), "any-enabled goes back to false", "");
    err = write_event(builder, set, 2);
    snprintf(detail, sizeof detail, "got %s", err ? strerror(err) : "success");
    check(err == EBADF, "a write after disabling returns EBADF", detail);

    ehd_provider_close(&provider);
    ehd_builder_free(builder);
    /* The kernel frees an unregistered tracepoint from a work queue. */
    tracepoint_path(path, sizeof path, name, "");
    bool gone = false;
    for (int i = 0; i < 300 && !gone; i++) {
        gone = access(path, F_OK) != 0 && errno == ENOENT;
        if (!gone)
            sleep_ms(10);
    }
    check(gone, "closing the provider removes the tracepoint", path);

    check_many_sets();
    return failures == 0 ? 0 : 1;
}
