/*
 * Byte helpers the detectors share. Static inline and free of state: the
 * detectors run in the shim's write path, maybe in a signal handler, so
 * nothing here allocates, locks or calls the system (memchr and memcmp are
 * plain byte loops).
 */
#ifndef EHS_DETECT_UTIL_H
#define EHS_DETECT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "detect.h"

/* A literal's length, for prefix tests against string constants. */
#define EHS_DT_LIT(s) (s), (sizeof(s) - 1)

/* Lines may come from a CRLF writer: the '\r' is never part of the text. */
static inline size_t ehs_dt_trim_cr(const char *line, size_t len)
{
    return len > 0 && line[len - 1] == '\r' ? len - 1 : len;
}

static inline bool ehs_dt_has(const char *s, size_t len, size_t at, const char *lit, size_t lit_len)
{
    return at <= len && len - at >= lit_len && memcmp(s + at, lit, lit_len) == 0;
}

static inline bool ehs_dt_ends(const char *s, size_t len, const char *lit, size_t lit_len)
{
    return len >= lit_len && memcmp(s + len - lit_len, lit, lit_len) == 0;
}

static inline size_t ehs_dt_spaces(const char *s, size_t len, size_t at)
{
    while (at < len && s[at] == ' ')
        at++;
    return at;
}

/* Spaces and tabs only (or nothing): a separator line. */
static inline bool ehs_dt_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

static inline bool ehs_dt_digit(char c)
{
    return c >= '0' && c <= '9';
}

/*
 * Reads decimal digits at s[*at] into *value (saturating: a frame line
 * number past 2^32 is garbage, not worth an error). False without a digit.
 */
static inline bool ehs_dt_number(const char *s, size_t len, size_t *at, uint32_t *value)
{
    size_t i = *at;
    uint64_t v = 0;
    while (i < len && ehs_dt_digit(s[i])) {
        if (v <= UINT32_MAX)
            v = v * 10 + (uint64_t)(s[i] - '0');
        i++;
    }
    if (i == *at)
        return false;
    *value = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    *at = i;
    return true;
}

/* The end of the line that starts at `at` in a record (its '\n' or len). */
static inline size_t ehs_dt_eol(const char *text, size_t len, size_t at)
{
    const char *nl = at < len ? memchr(text + at, '\n', len - at) : NULL;
    return nl ? (size_t)(nl - text) : len;
}

/* Last index of `c` in s[from, to), or `to` when absent. */
static inline size_t ehs_dt_rfind(const char *s, size_t from, size_t to, char c)
{
    for (size_t i = to; i > from; i--)
        if (s[i - 1] == c)
            return i - 1;
    return to;
}

/*
 * Counts a frame and writes it when there is room: describe returns how
 * many frames a record has even when the caller keeps fewer.
 */
static inline void ehs_dt_frame(ehs_frame *frames, size_t max_frames, size_t *count,
                                const char *file, size_t file_len, const char *function,
                                size_t function_len, bool has_line, uint32_t line)
{
    if (*count < max_frames && frames) {
        ehs_frame *f = &frames[*count];
        f->file = file;
        f->file_len = file ? file_len : 0;
        f->function = function;
        f->function_len = function ? function_len : 0;
        f->line = has_line ? line : 0;
        f->has_line = has_line;
    }
    (*count)++;
}

static inline void ehs_dt_clear(ehs_exception *exception)
{
    exception->type = NULL;
    exception->type_len = 0;
    exception->message = NULL;
    exception->message_len = 0;
}

/* Each detector's three functions, named after it, which detect.c puts
 * in the table. */
#define EHS_DT_DETECTOR(name)                                                                  \
    bool ehs_##name##_starts(const char *line, size_t len, uint32_t *state);                  \
    ehs_verdict ehs_##name##_next(uint32_t *state, const char *first, size_t first_len,       \
                                  const char *line, size_t len);                              \
    size_t ehs_##name##_describe(const char *text, size_t len, ehs_exception *exception,      \
                                 ehs_frame *frames, size_t max_frames)

EHS_DT_DETECTOR(python);
EHS_DT_DETECTOR(java);
EHS_DT_DETECTOR(go);
EHS_DT_DETECTOR(rust);
EHS_DT_DETECTOR(ruby);
EHS_DT_DETECTOR(cxx);
EHS_DT_DETECTOR(postgresql);

#endif /* EHS_DETECT_UTIL_H */
