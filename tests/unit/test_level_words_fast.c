/*
 * ehs_level_from_words (vector compares where the machine has them) and
 * ehs_level_from_words_bytes (byte by byte) against the scan they
 * replaced, kept below as the reference: random lines of level words in
 * every case and form, key words, brackets, separators, digits, blanks and
 * non-ASCII bytes, of every length across the 16-byte blocks and the 160
 * bytes looked at. Each text is copied to a heap block of its exact size,
 * so a read past its end shows under ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/xorshift.h"
#include "level.h"

/* ---- the byte scan as it was ---- */

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

static bool reference_level(const char *text, size_t len, uint8_t *level)
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

/* ---- comparisons ---- */

static void same_level(const char *line, size_t len)
{
    char *copy = malloc(len != 0 ? len : 1);
    assert_non_null(copy);
    memcpy(copy, line, len);
    uint8_t want = 0, vector = 0, bytes = 0;
    bool want_found = reference_level(copy, len, &want);
    bool vector_found = ehs_level_from_words(copy, len, &vector);
    bool bytes_found = ehs_level_from_words_bytes(copy, len, &bytes);
    free(copy);
    if (vector_found != want_found || (want_found && vector != want))
        fail_msg("'%.*s' (%zu bytes): %d level %u, reference %d level %u", (int)len, line, len,
                 vector_found, vector, want_found, want);
    if (bytes_found != want_found || (want_found && bytes != want))
        fail_msg("'%.*s' (%zu bytes), byte by byte: %d level %u, reference %d level %u",
                 (int)len, line, len, bytes_found, bytes, want_found, want);
}

static const char *const pieces[] = {
    "error", "ERROR", "Error", "err", "ERR", "warn", "WARNING", "Warning", "info", "INFO",
    "notice", "debug", "DEBUG", "trace", "TRACE", "fatal", "FATAL", "panic", "crit",
    "CRITICAL", "alert", "emerg", "EMERGENCY", "severe", "SEVERE", "level", "LEVEL", "lvl",
    "severity", "loglevel", "worker", "request", "done", "in", "ms", "errors", "warned",
    "inform", "x", "ab", "wa", "de", "[", "]", "=", "\"", "'", ":", "-", "|", ",", " ", " ",
    "  ", "\t", "0", "42", "3rd", "9", "19", "\xc3\xa4", "\xff", "_", ".", "/", "(", "a", "Z",
};

static void test_level_words_against_reference(void **state)
{
    (void)state;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    char line[260];
    unsigned found = 0;
    for (int n = 0; n < 300000; n++) {
        size_t len = 0;
        size_t want = xorshift_next(&seed) % 220;
        while (len < want) {
            const char *piece = pieces[xorshift_next(&seed) % (sizeof pieces / sizeof pieces[0])];
            size_t piece_len = strlen(piece);
            if (len + piece_len > want)
                break;
            memcpy(line + len, piece, piece_len);
            len += piece_len;
        }
        /* Every length, not only whole pieces: cut anywhere. */
        if (n % 3 == 0 && len > 0)
            len = xorshift_next(&seed) % (len + 1);
        same_level(line, len);
        uint8_t level;
        found += ehs_level_from_words(line, len, &level);
    }
    assert_true(found > 30000); /* many lines do state a level */
    /* A level word at each place around the 16-byte blocks and the 160
     * bytes looked at, in each form. */
    static const char *const forms[] = { "ERROR:", "[warn]", "level=debug", "FATAL ", "x ERROR",
                                         "error: x", "lvl='info'" };
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++)
        for (size_t at = 0; at < 180; at++)
            for (int fill = 0; fill < 3; fill++) {
                memset(line, fill == 0 ? ' ' : fill == 1 ? 'q' : '.', at);
                size_t flen = strlen(forms[f]);
                memcpy(line + at, forms[f], flen);
                same_level(line, at + flen);
                line[at + flen] = '!';
                same_level(line, at + flen + 1);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_words_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
