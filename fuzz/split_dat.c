/*
 * split_dat FILE.dat DIR: seeds for fuzz_decode. Writes each record of a
 * capture file as DIR/record-N (a one-record capture file) and its event
 * bytes alone as DIR/event-N (the harness also reads its input as one
 * event). Exit 0, or 1 with a message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ehd/ehd_capture.h"

static int write_file(const char *dir, const char *kind, size_t n, const void *bytes, size_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%zu", dir, kind, n);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(bytes, 1, size, f) != size || fclose(f) != 0) {
        fprintf(stderr, "split_dat: %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: split_dat FILE.dat DIR\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        fprintf(stderr, "split_dat: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    size_t size = 0, capacity = 1 << 16;
    unsigned char *buf = malloc(capacity);
    size_t got;
    while (buf != NULL && (got = fread(buf + size, 1, capacity - size, f)) > 0) {
        size += got;
        if (size == capacity)
            buf = realloc(buf, capacity *= 2);
    }
    fclose(f);
    if (buf == NULL) {
        fprintf(stderr, "split_dat: out of memory\n");
        return 1;
    }

    size_t offset = 0, n = 0;
    ehd_capture_record record;
    const char *why = NULL;
    int rc;
    while ((rc = ehd_capture_next(buf, size, &offset, &record, &why)) == 0) {
        if (write_file(argv[2], "record", n, buf + record.offset, offset - record.offset) ||
            write_file(argv[2], "event", n, record.event, record.event_size))
            return 1;
        n++;
    }
    free(buf);
    if (rc != ENODATA) {
        fprintf(stderr, "split_dat: %s: record %zu: %s\n", argv[1], n, why);
        return 1;
    }
    return 0;
}
