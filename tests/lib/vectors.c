/* Reference vectors for tests (see vectors.h). */
#include "vectors.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes per row of the hex dump, and rows shown on each side of the one
 * holding the first difference: enough to see the field around it. */
enum { DUMP_ROW_BYTES = 16, DUMP_CONTEXT_ROWS = 2 };

const char *vectors_dir(void)
{
    const char *dir = getenv("EHSHIM_VECTORS");
    return dir != NULL && dir[0] != '\0' ? dir : NULL;
}

/* Reads all of `fd` into a new heap buffer. */
static int read_whole_fd(int fd, uint8_t **bytes_out, size_t *size_out, const char **why)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        *why = "cannot stat the file";
        return errno;
    }
    if (!S_ISREG(st.st_mode)) {
        *why = "not a regular file";
        return EINVAL;
    }
    size_t size = (size_t)st.st_size;
    /* One spare byte so an empty file still gets a non-NULL buffer. */
    uint8_t *bytes = malloc(size + 1);
    if (bytes == NULL) {
        *why = "out of memory";
        return ENOMEM;
    }
    size_t done = 0;
    while (done < size) {
        ssize_t got = read(fd, bytes + done, size - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            int err = got < 0 ? errno : EIO;
            *why = got < 0 ? "read failed" : "file shrank while being read";
            free(bytes);
            return err;
        }
        done += (size_t)got;
    }
    *bytes_out = bytes;
    *size_out = size;
    return 0;
}

/* Walks the records twice: once to count them, once to fill the array, so
 * the array is allocated exactly once. */
static int list_records(vectors_file *file, const char **why)
{
    size_t count = 0;
    size_t offset = 0;
    ehd_capture_record record;
    int err;
    while ((err = ehd_capture_next(file->bytes, file->size, &offset, &record, why)) == 0)
        count++;
    if (err != ENODATA)
        return err;

    file->records = calloc(count ? count : 1, sizeof *file->records);
    if (file->records == NULL) {
        *why = "out of memory";
        return ENOMEM;
    }
    offset = 0;
    for (size_t i = 0; i < count; i++)
        (void)ehd_capture_next(file->bytes, file->size, &offset, &file->records[i], why);
    file->count = count;
    return 0;
}

int vectors_load(vectors_file *file, const char *path, const char **why)
{
    const char *ignored;
    if (why == NULL)
        why = &ignored;
    *file = (vectors_file){ 0 };

    file->path = strdup(path);
    if (file->path == NULL) {
        *why = "out of memory";
        return ENOMEM;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        *why = "cannot open the file";
        vectors_free(file);
        return err;
    }
    int err = read_whole_fd(fd, &file->bytes, &file->size, why);
    close(fd);
    if (err == 0)
        err = list_records(file, why);
    if (err != 0)
        vectors_free(file);
    return err;
}

void vectors_load_or_skip(vectors_file *file, const char *file_name)
{
    const char *dir = vectors_dir();
    if (dir == NULL) {
        printf("SKIP: EHSHIM_VECTORS is not set (directory of the reference vectors)\n");
        fflush(stdout);
        exit(VECTORS_EXIT_SKIP);
    }
    char *path;
    if (asprintf(&path, "%s/%s", dir, file_name) < 0) {
        fprintf(stderr, "vectors: out of memory\n");
        exit(1);
    }
    if (access(path, F_OK) != 0) {
        printf("SKIP: %s not found\n", path);
        fflush(stdout);
        free(path);
        exit(VECTORS_EXIT_SKIP);
    }
    const char *why = NULL;
    int err = vectors_load(file, path, &why);
    if (err != 0) {
        fprintf(stderr, "vectors: %s: %s (%s)\n", path, why, strerror(err));
        free(path);
        exit(1);
    }
    free(path);
}

void vectors_free(vectors_file *file)
{
    free(file->path);
    free(file->bytes);
    free(file->records);
    *file = (vectors_file){ 0 };
}

int vectors_select_by_prefix(const vectors_file *file, const char *prefix,
                             vectors_selection *selection)
{
    size_t prefix_len = strlen(prefix);
    *selection = (vectors_selection){ 0 };
    selection->records = calloc(file->count ? file->count : 1, sizeof *selection->records);
    if (selection->records == NULL)
        return ENOMEM;
    for (size_t i = 0; i < file->count; i++) {
        const ehd_capture_record *record = &file->records[i];
        if (record->name_len >= prefix_len &&
            memcmp(record->tracepoint_name, prefix, prefix_len) == 0)
            selection->records[selection->count++] = record;
    }
    return 0;
}

void vectors_selection_free(vectors_selection *selection)
{
    free(selection->records);
    *selection = (vectors_selection){ 0 };
}

size_t vectors_first_difference(const void *expected, size_t expected_size, const void *actual,
                                size_t actual_size)
{
    const uint8_t *a = expected;
    const uint8_t *b = actual;
    size_t common = expected_size < actual_size ? expected_size : actual_size;
    for (size_t i = 0; i < common; i++)
        if (a[i] != b[i])
            return i;
    return expected_size == actual_size ? SIZE_MAX : common;
}

/* One row of the dump; bytes past the end of the buffer show as "--". */
static void print_row(FILE *out, const char *label, const uint8_t *bytes, size_t size,
                      size_t row_start)
{
    fprintf(out, "  %06zx %s:", row_start, label);
    for (size_t i = row_start; i < row_start + DUMP_ROW_BYTES; i++) {
        if (i < size)
            fprintf(out, " %02x", bytes[i]);
        else
            fprintf(out, " --");
    }
    fputc('\n', out);
}

void vectors_print_difference(FILE *out, const void *expected, size_t expected_size,
                              const void *actual, size_t actual_size, size_t offset)
{
    size_t longest = expected_size > actual_size ? expected_size : actual_size;
    size_t diff_row = offset / DUMP_ROW_BYTES;
    size_t first_row = diff_row > DUMP_CONTEXT_ROWS ? diff_row - DUMP_CONTEXT_ROWS : 0;
    size_t last_row = diff_row + DUMP_CONTEXT_ROWS;
    size_t rows_total = (longest + DUMP_ROW_BYTES - 1) / DUMP_ROW_BYTES;
    if (rows_total == 0)
        rows_total = 1;
    if (last_row >= rows_total)
        last_row = rows_total - 1;

    for (size_t row = first_row; row <= last_row; row++) {
        size_t row_start = row * DUMP_ROW_BYTES;
        print_row(out, "expected", expected, expected_size, row_start);
        print_row(out, "built   ", actual, actual_size, row_start);
        if (row == diff_row) {
            /* "  " + 6 offset digits + " " + 8 label + ":" = 18 columns. */
            fprintf(out, "%*s^^\n", (int)(18 + 1 + 3 * (offset % DUMP_ROW_BYTES)), "");
        }
    }
}
