/*
 * Python tracebacks (CPython 3.11's traceback module and its C fallback).
 *
 * What it prints: "Traceback (most recent call last):", then per frame
 * `  File "x.py", line 3, in f`, the source line and, since 3.11, caret
 * lines, all indented; then the exception line "ValueError: boom" at
 * column 0. A chain repeats this after a blank line, one of two fixed
 * sentences and another blank line. An ExceptionGroup is drawn in a box
 * ("  + Exception Group Traceback ...", "  | ...", "  +-+---- 1 ----",
 * "    +------------------------------------"). The threading excepthook
 * and unraisable hook print a header line first ("Exception in thread
 * ...:", "Exception ignored in: ..."); a SyntaxError opens on a File line
 * with no ", in" and no Traceback line at all.
 *
 * The machine's shape follows from what cannot be known in order: after
 * an exception line the record may be over, or a chain may follow, or the
 * message may go on over more lines (str() of an exception may hold '\n').
 * Blank lines after it are held TENTATIVE, a few of them (HOLD_MAX), and
 * only join the record when a chain sentence comes; otherwise they are
 * given back. A message that goes on over lines ends the record at its
 * second line (its exception line is in it; the rest are lines of their
 * own): those lines cannot be told from the program's next output, and
 * holding every line after a traceback would delay that output. Inside a group box every line
 * starts with spaces and '|' or '+', which makes the box easy to follow;
 * the box is over when its own closing rule (all dashes, two columns right
 * of the opening '+') comes.
 */
#include "detect_util.h"

enum {
    PY_TB = 1,       /* in a traceback: frames, source, carets */
    PY_HEAD,         /* after "Exception in thread ...:" / "Exception ignored in:" */
    PY_EXC,          /* after an exception line: held lines may follow */
    PY_MSG_BLANK,    /* held: a blank line, which a chain sentence may follow */
    PY_SENT,         /* after a chain sentence: a blank line comes */
    PY_SENT_BLANK,   /* ... then the next traceback */
    PY_GROUP,        /* inside an ExceptionGroup box */
    PY_AFTER,        /* a box closed: only a chain may follow */
    PY_AFTER_BLANK,
};

/* Lines held after an exception line before the record is given up. */
#define HOLD_MAX 5u

#define PHASE(s) ((s) & 0xFu)
#define HELD(s) (((s) >> 4) & 0xFu)
#define BASE(s) ((s) >> 8)
#define STATE(phase, held, base)                                                              \
    ((uint32_t)(phase) | ((uint32_t)(held) << 4) | ((uint32_t)(base) << 8))

static bool is_traceback(const char *s, size_t len)
{
    static const char tb[] = "Traceback (most recent call last):";
    return len == sizeof tb - 1 && memcmp(s, tb, len) == 0;
}

/* "  + Exception Group Traceback (most recent call last):"; *col is the
 * column of its '+', where the box's rules are drawn. */
static bool is_group_start(const char *s, size_t len, size_t *col)
{
    static const char g[] = "+ Exception Group Traceback (most recent call last):";
    size_t at = ehs_dt_spaces(s, len, 0);
    if (len - at != sizeof g - 1 || memcmp(s + at, g, sizeof g - 1) != 0)
        return false;
    *col = at;
    return true;
}

static bool is_header(const char *s, size_t len)
{
    return (ehs_dt_has(s, len, 0, EHS_DT_LIT("Exception in thread ")) && s[len - 1] == ':') ||
           ehs_dt_has(s, len, 0, EHS_DT_LIT("Exception ignored in: "));
}

/* `  File "x.py", line 1` with nothing after the number: the SyntaxError
 * layout, which has no Traceback line before it when the script itself
 * does not compile. */
static bool is_syntax_file(const char *s, size_t len)
{
    if (!ehs_dt_has(s, len, 0, EHS_DT_LIT("  File \"")))
        return false;
    const char *q = memmem(s + 8, len - 8, "\", line ", 8);
    if (!q)
        return false;
    size_t at = (size_t)(q - s) + 8;
    uint32_t n;
    return ehs_dt_number(s, len, &at, &n) && at == len;
}

static bool is_name_byte(char c, bool first)
{
    unsigned char u = (unsigned char)c;
    if ((u | 0x20) >= 'a' && (u | 0x20) <= 'z')
        return true;
    if (c == '_' || u >= 0x80)
        return true;
    return !first && (ehs_dt_digit(c) || c == '.');
}

/* "ValueError: boom", "pkg.mod.Error: msg", bare "KeyboardInterrupt":
 * *name_len is the type's length. */
static bool is_exception_line(const char *s, size_t len, size_t *name_len)
{
    if (len == 0 || !is_name_byte(s[0], true))
        return false;
    size_t i = 1;
    while (i < len && is_name_byte(s[i], false))
        i++;
    if (i < len && !(s[i] == ':' && (i + 1 == len || s[i + 1] == ' ')))
        return false;
    *name_len = i;
    return true;
}

static bool is_chain_sentence(const char *s, size_t len)
{
    static const char during[] =
        "During handling of the above exception, another exception occurred:";
    static const char cause[] =
        "The above exception was the direct cause of the following exception:";
    return (len == sizeof during - 1 && memcmp(s, during, len) == 0) ||
           (len == sizeof cause - 1 && memcmp(s, cause, len) == 0);
}

/* A line that opens a record of its own ends the one before it. */
static bool opens_record(const char *s, size_t len)
{
    size_t col;
    return is_traceback(s, len) || is_header(s, len) || is_group_start(s, len, &col) ||
           is_syntax_file(s, len);
}

bool ehs_python_starts(const char *line, size_t len, uint32_t *state)
{
    len = ehs_dt_trim_cr(line, len);
    if (len < 8 || (line[0] != 'T' && line[0] != 'E' && line[0] != ' '))
        return false;
    size_t col;
    if (is_traceback(line, len) || is_syntax_file(line, len))
        *state = STATE(PY_TB, 0, 0);
    else if (is_header(line, len))
        *state = STATE(PY_HEAD, 0, 0);
    else if (is_group_start(line, len, &col) && col < 0xFFFF)
        *state = STATE(PY_GROUP, 0, col);
    else
        return false;
    return true;
}

/* A traceback, box or exception where one may begin (after a header or a
 * chain sentence). */
static ehs_verdict py_begin(uint32_t *state, const char *line, size_t len)
{
    size_t col, name_len;
    if (is_traceback(line, len)) {
        *state = STATE(PY_TB, 0, 0);
    } else if (is_group_start(line, len, &col) && col < 0xFFFF) {
        *state = STATE(PY_GROUP, 0, col);
    } else if (is_exception_line(line, len, &name_len) &&
               ((line[0] >= 'A' && line[0] <= 'Z') || memchr(line, '.', name_len))) {
        /* a chained cause that was never raised has no traceback, nor has
         * an unraisable exception without frames; with no traceback to
         * vouch for it, a bare word must at least look like a class */
        *state = STATE(PY_EXC, 0, 0);
    } else {
        return EHS_VERDICT_NO;
    }
    return EHS_VERDICT_CONTINUE;
}

/* A blank line that a chain may follow, held until it does: then `next`. */
static ehs_verdict blank_then(uint32_t *state, const char *line, size_t len, uint32_t next)
{
    if (!ehs_dt_blank(line, len))
        return EHS_VERDICT_NO;
    *state = next;
    return EHS_VERDICT_TENTATIVE;
}

ehs_verdict ehs_python_next(uint32_t *state, const char *first, size_t first_len, const char *line,
                           size_t len)
{
    (void)first;
    (void)first_len;
    len = ehs_dt_trim_cr(line, len);
    uint32_t s = *state;
    size_t name_len;
    switch (PHASE(s)) {
    case PY_TB:
        if (len > 0 && line[0] == ' ')
            return EHS_VERDICT_CONTINUE;
        if (!is_exception_line(line, len, &name_len))
            return EHS_VERDICT_NO;
        *state = STATE(PY_EXC, 0, 0);
        return EHS_VERDICT_CONTINUE;
    case PY_HEAD:
        return py_begin(state, line, len);
    case PY_EXC:
    case PY_MSG_BLANK:
        if (PHASE(s) == PY_MSG_BLANK && is_chain_sentence(line, len)) {
            *state = STATE(PY_SENT, 0, 0);
            return EHS_VERDICT_CONTINUE;
        }
        /* Only a blank line may be the start of a chain. Holding other
         * lines too would keep a message that goes on over lines, but
         * would also hold back the program's next lines of output after
         * every traceback, and the shim emits held lines only when the
         * next line or the hold time decides. */
        if (HELD(s) >= HOLD_MAX || !ehs_dt_blank(line, len) || opens_record(line, len))
            return EHS_VERDICT_NO;
        *state = STATE(PY_MSG_BLANK, HELD(s) + 1, 0);
        return EHS_VERDICT_TENTATIVE;
    case PY_SENT:
        return blank_then(state, line, len, STATE(PY_SENT_BLANK, 0, 0));
    case PY_SENT_BLANK:
        return py_begin(state, line, len);
    case PY_GROUP: {
        size_t base = BASE(s);
        size_t at = ehs_dt_spaces(line, len, 0);
        if (at >= len || at < base || (line[at] != '|' && line[at] != '+'))
            return EHS_VERDICT_NO;
        if (line[at] == '+' && at == base + 2 && at + 1 < len) {
            size_t i = at + 1;
            while (i < len && line[i] == '-')
                i++;
            if (i == len)
                *state = STATE(PY_AFTER, 0, 0);
        }
        return EHS_VERDICT_CONTINUE;
    }
    case PY_AFTER:
        return blank_then(state, line, len, STATE(PY_AFTER_BLANK, 0, 0));
    case PY_AFTER_BLANK:
        if (!is_chain_sentence(line, len))
            return EHS_VERDICT_NO;
        *state = STATE(PY_SENT, 0, 0);
        return EHS_VERDICT_CONTINUE;
    default:
        return EHS_VERDICT_NO;
    }
}

/* `  File "x.py", line 3, in f` (", in f" absent in the SyntaxError
 * layout): the text after the box, from its two spaces on. */
static bool read_frame(const char *s, size_t len, ehs_frame *frames, size_t max_frames,
                       size_t *count)
{
    if (!ehs_dt_has(s, len, 0, EHS_DT_LIT("  File \"")))
        return false;
    const char *q = memmem(s + 8, len - 8, "\", line ", 8);
    if (!q)
        return false;
    size_t at = (size_t)(q - s) + 8;
    uint32_t number;
    if (!ehs_dt_number(s, len, &at, &number))
        return false;
    const char *function = NULL;
    size_t function_len = 0;
    if (ehs_dt_has(s, len, at, EHS_DT_LIT(", in "))) {
        function = s + at + 5;
        function_len = len - at - 5;
    } else if (at != len) {
        return false;
    }
    ehs_dt_frame(frames, max_frames, count, s + 8, (size_t)(q - s) - 8, function, function_len,
                 true, number);
    return true;
}

/*
 * Only exception lines where one is due count (right after a traceback, a
 * header or a SyntaxError's carets), so a message line that happens to look
 * like "word" is not taken for one. The exception reported is the last one
 * outside the sub-exception boxes: the one that was finally raised. Its
 * message runs on over the following plain lines, which the record only
 * holds when a chain came after them.
 */
size_t ehs_python_describe(const char *text, size_t len, ehs_exception *exception,
                          ehs_frame *frames, size_t max_frames)
{
    static const char group_tb[] = "Exception Group Traceback (most recent call last):";
    size_t count = 0;
    size_t top_box = SIZE_MAX; /* column of the top-level group's '|' */
    bool expect = false, extend = false;
    ehs_dt_clear(exception);
    for (size_t pos = 0; pos <= len;) {
        size_t end = ehs_dt_eol(text, len, pos);
        const char *line = text + pos;
        size_t line_len = ehs_dt_trim_cr(line, end - pos);
        pos = end + 1;

        size_t at = ehs_dt_spaces(line, line_len, 0), col;
        if (at < line_len && line[at] == '+') {
            /* the group's own header, or a rule before a sub-exception,
             * which may come without a traceback ("| KeyError: 'k'") */
            if (is_group_start(line, line_len, &col))
                top_box = col;
            expect = true;
            extend = false;
            continue;
        }
        bool boxed = at < line_len && line[at] == '|';
        bool top = !boxed || at == top_box;
        const char *s = line;
        size_t n = line_len;
        if (boxed) {
            size_t skip = at + 1 + (at + 1 < line_len && line[at + 1] == ' ');
            s += skip;
            n -= skip;
        }

        size_t name_len;
        if (read_frame(s, n, frames, max_frames, &count)) {
            expect = true;
            extend = false;
        } else if (n > 0 && s[0] == ' ') {
            extend = false;
        } else if (is_traceback(s, n) || (n == sizeof group_tb - 1 && !memcmp(s, group_tb, n)) ||
                   (!boxed && is_header(s, n))) {
            expect = true;
            extend = false;
        } else if (expect && is_exception_line(s, n, &name_len)) {
            expect = false;
            extend = !boxed;
            if (top) {
                exception->type = s;
                exception->type_len = name_len;
                exception->message = name_len < n ? s + name_len + 1 + (name_len + 1 < n) : NULL;
                exception->message_len = name_len < n ? (size_t)(s + n - exception->message) : 0;
            }
        } else if (extend && top && exception->message && !ehs_dt_blank(s, n) &&
                   !is_chain_sentence(s, n)) {
            exception->message_len = (size_t)(s + n - exception->message);
        } else {
            extend = false;
        }
        if (end == len)
            break;
    }
    return count;
}
