/*
 * Literals every match of a pattern requires (rule_literal.h). The scan
 * reads the pattern as a sequence of atoms: a literal byte, or something
 * else (a class, an escape that is no plain byte, an anchor, '.', a group).
 * A run of literal bytes none of which is quantified must appear in every
 * match, in that order. A group every match goes through exactly once (not
 * quantified, no '|' of its own, no lookaround) is read as part of the
 * sequence; any other group is an atom, nothing inside it relied on.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "rule_literal.h"
#include "same_bytes.h"

static inline bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool ehs_skip_has(uint8_t skip, unsigned char c)
{
    switch (skip) {
    case EHS_SKIP_BLANKS:
    case EHS_SKIP_WORD:
    case EHS_SKIP_WORDS:
        return c == ' ' || c == '\t';
    case EHS_SKIP_SPACES:
        return c == ' ';
    case EHS_SKIP_WHITE:
        /* PCRE2's \s without UCP: space and \t \n \v \f \r. */
        return c == ' ' || (c >= '\t' && c <= '\r');
    default:
        return false;
    }
}

static size_t skip_set(uint8_t skip, const char *text, size_t len, size_t at)
{
    while (at < len && ehs_skip_has(skip, (unsigned char)text[at]))
        at++;
    return at;
}

/* The end of the word at `at`: the next space or tab, or `len`. Eight
 * bytes at a time where it can: the word kinds look past one or two words
 * of every line, and a byte loop was most of what finding them cost. */
static size_t word_end(const char *text, size_t len, size_t at)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (; len - at >= 8; at += 8) {
        uint64_t v;
        memcpy(&v, text + at, 8);
        uint64_t space = v ^ (ones * ' '), tab = v ^ (ones * '\t');
        /* A byte's high bit set where it is zero: exact for the lowest
         * such byte (only bytes above a zero one can be flagged falsely),
         * which is the first in memory. */
        uint64_t zero = ((space - ones) & ~space & highs) | ((tab - ones) & ~tab & highs);
        if (zero != 0)
            return at + (size_t)__builtin_ctzll(zero) / 8;
    }
#endif
    while (at < len && text[at] != ' ' && text[at] != '\t')
        at++;
    return at;
}

/* Past the word at `at` and the blanks after it. */
static size_t next_word(const char *text, size_t len, size_t at)
{
    return skip_set(EHS_SKIP_BLANKS, text, len, word_end(text, len, at));
}

void ehs_line_words(const char *text, size_t len, size_t words[EHS_STARTS_MAX])
{
    if (ehs_line_words_quick(text, len, words))
        return;
    unsigned found = 0;
#if defined(__SSE2__)
    /* What the quick look left: the words in the line's first 32 bytes
     * (16 in a shorter line), their blanks as bits, each word start a byte
     * that is no blank after one that is (or first). */
    if (len >= 16) {
        uint32_t blanks = (uint32_t)ehs_blanks_of16(text);
        uint32_t span = 0xffffu;
        if (len >= 32) {
            blanks |= (uint32_t)ehs_blanks_of16(text + 16) << 16;
            span = ~(uint32_t)0;
        }
        uint32_t starts = ~blanks & (blanks << 1 | 1) & span;
        for (; found < EHS_STARTS_MAX && starts != 0; found++) {
            words[found] = (size_t)__builtin_ctz(starts);
            starts &= starts - 1;
        }
    }
#endif
    /* Words past those: on from the last one found, a byte at a time. */
    if (found == 0)
        words[found++] = skip_set(EHS_SKIP_BLANKS, text, len, 0);
    for (; found < EHS_STARTS_MAX; found++)
        words[found] = next_word(text, len, words[found - 1]);
}

size_t ehs_word_starts(uint8_t skip, const size_t words[EHS_STARTS_MAX],
                       size_t starts[EHS_STARTS_MAX])
{
    if (skip == EHS_SKIP_WORDS) {
        /* Each W may be empty where blanks are enough to go round: the
         * first three words cover every way (never a later one, as only
         * two W and blanks come before the prefix). */
        memcpy(starts, words, EHS_STARTS_MAX * sizeof *starts);
        return 3;
    }
    /* The word the pattern's W takes, then the blanks after it. W can only
     * be empty when blanks start the line: then the prefix may start the
     * first word instead. */
    starts[0] = words[1];
    if (words[0] == 0)
        return 1;
    starts[1] = words[0];
    return 2;
}

size_t ehs_skip_starts(uint8_t skip, const char *text, size_t len,
                       size_t starts[EHS_STARTS_MAX])
{
    if (skip == EHS_SKIP_NONE) {
        starts[0] = 0;
        return 1;
    }
    if (skip == EHS_SKIP_WORD || skip == EHS_SKIP_WORDS) {
        size_t words[EHS_STARTS_MAX];
        ehs_line_words(text, len, words);
        return ehs_word_starts(skip, words, starts);
    }
    starts[0] = skip_set(skip, text, len, 0);
    return 1;
}

/* Whether `needle` (`n` bytes, n > 0) occurs in `text`. glibc's memmem
 * sets up a shift table on every call, which costs more than the whole
 * search on a log line. Needles mostly start with a blank (" from "), and
 * a search for their first byte alone stops at every word: sixteen places
 * at a time are held to the needle's first and last bytes together, and
 * only the places where both agree are compared whole. */
bool ehs_literal_contains(const char *text, size_t len, const char *needle, size_t n)
{
    if (len < n)
        return false;
    if (n == 1)
        return memchr(text, needle[0], len) != NULL;
    size_t last = len - n; /* the last place the needle can start */
#if defined(__SSE2__)
    if (last >= 15) {
        const __m128i first = _mm_set1_epi8(needle[0]), final = _mm_set1_epi8(needle[n - 1]);
        for (size_t at = 0;;) {
            /* Places base..base+15 read up to text[base + 15 + n - 1], within
             * `len`; the last sixteen overlap places already looked at,
             * which the mask leaves out. */
            size_t base = at <= last - 15 ? at : last - 15;
            __m128i starts = _mm_loadu_si128((const __m128i *)(const void *)(text + base));
            __m128i ends = _mm_loadu_si128((const __m128i *)(const void *)(text + base + n - 1));
            unsigned both = (unsigned)_mm_movemask_epi8(_mm_and_si128(
                                _mm_cmpeq_epi8(starts, first), _mm_cmpeq_epi8(ends, final))) &
                            (0xFFFFu << (at - base));
            for (; both != 0; both &= both - 1) {
                size_t p = base + (size_t)__builtin_ctz(both);
                if (ehs_same_bytes(text + p + 1, needle + 1, n - 2))
                    return true;
            }
            at = base + 16;
            if (at > last)
                return false;
        }
    }
#endif
    for (size_t at = 0; at <= last; at++)
        if (text[at] == needle[0] && text[at + n - 1] == needle[n - 1] &&
            ehs_same_bytes(text + at + 1, needle + 1, n - 2))
            return true;
    return false;
}

static inline bool starts_with(const char *text, size_t len, size_t at, const char *prefix,
                               size_t n)
{
    return len - at >= n && ehs_same_bytes(text + at, prefix, n);
}

bool ehs_literals_allow(const ehs_literals *lit, const char *text, size_t len)
{
    size_t at = SIZE_MAX;
    if (lit->prefix_len != 0) {
        size_t starts[EHS_STARTS_MAX];
        size_t count = ehs_skip_starts(lit->skip, text, len, starts);
        /* The earliest start that fits: the needle is searched after it. */
        for (size_t k = 0; k < count; k++)
            if (starts[k] < at && starts_with(text, len, starts[k], lit->prefix, lit->prefix_len))
                at = starts[k];
        if (at == SIZE_MAX)
            return false;
        at += lit->prefix_len; /* the needle comes after the prefix */
    } else {
        at = 0;
    }
    return lit->needle_len == 0 ||
           ehs_literal_contains(text + at, len - at, lit->needle, lit->needle_len);
}

/* Past the ']' of the class that starts at `p` ('['); NULL when unclosed. */
static const char *skip_class(const char *p)
{
    p++;
    if (*p == '^')
        p++;
    if (*p == ']')
        p++; /* a ']' first is literal */
    while (*p != '\0' && *p != ']') {
        if (*p == '\\' && p[1] != '\0') {
            p++;
        } else if (*p == '[' && p[1] == ':') {
            const char *close = strstr(p + 2, ":]");
            if (close == NULL)
                return NULL;
            p = close + 1;
        }
        p++;
    }
    return *p == ']' ? p + 1 : NULL;
}

/* True when `|` may apply outside every group, or the pattern uses
 * constructs that hide parentheses from a simple scan (\Q..\E, comments). */
static bool may_alternate(const char *p)
{
    int depth = 0;
    for (; *p != '\0'; p++) {
        if (*p == '\\') {
            if (p[1] == 'Q' || p[1] == '\0')
                return true;
            p++;
        } else if (*p == '[') {
            const char *after = skip_class(p);
            if (after == NULL)
                return true;
            p = after - 1; /* the loop steps past the ']' */
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

/* Past the ')' that closes the group opening at `p`; NULL when unclosed. */
static const char *skip_group(const char *p)
{
    int depth = 0;
    while (*p != '\0') {
        if (*p == '\\') {
            if (p[1] == '\0')
                return NULL;
            p += 2;
            continue;
        }
        if (*p == '[') {
            p = skip_class(p);
            if (p == NULL)
                return NULL;
            continue;
        }
        if (*p == '(')
            depth++;
        else if (*p == ')' && --depth == 0)
            return p + 1;
        p++;
    }
    return NULL;
}

/* Past a bracketed argument `open`..`close` at `p`, or `p` when there is none. */
static const char *skip_bracketed(const char *p, char open, char close)
{
    if (*p != open)
        return p;
    const char *end = strchr(p + 1, close);
    return end != NULL ? end + 1 : p;
}

/* Past whatever an escape letter or digit `c` (at p[-1]) takes as its
 * argument: hex or octal digits, {...}, <...>, '...', one control byte.
 * Too much skipped only loses literal bytes; too little would not be safe. */
static const char *skip_escape_argument(char c, const char *p)
{
    switch (c) {
    case 'x':
        if (*p == '{')
            return skip_bracketed(p, '{', '}');
        for (int i = 0; i < 2 && is_hex(*p); i++)
            p++;
        return p;
    case 'c':
        return *p != '\0' ? p + 1 : p;
    case 'g':
    case 'k':
        if (*p == '{' || *p == '<' || *p == '\'')
            return skip_bracketed(p, *p, *p == '{' ? '}' : *p == '<' ? '>' : '\'');
        if (*p == '+' || *p == '-')
            p++;
        while (*p >= '0' && *p <= '9')
            p++;
        return p;
    case 'o':
    case 'p':
    case 'P':
    case 'N':
        return skip_bracketed(p, '{', '}');
    default:
        if (c >= '0' && c <= '9')
            while (*p >= '0' && *p <= '9')
                p++;
        return p;
    }
}

/* Past a quantifier at `p` (with its lazy or possessive mark), or `p`. */
static const char *skip_quantifier(const char *p)
{
    if (*p == '?' || *p == '*' || *p == '+') {
        p++;
    } else if (*p == '{') {
        /* Taken for a quantifier even when PCRE2 would read it as literal
         * text: then only literal bytes are lost. */
        const char *close = strchr(p, '}');
        p = close != NULL ? close + 1 : p + 1;
    } else {
        return p;
    }
    if (*p == '?' || *p == '+')
        p++;
    return p;
}

/* One atom other than a group: a literal byte (`literal` set) or not. NULL
 * when the scan must give up. */
static const char *next_atom(const char *p, bool *is_literal, char *literal)
{
    *is_literal = false;
    char c = *p;
    if (c == '\\') {
        char e = p[1];
        if (e == '\0' || e == 'Q' || (unsigned char)e >= 0x80)
            return NULL;
        if (!is_alnum(e)) {
            *is_literal = true;
            *literal = e;
            return p + 2;
        }
        return skip_escape_argument(e, p + 2);
    }
    if (c == '[')
        return skip_class(p);
    if (c == ')' || c == '|')
        return NULL;
    if (c == '.' || c == '^' || c == '$' || c == '{' || c == '?' || c == '*' || c == '+')
        return p + 1;
    *is_literal = true;
    *literal = c;
    return p + 1;
}

/* Recognises "X*" (X a class of blanks; any quantifier mark) at `p`, right
 * after the anchor; returns past it and sets *skip, or `p`. */
static const char *leading_skip(const char *p, uint8_t *skip)
{
    static const struct {
        const char *text;
        uint8_t skip;
    } forms[] = {
        { "[ \\t]*", EHS_SKIP_BLANKS }, { "[\\t ]*", EHS_SKIP_BLANKS },
        { "[ \t]*", EHS_SKIP_BLANKS },  { "[\t ]*", EHS_SKIP_BLANKS },
        { " *", EHS_SKIP_SPACES },      { "[ ]*", EHS_SKIP_SPACES },
        { "\\s*", EHS_SKIP_WHITE },
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        size_t n = strlen(forms[i].text);
        if (strncmp(p, forms[i].text, n) == 0) {
            *skip = forms[i].skip;
            p += n;
            return *p == '?' || *p == '+' ? p + 1 : p;
        }
    }
    *skip = EHS_SKIP_NONE;
    return p;
}

/* Past a token matching one or more spaces and tabs ("[ \t]++", "[ \t]+",
 * either order in the class) at `p`, or NULL. */
static const char *blank_run(const char *p)
{
    static const char *const classes[] = { "[ \\t]", "[\\t ]", "[ \t]", "[\t ]" };
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        size_t n = strlen(classes[i]);
        if (strncmp(p, classes[i], n) == 0 && p[n] == '+') {
            const char *after = p + n + 1;
            if (*after == '+')
                after++;
            return *after == '?' || *after == '*' || *after == '{' ? NULL : after;
        }
    }
    return NULL;
}

/* Whether class [..] from `p` to `end` (past its ']') holds space and tab
 * (`want` true) or certainly neither (false); false when unsure. */
static bool class_blanks(const char *p, const char *end, bool want)
{
    bool space = false, tab = false;
    for (const char *c = p + 1; c < end - 1; c++) {
        if (*c == '\\') {
            char e = c[1];
            c++;
            if (e == 't')
                tab = true;
            else if (e == 's' || e == 'h')
                space = tab = true;
            else if (is_alnum(e) && strchr("dwSH", e) == NULL)
                return false; /* \W, \D, \x.., \p..: might hold either */
        } else if (*c == '[') {
            return false; /* [:name:] */
        } else if (c + 2 < end - 1 && c[1] == '-') {
            /* A range holds a blank only when it starts at or below ' '. */
            if ((unsigned char)*c <= ' ')
                space = tab = true;
            c += 2;
        } else if (*c == ' ') {
            space = true;
        } else if (*c == '\t') {
            tab = true;
        }
    }
    return want ? space && tab : !space && !tab;
}

/* Whether no part of `p`..`end` can match a space or a tab: literal bytes
 * that are not blanks, classes without them ([^ \t] included), \d \w \S
 * \H, assertions; groups and alternation as their parts are. */
static bool takes_no_blank(const char *p, const char *end)
{
    while (p < end) {
        char c = *p;
        if (c == '\\') {
            char e = p[1];
            if (e == '\0' || e == ' ' || (is_alnum(e) && strchr("dwSHbBAzZG", e) == NULL))
                return false;
            p += 2;
        } else if (c == '[') {
            const char *after = skip_class(p);
            if (after == NULL || after > end)
                return false;
            bool negated = p[1] == '^';
            if (!class_blanks(negated ? p + 1 : p, after, negated))
                return false;
            p = after;
        } else if (c == '(' && p[1] == '?' &&
                   (p[2] == '=' || p[2] == '!' ||
                    (p[2] == '<' && (p[3] == '=' || p[3] == '!')))) {
            /* A lookaround takes nothing, whatever it looks at. */
            const char *after = skip_group(p);
            if (after == NULL || after > end)
                return false;
            p = after;
        } else if (c == '.' || c == ' ' || c == '\t') {
            return false;
        } else {
            p++; /* a literal byte or group syntax: ( ) ? : < > = ! | * + { } */
        }
    }
    return true;
}

/* Recognises "W[ \t]++" at `p`: W a run of atoms none of which can take a
 * blank. Returns past the blank run, or NULL. */
static const char *first_word(const char *p)
{
    const char *start = p;
    while (*p != '\0') {
        const char *after = blank_run(p);
        if (after != NULL)
            return p > start && takes_no_blank(start, p) ? after : NULL;
        bool is_literal;
        char literal;
        if (*p == '(')
            after = skip_group(p);
        else
            after = next_atom(p, &is_literal, &literal);
        if (after == NULL)
            return NULL;
        p = skip_quantifier(after);
    }
    return NULL;
}

/* The scan's progress: the current run of literal bytes and the best so far. */
typedef struct scan {
    char run[EHS_LITERAL_MAX];
    size_t run_len;
    bool in_prefix;          /* the current run is the prefix */
    bool in_key;             /* what comes next still extends found.key */
    ehs_literals found;
} scan;

/* One more byte of what every match has right after the prefix start:
 * literal, or ' ' for a run of one or more blanks. Folded as the line will
 * be, so blanks next to blanks add nothing; a full key just stops. */
static void key_add(scan *sc, char c)
{
    if (!sc->in_key)
        return;
    ehs_literals *f = &sc->found;
    if (ehs_fold_blank((unsigned char)c)) {
        if (f->key_len != 0 && f->key[f->key_len - 1] == ' ')
            return;
        c = ' ';
    }
    if (f->key_len == EHS_LITERAL_MAX) {
        sc->in_key = false;
        return;
    }
    f->key[f->key_len++] = c;
}

static void end_run(scan *sc)
{
    if (sc->in_prefix && sc->run_len != 0) {
        memcpy(sc->found.prefix, sc->run, sc->run_len);
        sc->found.prefix_len = (uint8_t)sc->run_len;
    } else if (sc->run_len > sc->found.needle_len) {
        memcpy(sc->found.needle, sc->run, sc->run_len);
        sc->found.needle_len = (uint8_t)sc->run_len;
    }
    sc->in_prefix = false;
    sc->run_len = 0;
}

/* Where the contents of a group opening at `p` start when every match goes
 * through them once, as a sequence: a plain, non-capturing, atomic or named
 * group (not a lookaround, condition, reset or recursion); else NULL. */
static const char *sequence_group_body(const char *p)
{
    if (p[1] != '?')
        return p + 1;
    if (p[2] == ':' || p[2] == '>')
        return p + 3;
    const char *name = NULL;
    char close = 0;
    if (p[2] == '<' && p[3] != '=' && p[3] != '!')
        name = p + 3, close = '>';
    else if (p[2] == '\'')
        name = p + 3, close = '\'';
    else if (p[2] == 'P' && p[3] == '<')
        name = p + 4, close = '>';
    if (name == NULL)
        return NULL;
    while (is_alnum(*name) || *name == '_')
        name++;
    return *name == close ? name + 1 : NULL;
}

/* Whether `|` appears at depth 0 of body..end (the group's closing ')'). */
static bool body_alternates(const char *body, const char *end)
{
    int depth = 0;
    for (const char *p = body; p < end; p++) {
        if (*p == '\\') {
            p++;
        } else if (*p == '[') {
            p = skip_class(p) - 1; /* closed: the group scan checked */
        } else if (*p == '(') {
            depth++;
        } else if (*p == ')') {
            depth--;
        } else if (*p == '|' && depth == 0) {
            return true;
        }
    }
    return false;
}

/* Scans atoms from `p` to `end` (a group's ')' or the pattern's NUL);
 * false when the scan must give up. Groups every match goes through once
 * are scanned into, so a run goes on across their edges. */
static bool scan_sequence(scan *sc, const char *p, const char *end)
{
    while (p < end) {
        const char *blanks = sc->in_key ? blank_run(p) : NULL;
        if (blanks != NULL && blanks <= end) {
            /* "[ \t]++": the literal run ends; the key goes on, folded. */
            key_add(sc, ' ');
            end_run(sc);
            p = blanks;
            continue;
        }
        if (*p == '(') {
            const char *after = skip_group(p);
            if (after == NULL || after > end)
                return false;
            if (p[1] == '?' && p[2] != '\0' && strchr("imnsxUJ-^", p[2]) != NULL)
                return false; /* inline options change what follows */
            const char *past = skip_quantifier(after);
            const char *body = sequence_group_body(p);
            if (past == after && body != NULL && !body_alternates(body, after - 1)) {
                if (!scan_sequence(sc, body, after - 1))
                    return false;
            } else {
                end_run(sc);
                sc->in_key = false;
            }
            p = past;
            continue;
        }
        bool is_literal;
        char literal = 0;
        const char *after = next_atom(p, &is_literal, &literal);
        if (after == NULL || after > end)
            return false;
        const char *past = skip_quantifier(after);
        if (is_literal && past == after) {
            if (sc->run_len < EHS_LITERAL_MAX)
                sc->run[sc->run_len++] = literal;
            key_add(sc, literal);
        } else {
            end_run(sc);
            sc->in_key = false;
        }
        p = past;
    }
    return true;
}

/* The literals of `p` onwards; false when the scan gave up. */
static bool scan_literals(const char *p, bool anchored, uint8_t skip, ehs_literals *out)
{
    scan sc = { .in_prefix = anchored, .in_key = anchored, .found = { .skip = skip } };
    if (!scan_sequence(&sc, p, p + strlen(p)))
        return false;
    end_run(&sc);
    ehs_literals found = sc.found;
    /* After skipped blanks the prefix must not start with one: the run of
     * blanks the pattern takes could then end anywhere. */
    if (found.prefix_len != 0 && ehs_skip_has(found.skip, (unsigned char)found.prefix[0])) {
        if (found.prefix_len > found.needle_len) {
            memcpy(found.needle, found.prefix, found.prefix_len);
            found.needle_len = found.prefix_len;
        }
        found.prefix_len = 0;
    }
    if (found.prefix_len == 0) {
        found.skip = EHS_SKIP_NONE;
        found.key_len = 0;
    }
    *out = found;
    return true;
}

void ehs_pattern_literals(const char *pattern, uint32_t compile_options, ehs_literals *out)
{
    memset(out, 0, sizeof *out);
    const uint32_t unsafe = PCRE2_CASELESS | PCRE2_EXTENDED | PCRE2_EXTENDED_MORE |
                            PCRE2_MULTILINE | PCRE2_LITERAL | PCRE2_ALT_CIRCUMFLEX |
                            PCRE2_ALT_BSUX;
    if (pattern == NULL || (compile_options & unsafe) != 0 || strstr(pattern, "(*") != NULL ||
        may_alternate(pattern))
        return;

    const char *p = pattern;
    bool anchored = false;
    if (p[0] == '^')
        p += 1, anchored = true;
    else if (p[0] == '\\' && p[1] == 'A')
        p += 2, anchored = true;
    uint8_t skip = EHS_SKIP_NONE;
    if (anchored)
        p = leading_skip(p, &skip);
    ehs_literals found;
    if (!scan_literals(p, anchored, skip, &found))
        return;
    /* A learned rule whose template starts with one or two variable words:
     * the literal after them starts one of the line's first words. */
    const char *word_end = p;
    for (uint8_t kind = EHS_SKIP_WORD; kind <= EHS_SKIP_WORDS; kind++) {
        ehs_literals after_words;
        if (!anchored || found.prefix_len != 0 ||
            (skip != EHS_SKIP_NONE && skip != EHS_SKIP_BLANKS) ||
            (word_end = first_word(word_end)) == NULL)
            break;
        if (scan_literals(word_end, true, kind, &after_words) && after_words.prefix_len != 0)
            found = after_words;
    }
    *out = found;
}
