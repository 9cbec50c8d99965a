/*
 * C++ std::terminate reports (GNU libstdc++'s verbose terminate handler,
 * the default with g++; checked against GCC 12).
 *
 * What it prints: "terminate called after throwing an instance of
 * 'std::runtime_error'" and, when the exception derives from
 * std::exception, "  what():  boom"; or the one line "terminate called
 * without an active exception". Then the process aborts, so the what()
 * line is LAST. A thrown non-std::exception ('int') has no what() line,
 * and the record is that one line; so is the "without" line, whose next
 * line is never part of it.
 */
#include "detect_util.h"

enum {
    CX_WHAT = 1, /* a what() line may come */
    CX_DONE,     /* nothing more belongs */
};

static const char thrown[] = "terminate called after throwing an instance of '";
static const char without[] = "terminate called without an active exception";

bool ehs_cxx_starts(const char *line, size_t len, uint32_t *state)
{
    len = ehs_dt_trim_cr(line, len);
    if (len < sizeof without - 1 || line[0] != 't' || memcmp(line, "terminate called ", 17) != 0)
        return false;
    if (len >= sizeof thrown && ehs_dt_has(line, len, 0, EHS_DT_LIT(thrown)) &&
        line[len - 1] == '\'')
        *state = CX_WHAT;
    else if (len == sizeof without - 1 && memcmp(line, without, len) == 0)
        *state = CX_DONE;
    else
        return false;
    return true;
}

ehs_verdict ehs_cxx_next(uint32_t *state, const char *first, size_t first_len, const char *line,
                         size_t len)
{
    (void)first;
    (void)first_len;
    len = ehs_dt_trim_cr(line, len);
    if (*state != CX_WHAT || !ehs_dt_has(line, len, 0, EHS_DT_LIT("  what():  ")))
        return EHS_VERDICT_NO;
    *state = CX_DONE;
    return EHS_VERDICT_LAST;
}

/* Type: the demangled name in the quotes; message: what() as printed.
 * The "without an active exception" line has no type, and its message is
 * the line itself. No frames: the handler prints none. */
size_t ehs_cxx_describe(const char *text, size_t len, ehs_exception *exception,
                        ehs_frame *frames, size_t max_frames)
{
    (void)frames;
    (void)max_frames;
    ehs_dt_clear(exception);
    size_t end = ehs_dt_eol(text, len, 0);
    size_t n = ehs_dt_trim_cr(text, end);
    /* at least the closing quote after the opening one */
    if (n >= sizeof thrown && ehs_dt_has(text, n, 0, EHS_DT_LIT(thrown)) && text[n - 1] == '\'') {
        exception->type = text + sizeof thrown - 1;
        exception->type_len = n - sizeof thrown; /* less the closing quote */
        if (end < len) {
            const char *what = text + end + 1;
            size_t w = ehs_dt_trim_cr(what, ehs_dt_eol(text, len, end + 1) - end - 1);
            if (ehs_dt_has(what, w, 0, EHS_DT_LIT("  what():  "))) {
                exception->message = what + 11;
                exception->message_len = w - 11;
            }
        }
    } else if (n > 0) {
        exception->message = text;
        exception->message_len = n;
    }
    return 0;
}
