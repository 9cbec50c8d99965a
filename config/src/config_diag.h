/*
 * Problems found while loading a config, collected with their positions and
 * turned into sorted "FILE:LINE:COL: message" lines at the end. Collecting
 * first lets the loader report in whatever order it checks things while the
 * user still reads them top to bottom.
 */
#ifndef EHS_CONFIG_DIAG_H
#define EHS_CONFIG_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "ehs/ehs_config.h"

typedef struct ehs_diag_entry {
    ehs_position position;  /* 0:0 when the problem has no place in the text */
    size_t sequence;        /* keeps problems at one position in reporting order */
    char *message;          /* owned */
} ehs_diag_entry;

typedef struct ehs_diag {
    const char *path;       /* names the file in every line */
    ehs_diag_entry *entries;
    size_t count;
    size_t capacity;
    bool out_of_memory;     /* sticky: some allocation of the loader failed */
} ehs_diag;

/* Records one problem at `position`. Out of memory only sets the flag. */
void ehs_diag_add(ehs_diag *diag, ehs_position position, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Appends the problems, sorted by position and without repeats, to `errors`
 * (which may be NULL) and empties `diag`. Returns 0, or ENOMEM (the flag, or
 * a line that could not be stored).
 */
int ehs_diag_finish(ehs_diag *diag, ehs_errors *errors);

/* Frees the collected problems without reporting them and clears the
 * out-of-memory flag; `diag` is empty and usable again (`path` is kept, it
 * is borrowed). */
void ehs_diag_free(ehs_diag *diag);

/* Appends one already formatted line to `errors`; returns 0 or ENOMEM. */
int ehs_errors_append(ehs_errors *errors, char *line);

/*
 * Writes `text` (`len` bytes) into `out` in single quotes, as the grok
 * messages quote names, fit for a one-line message: quotes, backslashes and
 * control bytes escaped,
 * cut with "..." when it is long. `out` has `size` bytes (at least 16).
 * Returns `out`.
 */
char *ehs_quote(char *out, size_t size, const char *text, size_t len);

/* Room for ehs_quote of a name: enough for any name worth showing whole. */
#define EHS_QUOTE_MAX 96

#endif /* EHS_CONFIG_DIAG_H */
