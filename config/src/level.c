/*
 * journald's reading of "<N>" prefixes on stream lines, so that a service
 * that marks its stderr lines for journald gets the same levels here.
 */
#include "ehs/ehs_engine.h"
#include "level.h"

/* The '>' of the longest prefix, "<007>": the callers that cut lines before
 * the engine keep room for that much (EHS_STDERR_PREFIX_MAX). */
enum { LAST_CLOSE = EHS_STDERR_PREFIX_MAX - 1 };

size_t ehs_stderr_prefix(const char *text, size_t len, int *severity)
{
    if (len < 3 || text[0] != '<')
        return 0;
    /* journald looks for the first '>' and takes 1..3 characters before it. */
    size_t close = 1;
    while (close < len && close <= LAST_CLOSE && text[close] != '>')
        close++;
    if (close >= len || text[close] != '>' || close < 2 || close > LAST_CLOSE)
        return 0;
    int value = 0;
    for (size_t i = 1; i < close; i++) {
        if (text[i] < '0' || text[i] > '9')
            return 0;
        value = value * 10 + (text[i] - '0');
    }
    if (value > 7)
        return 0;
    *severity = value;
    return close + 1;
}
