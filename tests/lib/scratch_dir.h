/*
 * Scratch directories for tests: a fresh directory under $TMPDIR (/tmp when
 * that is unset or empty) for the files one test makes, removed after it.
 *
 * Error convention: functions return 0 or a positive errno; they never
 * abort, so that tests without cmocka (the kernel tests) can use them.
 */
#ifndef TESTS_LIB_SCRATCH_DIR_H
#define TESTS_LIB_SCRATCH_DIR_H

#include <limits.h>

typedef struct scratch_dir {
    char path[PATH_MAX];      /* the directory */
    char file[PATH_MAX + 64]; /* "<path>/<file_name>", not created */
} scratch_dir;

/*
 * Makes a new directory "<tmp>/<prefix>-XXXXXX" (mode 0700) and fills `dir`;
 * `file_name` names the file path dir->file stands for. Returns 0,
 * ENAMETOOLONG, or the errno of mkdtemp.
 */
int scratch_dir_make(scratch_dir *dir, const char *prefix, const char *file_name);

/*
 * Removes dir->file (when it exists) and then the directory, which must be
 * empty by then: returns 0, or the errno of rmdir (ENOTEMPTY says the test
 * left other files behind).
 */
int scratch_dir_remove(const scratch_dir *dir);

/* Removes the directory and everything below it, without following links.
 * Returns 0 or the errno of the first removal that failed. */
int scratch_dir_remove_all(const scratch_dir *dir);

#endif
