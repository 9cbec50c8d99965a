/*
 * Reference vectors for tests: capture files (.dat) found through the
 * EHSHIM_VECTORS directory, read whole into memory and split into records.
 *
 * A test that needs vectors calls vectors_load_or_skip() first; without the
 * directory or the file it prints "SKIP: <reason>" and exits 77, which
 * tests/run.sh counts as skipped rather than failed.
 *
 * Error convention: functions that can fail return 0 or a positive errno.
 */
#ifndef TESTS_LIB_VECTORS_H
#define TESTS_LIB_VECTORS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ehd/ehd_capture.h"

/* Exit status tests/run.sh reports as SKIP. */
#define VECTORS_EXIT_SKIP 77

/* A capture file held in memory; every record points into `bytes`. */
typedef struct vectors_file {
    char *path;                  /* the file read, heap-allocated */
    uint8_t *bytes;              /* whole file contents, heap-allocated */
    size_t size;                 /* bytes in `bytes` */
    ehd_capture_record *records; /* every record, in file order */
    size_t count;                /* entries in `records` */
} vectors_file;

/* Records picked out of a vectors_file; valid while that file is loaded. */
typedef struct vectors_selection {
    const ehd_capture_record **records; /* in file order */
    size_t count;
} vectors_selection;

/* The vectors directory from EHSHIM_VECTORS, or NULL when unset or empty. */
const char *vectors_dir(void);

/*
 * Reads the capture file at `path` and lists its records. Returns 0, the
 * errno of open/read/malloc, or EBADMSG for a malformed file; in every
 * failure `*why` (may be NULL) gets a static description and `file` is left
 * empty (safe to pass to vectors_free).
 */
int vectors_load(vectors_file *file, const char *path, const char **why);

/*
 * Loads `file_name` from the EHSHIM_VECTORS directory. When the variable is
 * unset or the file does not exist, prints "SKIP: <reason>" and exits with
 * VECTORS_EXIT_SKIP; any other failure (unreadable, malformed) is a real
 * error: it prints the reason and exits 1, because silently skipping a
 * broken reference would hide a regression.
 */
void vectors_load_or_skip(vectors_file *file, const char *file_name);

/* Frees what vectors_load allocated; the file becomes empty. */
void vectors_free(vectors_file *file);

/*
 * Selects, in file order, the records whose tracepoint name starts with
 * `prefix`. Returns 0 or ENOMEM. Free with vectors_selection_free.
 */
int vectors_select_by_prefix(const vectors_file *file, const char *prefix,
                             vectors_selection *selection);

void vectors_selection_free(vectors_selection *selection);

/*
 * Offset of the first byte at which the two buffers differ. When one is a
 * prefix of the other that is the shorter length; when they are equal,
 * SIZE_MAX.
 */
size_t vectors_first_difference(const void *expected, size_t expected_size, const void *actual,
                                size_t actual_size);

/*
 * Prints to `out` a side-by-side hex dump of `expected` and `actual` in
 * 16-byte rows around `offset`, marking the byte at `offset`, so a
 * mismatch can be read without a debugger.
 */
void vectors_print_difference(FILE *out, const void *expected, size_t expected_size,
                              const void *actual, size_t actual_size, size_t offset);

#endif /* TESTS_LIB_VECTORS_H */
