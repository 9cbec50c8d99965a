/*
 * A fast strptime for the directives log timestamps use, in the C locale.
 * glibc's strptime compares month and day names with strncasecmp against
 * every name of the locale and of C, which costs a few hundred nanoseconds
 * per "%b"; this matches the English names directly. It follows glibc's
 * rules for what it supports (numbers: leading blanks skipped, at most N
 * digits, stop before a value would pass the maximum; blanks in the format
 * match any run of blanks) and gives up (NULL) on anything else, so the
 * caller can still ask the real strptime.
 */
#include <string.h>
#include <time.h>

#include "convert.h"

static const char *const month_names[12] = {
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
};
static const char *const day_names[7] = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
};

static inline bool is_blank(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* glibc's get_number: blanks, then up to `digits` digits, in from..to. */
static const char *number(const char *s, int from, int to, int digits, int *out)
{
    while (is_blank(*s))
        s++;
    if (*s < '0' || *s > '9')
        return NULL;
    int value = 0;
    do {
        value = value * 10 + (*s++ - '0');
    } while (--digits > 0 && value * 10 <= to && *s >= '0' && *s <= '9');
    if (value < from || value > to)
        return NULL;
    *out = value;
    return s;
}

/* ASCII-only case folding: the names are English whatever the locale. */
static bool same_letters(const char *s, const char *name, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] | 0x20) : s[i];
        char m = name[i] >= 'A' && name[i] <= 'Z' ? (char)(name[i] | 0x20) : name[i];
        if (c != m)
            return false; /* also stops at the text's NUL */
    }
    return true;
}

/* A full or three-letter name of `names`, any case; the index in *out. */
static const char *name(const char *s, const char *const *names, int count, int *out)
{
    for (int i = 0; i < count; i++) {
        size_t full = strlen(names[i]);
        if (same_letters(s, names[i], full)) {
            *out = i;
            return s + full;
        }
    }
    for (int i = 0; i < count; i++) {
        if (same_letters(s, names[i], 3)) {
            *out = i;
            return s + 3;
        }
    }
    return NULL;
}

/* glibc's %z: Z, or a sign and hh, hhmm or hh:mm. */
static const char *zone(const char *s, struct tm *tm)
{
    while (is_blank(*s))
        s++;
    if (*s == 'Z') {
        tm->tm_gmtoff = 0;
        return s + 1;
    }
    if (*s != '+' && *s != '-')
        return NULL;
    bool negative = *s++ == '-';
    int value = 0, n = 0;
    while (n < 4 && *s >= '0' && *s <= '9') {
        value = value * 10 + (*s++ - '0');
        n++;
        if (*s == ':' && n == 2 && s[1] >= '0' && s[1] <= '9')
            s++;
    }
    if (n == 2)
        value *= 100;
    else if (n != 4 || value % 100 >= 60)
        return NULL;
    tm->tm_gmtoff = (value / 100) * 3600 + (value % 100) * 60;
    if (negative)
        tm->tm_gmtoff = -tm->tm_gmtoff;
    return s;
}

static const char *directive(const char *s, char d, struct tm *tm, bool *has_year)
{
    int v;
    switch (d) {
    case 'Y':
        if ((s = number(s, 0, 9999, 4, &v)) != NULL) {
            tm->tm_year = v - 1900;
            *has_year = true;
        }
        return s;
    case 'y':
        if ((s = number(s, 0, 99, 2, &v)) != NULL) {
            tm->tm_year = v >= 69 ? v : v + 100;
            *has_year = true;
        }
        return s;
    case 'm':
        if ((s = number(s, 1, 12, 2, &v)) != NULL)
            tm->tm_mon = v - 1;
        return s;
    case 'd':
    case 'e':
        if ((s = number(s, 1, 31, 2, &v)) != NULL)
            tm->tm_mday = v;
        return s;
    case 'H':
        if ((s = number(s, 0, 23, 2, &v)) != NULL)
            tm->tm_hour = v;
        return s;
    case 'M':
        if ((s = number(s, 0, 59, 2, &v)) != NULL)
            tm->tm_min = v;
        return s;
    case 'S':
        if ((s = number(s, 0, 61, 2, &v)) != NULL)
            tm->tm_sec = v;
        return s;
    case 'b':
    case 'B':
    case 'h':
        if ((s = name(s, month_names, 12, &v)) != NULL)
            tm->tm_mon = v;
        return s;
    case 'a':
    case 'A':
        if ((s = name(s, day_names, 7, &v)) != NULL)
            tm->tm_wday = v;
        return s;
    case 'z':
        return zone(s, tm);
    case 'T':
        if ((s = directive(s, 'H', tm, has_year)) == NULL || *s++ != ':' ||
            (s = directive(s, 'M', tm, has_year)) == NULL || *s++ != ':')
            return NULL;
        return directive(s, 'S', tm, has_year);
    case 'F':
        if ((s = directive(s, 'Y', tm, has_year)) == NULL || *s++ != '-' ||
            (s = directive(s, 'm', tm, has_year)) == NULL || *s++ != '-')
            return NULL;
        return directive(s, 'd', tm, has_year);
    case 'n':
    case 't':
        while (is_blank(*s))
            s++;
        return s;
    case '%':
        return *s == '%' ? s + 1 : NULL;
    default:
        return NULL; /* not ours: the caller asks strptime */
    }
}

const char *ehs_strptime_c(const char *s, const char *format, struct tm *tm, bool *has_year)
{
    *has_year = false;
    for (const char *f = format; *f != '\0'; f++) {
        if (is_blank(*f)) {
            while (is_blank(*s))
                s++;
        } else if (*f != '%') {
            if (*s++ != *f)
                return NULL;
        } else {
            f++;
            if ((s = directive(s, *f, tm, has_year)) == NULL)
                return NULL;
        }
    }
    return s;
}
