/*
 * Rust panics (the standard library's default panic hook; checked against
 * rustc 1.95 and Debian 12's 1.63).
 *
 * What it prints: since Rust 1.73, "thread 'main' panicked at
 * src/main.rs:2:5:" and the message on the lines after it (1.95 also puts
 * the thread id in: "thread 'main' (1234) panicked at"); before 1.73 one
 * line, "thread 'main' panicked at 'msg', src/main.rs:2:5". Then either
 * "note: run with `RUST_BACKTRACE=1` ..." (no backtrace wanted) or, with
 * RUST_BACKTRACE set, "stack backtrace:", numbered frames "   0: name"
 * each maybe followed by "             at file:line:col", and a closing
 * "note: Some details are omitted, ...".
 *
 * The two notes end a record for certain, so they are LAST. The new
 * layout's message is the one open end: its first line always belongs,
 * later ones (a message with '\n') are held TENTATIVE until a note or the
 * backtrace shows the message was still going on; with RUST_BACKTRACE=0
 * neither comes and they are given back.
 */
#include "detect_util.h"

enum {
    RS_MESSAGE = 1, /* new layout: the message's first line comes */
    RS_MORE,        /* new layout: more message, a note or the backtrace */
    RS_OLD_MORE,    /* old layout: the quoted message goes on */
    RS_AFTER,       /* a note or the backtrace comes, or nothing */
    RS_TRACE,       /* in the backtrace */
};

#define HOLD_MAX 4u
#define PHASE(s) ((s) & 0xFu)
#define HELD(s) ((s) >> 4)

/* Offset just after " panicked at " in a header line, or 0. */
static size_t after_panicked(const char *s, size_t len)
{
    if (!ehs_dt_has(s, len, 0, EHS_DT_LIT("thread '")))
        return 0;
    const char *p = memmem(s + 8, len - 8, " panicked at ", 13);
    /* something must follow: the location, or the old layout's quote */
    return p && (size_t)(p - s) + 13 < len ? (size_t)(p - s) + 13 : 0;
}

/* "path:line:col" ending at `end`: the file and its line number. */
static bool location(const char *s, size_t from, size_t end, size_t *file_len, uint32_t *line)
{
    size_t c2 = ehs_dt_rfind(s, from, end, ':');
    if (c2 == end)
        return false;
    size_t c1 = ehs_dt_rfind(s, from, c2, ':');
    if (c1 == c2)
        return false;
    size_t d = c1 + 1;
    uint32_t col;
    if (!ehs_dt_number(s, c2, &d, line) || d != c2)
        return false;
    d = c2 + 1;
    if (!ehs_dt_number(s, end, &d, &col) || d != end)
        return false;
    *file_len = c1 - from;
    return true;
}

/* Offset of the "', " that closes the old layout's quoted message, when
 * `s` ends with it and a location ("...', src/main.rs:2:5"), or 0. */
static size_t old_close(const char *s, size_t len, size_t from)
{
    for (size_t i = len; i >= from + 3; i--) {
        if (memcmp(s + i - 3, "', ", 3) != 0)
            continue;
        size_t file_len;
        uint32_t line;
        return location(s, i, len, &file_len, &line) ? i - 3 : 0;
    }
    return 0;
}

bool ehs_rust_starts(const char *line, size_t len, uint32_t *state)
{
    len = ehs_dt_trim_cr(line, len);
    if (len < 8 || line[0] != 't')
        return false;
    size_t at = after_panicked(line, len);
    if (at == 0)
        return false;
    /* the old layout quotes the message, which may go on over lines
     * until the closing quote and the location; the new one ends with
     * "col:" and has the message after it */
    if (line[at] != '\'')
        *state = RS_MESSAGE;
    else
        *state = old_close(line, len, at + 1) ? RS_AFTER : RS_OLD_MORE;
    return true;
}

static bool is_note(const char *s, size_t len)
{
    return ehs_dt_has(s, len, 0, EHS_DT_LIT("note: run with `RUST_BACKTRACE=")) ||
           ehs_dt_has(s, len, 0, EHS_DT_LIT("note: Some details are omitted"));
}

static bool is_trace_line(const char *s, size_t len)
{
    size_t at = ehs_dt_spaces(s, len, 0);
    if (at == 0)
        return false;
    if (ehs_dt_has(s, len, at, EHS_DT_LIT("at ")))
        return true;
    uint32_t n;
    return ehs_dt_number(s, len, &at, &n) && at < len && s[at] == ':';
}

ehs_verdict ehs_rust_next(uint32_t *state, const char *first, size_t first_len, const char *line,
                          size_t len)
{
    (void)first;
    (void)first_len;
    len = ehs_dt_trim_cr(line, len);
    uint32_t s = *state;
    if (is_note(line, len) && PHASE(s) != RS_MESSAGE)
        return EHS_VERDICT_LAST;
    switch (PHASE(s)) {
    case RS_MESSAGE:
        *state = RS_MORE;
        return EHS_VERDICT_CONTINUE;
    case RS_MORE:
    case RS_AFTER:
        if (len == 16 && !memcmp(line, "stack backtrace:", 16)) {
            *state = RS_TRACE;
            return EHS_VERDICT_CONTINUE;
        }
        if (PHASE(s) == RS_AFTER || HELD(s) >= HOLD_MAX || after_panicked(line, len))
            return EHS_VERDICT_NO;
        *state = RS_MORE | ((HELD(s) + 1) << 4);
        return EHS_VERDICT_TENTATIVE;
    case RS_OLD_MORE:
        if (HELD(s) >= HOLD_MAX || after_panicked(line, len))
            return EHS_VERDICT_NO;
        if (old_close(line, len, 0)) {
            *state = RS_AFTER;
            return EHS_VERDICT_CONTINUE;
        }
        *state = RS_OLD_MORE | ((HELD(s) + 1) << 4);
        return EHS_VERDICT_TENTATIVE;
    case RS_TRACE:
        return is_trace_line(line, len) ? EHS_VERDICT_CONTINUE : EHS_VERDICT_NO;
    default:
        return EHS_VERDICT_NO;
    }
}

/*
 * Type "panic" (the first five letters of "panicked", so that it points
 * into the record like every other field); the message as printed (the
 * new layout's lines up to the note or "stack backtrace:", the old
 * layout's quoted text). The first frame is where the panic was raised,
 * as the header names it (file and line, no function); then one frame per
 * backtrace entry: function as printed after "N: " (an address and " - "
 * before it, with RUST_BACKTRACE=full, left out), file and line from its
 * "at" line if any.
 */
size_t ehs_rust_describe(const char *text, size_t len, ehs_exception *exception,
                         ehs_frame *frames, size_t max_frames)
{
    size_t count = 0;
    bool message_open = false, old_open = false, pending = false;
    ehs_frame last = {0};
    ehs_dt_clear(exception);
    for (size_t pos = 0; pos <= len;) {
        size_t end = ehs_dt_eol(text, len, pos);
        const char *line = text + pos;
        size_t n = ehs_dt_trim_cr(line, end - pos);
        size_t at, file_len;
        uint32_t number;
        if (pos == 0 && (at = after_panicked(line, n)) != 0) {
            exception->type = line + at - 12; /* the "panic" of " panicked at " */
            exception->type_len = 5;
            size_t loc = at, loc_end = n;
            if (line[at] == '\'') {
                exception->message = line + at + 1;
                size_t q = old_close(line, n, at + 1);
                if (q) {
                    exception->message_len = q - at - 1;
                    loc = q + 3;
                } else {
                    old_open = true;
                    loc = loc_end; /* on the line that closes the quote */
                }
            } else {
                message_open = true;
                if (loc_end > loc && line[loc_end - 1] == ':')
                    loc_end--;
            }
            if (location(line, loc, loc_end, &file_len, &number))
                ehs_dt_frame(frames, max_frames, &count, line + loc, file_len, NULL, 0, true,
                             number);
        } else if (old_open) {
            size_t q = old_close(line, n, 0);
            exception->message_len = (size_t)(line + (q ? q : n) - exception->message);
            if (q) {
                old_open = false;
                if (location(line, q + 3, n, &file_len, &number))
                    ehs_dt_frame(frames, max_frames, &count, line + q + 3, file_len, NULL, 0,
                                 true, number);
            }
        } else if (is_note(line, n) || (n == 16 && !memcmp(line, "stack backtrace:", 16))) {
            message_open = false;
        } else if (message_open) {
            if (!exception->message)
                exception->message = line;
            exception->message_len = (size_t)(line + n - exception->message);
        } else if (is_trace_line(line, n)) {
            at = ehs_dt_spaces(line, n, 0);
            if (ehs_dt_has(line, n, at, EHS_DT_LIT("at "))) {
                if (pending && location(line, at + 3, n, &file_len, &number)) {
                    last.file = line + at + 3;
                    last.file_len = file_len;
                    last.line = number;
                    last.has_line = true;
                }
            } else {
                if (pending)
                    ehs_dt_frame(frames, max_frames, &count, last.file, last.file_len,
                                 last.function, last.function_len, last.has_line, last.line);
                ehs_dt_number(line, n, &at, &number);
                at = ehs_dt_spaces(line, n, at + 1);
                const char *dash = ehs_dt_has(line, n, at, EHS_DT_LIT("0x"))
                                       ? memmem(line + at, n - at, " - ", 3)
                                       : NULL;
                if (dash)
                    at = (size_t)(dash - line) + 3;
                last = (ehs_frame){.function = line + at, .function_len = n - at};
                pending = true;
            }
        }
        if (end == len)
            break;
        pos = end + 1;
    }
    if (pending)
        ehs_dt_frame(frames, max_frames, &count, last.file, last.file_len, last.function,
                     last.function_len, last.has_line, last.line);
    return count;
}
