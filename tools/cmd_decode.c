/*
 * ehshim decode [FILE.dat ...]: prints the JSON line of every record of
 * capture files, standard input when no file is given or for "-".
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
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "ehd/ehd_capture.h"
#include "ehd/ehd_decode.h"

/* Files are read whole; this bounds the memory a mistaken argument costs. */
#define INPUT_MAX ((size_t)1 << 30)

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ehshim decode [FILE.dat ...]\n"
            "\n"
            "Prints every record of the capture files as one JSON line, as the\n"
            "reference EventHeader formatter does. Reads standard input when no\n"
            "FILE is given or FILE is '-'. Problems are reported on stderr as\n"
            "'FILE: record N at offset X: what is wrong' (records count from 1,\n"
            "offsets are bytes from the start of the file); the exit status is\n"
            "then 1.\n"
            "\n"
            "options:\n"
            "  -h, --help   show this help\n");
}

/* Reads all of `fd` into a heap buffer. Returns 0, E2BIG past INPUT_MAX,
 * ENOMEM, or the errno of read. */
static int read_all(int fd, uint8_t **bytes_out, size_t *size_out)
{
    size_t capacity = 1 << 16, size = 0;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        if ((uintmax_t)st.st_size > INPUT_MAX)
            return E2BIG;
        capacity = (size_t)st.st_size + 1; /* +1: EOF shows without growing */
    }
    uint8_t *bytes = malloc(capacity);
    if (bytes == NULL)
        return ENOMEM;
    for (;;) {
        if (size == capacity) {
            if (capacity > INPUT_MAX) {
                free(bytes);
                return E2BIG;
            }
            size_t bigger = capacity * 2 > INPUT_MAX + 1 ? INPUT_MAX + 1 : capacity * 2;
            uint8_t *grown = realloc(bytes, bigger);
            if (grown == NULL) {
                free(bytes);
                return ENOMEM;
            }
            bytes = grown;
            capacity = bigger;
        }
        ssize_t n = read(fd, bytes + size, capacity - size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int err = errno;
            free(bytes);
            return err;
        }
        if (n == 0)
            break;
        size += (size_t)n;
        if (size > INPUT_MAX) {
            free(bytes);
            return E2BIG;
        }
    }
    *bytes_out = bytes;
    *size_out = size;
    return 0;
}

static int load(const char *path, uint8_t **bytes, size_t *size)
{
    if (strcmp(path, "-") == 0)
        return read_all(STDIN_FILENO, bytes, size);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int err = read_all(fd, bytes, size);
    close(fd);
    return err;
}

/* Decodes one file to stdout. Returns true when anything was wrong. */
static bool decode_file(const char *path, ehd_text *line)
{
    const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
    uint8_t *bytes = NULL;
    size_t size = 0;
    int err = load(path, &bytes, &size);
    if (err != 0) {
        if (err == E2BIG)
            fprintf(stderr, "ehshim: %s: larger than 1 GiB; refusing to read it whole\n", shown);
        else
            fprintf(stderr, "ehshim: %s: %s\n", shown, strerror(err));
        return true;
    }

    bool failed = false;
    size_t offset = 0;
    for (unsigned long number = 1;; number++) {
        ehd_capture_record record;
        const char *why = NULL;
        size_t record_offset = offset;
        err = ehd_capture_next(bytes, size, &offset, &record, &why);
        if (err == ENODATA)
            break;
        if (err != 0) {
            fprintf(stderr, "ehshim: %s: record %lu at offset %zu: %s\n", shown, number,
                    record_offset, why != NULL ? why : strerror(err));
            failed = true;
            break;
        }
        ehd_decode_error problem;
        ehd_text_clear(line);
        err = ehd_decode_json(line, record.tracepoint_name, record.name_len, record.event,
                              record.event_size, &problem);
        if (err != 0) {
            fprintf(stderr, "ehshim: %s: record %lu at offset %zu: %s\n", shown, number,
                    record_offset, problem.message[0] != '\0' ? problem.message : strerror(err));
            failed = true;
            continue;
        }
        fwrite(line->chars, 1, line->len, stdout);
        putchar('\n');
    }
    free(bytes);
    return failed;
}

/* Options come before "--"; "-" alone is a file (standard input). */
static bool is_option(const char *arg, bool options_ended)
{
    return !options_ended && arg[0] == '-' && arg[1] != '\0';
}

int cmd_decode(int argc, char **argv)
{
    bool options_ended = false;
    for (int i = 1; i < argc; i++) {
        if (!is_option(argv[i], options_ended))
            continue;
        if (strcmp(argv[i], "--") == 0) {
            options_ended = true;
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
            options_ended = true; /* only "--" gets here */
            continue;
        }
        any_file = true;
        failed |= decode_file(argv[i], &line);
    }
    if (!any_file)
        failed |= decode_file("-", &line);
    ehd_text_free(&line);

    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "ehshim: writing the output: %s\n", strerror(errno));
        failed = true;
    }
    return failed ? 1 : 0;
}
