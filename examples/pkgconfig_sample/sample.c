/*
 * A program of its own that uses the installed ehshim core library
 * (libeventheader-dynamic) through pkg-config, with no part of the ehshim
 * source tree: see Makefile here and "Install" in the README.
 *
 *   sample [FILE.dat]
 *
 * Opens the provider "PkgSample" on user_events, or on the capture file
 * FILE.dat when one is given (every event set is then enabled), and writes
 * three events: a job that started, the job's result, and a warning.
 * `ehshim decode FILE.dat` prints them as JSON lines. On user_events the
 * events reach whoever listens (`ehshim listen PkgSample`, perf); with no
 * listener, or without user_events, nothing is written and nothing fails.
 *
 * Exit status 0; 1 when a write that should have worked failed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <ehd/ehd.h>

/* One write; EBADF only means nobody listens to that set. */
static int write_event(const ehd_builder *b, const ehd_event_set *set)
{
    int err = ehd_builder_write(b, set, NULL, NULL);
    if (err != 0 && err != EBADF) {
        fprintf(stderr, "sample: %s: %s\n", ehd_event_set_name(set), strerror(err));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = argc > 1 ? argv[1] : NULL);
    ehd_provider provider = EHD_PROVIDER_INIT;
    int err = ehd_provider_open(&provider, "PkgSample", NULL, &options);
    if (err != 0) /* not fatal: the sets stay disabled and writes do nothing */
        fprintf(stderr, "sample: provider: %s (events stay disabled)\n", strerror(err));

    /* Tracepoints PkgSample_L4K1 and PkgSample_L3K2. */
    ehd_event_set *info = ehd_provider_register_set(&provider, EHD_LEVEL_INFO, 0x1);
    ehd_event_set *warning = ehd_provider_register_set(&provider, EHD_LEVEL_WARNING, 0x2);
    printf("sample: %s %s, %s %s\n", ehd_event_set_name(info),
           ehd_event_set_enabled(info) ? "enabled" : "disabled", ehd_event_set_name(warning),
           ehd_event_set_enabled(warning) ? "enabled" : "disabled");

    int failed = 0;
    ehd_builder *b = ehd_builder_new(NULL);

    /* Building costs something: skip it when nobody listens. */
    if (ehd_event_set_enabled(info)) {
        static const char job[] = "nightly-backup";
        uint32_t workers = 4;
        ehd_builder_reset(b, "JobStarted", 0);
        ehd_builder_add_string(b, "job", job, 1, sizeof job - 1, EHD_FMT_DEFAULT, 0);
        ehd_builder_add_value(b, "workers", &workers, sizeof workers, EHD_FMT_DEFAULT, 0);
        failed |= write_event(b, info);

        uint64_t files = 1532;
        double seconds = 12.5;
        uint8_t ok = 1;
        static const char *const tags[] = { "db", "weekly" };
        static const size_t tag_lengths[] = { 2, 6 };
        ehd_builder_reset(b, "JobDone", 0);
        ehd_builder_id_version(b, 7, 1);
        ehd_builder_add_string(b, "job", job, 1, sizeof job - 1, EHD_FMT_DEFAULT, 0);
        ehd_builder_add_value(b, "files", &files, sizeof files, EHD_FMT_DEFAULT, 0);
        ehd_builder_add_value(b, "seconds", &seconds, sizeof seconds, EHD_FMT_FLOAT, 0);
        ehd_builder_add_value(b, "ok", &ok, sizeof ok, EHD_FMT_BOOLEAN, 0);
        ehd_builder_add_string_array(b, "tags", (const void *const *)tags, tag_lengths, 1, 2,
                                     EHD_FMT_DEFAULT, 0);
        failed |= write_event(b, info);
    }
    if (ehd_event_set_enabled(warning)) {
        static const char path[] = "/var/backups/db.tar";
        int32_t error = ENOSPC;
        ehd_builder_reset(b, "DiskLow", 0);
        ehd_builder_add_struct(b, "disk", 2, 0);
        ehd_builder_add_string(b, "path", path, 1, sizeof path - 1, EHD_FMT_DEFAULT, 0);
        ehd_builder_add_value(b, "free_pct", &(uint8_t){ 3 }, 1, EHD_FMT_DEFAULT, 0);
        ehd_builder_add_value(b, "errno", &error, sizeof error, EHD_FMT_ERRNO, 0);
        failed |= write_event(b, warning);
    }

    ehd_builder_free(b);
    ehd_provider_close(&provider);
    return failed;
}
