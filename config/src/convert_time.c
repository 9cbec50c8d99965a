/*
 * Times: epoch seconds, or strptime(3) with a rule's time_format, as
 * seconds since 1970 UTC. The calendar arithmetic is done here rather than
 * with timegm/gmtime_r, which take glibc's time zone lock.
 */
#include <string.h>
#include <time.h>

#include "convert.h"

/* Longest time text handed to strptime. */
enum { TIME_TEXT_MAX = 128 };

/* tm_year before strptime, to see whether the format set a year; small
 * enough that glibc's day-of-week arithmetic on it cannot overflow. */
enum { YEAR_UNSET = -100000 };

/* Days from 1970-01-01 to year-month-day of the proleptic Gregorian
 * calendar (month 1..12); H. Hinnant's days_from_civil. */
static int64_t days_from_civil(int64_t year, unsigned month, unsigned day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    unsigned year_of_era = (unsigned)(year - era * 400);
    unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + (int64_t)day_of_era - 719468;
}

/* The year of a day count from 1970-01-01 (civil_from_days, year only). */
static int64_t year_from_days(int64_t days)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned day_of_era = (unsigned)(days - era * 146097);
    unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 -
                            day_of_era / 146096) / 365;
    unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    unsigned month_index = (5 * day_of_year + 2) / 153; /* 0 = March */
    return (int64_t)year_of_era + era * 400 + (month_index >= 10);
}

static int64_t seconds_of(const struct tm *tm, int64_t year)
{
    int64_t days = days_from_civil(year, (unsigned)tm->tm_mon + 1, (unsigned)tm->tm_mday);
    return days * 86400 + tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec - tm->tm_gmtoff;
}

static bool parse_epoch(const char *text, size_t len, int64_t *out)
{
    size_t integer_len = 0;
    while (integer_len < len && text[integer_len] != '.')
        integer_len++;
    int64_t seconds;
    if (!ehs_parse_signed(text, integer_len, 64, &seconds))
        return false;
    if (integer_len < len) {
        /* A fraction: digits only ("5." is fine; ".5" failed above). */
        bool nonzero = false;
        for (size_t i = integer_len + 1; i < len; i++) {
            if (text[i] < '0' || text[i] > '9')
                return false;
            nonzero |= text[i] != '0';
        }
        if (nonzero && text[0] == '-') {
            if (seconds == INT64_MIN)
                return false;
            seconds--; /* -1.5 is in the second that starts at -2 */
        }
    }
    *out = seconds;
    return true;
}

bool ehs_parse_time(const char *text, size_t len, const char *time_format, int64_t *out)
{
    if (time_format == NULL)
        return parse_epoch(text, len, out);
    char copy[TIME_TEXT_MAX];
    if (len >= sizeof copy || memchr(text, '\0', len) != NULL)
        return false;
    memcpy(copy, text, len);
    copy[len] = '\0';

    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_mday = 1;
    bool has_year;
    if (ehs_strptime_c(copy, time_format, &tm, &has_year) != copy + len) {
        /* Not a format (or text) of the fast path: the real strptime, with
         * the process's locale for names. */
        memset(&tm, 0, sizeof tm);
        tm.tm_year = YEAR_UNSET;
        tm.tm_mday = 1;
        if (strptime(copy, time_format, &tm) != copy + len)
            return false;
        has_year = tm.tm_year != YEAR_UNSET;
    }
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31)
        return false;

    if (has_year) {
        *out = seconds_of(&tm, (int64_t)tm.tm_year + 1900);
        return true;
    }
    /* No year in the text: syslog's own timestamps. Take this year, unless
     * that is in the future (a December line read in January). */
    int64_t now = (int64_t)time(NULL);
    int64_t year = year_from_days(now >= 0 ? now / 86400 : (now - 86399) / 86400);
    int64_t seconds = seconds_of(&tm, year);
    if (seconds > now + 86400)
        seconds = seconds_of(&tm, year - 1);
    *out = seconds;
    return true;
}
