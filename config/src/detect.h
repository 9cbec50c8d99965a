/*
 * Built-in multi-line detectors: what a runtime prints when it reports an
 * exception, a panic or a multi-line error, as a small state machine over
 * lines, and how to read the exception's type, message and frames back out
 * of a grouped record.
 *
 * Pure functions over the caller's bytes: no allocation, no locks, no
 * system calls and no PCRE2, because the shim asks them about every line
 * of a grouped source, in the write path (possibly in a signal handler).
 * Every function is thread-safe (no shared state) and never reads past the
 * lengths it is given; lines come without their '\n' (a final '\r' may be
 * there and is ignored).
 */
#ifndef EHS_DETECT_H
#define EHS_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a line is to the record being grouped. */
typedef enum ehs_verdict {
    EHS_VERDICT_NO,        /* not part of it: the record ends before this line */
    EHS_VERDICT_CONTINUE,  /* part of it: the record goes on */
    EHS_VERDICT_LAST,      /* part of it, and nothing can follow: it ends here */
    EHS_VERDICT_TENTATIVE, /* part of it only if a later line continues it (a
                              blank line between chained Python exceptions);
                              if the record ends first, this line is not in it */
} ehs_verdict;

/* One frame of a stack trace; text points into the record. */
typedef struct ehs_frame {
    const char *file;        /* NULL when the runtime printed none */
    size_t file_len;
    const char *function;    /* NULL when the runtime printed none */
    size_t function_len;
    uint32_t line;           /* valid when has_line */
    bool has_line;
} ehs_frame;

/* What a record says about its exception; text points into the record. */
typedef struct ehs_exception {
    const char *type;        /* NULL: none found ("ValueError",
                                "java.lang.IllegalStateException", "panic",
                                "std::runtime_error", "ERROR" for PostgreSQL) */
    size_t type_len;
    const char *message;     /* NULL: none found; may be empty */
    size_t message_len;
} ehs_exception;

typedef struct ehs_detector {
    const char *name;        /* "python", "java", "go", "rust", "ruby", "cxx",
                                "postgresql" */
    /*
     * Whether `line` can be the first line of a record; when it is, sets
     * *state to what `next` needs. Called for lines outside any record, so
     * it must be cheap on ordinary lines (a first-byte or memchr test before
     * anything else): it is the cost every single-line message pays.
     */
    bool (*starts)(const char *line, size_t len, uint32_t *state);
    /*
     * What `line` is to the record that `first` (its first line, without
     * '\n') began, given *state as left by `starts` or the previous `next`;
     * updates *state. `first` lets a detector compare prefixes (PostgreSQL's
     * log_line_prefix of the same process).
     */
    ehs_verdict (*next)(uint32_t *state, const char *first, size_t first_len,
                        const char *line, size_t len);
    /*
     * Reads a whole record (lines joined with '\n', no final '\n') into
     * *exception and up to `max_frames` frames in printed order. Returns the
     * number of frames the record has (may exceed max_frames; only the
     * first max_frames are written). Fields it cannot find are left NULL.
     */
    size_t (*describe)(const char *text, size_t len, ehs_exception *exception,
                       ehs_frame *frames, size_t max_frames);
    /*
     * The runtime writes each whole record with one write() (PostgreSQL's
     * stderr log). Where the grouper knows where writes end (the shim), a
     * record of this detector ends with the write that holds its last
     * line, instead of waiting for a line that does not continue it: a
     * quiet process's last message is not held back.
     */
    bool whole_writes;
} ehs_detector;

/* The built-in detectors, `ehs_detector_count` of them, in the order above. */
extern const ehs_detector ehs_detectors[];
extern const size_t ehs_detector_count;

/* The detector called `name` (`len` bytes), or NULL. */
const ehs_detector *ehs_detector_find(const char *name, size_t len);

#endif /* EHS_DETECT_H */
