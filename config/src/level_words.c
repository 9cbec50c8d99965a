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

/* The forms, byte by byte: where there are no vector compares. */
bool ehs_level_from_words_bytes(const char *text, size_t len, uint8_t *level)
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

#if defined(__SSE2__)
#include <emmintrin.h>

/* The first two letters (any case) of every level word and key word: bit
 * `second - 'a'` of entry `first - 'a'`. A word beginning otherwise is no
 * level, so most words are passed over without being measured. */
#define SECOND(c) (1u << ((c) - 'a'))
static const uint32_t second_letters[26] = {
    ['a' - 'a'] = SECOND('l'),                               /* alert */
    ['c' - 'a'] = SECOND('r'),                               /* crit critical */
    ['d' - 'a'] = SECOND('e'),                               /* debug */
    ['e' - 'a'] = SECOND('m') | SECOND('r'),                 /* emerg emergency err error */
    ['f' - 'a'] = SECOND('a'),                               /* fatal */
    ['i' - 'a'] = SECOND('n'),                               /* info */
    ['l' - 'a'] = SECOND('e') | SECOND('v') | SECOND('o'),   /* level lvl loglevel */
    ['n' - 'a'] = SECOND('o'),                               /* notice */
    ['p' - 'a'] = SECOND('a'),                               /* panic */
    ['s' - 'a'] = SECOND('e'),                               /* severe severity */
    ['t' - 'a'] = SECOND('r'),                               /* trace */
    ['w' - 'a'] = SECOND('a'),                               /* warn warning */
};
#undef SECOND

/* May the letters at text[at] (a letter) begin a level or key word? Every
 * one has at least three letters, all before `limit` when it counts: a
 * shorter word ("in", "ms") is passed over here, unmeasured. */
static inline bool may_begin_level(const char *text, size_t limit, size_t at)
{
    if (at + 2 >= limit)
        return false;
    unsigned first = ((unsigned char)text[at] | 0x20) - 'a';
    unsigned char next = (unsigned char)text[at + 1];
    unsigned second = (next | 0x20) - 'a';
    return byte_kind[next] == LETTER && (second_letters[first] >> second & 1) &&
           byte_kind[(unsigned char)text[at + 2]] == LETTER;
}

/* Bytes of `v` within [lo, lo + span]: v - lo, unsigned, is at most span. */
static inline __m128i bytes_within(__m128i v, char lo, char span)
{
    __m128i offset = _mm_sub_epi8(v, _mm_set1_epi8(lo));
    return _mm_cmpeq_epi8(_mm_min_epu8(offset, _mm_set1_epi8(span)), offset);
}

/* The letters (either case), the letters and digits, and the '[' among
 * the 16 bytes from text[at]: bit k for byte at + k. Bytes past `readable`
 * (at least 16) are not read: that block is read as the 16 bytes ending
 * there, and its bits shifted into place (the missing ones 0). */
static inline void kinds_at(const char *text, size_t readable, size_t at, unsigned *letters,
                            unsigned *alnum, unsigned *brackets)
{
    unsigned skip = 0;
    if (readable - at < 16) {
        skip = (unsigned)(16 - (readable - at));
        at = readable - 16;
    }
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(text + at));
    /* Letters in either case: bytes from 0x80 up stay above 'z'. */
    __m128i letter = bytes_within(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 25);
    *letters = (unsigned)_mm_movemask_epi8(letter) >> skip;
    *alnum = (unsigned)_mm_movemask_epi8(_mm_or_si128(letter, bytes_within(v, '0', 9))) >> skip;
    *brackets = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('['))) >> skip;
}

/*
 * Up to 64 bytes at a time: vector compares give the brackets, the letters
 * and the digits as 64-bit masks; a word start is a letter after anything
 * but a letter or a digit. Only those places are looked at, in order, as
 * the byte scan would, and a word only when its first three bytes may begin
 * a level or key word: the first level found wins. Most lines fit one
 * chunk, so the fixed work is paid once per line, not once per 16 bytes.
 */
static bool scan_vector(const char *text, size_t len, uint8_t *level)
{
    size_t limit = len < LOOK_BYTES ? len : LOOK_BYTES;
    size_t start = 0;
    while (start < limit && (text[start] == ' ' || text[start] == '\t'))
        start++;
    /* A text shorter than a vector is read from a copy with zeros (no
     * kind) after it; a longer one in place, a block that would pass its
     * end as the 16 bytes that end it, shifted. */
    char padded[32];
    size_t readable = len;
    if (len < 16) {
        memset(padded, 0, sizeof padded);
        memcpy(padded, text, len);
        text = padded;
        readable = sizeof padded;
    }
    uint64_t carry = 0; /* the byte before the chunk is a letter or a digit */
    for (size_t base = start; base < limit; base += 64) {
        size_t n = limit - base < 64 ? limit - base : 64;
        unsigned l0, a0, b0, l1 = 0, a1 = 0, b1 = 0, l2 = 0, a2 = 0, b2 = 0, l3 = 0, a3 = 0,
                               b3 = 0;
        kinds_at(text, readable, base, &l0, &a0, &b0);
        if (n > 16)
            kinds_at(text, readable, base + 16, &l1, &a1, &b1);
        if (n > 32)
            kinds_at(text, readable, base + 32, &l2, &a2, &b2);
        if (n > 48)
            kinds_at(text, readable, base + 48, &l3, &a3, &b3);
        uint64_t letters = l0 | (uint64_t)l1 << 16 | (uint64_t)l2 << 32 | (uint64_t)l3 << 48;
        uint64_t alnum = a0 | (uint64_t)a1 << 16 | (uint64_t)a2 << 32 | (uint64_t)a3 << 48;
        uint64_t brackets = b0 | (uint64_t)b1 << 16 | (uint64_t)b2 << 32 | (uint64_t)b3 << 48;
        /* Bytes at and past the limit do not count (zeros have no kind). */
        uint64_t valid = n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
        /* Every level and key word has three letters or more: a start
         * counts only if the next two bytes are letters too (the last two
         * of a full chunk are kept, their next bytes are the next chunk's). */
        uint64_t kept = n == 64 ? (uint64_t)3 << 62 : 0;
        uint64_t three = letters & (letters >> 1 | kept) & (letters >> 2 | kept);
        uint64_t look = ((three & ~(alnum << 1 | carry)) | brackets) & valid;
        carry = alnum >> 63;
        for (; look != 0; look &= look - 1) {
            size_t i = base + (size_t)__builtin_ctzll(look);
            uint8_t found = 0;
            if (text[i] == '[') {
                if (i + 1 < limit && byte_kind[(unsigned char)text[i + 1]] == LETTER &&
                    may_begin_level(text, limit, i + 1)) {
                    size_t end = letters_from(text, limit, i + 1);
                    found = level_of_word(text + i + 1, end - i - 1);
                    if (end >= limit || text[end] != ']')
                        found = 0;
                }
            } else if (may_begin_level(text, limit, i)) {
                found = word_level(text, len, limit, i, letters_from(text, limit, i), start);
            }
            if (found != 0) {
                *level = found;
                return true;
            }
        }
    }
    return false;
}
#endif

bool ehs_level_from_words(const char *text, size_t len, uint8_t *level)
{
#if defined(__SSE2__)
    return scan_vector(text, len, level);
#else
    return ehs_level_from_words_bytes(text, len, level);
#endif
}
