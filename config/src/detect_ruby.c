/*
 * Ruby uncaught exceptions (the interpreter's error printer; checked
 * against Ruby 3.1).
 *
 * What it prints: "x.rb:3:in `foo': boom (RuntimeError)" (Ruby 3.4 quotes
 * 'foo' and may name the class, 'Parser#foo'), then "\tfrom x.rb:7:in
 * `<main>'" per outer frame. A message with '\n' keeps "(Type)" on its
 * first line and prints the rest on the lines after it, before the first
 * "from"; so do did_you_mean ("Did you mean?  length") and error_highlight
 * (a blank line, the source line, carets).
 *
 * The first line has no fixed prefix, so the start test looks for its
 * fixed middle, ":<digits>:in `" or ":<digits>:in '", and wants the "': "
 * after the function and a ")" at the end (or Ruby's "unhandled
 * exception"), which a program printing `caller` does not have. Lines
 * between the first line and the first "from" are held TENTATIVE, a few:
 * only the "from" says they were the message; an exception raised at top
 * level has no "from" lines, and its extra lines are given back.
 */
#include "detect_util.h"

enum {
    RB_HEAD = 1, /* after the first line: message lines or "from" */
    RB_FRAMES,   /* after a "from" line */
};

#define HOLD_MAX 8u
#define PHASE(s) ((s) & 0xFu)
#define HELD(s) ((s) >> 4)

/*
 * Reads "path:12:in `func'" at s[at]: *colon is the ':' after the path,
 * *line the number, and [*fn, *fn_end) the function between the quotes
 * (the closing one is the "'" that `stop_at_colon` wants followed by ": ",
 * or the line's last byte otherwise). False when it is not that shape.
 */
static bool read_site(const char *s, size_t len, size_t at, bool stop_at_colon, size_t *colon,
                      uint32_t *line, size_t *fn, size_t *fn_end)
{
    for (size_t i = at; i < len;) {
        const char *c = memchr(s + i, ':', len - i);
        if (!c)
            return false;
        size_t k = (size_t)(c - s), d = k + 1;
        i = k + 1;
        if (!ehs_dt_number(s, len, &d, line))
            continue;
        *colon = k;
        *fn = *fn_end = SIZE_MAX;
        if (d == len && !stop_at_colon)
            return true; /* "from x.rb:7" without a method */
        if (!ehs_dt_has(s, len, d, EHS_DT_LIT(":in ")) || d + 4 >= len ||
            (s[d + 4] != '`' && s[d + 4] != '\''))
            continue;
        *fn = d + 5;
        if (stop_at_colon) {
            const char *q = *fn <= len ? memmem(s + *fn, len - *fn, "': ", 3) : NULL;
            if (!q)
                return false;
            *fn_end = (size_t)(q - s);
        } else {
            if (s[len - 1] != '\'' || len - 1 < *fn)
                return false;
            *fn_end = len - 1;
        }
        return true;
    }
    return false;
}

static bool is_first_line(const char *s, size_t len)
{
    size_t colon, fn, fn_end;
    uint32_t n;
    if (!read_site(s, len, 0, true, &colon, &n, &fn, &fn_end) || colon == 0)
        return false;
    return s[len - 1] == ')' || ehs_dt_ends(s, len, EHS_DT_LIT("': unhandled exception"));
}

bool ehs_ruby_starts(const char *line, size_t len, uint32_t *state)
{
    len = ehs_dt_trim_cr(line, len);
    /* The line ends as is_first_line wants before anything is read. */
    if (len < 10 || line[0] == ' ' || line[0] == '\t' ||
        (line[len - 1] != ')' && !ehs_dt_ends(line, len, EHS_DT_LIT("': unhandled exception"))))
        return false;
    if (!memchr(line, ':', len) || !is_first_line(line, len))
        return false;
    *state = RB_HEAD;
    return true;
}

ehs_verdict ehs_ruby_next(uint32_t *state, const char *first, size_t first_len, const char *line,
                          size_t len)
{
    (void)first;
    (void)first_len;
    len = ehs_dt_trim_cr(line, len);
    uint32_t s = *state;
    if (ehs_dt_has(line, len, 0, EHS_DT_LIT("\tfrom ")) ||
        (ehs_dt_has(line, len, 0, EHS_DT_LIT("\t ... ")) &&
         ehs_dt_ends(line, len, EHS_DT_LIT(" levels...")))) {
        *state = RB_FRAMES;
        return EHS_VERDICT_CONTINUE;
    }
    if (PHASE(s) != RB_HEAD || HELD(s) >= HOLD_MAX || is_first_line(line, len))
        return EHS_VERDICT_NO;
    *state = RB_HEAD | ((HELD(s) + 1) << 4);
    return EHS_VERDICT_TENTATIVE;
}

/*
 * Type and message from the first line ("msg (Type)": the message is the
 * part on the first line only, since the rest of a multi-line message is
 * printed after "(Type)"). Frames: the first line's site, then each
 * "from" line's; function is the text between the quotes as printed
 * ("foo", "<main>", "block in <main>", Ruby 3.4's "Parser#foo").
 */
size_t ehs_ruby_describe(const char *text, size_t len, ehs_exception *exception,
                         ehs_frame *frames, size_t max_frames)
{
    size_t count = 0;
    ehs_dt_clear(exception);
    for (size_t pos = 0; pos <= len;) {
        size_t end = ehs_dt_eol(text, len, pos);
        const char *line = text + pos;
        size_t n = ehs_dt_trim_cr(line, end - pos);
        size_t colon, fn, fn_end, at = 0;
        uint32_t number;
        bool first = pos == 0;
        if (!first && ehs_dt_has(line, n, 0, EHS_DT_LIT("\tfrom ")))
            at = 6;
        if ((first || at) && read_site(line, n, at, first, &colon, &number, &fn, &fn_end)) {
            bool has_fn = fn != SIZE_MAX;
            ehs_dt_frame(frames, max_frames, &count, line + at, colon - at,
                         has_fn ? line + fn : NULL, has_fn ? fn_end - fn : 0, true, number);
            if (first) {
                size_t m = fn_end + 3, m_end = n;
                if (n > m && line[n - 1] == ')') {
                    size_t open = ehs_dt_rfind(line, m, n, '(');
                    if (open < n && open > m && line[open - 1] == ' ') {
                        exception->type = line + open + 1;
                        exception->type_len = n - 1 - open - 1;
                        m_end = open - 1;
                    }
                }
                exception->message = line + m;
                exception->message_len = m_end - m;
            }
        }
        if (end == len)
            break;
        pos = end + 1;
    }
    return count;
}
