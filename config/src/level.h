/*
 * Event levels from syslog priorities and stderr "<N>" prefixes.
 */
#ifndef EHS_LEVEL_H
#define EHS_LEVEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Level of a syslog severity (priority & 7): EMERG/ALERT/CRIT 1, ERR 2,
 * WARNING 3, NOTICE/INFO 4, DEBUG 5. */
static inline uint8_t ehs_level_of_severity(int severity)
{
    static const uint8_t levels[8] = { 1, 1, 1, 2, 3, 4, 4, 5 };
    return levels[severity & 7];
}

/*
 * A "<N>" priority prefix at the start of a stderr line, as journald reads
 * one (systemd's syslog_parse_priority without facility): '<', one to three
 * decimal digits whose value is 0..7 ("<3>", "<03>", "<003>"), '>'. Returns
 * the prefix length (at most EHS_STDERR_PREFIX_MAX) and stores the
 * severity, or returns 0 (no prefix; the text is left alone).
 */
size_t ehs_stderr_prefix(const char *text, size_t len, int *severity);

/*
 * The level an unmatched stderr line states in words (level_words.c has the
 * forms): stores it and returns true, or returns false. Allocates nothing.
 */
bool ehs_level_from_words(const char *text, size_t len, uint8_t *level);

/* The same, one byte at a time: what ehs_level_from_words does where the
 * machine has no vector compares it uses (tests compare the two). */
bool ehs_level_from_words_bytes(const char *text, size_t len, uint8_t *level);

#endif /* EHS_LEVEL_H */
