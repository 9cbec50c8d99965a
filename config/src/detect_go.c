/*
 * Go panics and fatal runtime errors (the runtime's own printing to fd 2;
 * checked against Go 1.19).
 *
 * What it prints: "panic: msg" (with " [recovered]" and one "\tpanic: ..."
 * line per panic raised while the earlier one was being handled), or
 * "fatal error: msg"; for a fault a "[signal SIGSEGV: ...]" line; then a
 * blank line and one block per goroutine: "goroutine 1 [running]:", then
 * pairs of a function line "main.f(...)" and a tab-indented file line
 * "\t/path/x.go:12 +0x1d", and "created by main.main" (+ its file line)
 * for a goroutine that was started by another. Blocks are separated by
 * blank lines (GOTRACEBACK=all prints several); a fatal error may show a
 * "runtime stack:" block first. "exit status 2" is not the runtime's but
 * `go run`'s, and is not part of the record.
 *
 * The blank lines are what make the shape: one after the header and one
 * between goroutine blocks, and neither says whether more follows. They
 * are TENTATIVE and count only when a goroutine header (or "runtime
 * stack:") comes after them. Lines between the header and that blank line
 * that are neither "\tpanic:" nor "[signal" are held too: a panic value
 * printed with '\n' in it.
 */
#include "detect_util.h"

enum {
    GO_HEAD = 1,   /* after "panic:"/"fatal error:": nested panics, [signal] */
    GO_HEAD_BLANK, /* a blank line after the header */
    GO_STACK,      /* in a goroutine block */
    GO_STACK_BLANK /* a blank line after a block */
};

#define HOLD_MAX 4u
#define PHASE(s) ((s) & 0xFu)
#define HELD(s) ((s) >> 4)

static bool is_header(const char *s, size_t len)
{
    return ehs_dt_has(s, len, 0, EHS_DT_LIT("panic: ")) ||
           ehs_dt_has(s, len, 0, EHS_DT_LIT("fatal error: "));
}

/* "goroutine 1 [running]:" (newer runtimes put "gp=... m=..." before the
 * bracket): the word and a number are enough. */
static bool is_goroutine(const char *s, size_t len)
{
    return ehs_dt_has(s, len, 0, EHS_DT_LIT("goroutine ")) && len > 10 && ehs_dt_digit(s[10]) &&
           s[len - 1] == ':';
}

static bool is_block_start(const char *s, size_t len)
{
    return is_goroutine(s, len) || (len == 14 && !memcmp(s, "runtime stack:", 14));
}

bool ehs_go_starts(const char *line, size_t len, uint32_t *state)
{
    len = ehs_dt_trim_cr(line, len);
    if (len < 7 || (line[0] != 'p' && line[0] != 'f') || !is_header(line, len))
        return false;
    *state = GO_HEAD;
    return true;
}

ehs_verdict ehs_go_next(uint32_t *state, const char *first, size_t first_len, const char *line,
                        size_t len)
{
    (void)first;
    (void)first_len;
    len = ehs_dt_trim_cr(line, len);
    uint32_t s = *state;
    bool blank = ehs_dt_blank(line, len);
    switch (PHASE(s)) {
    case GO_HEAD:
    case GO_HEAD_BLANK:
        if (PHASE(s) == GO_HEAD_BLANK && is_block_start(line, len)) {
            *state = GO_STACK;
            return EHS_VERDICT_CONTINUE;
        }
        if (PHASE(s) == GO_HEAD && HELD(s) == 0 &&
            (ehs_dt_has(line, len, 0, EHS_DT_LIT("\tpanic: ")) ||
             ehs_dt_has(line, len, 0, EHS_DT_LIT("[signal "))))
            return EHS_VERDICT_CONTINUE;
        if (HELD(s) >= HOLD_MAX || is_header(line, len))
            return EHS_VERDICT_NO;
        *state = (blank ? GO_HEAD_BLANK : GO_HEAD) | ((HELD(s) + 1) << 4);
        return EHS_VERDICT_TENTATIVE;
    case GO_STACK:
        if (blank) {
            *state = GO_STACK_BLANK;
            return EHS_VERDICT_TENTATIVE;
        }
        /* file lines are tab-indented; function lines end with their
         * argument list; the rest are the runtime's fixed words */
        if (line[0] == '\t' || line[len - 1] == ')' ||
            ehs_dt_has(line, len, 0, EHS_DT_LIT("created by ")) ||
            ehs_dt_has(line, len, 0, EHS_DT_LIT("...additional frames elided...")))
            return EHS_VERDICT_CONTINUE;
        return EHS_VERDICT_NO;
    case GO_STACK_BLANK:
        if (!is_block_start(line, len))
            return EHS_VERDICT_NO;
        *state = GO_STACK;
        return EHS_VERDICT_CONTINUE;
    default:
        return EHS_VERDICT_NO;
    }
}

/* "main.(*T).Method(0x1, ...)": the name ends where the argument list
 * that closes the line opens, found by matching parentheses from the end
 * (a method's receiver has parentheses of its own). */
static size_t function_len(const char *s, size_t len)
{
    if (len == 0 || s[len - 1] != ')')
        return len;
    size_t depth = 0;
    for (size_t i = len; i > 0; i--) {
        if (s[i - 1] == ')')
            depth++;
        else if (s[i - 1] == '(' && --depth == 0)
            return i - 1;
    }
    return len;
}

/*
 * Reports "panic" or "fatal error" and the message of the last panic line
 * of the header, the one the program died of (earlier ones were recovered
 * from and carry " [recovered]", which is left out). Frames pair each
 * function line with the file line under it; "created by main.main" is a
 * frame too, function "main.main" (" in goroutine N" left out): where the
 * goroutine was started.
 */
size_t ehs_go_describe(const char *text, size_t len, ehs_exception *exception, ehs_frame *frames,
                       size_t max_frames)
{
    size_t count = 0;
    bool in_stack = false, in_header = true;
    const char *function = NULL;
    size_t fn_len = 0;
    ehs_dt_clear(exception);
    for (size_t pos = 0; pos <= len;) {
        size_t end = ehs_dt_eol(text, len, pos);
        const char *line = text + pos;
        size_t n = ehs_dt_trim_cr(line, end - pos);
        if (pos == 0 && is_header(line, n)) {
            exception->type = line;
            exception->type_len = line[0] == 'p' ? 5 : 11;
        }
        const char *message = NULL;
        if (pos == 0 && exception->type)
            message = line + exception->type_len + 2;
        else if (!in_stack && ehs_dt_has(line, n, 0, EHS_DT_LIT("\tpanic: ")))
            message = line + 8;
        if (n == 0)
            in_header = false;
        if (in_header && pos > 0 && !message && exception->message && line[0] != '[') {
            /* a value printed with '\n' in it: its lines up to the blank
             * line belong to the message */
            exception->message_len = (size_t)(line + n - exception->message);
        } else if (message) {
            size_t m = (size_t)(line + n - message);
            if (m > 0 && message[m - 1] == ']') {
                const char *r = memmem(message, m, " [recovered", 11);
                if (r)
                    m = (size_t)(r - message);
            }
            exception->message = message;
            exception->message_len = m;
        } else if (is_block_start(line, n)) {
            in_stack = true;
            function = NULL;
        } else if (in_stack && n > 0 && line[0] == '\t') {
            size_t stop = n;
            const char *pc = memmem(line, n, " +0x", 4);
            if (pc)
                stop = (size_t)(pc - line);
            size_t colon = ehs_dt_rfind(line, 1, stop, ':');
            uint32_t number = 0;
            bool has_line = false;
            if (colon < stop) {
                size_t d = colon + 1;
                has_line = ehs_dt_number(line, stop, &d, &number) && d == stop;
            }
            size_t file_len = (has_line ? colon : stop) - 1;
            ehs_dt_frame(frames, max_frames, &count, line + 1, file_len, function, fn_len,
                         has_line, number);
            function = NULL;
        } else if (in_stack && ehs_dt_has(line, n, 0, EHS_DT_LIT("created by "))) {
            function = line + 11;
            const char *in = memmem(function, n - 11, " in goroutine ", 14);
            fn_len = in ? (size_t)(in - function) : n - 11;
        } else if (in_stack && n > 0 && line[n - 1] == ')') {
            function = line;
            fn_len = function_len(line, n);
        }
        if (end == len)
            break;
        pos = end + 1;
    }
    return count;
}
