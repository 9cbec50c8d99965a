/*
 * ehs_level_from_words (vector compares where the machine has them)
 * against ehs_level_from_words_bytes (byte by byte, the scan it replaced,
 * which test_names_levels holds to an oracle of its own): random lines of
 * level words in every case and form, key words, brackets, separators,
 * digits, blanks and non-ASCII bytes, of every length across the 16-byte
 * blocks and the 160 bytes looked at. Each text is copied to a heap block
 * of its exact size, so a read past its end shows under ASan.
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

/* ---- comparisons ---- */

static void same_level(const char *line, size_t len)
{
    char *copy = malloc(len != 0 ? len : 1);
    assert_non_null(copy);
    memcpy(copy, line, len);
    uint8_t vector = 0, bytes = 0;
    bool vector_found = ehs_level_from_words(copy, len, &vector);
    bool bytes_found = ehs_level_from_words_bytes(copy, len, &bytes);
    free(copy);
    if (vector_found != bytes_found || (bytes_found && vector != bytes))
        fail_msg("'%.*s' (%zu bytes): %d level %u, byte by byte %d level %u", (int)len, line, len,
                 vector_found, vector, bytes_found, bytes);
}

static const char *const pieces[] = {
    "error", "ERROR", "Error", "err", "ERR", "warn", "WARNING", "Warning", "info", "INFO",
    "notice", "debug", "DEBUG", "trace", "TRACE", "fatal", "FATAL", "panic", "crit",
    "CRITICAL", "alert", "emerg", "EMERGENCY", "severe", "SEVERE", "level", "LEVEL", "lvl",
    "severity", "loglevel", "worker", "request", "done", "in", "ms", "errors", "warned",
    "inform", "x", "ab", "wa", "de", "[", "]", "=", "\"", "'", ":", "-", "|", ",", " ", " ",
    "  ", "\t", "0", "42", "3rd", "9", "19", "\xc3\xa4", "\xff", "_", ".", "/", "(", "a", "Z",
};

static void test_vector_against_bytes(void **state)
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
        cmocka_unit_test(test_vector_against_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
