/*
 * bench/decode [--events N] [--passes P] [--print]
 *
 * What `ehshim decode`, `parse` and `listen` spend turning an event into
 * its JSON line (ehd_decode_json), on events of every kind: N random
 * events (default 2,000) from the round-trip tests' generator
 * (tests/lib/roundtrip_gen.c), which uses every encoding, format, array
 * and struct, random values included (floats of random bits, strings of
 * random bytes). The events are built first; then every one is decoded
 * P times over (default 50), after one untimed pass that sizes the text
 * buffer. One thread, one core.
 *
 * Prints records per second, ns per record and the bytes of JSON per
 * pass; a failed decode ends the run with exit 1. --print writes the JSON
 * lines of one pass instead, to compare one build's output with another's.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ehd/ehd.h"
#include "ehd/ehd_decode.h"

#include "../tests/lib/roundtrip_gen.h"

typedef struct stored_event {
    uint8_t *bytes;
    size_t size;
    char tracepoint[EHD_NAME_MAX];
    size_t tracepoint_len;
} stored_event;

static long option_number(const char *text, const char *name)
{
    char *end;
    long n = strtol(text, &end, 10);
    if (*end != '\0' || n <= 0) {
        fprintf(stderr, "decode: %s needs a positive number, not '%s'\n", name, text);
        exit(2);
    }
    return n;
}

/* Decodes every event once, printing each line when `print`; returns the
 * JSON bytes written, or -1. */
static long long decode_all(const stored_event *events, long count, ehd_text *json, bool print)
{
    long long bytes = 0;
    for (long i = 0; i < count; i++) {
        ehd_decode_error problem;
        ehd_text_clear(json);
        int err = ehd_decode_json(json, events[i].tracepoint, events[i].tracepoint_len,
                                  events[i].bytes, events[i].size, &problem);
        if (err != 0) {
            fprintf(stderr, "decode: event %ld: %s\n", i, problem.message);
            return -1;
        }
        bytes += (long long)json->len;
        if (print)
            printf("%s\n", json->chars);
    }
    return bytes;
}

int main(int argc, char **argv)
{
    long count = 2000, passes = 50;
    bool print = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
            count = option_number(argv[++i], "--events");
        else if (strcmp(argv[i], "--passes") == 0 && i + 1 < argc)
            passes = option_number(argv[++i], "--passes");
        else if (strcmp(argv[i], "--print") == 0)
            print = true;
        else {
            fprintf(stderr, "usage: decode [--events N] [--passes P] [--print]\n");
            return 2;
        }
    }

    static rt_generator generator;
    stored_event *events = calloc((size_t)count, sizeof *events);
    uint8_t *scratch = malloc(EHD_EVENT_MAX);
    if (events == NULL || scratch == NULL || rt_generator_init(&generator, RT_DEFAULT_SEED) != 0) {
        fprintf(stderr, "decode: out of memory\n");
        return 1;
    }
    for (long i = 0; i < count; i++) {
        rt_event header;
        size_t size = 0;
        if (!rt_generate(&generator, &header) ||
            ehd_builder_copy_event(generator.builder, header.level, rt_event_activity(&header),
                                   rt_event_related(&header), scratch, EHD_EVENT_MAX,
                                   &size) != 0) {
            fprintf(stderr, "decode: cannot generate event %ld: %s\n", i,
                    generator.problem != NULL ? generator.problem : "copy failed");
            return 1;
        }
        events[i].bytes = malloc(size);
        if (events[i].bytes == NULL) {
            fprintf(stderr, "decode: out of memory\n");
            return 1;
        }
        memcpy(events[i].bytes, scratch, size);
        events[i].size = size;
        snprintf(events[i].tracepoint, sizeof events[i].tracepoint, "%s", header.tracepoint);
        events[i].tracepoint_len = strlen(events[i].tracepoint);
    }

    ehd_text json = EHD_TEXT_INIT;
    long long pass_bytes = decode_all(events, count, &json, print); /* warm-up */
    if (pass_bytes < 0)
        return 1;
    if (!print) {
        struct timespec start, end;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
        for (long p = 0; p < passes; p++)
            if (decode_all(events, count, &json, false) < 0)
                return 1;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &end);
        double seconds =
            (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
        double records = (double)count * (double)passes;
        printf("decode: %ld random events x %ld passes: %.0f records/s, %.0f ns/record, "
               "%lld bytes of JSON per pass\n",
               count, passes, records / seconds, seconds * 1e9 / records, pass_bytes);
    }

    ehd_text_free(&json);
    for (long i = 0; i < count; i++)
        free(events[i].bytes);
    free(events);
    free(scratch);
    rt_generator_destroy(&generator);
    return 0;
}
