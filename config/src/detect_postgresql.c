/*
 * PostgreSQL server log lines on stderr (checked against PostgreSQL 15).
 *
 * What it prints: one report is several lines, each with the
 * log_line_prefix in front ("%m [%p] " on Debian, so
 * "2026-12-03 06:00:00.123 UTC [1234] "), then "SEVERITY:  text" (two
 * spaces); the report's first line has the severity (ERROR, LOG, ...),
 * the lines after it the same prefix and DETAIL, HINT, QUERY, CONTEXT,
 * LOCATION or STATEMENT. A text holding '\n' (a multi-line statement) goes
 * on over lines that start with a tab.
 *
 * The prefix is the user's to set and may be empty, so the severity is
 * found as a word followed by ":  " anywhere in the line (a memchr for ':'
 * first, which most lines end at). The state keeps the prefix's length:
 * every line of one report has the same prefix (the server formats the
 * timestamp once per report), while another process's lines differ at
 * least in the pid, so comparing the prefix with the first line's keeps
 * interleaved reports apart. A prefix with %l (a number that changes per
 * line) defeats this, and the report is then one line per record.
 */
#include "detect_util.h"

typedef struct pg_word {
    const char *word;
    size_t len;
} pg_word;

static const pg_word starting[] = {
    {EHS_DT_LIT("ERROR")},  {EHS_DT_LIT("FATAL")},   {EHS_DT_LIT("PANIC")},
    {EHS_DT_LIT("WARNING")}, {EHS_DT_LIT("LOG")},    {EHS_DT_LIT("NOTICE")},
    {EHS_DT_LIT("INFO")},   {EHS_DT_LIT("DEBUG1")},  {EHS_DT_LIT("DEBUG2")},
    {EHS_DT_LIT("DEBUG3")}, {EHS_DT_LIT("DEBUG4")},  {EHS_DT_LIT("DEBUG5")},
};
static const pg_word following[] = {
    {EHS_DT_LIT("DETAIL")},  {EHS_DT_LIT("HINT")},  {EHS_DT_LIT("STATEMENT")},
    {EHS_DT_LIT("CONTEXT")}, {EHS_DT_LIT("QUERY")}, {EHS_DT_LIT("LOCATION")},
};

/* Whether s[at, at + n) is one of the words of `list`. */
#define ONE_OF(list, s, at, n) one_of(list, sizeof list / sizeof list[0], s, at, n)
static bool one_of(const pg_word *words, size_t count, const char *s, size_t at, size_t n)
{
    for (size_t i = 0; i < count; i++)
        if (words[i].len == n && memcmp(s + at, words[i].word, n) == 0)
            return true;
    return false;
}

/* Offset of the starting severity word (one ":  " follows it) in `s`, or
 * SIZE_MAX. */
static size_t severity_at(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        const char *c = memchr(s + i, ':', len - i);
        if (!c)
            break;
        size_t k = (size_t)(c - s);
        i = k + 1;
        if (len - k < 3 || s[k + 1] != ' ' || s[k + 2] != ' ')
            continue;
        size_t w = k;
        if (w > 0 && ehs_dt_digit(s[w - 1]))
            w--; /* DEBUG1..5 */
        while (w > 0 && s[w - 1] >= 'A' && s[w - 1] <= 'Z')
            w--;
        if ((w == 0 || s[w - 1] == ' ') && ONE_OF(starting, s, w, k - w))
            return w;
    }
    return SIZE_MAX;
}

bool ehs_postgresql_starts(const char *line, size_t len, uint32_t *state)
{
    len = ehs_dt_trim_cr(line, len);
    if (len < 5 || !memchr(line, ':', len))
        return false;
    size_t at = severity_at(line, len);
    if (at == SIZE_MAX || at > UINT32_MAX)
        return false;
    *state = (uint32_t)at;
    return true;
}

ehs_verdict ehs_postgresql_next(uint32_t *state, const char *first, size_t first_len,
                                const char *line, size_t len)
{
    len = ehs_dt_trim_cr(line, len);
    size_t prefix = *state;
    if (len > 0 && line[0] == '\t')
        return EHS_VERDICT_CONTINUE;
    if (prefix > first_len || len < prefix + 4 || memcmp(line, first, prefix) != 0)
        return EHS_VERDICT_NO;
    const char *c = memmem(line + prefix, len - prefix, ":  ", 3);
    if (!c || !ONE_OF(following, line, prefix, (size_t)(c - line) - prefix))
        return EHS_VERDICT_NO;
    return EHS_VERDICT_CONTINUE;
}

/* Type: the first line's severity ("ERROR"); message: the first line's
 * text after "SEVERITY:  " (with log_error_verbosity=verbose the SQLSTATE,
 * "42P01: ", is part of it, as printed). No frames. */
size_t ehs_postgresql_describe(const char *text, size_t len, ehs_exception *exception,
                               ehs_frame *frames, size_t max_frames)
{
    (void)frames;
    (void)max_frames;
    ehs_dt_clear(exception);
    size_t n = ehs_dt_trim_cr(text, ehs_dt_eol(text, len, 0));
    size_t at = severity_at(text, n);
    if (at == SIZE_MAX)
        return 0;
    const char *colon = memchr(text + at, ':', n - at);
    exception->type = text + at;
    exception->type_len = (size_t)(colon - text) - at;
    exception->message = colon + 3;
    exception->message_len = (size_t)(text + n - exception->message);
    return 0;
}
