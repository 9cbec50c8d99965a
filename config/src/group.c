/*
 * The grouper (ehs/ehs_group.h): lines in, records out.
 *
 * An open record belongs to whoever started it: one of the source's
 * built-in detectors, its custom patterns, or (with "write") the write()
 * that carried several lines. The owner alone judges the lines after it,
 * so two detectors never fight over one record. A custom start pattern is
 * asked first, then the detectors in the order the config names them, and
 * last the custom patterns that let any line begin a record.
 */
#include <string.h>

#include "detect.h"
#include "engine_match.h"
#include "ehs/ehs_group.h"

enum { OWNER_NONE = -1, OWNER_CUSTOM = 100, OWNER_WRITE = 101 };
/* Tentative lines a record may hold before the next line decides: a chain
 * of exceptions needs two (a blank line, then its sentence or another). */
enum { HELD_LINES_MAX = 16 };

size_t ehs_grouper_storage_size(const ehs_multiline *spec)
{
    return spec != NULL ? spec->max_bytes : 0;
}

void ehs_grouper_init(ehs_grouper *g, const ehs_multiline *spec, char *storage, size_t capacity,
                      ehs_group_clock *clock)
{
    *g = (ehs_grouper){
        .spec = spec,
        .clock = clock,
        .storage = storage,
        .capacity = capacity,
        .owner = OWNER_NONE,
        .write_held_lines = UINT32_MAX,
    };
}

void ehs_grouper_discard(ehs_grouper *g)
{
    g->len = 0;
    g->held = 0;
    g->lines = 0;
    g->held_lines = 0;
    g->write_held = 0;
    g->write_held_lines = UINT32_MAX;
    g->state = 0;
    g->owner = OWNER_NONE;
    g->cut = false;
}

static bool matches(ehs_thread_state *state, const void *code, const char *line, size_t len)
{
    return code != NULL && state != NULL && ehs_engine_pattern_matches(state, code, line, len);
}

/* `cr_removed`: the line comes from the storage, where its '\r' is gone. */
static void emit_single(const char *line, size_t len, bool cr_removed, ehs_record_sink *sink,
                        void *context)
{
    ehs_record record = { .text = line, .len = len, .lines = 1, .cr_removed = cr_removed };
    sink(context, &record);
}

/* Copies what fits of `len` bytes to the end of the record; false when
 * not all of it did. */
static bool store(ehs_grouper *g, size_t at, const char *bytes, size_t len)
{
    size_t room = g->capacity > at ? g->capacity - at : 0;
    size_t n = len < room ? len : room;
    memcpy(g->storage + at, bytes, n);
    return n == len;
}

static void open_record(ehs_grouper *g, int owner, uint32_t state, const char *line, size_t len)
{
    if (g->spec->strip_cr && len > 0 && line[len - 1] == '\r')
        len--;
    ehs_grouper_discard(g);
    g->owner = owner;
    g->state = state;
    g->lines = 1;
    g->len = len < g->capacity ? len : g->capacity;
    g->cut = g->len < len;
    memcpy(g->storage, line, g->len);
    if (g->clock != NULL)
        g->last_ms = g->clock();
}

/* Makes the tentative lines part of the record, then adds `line`. */
static void append(ehs_grouper *g, const char *line, size_t len)
{
    /* `held` goes to zero before `len` grows: a siglongjmp in between
     * loses the tentative lines rather than leave len + held past the
     * storage. */
    size_t held = g->held;
    uint32_t held_lines = g->held_lines;
    g->held = 0;
    g->held_lines = 0;
    g->write_held_lines = UINT32_MAX;
    g->len += held;
    g->lines += held_lines;
    if (!g->cut) {
        bool whole = store(g, g->len, "\n", 1) && store(g, g->len + 1, line, len);
        size_t added = 1 + len;
        if (!whole) {
            added = g->capacity - g->len;
            g->cut = true;
        }
        g->len += added;
    }
    g->lines++;
    if (g->clock != NULL)
        g->last_ms = g->clock();
}

/* Holds `line` tentatively; false when it does not fit whole (then it is
 * better a message of its own than a cut part of the record). */
static bool hold(ehs_grouper *g, const char *line, size_t len, unsigned flags)
{
    size_t at = g->len + g->held;
    if (g->cut || g->held_lines == HELD_LINES_MAX || !store(g, at, "\n", 1) ||
        !store(g, at + 1, line, len))
        return false;
    if (!(flags & EHS_LINE_SAME_WRITE)) {
        g->write_held = g->held;
        g->write_held_lines = g->held_lines;
    }
    g->held += 1 + len;
    g->held_lines++;
    return true;
}

/* The record's first line, for detectors that compare prefixes. */
static size_t first_line_len(const ehs_grouper *g)
{
    const char *newline = memchr(g->storage, '\n', g->len);
    return newline != NULL ? (size_t)(newline - g->storage) : g->len;
}

void ehs_grouper_flush(ehs_grouper *g, ehs_record_sink *sink, void *context)
{
    if (g->owner == OWNER_NONE)
        return;
    ehs_record record = {
        .text = g->storage,
        .len = g->len,
        .lines = g->lines,
        /* One line is a message like any other, whoever held it. */
        .detector = g->owner >= 0 && g->owner < OWNER_CUSTOM && g->lines > 1
                        ? (uint8_t)(g->spec->detectors[g->owner] + 1)
                        : 0,
        .cut = g->cut,
        .cr_removed = g->spec->strip_cr,
    };
    const char *rest = g->storage + g->len;
    size_t rest_len = g->held;
    /* Emptied before the sink runs: a signal handler that leaves the sink
     * with siglongjmp must not find the record still open (it would come
     * out twice). The bytes stay where they are until the next line. */
    ehs_grouper_discard(g);
    sink(context, &record);
    /* Tentative lines the record did not take are messages of their own. */
    while (rest_len > 0) {
        rest++, rest_len--; /* its '\n' */
        const char *newline = memchr(rest, '\n', rest_len);
        size_t len = newline != NULL ? (size_t)(newline - rest) : rest_len;
        emit_single(rest, len, record.cr_removed, sink, context);
        rest += len;
        rest_len -= len;
    }
}

/* "write": the current write began with held lines, which belong with the
 * rest of the write rather than with the open record. Ends the record (and
 * gives back the lines held before this write), then opens the write's
 * record with its held lines. */
static void restart_with_write(ehs_grouper *g, ehs_record_sink *sink, void *context)
{
    size_t from = g->len + g->write_held + 1; /* after its '\n' */
    size_t bytes = g->held - g->write_held - 1;
    uint32_t lines = g->held_lines - g->write_held_lines;
    bool had_clock = g->clock != NULL;
    uint64_t last_ms = g->last_ms;
    g->held = g->write_held;
    g->held_lines = g->write_held_lines;
    ehs_grouper_flush(g, sink, context);
    memmove(g->storage, g->storage + from, bytes);
    g->owner = OWNER_WRITE;
    g->len = bytes;
    g->lines = lines;
    if (had_clock)
        g->last_ms = last_ms;
}

bool ehs_grouper_expire(ehs_grouper *g, ehs_record_sink *sink, void *context)
{
    if (g->owner == OWNER_NONE || g->clock == NULL ||
        g->clock() - g->last_ms < (uint64_t)g->spec->hold_ms)
        return false;
    ehs_grouper_flush(g, sink, context);
    return true;
}

/* What the custom patterns make of `line` in their open record. */
static ehs_verdict custom_next(const ehs_multiline *spec, ehs_thread_state *state,
                               const char *line, size_t len)
{
    if (matches(state, spec->end, line, len))
        return EHS_VERDICT_LAST;
    if (matches(state, spec->more, line, len))
        return EHS_VERDICT_CONTINUE;
    if (spec->start != NULL && spec->more == NULL) /* a start pattern alone: every */
        return matches(state, spec->start, line, len) ? EHS_VERDICT_NO /* line up to the */
                                                      : EHS_VERDICT_CONTINUE; /* next start */
    return EHS_VERDICT_NO;
}

static bool digits(const char *s, size_t len, size_t from, size_t count)
{
    if (from + count > len)
        return false;
    for (size_t i = from; i < from + count; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* An upper-case severity word at `s`, ended by ':', ' ', ']' or the end. */
static bool severity_word(const char *s, size_t len)
{
    static const char *const words[] = { "DEBUG", "TRACE",    "INFO",  "NOTICE", "WARN",
                                         "WARNING", "ERROR",  "ERR",   "SEVERE", "CRITICAL",
                                         "CRIT",  "FATAL",    "ALERT", "EMERG",  "PANIC" };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i]);
        if (len >= n && memcmp(s, words[i], n) == 0 &&
            (len == n || s[n] == ':' || s[n] == ' ' || s[n] == ']'))
            return true;
    }
    return false;
}

/*
 * Whether a line looks like the first line of a log message of its own: a
 * date or time first ("2026-12-03 ...", "2026/12/03", "12:00:01",
 * "Dec  3 06:00:01", "[2026-..."), or a severity word ("WARNING:root:...",
 * "[ERROR] ..."). "write" does not join such a line to the lines before it
 * in the same write: a program whose threads share one buffered stream
 * (Python's sys.stderr) can hand the kernel several records at once.
 */
static bool looks_like_new_message(const char *s, size_t len)
{
    if (len == 0 || s[0] == ' ' || s[0] == '\t')
        return false;
    if (s[0] == '[') {
        s++, len--;
        if (len > 0 && s[0] >= '0' && s[0] <= '9')
            return true;
    }
    if (digits(s, len, 0, 4) && len > 5 && (s[4] == '-' || s[4] == '/') && digits(s, len, 5, 2))
        return true;
    if (digits(s, len, 0, 2) && len > 5 && s[2] == ':' && digits(s, len, 3, 2))
        return true;
    if (len >= 15 && s[0] >= 'A' && s[0] <= 'Z' && s[3] == ' ' && s[6] == ' ' &&
        digits(s, len, 7, 2) && s[9] == ':')
        return true;
    return severity_word(s, len);
}

/* Who, if anyone, starts a record with `line`; OWNER_NONE when nobody. */
static int who_starts(const ehs_multiline *spec, ehs_thread_state *state, const char *line,
                      size_t len, uint32_t *detector_state)
{
    *detector_state = 0;
    if (spec->start != NULL && matches(state, spec->start, line, len))
        return OWNER_CUSTOM;
    for (int i = 0; i < spec->detector_count; i++)
        if (ehs_detectors[spec->detectors[i]].starts(line, len, detector_state))
            return i;
    /* Without a start pattern any line may begin a custom record: that
     * comes last, or no detector would ever see a line. */
    if (spec->start == NULL && (spec->more != NULL || spec->end != NULL))
        return OWNER_CUSTOM;
    return OWNER_NONE;
}

/* Whether the open record ends with the write that `flags` describe: its
 * detector's runtime writes whole records, and this line ended a write. */
static bool ends_with_write(const ehs_grouper *g, unsigned flags)
{
    return (flags & (EHS_LINE_WRITES_KNOWN | EHS_LINE_MORE_IN_WRITE)) == EHS_LINE_WRITES_KNOWN &&
           g->owner >= 0 && g->owner < OWNER_CUSTOM &&
           ehs_detectors[g->spec->detectors[g->owner]].whole_writes;
}

static ehs_verdict judge(ehs_grouper *g, ehs_thread_state *state, const char *line, size_t len,
                         bool joins_write)
{
    if (g->owner == OWNER_WRITE)
        return joins_write ? EHS_VERDICT_CONTINUE : EHS_VERDICT_NO;
    if (g->owner == OWNER_CUSTOM)
        return custom_next(g->spec, state, line, len);
    const ehs_detector *detector = &ehs_detectors[g->spec->detectors[g->owner]];
    return detector->next(&g->state, g->storage, first_line_len(g), line, len);
}

void ehs_grouper_line(ehs_grouper *g, ehs_thread_state *state, const char *line, size_t len,
                      unsigned flags, ehs_record_sink *sink, void *context)
{
    const ehs_multiline *spec = g->spec;
    /* A record's lines are joined with '\n' alone: a "\r\n" ending is no
     * part of any of them (the engine strips a single line's itself). A
     * line the open record does not take goes on below as the whole line,
     * as if no record had been open: open_record and the engine strip its
     * '\r' themselves, and stripping it here too would take a second one
     * ("x\r\r"). What comes out of the storage says so (cr_removed), so
     * that the engine does not take another either. */
    size_t whole_len = len;
    if (spec->strip_cr && len > 0 && line[len - 1] == '\r' && g->owner != OWNER_NONE)
        len--;
    bool joins_write = spec->write && (flags & EHS_LINE_SAME_WRITE) &&
                       !looks_like_new_message(line, len);
    if (g->owner != OWNER_NONE && !joins_write)
        ehs_grouper_expire(g, sink, context);
    if (g->owner != OWNER_NONE) {
        ehs_verdict verdict = judge(g, state, line, len, joins_write);
        if (joins_write && g->held_lines != 0 && g->write_held_lines != UINT32_MAX &&
            verdict != EHS_VERDICT_CONTINUE && verdict != EHS_VERDICT_LAST)
            restart_with_write(g, sink, context);
        if (joins_write && (g->owner == OWNER_WRITE || verdict == EHS_VERDICT_NO ||
                            verdict == EHS_VERDICT_TENTATIVE)) {
            /* Part of this write's message whatever its owner thinks; if
             * it begins something ("Traceback" after logging's first
             * line), whoever knows it takes the record on, so that the
             * writes after this one may continue it. */
            uint32_t detector_state;
            int owner = who_starts(spec, state, line, len, &detector_state);
            if (owner != OWNER_NONE) {
                g->owner = owner;
                g->state = detector_state;
            }
            verdict = EHS_VERDICT_CONTINUE;
        }
        /* A held line joins only with a line after it: both must fit. */
        if (verdict == EHS_VERDICT_TENTATIVE && g->lines + g->held_lines + 1 < spec->max_lines &&
            hold(g, line, len, flags))
            return;
        /* A record already cut keeps no more bytes: a line it might take
         * is taken (counted, not kept) rather than end it there. */
        if (verdict == EHS_VERDICT_TENTATIVE && g->cut)
            verdict = EHS_VERDICT_CONTINUE;
        if (verdict == EHS_VERDICT_CONTINUE || verdict == EHS_VERDICT_LAST) {
            append(g, line, len);
            if (verdict == EHS_VERDICT_LAST || g->lines >= spec->max_lines ||
                (g->owner == OWNER_WRITE && !(flags & EHS_LINE_MORE_IN_WRITE)) ||
                ends_with_write(g, flags))
                ehs_grouper_flush(g, sink, context);
            return;
        }
        ehs_grouper_flush(g, sink, context);
    }
    len = whole_len;
    uint32_t detector_state;
    int owner = who_starts(spec, state, line, len, &detector_state);
    if (owner == OWNER_CUSTOM && matches(state, spec->end, line, len))
        owner = OWNER_NONE; /* it starts and ends its record */
    if (owner == OWNER_NONE && spec->write && (flags & EHS_LINE_MORE_IN_WRITE))
        owner = OWNER_WRITE;
    if (owner == OWNER_NONE) {
        emit_single(line, len, false, sink, context);
        return;
    }
    open_record(g, owner, detector_state, line, len);
    if (ends_with_write(g, flags))
        ehs_grouper_flush(g, sink, context);
}
