/*
 * The level of a line no rule matched, from the severity word real programs
 * put near its start. Without it every unmatched stderr line would be an
 * info event, errors included, and an operator filtering on level would
 * miss exactly the lines no rule was written for.
 *
 * The forms (README "Levels without rules"), looked for in the first
 * LOOK_BYTES bytes, the first one found wins:
 *   [word]                   any case: nginx "[error]", "[WARN]"
 *   level=word               also lvl=, severity=, loglevel=; any case,
 *                            the value may be quoted: logfmt
 *   WORD followed by ':', ' ', ']', '-', '|', ',' or the end, upper case
 *                            only, as a whole word: "ERROR:root:...",
 *                            "... [123] FATAL:  ...", "... - WARNING - ..."
 *   word: at the line start  any case: "error: ...", "Warning: ..."
 * Lower-case words elsewhere are prose ("no error found") and are ignored.
 */
#include <stdbool.h>
#include <string.h>

#include "level.h"

#define LOOK_BYTES 160

/* What a byte is to the scan: most are OTHER, stepped over one compare
 * each; a word starts at a LETTER after anything but a letter or digit. */
enum { OTHER = 0, LETTER, DIGIT, BRACKET };
#define LETTERS_26 LETTER, LETTER, LETTER, LETTER, LETTER, LETTER, LETTER, LETTER, LETTER, \
                   LETTER, LETTER, LETTER, LETTER, LETTER, LETTER, LETTER, LETTER, LETTER, \
                   LETTER, LETTER, LETTER, LETTER, LETTER, LETTER, LETTER, LETTER
static const uint8_t byte_kind[256] = {
    ['0'] = DIGIT, DIGIT, DIGIT, DIGIT, DIGIT, DIGIT, DIGIT, DIGIT, DIGIT, DIGIT,
    ['A'] = LETTERS_26, ['['] = BRACKET,
    ['a'] = LETTERS_26,
};

static bool is_upper_word(const char *word, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (word[i] < 'A' || word[i] > 'Z')
            return false;
    }
    return true;
}

static inline bool same_word(const char *word, size_t len, const char *lower)
{
    if (strlen(lower) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = word[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lower[i])
            return false;
    }
    return true;
}

/* The level of `word` in any case, or 0. Every word of a line no rule
 * matched comes here, so the first letter picks the few words to compare:
 *   emerg emergency alert crit critical fatal panic   1
 *   err error severe                                  2
 *   warn warning                                      3
 *   notice info                                       4
 *   debug trace                                       5 */
static uint8_t level_of_word(const char *word, size_t len)
{
    if (len < 3 || len > 9) /* "err" .. "emergency" */
        return 0;
    char first = word[0] >= 'A' && word[0] <= 'Z' ? (char)(word[0] - 'A' + 'a') : word[0];
    switch (first) {
    case 'a': return same_word(word, len, "alert") ? 1 : 0;
    case 'c': return same_word(word, len, "crit") || same_word(word, len, "critical") ? 1 : 0;
    case 'd': return same_word(word, len, "debug") ? 5 : 0;
    case 'e':
        if (same_word(word, len, "emerg") || same_word(word, len, "emergency"))
            return 1;
        return same_word(word, len, "err") || same_word(word, len, "error") ? 2 : 0;
    case 'f': return same_word(word, len, "fatal") ? 1 : 0;
    case 'i': return same_word(word, len, "info") ? 4 : 0;
    case 'n': return same_word(word, len, "notice") ? 4 : 0;
    case 'p': return same_word(word, len, "panic") ? 1 : 0;
    case 's': return same_word(word, len, "severe") ? 2 : 0;
    case 't': return same_word(word, len, "trace") ? 5 : 0;
    case 'w': return same_word(word, len, "warn") || same_word(word, len, "warning") ? 3 : 0;
    default: return 0;
    }
}

static size_t letters_from(const char *text, size_t len, size_t at)
{
    size_t end = at;
    while (end < len && byte_kind[(unsigned char)text[end]] == LETTER)
        end++;
    return end;
}

static bool is_key_word(const char *word, size_t len)
{
    return same_word(word, len, "level") || same_word(word, len, "lvl") ||
           same_word(word, len, "severity") || same_word(word, len, "loglevel");
}

/* The level of `word` (`word_len` letters at `at`, a word start) in the
 * forms that count at a word, or 0. */
static uint8_t word_level(const char *text, size_t len, size_t limit, size_t at, size_t end,
                          size_t start)
{
    const char *word = text + at;
    size_t word_len = end - at;
    char next = end < len ? text[end] : '\0';
    if (next == '=' && is_key_word(word, word_len)) {
        size_t value = end + 1;
        if (value < limit && (text[value] == '"' || text[value] == '\''))
            value++;
        size_t value_end = letters_from(text, len, value);
        uint8_t found = level_of_word(text + value, value_end - value);
        if (found != 0)
            return found;
    }
    uint8_t found = level_of_word(word, word_len);
    if (found == 0)
        return 0;
    bool upper_form = is_upper_word(word, word_len) && strchr(":]-|, ", next) != NULL;
    bool start_form = at == start && next == ':';
    return upper_form || start_form ? found : 0;
}

bool ehs_level_from_words(const char *text, size_t len, uint8_t *level)
{
    size_t limit = len < LOOK_BYTES ? len : LOOK_BYTES;
    size_t start = 0;
    while (start < limit && (text[start] == ' ' || text[start] == '\t'))
        start++;
    size_t i = start;
    while (i < limit) {
        uint8_t kind = byte_kind[(unsigned char)text[i]];
        if (kind == OTHER || kind == DIGIT) {
            i++;
            continue;
        }
        if (kind == BRACKET) {
            size_t end = letters_from(text, limit, i + 1);
            uint8_t found = level_of_word(text + i + 1, end - i - 1);
            if (end < limit && text[end] == ']' && found != 0) {
                *level = found;
                return true;
            }
            i++; /* the letters inside may still be a word of their own */
            continue;
        }
        size_t end = letters_from(text, limit, i);
        bool word_start = i == 0 || byte_kind[(unsigned char)text[i - 1]] == OTHER ||
                          byte_kind[(unsigned char)text[i - 1]] == BRACKET;
        if (word_start) {
            uint8_t found = word_level(text, len, limit, i, end, start);
            if (found != 0) {
                *level = found;
                return true;
            }
        }
        i = end; /* the rest of these letters starts no word */
    }
    return false;
}
