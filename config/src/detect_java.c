/*
 * Java stack traces (Throwable.printStackTrace, which the default uncaught
 * exception handler also uses; checked against OpenJDK 17).
 *
 * What it prints: a header, `Exception in thread "main" pkg.Cls: msg` for
 * an uncaught exception or plain `pkg.Cls: msg` when a program prints one;
 * then "\tat pkg.Cls.method(File.java:12)" per frame, `Caused by: ...` for
 * each cause, "\tSuppressed: ..." for suppressed exceptions (their frames
 * one tab deeper), and "\t... 3 more" where frames repeat the enclosing
 * trace.
 *
 * The start is the hard part: a custom exception's class may be named
 * anything, and only the "\tat" line after it would tell, but the machine
 * sees lines in order and cannot take a line back once it was let go. So a
 * record starts only at a line that says it is an exception: "Exception in
 * thread", or a dotted class name ending in Exception, Error or Throwable
 * followed by ": " or the end of the line. Dotted, so that Python's
 * "ValueError: x" or a program's "Error: x" is not taken; a default-package
 * class ("FooException: x") therefore starts nothing, and neither does a
 * lone "\tat" line. A message may hold '\n': lines after a header are held
 * TENTATIVE (a few) until a frame shows they were part of it.
 */
#include "detect_util.h"

enum {
    JV_HEAD = 1, /* after a header line: frames or message lines come */
    JV_FRAMES,   /* after a frame: only trace lines go on */
};

#define HOLD_MAX 3u
#define PHASE(s) ((s) & 0xFu)
#define HELD(s) ((s) >> 4)

static bool is_class_byte(char c)
{
    unsigned char u = (unsigned char)c;
    return ((u | 0x20) >= 'a' && (u | 0x20) <= 'z') || ehs_dt_digit(c) || c == '_' || c == '$' ||
           c == '.' || u >= 0x80;
}

/* Length of the exception class name at s[at] ("java.lang.Foo" before
 * ": msg" or the end), or 0 when it is not one. */
static size_t class_name(const char *s, size_t len, size_t at)
{
    size_t i = at;
    bool dotted = false;
    while (i < len && is_class_byte(s[i])) {
        dotted |= s[i] == '.';
        i++;
    }
    if (i == at || !dotted || s[at] == '.' || s[i - 1] == '.')
        return 0;
    if (i < len && !(s[i] == ':' && (i + 1 == len || s[i + 1] == ' ')))
        return 0;
    if (!ehs_dt_ends(s + at, i - at, EHS_DT_LIT("Exception")) &&
        !ehs_dt_ends(s + at, i - at, EHS_DT_LIT("Error")) &&
        !ehs_dt_ends(s + at, i - at, EHS_DT_LIT("Throwable")))
        return 0;
    return i - at;
}

/* Offset of the class after `Exception in thread "name" `, or 0. */
static size_t after_thread(const char *s, size_t len)
{
    if (!ehs_dt_has(s, len, 0, EHS_DT_LIT("Exception in thread \"")))
        return 0;
    const char *q = memmem(s + 21, len - 21, "\" ", 2);
    return q ? (size_t)(q - s) + 2 : 0;
}

/* Whether the text before the first ':' (or the whole line) ends in one of
 * the class name endings an exception line needs: one memchr and a few
 * compares reject an ordinary line before the class name is read. */
static bool may_name_exception(const char *s, size_t len)
{
    const char *colon = memchr(s, ':', len);
    size_t end = colon != NULL ? (size_t)(colon - s) : len;
    return ehs_dt_ends(s, end, EHS_DT_LIT("Exception")) || ehs_dt_ends(s, end, EHS_DT_LIT("Error")) ||
           ehs_dt_ends(s, end, EHS_DT_LIT("Throwable"));
}

bool ehs_java_starts(const char *line, size_t len, uint32_t *state)
{
    len = ehs_dt_trim_cr(line, len);
    if (len < 3 || !is_class_byte(line[0]) || ehs_dt_digit(line[0]))
        return false;
    if (line[0] != 'E' && !may_name_exception(line, len))
        return false;
    if (!after_thread(line, len) && !class_name(line, len, 0))
        return false;
    *state = JV_HEAD;
    return true;
}

ehs_verdict ehs_java_next(uint32_t *state, const char *first, size_t first_len, const char *line,
                          size_t len)
{
    (void)first;
    (void)first_len;
    len = ehs_dt_trim_cr(line, len);
    size_t at = 0;
    while (at < len && line[at] == '\t')
        at++;
    if (at > 0) {
        if (ehs_dt_has(line, len, at, EHS_DT_LIT("at ")) ||
            (ehs_dt_has(line, len, at, EHS_DT_LIT("... ")) &&
             ehs_dt_ends(line, len, EHS_DT_LIT(" more")))) {
            *state = JV_FRAMES;
            return EHS_VERDICT_CONTINUE;
        }
        if (ehs_dt_has(line, len, at, EHS_DT_LIT("Suppressed: ")) ||
            ehs_dt_has(line, len, at, EHS_DT_LIT("Caused by: "))) {
            *state = JV_HEAD;
            return EHS_VERDICT_CONTINUE;
        }
    } else if (ehs_dt_has(line, len, 0, EHS_DT_LIT("Caused by: "))) {
        *state = JV_HEAD;
        return EHS_VERDICT_CONTINUE;
    }
    uint32_t ignored;
    if (PHASE(*state) != JV_HEAD || HELD(*state) >= HOLD_MAX ||
        ehs_java_starts(line, len, &ignored))
        return EHS_VERDICT_NO;
    *state = JV_HEAD | ((HELD(*state) + 1) << 4);
    return EHS_VERDICT_TENTATIVE;
}

/* "\tat java.base/java.lang.Thread.run(Thread.java:833)": the function is
 * everything between "at " and '(' as printed, module and class loader
 * prefixes included ("java.base/..."): stripping them would need to tell a
 * module's '/' from the '/' in a hidden class name ("Foo$$Lambda$14/0x..."),
 * which the text does not do reliably. */
static bool read_frame(const char *s, size_t len, ehs_frame *frames, size_t max_frames,
                       size_t *count)
{
    size_t at = 0;
    while (at < len && s[at] == '\t')
        at++;
    if (at == 0 || !ehs_dt_has(s, len, at, EHS_DT_LIT("at ")))
        return false;
    at += 3;
    const char *open = memchr(s + at, '(', len - at);
    if (!open)
        return false;
    size_t o = (size_t)(open - s);
    const char *close = memchr(s + o, ')', len - o);
    if (!close)
        return false;
    size_t c = (size_t)(close - s);
    const char *file = s + o + 1;
    size_t file_len = c - o - 1;
    uint32_t number = 0;
    bool has_line = false;
    size_t colon = ehs_dt_rfind(s, o + 1, c, ':');
    if (colon < c) {
        size_t d = colon + 1;
        if (ehs_dt_number(s, c, &d, &number) && d == c) {
            has_line = true;
            file_len = colon - o - 1;
        }
    }
    if ((file_len == 13 && !memcmp(file, "Native Method", 13)) ||
        (file_len == 14 && !memcmp(file, "Unknown Source", 14)))
        file = NULL;
    ehs_dt_frame(frames, max_frames, count, file, file_len, s + at, o - at, has_line, number);
    return true;
}

/* The top exception (the first line) is reported; its causes follow in
 * the trace and their frames are counted with the rest. */
size_t ehs_java_describe(const char *text, size_t len, ehs_exception *exception,
                         ehs_frame *frames, size_t max_frames)
{
    size_t count = 0;
    bool in_message = true;
    ehs_dt_clear(exception);
    for (size_t pos = 0; pos <= len;) {
        size_t end = ehs_dt_eol(text, len, pos);
        const char *line = text + pos;
        size_t line_len = ehs_dt_trim_cr(line, end - pos);
        if (pos == 0) {
            size_t at = after_thread(line, line_len);
            size_t n = class_name(line, line_len, at);
            if (n == 0 && at > 0) {
                /* an uncaught exception whose class has a name of its own
                 * ("Exception in thread "main" com.x.Boom: y") */
                const char *colon = memchr(line + at, ':', line_len - at);
                n = colon ? (size_t)(colon - line) - at : line_len - at;
            }
            if (n > 0) {
                exception->type = line + at;
                exception->type_len = n;
            }
            if (n > 0 && at + n < line_len) {
                size_t m = at + n + 1 + (at + n + 1 < line_len && line[at + n + 1] == ' ');
                exception->message = line + m;
                exception->message_len = line_len - m;
            }
        } else if (read_frame(line, line_len, frames, max_frames, &count)) {
            in_message = false;
        } else if (line_len > 0 &&
                   (line[0] == '\t' || ehs_dt_has(line, line_len, 0, EHS_DT_LIT("Caused by: ")))) {
            in_message = false;
        } else if (in_message && exception->message) {
            /* a message that held '\n' runs on until the first frame */
            exception->message_len = (size_t)(line + line_len - exception->message);
        }
        if (end == len)
            break;
        pos = end + 1;
    }
    return count;
}
