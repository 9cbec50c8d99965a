/*
 * ehshim decode [--no-stamp] [FILE.dat ...]: prints the JSON line of every
 * record of capture files, standard input when no file is given or for "-".
 * A stamped record (ehd_capture.h) shows its time, pid and tid first in
 * "meta", as `ehshim listen` shows a live event's.
 *
 * A record whose event is malformed gets a message on stderr and the next
 * record is decoded; a broken record frame (size word) stops that file,
 * since nothing after it can be trusted to start a record. Either makes the
 * exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture_reader.h"
#include "commands.h"
#include "ehd/ehd_capture.h"
#include "ehd/ehd_decode.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ehshim decode [--no-stamp] [FILE.dat ...]\n"
            "\n"
            "Prints every record of the capture files as one JSON line, as the\n"
            "reference EventHeader formatter does. Reads standard input when no\n"
            "FILE is given or FILE is '-'. Problems are reported on stderr as\n"
            "'FILE: record N at offset X: what is wrong' (records count from 1,\n"
            "offsets are bytes from the start of the file); the exit status is\n"
            "then 1.\n"
            "\n"
            "Records written by the shim's capture backend or by 'ehshim listen'\n"
            "into a file carry when and by whom each event was written: \"meta\"\n"
            "then starts with "
            "\"time\" (UTC), \"pid\" and \"tid\", as 'ehshim listen' prints them.\n"
            "\n"
            "options:\n"
            "  --no-stamp   leave time, pid and tid out (output that is the same\n"
            "               for the same events on every run)\n"
            "  -h, --help   show this help\n");
}

/* Decodes one file to stdout. Returns true when anything was wrong. */
static bool decode_file(const char *path, ehd_text *line, bool show_stamp)
{
    bool from_stdin = strcmp(path, "-") == 0;
    const char *shown = from_stdin ? "<stdin>" : path;
    int fd = from_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "ehshim: %s: %s\n", shown, strerror(errno));
        return true;
    }
    capture_reader r = { .fd = fd };
    bool failed = false;
    size_t offset = 0;
    for (unsigned long number = 1;; number++) {
        const char *why = NULL;
        size_t at = 0, size = 0;
        int err = capture_reader_next(&r, &at, &size, &why);
        if (err == ENODATA)
            break;
        if (err == EBADMSG) {
            fprintf(stderr, "ehshim: %s: record %lu at offset %zu: %s\n", shown, number, offset,
                    why);
            failed = true;
            break;
        }
        if (err != 0) {
            fprintf(stderr, "ehshim: %s: %s\n", shown, strerror(err));
            failed = true;
            break;
        }
        size_t record_offset = offset;
        offset += size;
        ehd_capture_record record;
        size_t within = 0;
        err = ehd_capture_next(r.buf + at, size, &within, &record, &why);
        if (err != 0) {
            /* The record's size word was good (capture_reader_next checked
             * it): a bad name costs this record only. */
            fprintf(stderr, "ehshim: %s: record %lu at offset %zu: %s\n", shown, number,
                    record_offset, why != NULL ? why : strerror(err));
            failed = true;
            continue;
        }
        ehd_decode_error problem;
        ehd_text_clear(line);
        /* A stamped record (capture backend, listen -o) says when and who
         * wrote it: shown first in "meta", as listen shows it. */
        ehd_sample_meta stamp;
        bool stamped =
            show_stamp && ehd_capture_stamp(record.event, record.event_size, &stamp);
        err = ehd_decode_json_ex(line, record.tracepoint_name, record.name_len, record.event,
                                 record.event_size, stamped ? &stamp : NULL, &problem);
        if (err != 0) {
            fprintf(stderr, "ehshim: %s: record %lu at offset %zu: %s\n", shown, number,
                    record_offset, problem.message[0] != '\0' ? problem.message : strerror(err));
            failed = true;
            continue;
        }
        fwrite(line->chars, 1, line->len, stdout);
        putchar('\n');
    }
    capture_reader_free(&r);
    if (!from_stdin)
        close(fd);
    return failed;
}

/* Options come before "--"; "-" alone is a file (standard input). */
static bool is_option(const char *arg, bool options_ended)
{
    return !options_ended && arg[0] == '-' && arg[1] != '\0';
}

int cmd_decode(int argc, char **argv)
{
    bool options_ended = false, show_stamp = true;
    for (int i = 1; i < argc; i++) {
        if (!is_option(argv[i], options_ended))
            continue;
        if (strcmp(argv[i], "--") == 0) {
            options_ended = true;
        } else if (strcmp(argv[i], "--no-stamp") == 0) {
            show_stamp = false;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "ehshim decode: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }

    ehd_text line = EHD_TEXT_INIT;
    bool failed = false, any_file = false;
    options_ended = false;
    for (int i = 1; i < argc; i++) {
        if (is_option(argv[i], options_ended)) {
            if (strcmp(argv[i], "--") == 0)
                options_ended = true;
            continue;
        }
        any_file = true;
        failed |= decode_file(argv[i], &line, show_stamp);
    }
    if (!any_file)
        failed |= decode_file("-", &line, show_stamp);
    ehd_text_free(&line);

    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "ehshim: writing the output: %s\n", strerror(errno));
        failed = true;
    }
    return failed ? 1 : 0;
}
