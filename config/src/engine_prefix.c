/*
 * Literal prefixes of anchored patterns (engine_prefix.h). Conservative by
 * construction: anything this scanner does not fully understand gives 0,
 * which only means PCRE2 decides, as it would anyway.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <string.h>

#include "engine_prefix.h"

static inline bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool ehs_pattern_may_alternate(const char *p)
{
    int depth = 0;
    for (; *p != '\0'; p++) {
        if (*p == '\\') {
            if (p[1] == 'Q' || p[1] == '\0')
                return true;
            p++;
        } else if (*p == '[') {
            /* A class: ']' first is literal; skip escapes and [:name:]. */
            p++;
            if (*p == '^')
                p++;
            if (*p == ']')
                p++;
            while (*p != '\0' && *p != ']') {
                if (*p == '\\' && p[1] != '\0') {
                    p++;
                } else if (*p == '[' && p[1] == ':') {
                    const char *close = strstr(p + 2, ":]");
                    if (close == NULL)
                        return true;
                    p = close + 1;
                }
                p++;
            }
            if (*p == '\0')
                return true;
        } else if (*p == '(') {
            if (p[1] == '?' && p[2] == '#')
                return true;
            depth++;
        } else if (*p == ')') {
            depth--;
        } else if (*p == '|' && depth <= 0) {
            return true;
        }
    }
    return false;
}

size_t ehs_pattern_prefix(const char *pattern, uint32_t compile_options, char *out)
{
    const uint32_t unsafe = PCRE2_CASELESS | PCRE2_EXTENDED | PCRE2_EXTENDED_MORE |
                            PCRE2_MULTILINE | PCRE2_LITERAL | PCRE2_ALT_CIRCUMFLEX;
    if (pattern == NULL || (compile_options & unsafe) != 0)
        return 0;
    const char *p = pattern;
    if (p[0] == '^')
        p += 1;
    else if (p[0] == '\\' && p[1] == 'A')
        p += 2;
    else
        return 0;
    if (ehs_pattern_may_alternate(pattern))
        return 0;
    size_t n = 0;
    while (n < EHS_PREFIX_MAX && *p != '\0') {
        char c = *p, literal;
        size_t step;
        if (c == '\\') {
            /* Escaped punctuation is itself; letters and digits are classes,
             * references, assertions or code points. */
            if (p[1] == '\0' || is_alnum(p[1]) || (unsigned char)p[1] >= 0x80)
                break;
            literal = p[1];
            step = 2;
        } else if (strchr("^$.[|()?*+{", c) != NULL) {
            break;
        } else {
            literal = c;
            step = 1;
        }
        char next = p[step];
        if (next == '?' || next == '*' || next == '+' || next == '{')
            break; /* quantified: may be absent or repeated */
        out[n++] = literal;
        p += step;
    }
    return n;
}
