/*
 * The built-in grok library. Names and meanings follow the grok-patterns
 * file people already use (logstash/elastic); the regexes are written here
 * for PCRE2, with these deliberate differences:
 * - no body captures anything (SYSLOGPROG, SYSLOGBASE, SYSLOGFACILITY and
 *   URIHOST capture nothing), so group numbers depend only on what the user
 *   wrote;
 * - bodies avoid nested unbounded repeats (logstash's URIPROTO has one), and
 *   QUOTEDSTRING is possessive, so hostile lines cannot make them backtrack
 *   exponentially;
 * - TIME really refuses a digit before it (logstash's lookbehind is written
 *   as a lookahead); IPV6's zone index is `%` plus interface-name characters
 *   instead of "the rest of the line"; HOSTNAME labels do not end in '-';
 *   URIHOST also takes a bracketed IPv6 address; TZ also knows GMT; MONTH
 *   also knows "Sept"; DAY and LOGLEVEL stand on word boundaries, so
 *   "ERRORS" is not the level ERROR;
 * - bodies hold ASCII only, except MONTH's "März" as raw UTF-8, so they mean
 *   the same with and without PCRE2_UTF; a space is written `\ ` so they
 *   also mean the same when the expression turns on (?x) or (?xx).
 * Every body is a complete regex: the expansion wraps it in a group, so an
 * alternation at its top level needs no parentheses of its own.
 */
#include <stddef.h>

#include "grok.h"

/* Pieces several bodies share; string pasting keeps each body one literal. */
#define HEX_DIGIT "[0-9A-Fa-f]"
#define HEXTET HEX_DIGIT "{1,4}"
#define OCTET "(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]{1,2})"
#define DOTTED_QUAD OCTET "\\." OCTET "\\." OCTET "\\." OCTET
/* A DNS label: letters and digits, inner '-', at most 63 bytes. */
#define LABEL "[0-9A-Za-z](?:[0-9A-Za-z-]{0,61}[0-9A-Za-z])?"
/* Characters of an e-mail atom (RFC 5322 atext). */
#define ATEXT "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"

const ehs_grok_builtin ehs_grok_builtins[] = {
    /* Numbers */
    { "INT", "[+-]?[0-9]+" },
    { "POSINT", "\\b[1-9][0-9]*\\b" },
    { "NONNEGINT", "\\b[0-9]+\\b" },
    /* No digit, dot or sign before it, so "1.2.3" does not yield ".2". */
    { "BASE10NUM", "(?<![0-9.+-])[+-]?(?>[0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)" },
    { "NUMBER", "%{BASE10NUM}" },
    { "BASE16NUM", "(?<!" HEX_DIGIT ")[+-]?(?:0x)?" HEX_DIGIT "+" },
    { "BASE16FLOAT", "(?<![0-9A-Fa-f.])[+-]?(?:0x)?"
                     "(?:" HEX_DIGIT "+(?:\\." HEX_DIGIT "*)?|\\." HEX_DIGIT "+)"
                     "(?![0-9A-Fa-f.])" },

    /* Text */
    { "WORD", "\\b\\w+\\b" },
    { "NOTSPACE", "\\S+" },
    { "SPACE", "\\s*" },
    { "DATA", ".*?" },
    { "GREEDYDATA", ".*" },
    /* "...", '...' or `...`, a backslash escaping the next byte; not right
     * after a backslash, which would make the opening quote an escaped one. */
    { "QUOTEDSTRING", "(?<!\\\\)(?>"
                      "\"(?>[^\"\\\\]++|\\\\.)*+\""
                      "|'(?>[^'\\\\]++|\\\\.)*+'"
                      "|`(?>[^`\\\\]++|\\\\.)*+`)" },
    { "QS", "%{QUOTEDSTRING}" },
    { "UUID", HEX_DIGIT "{8}(?:-" HEX_DIGIT "{4}){3}-" HEX_DIGIT "{12}" },
    /* RFC 8141: namespace id, then percent-escapes or the allowed punctuation. */
    { "URN", "urn:[0-9A-Za-z][0-9A-Za-z-]{0,31}:"
             "(?:%" HEX_DIGIT "{2}|[0-9A-Za-z()+,.:=@;$_!*'/?#-])+" },

    /* Users */
    { "USERNAME", "[a-zA-Z0-9._-]+" },
    { "USER", "%{USERNAME}" },
    { "EMAILLOCALPART", ATEXT "+(?:\\." ATEXT "+)*" },
    { "EMAILADDRESS", "%{EMAILLOCALPART}@%{HOSTNAME}" },
    { "HTTPDUSER", "%{EMAILADDRESS}|%{USER}" },

    /* Network */
    { "CISCOMAC", "(?:" HEX_DIGIT "{4}\\.){2}" HEX_DIGIT "{4}" },
    { "WINDOWSMAC", "(?:" HEX_DIGIT "{2}-){5}" HEX_DIGIT "{2}" },
    { "COMMONMAC", "(?:" HEX_DIGIT "{2}:){5}" HEX_DIGIT "{2}" },
    { "MAC", "%{CISCOMAC}|%{WINDOWSMAC}|%{COMMONMAC}" },
    /* Leading zeros are allowed in an octet ("010"), as in logstash. */
    { "IPV4", "(?<![0-9])" DOTTED_QUAD "(?![0-9])" },
    /*
     * RFC 4291 text forms, one branch per count of hextets before "::" (or
     * all eight), each allowing a trailing dotted quad in the last 32 bits.
     * The dotted quad is tried before plain hextets so "::ffff:1.2.3.4" is
     * not cut after "::ffff:1". Then an optional zone index (RFC 4007).
     * Every branch starts with a hextet and ':' or with ':', which the
     * lookahead checks once: an IPv4 address (IP tries IPV6 first) then
     * fails at once instead of in each of the eight branches. It changes
     * nothing that matches (test_grok's test_ipv6_guard).
     */
    { "IPV6", "(?<!" HEX_DIGIT ")(?=" HEX_DIGIT "{0,4}:)(?:"
              "(?:" HEXTET ":){7}(?:" HEXTET "|:)"
              "|(?:" HEXTET ":){6}(?:" DOTTED_QUAD "|:" HEXTET "|:)"
              "|(?:" HEXTET ":){5}(?::" DOTTED_QUAD "|(?::" HEXTET "){1,2}|:)"
              "|(?:" HEXTET ":){4}(?:(?::" HEXTET ")?:" DOTTED_QUAD "|(?::" HEXTET "){1,3}|:)"
              "|(?:" HEXTET ":){3}(?:(?::" HEXTET "){0,2}:" DOTTED_QUAD "|(?::" HEXTET "){1,4}|:)"
              "|(?:" HEXTET ":){2}(?:(?::" HEXTET "){0,3}:" DOTTED_QUAD "|(?::" HEXTET "){1,5}|:)"
              "|" HEXTET ":(?:(?::" HEXTET "){0,4}:" DOTTED_QUAD "|(?::" HEXTET "){1,6}|:)"
              "|:(?:(?::" HEXTET "){0,5}:" DOTTED_QUAD "|(?::" HEXTET "){1,7}|:)"
              ")(?:%[0-9A-Za-z._~-]+)?" },
    { "IP", "%{IPV6}|%{IPV4}" },
    /* Dot-separated labels; a final dot (the DNS root) is allowed. */
    { "HOSTNAME", "\\b" LABEL "(?:\\." LABEL ")*\\.?" },
    { "IPORHOST", "%{IP}|%{HOSTNAME}" },
    { "HOSTPORT", "%{IPORHOST}:%{POSINT}" },

    /* Paths and URIs */
    { "UNIXPATH", "(?:/[A-Za-z0-9_%!$@:.,+~-]*)+" },
    /* A drive ("C:") or UNC ("\\server") start, then backslash components.
     * A drive starts after a non-letter: trying every letter of a long word
     * as a start would be quadratic. */
    { "WINPATH", "(?>(?<![A-Za-z])[A-Za-z]+:|\\\\)(?:\\\\[^\\\\?*]*)+" },
    { "PATH", "%{UNIXPATH}|%{WINPATH}" },
    { "TTY", "/dev/(?:pts|tty[pq]?)(?:\\w+)?/?[0-9]+" },
    { "URIPROTO", "[A-Za-z][A-Za-z0-9+.-]+" },
    { "URIHOST", "(?:%{IPORHOST}|\\[%{IPV6}\\])(?::%{POSINT})?" },
    /* Path characters browsers leave unescaped, loosely after RFC 1738. */
    { "URIPATH", "(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_-]*)+" },
    { "URIQUERY", "[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\\[\\]<>-]*" },
    { "URIPARAM", "\\?%{URIQUERY}" },
    { "URIPATHPARAM", "%{URIPATH}(?:%{URIPARAM})?" },
    { "URI", "%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?" },

    /* Dates and times. Longer alternatives come first, so an unanchored
     * match takes "12" rather than "1". */
    /* English and German month names, full or abbreviated. */
    { "MONTH", "\\b(?:[Jj]an(?:uary|uar)?|[Ff]eb(?:ruary|ruar)?|[Mm]ar(?:ch)?"
               "|[Mm](?:\xc3\xa4" "|a)?rz|[Aa]pr(?:il)?|[Mm]a[yi]|[Jj]un[ei]?|[Jj]ul[yi]?"
               "|[Aa]ug(?:ust)?|[Ss]ep(?:t(?:ember)?)?|[Oo][ck]t(?:ober)?"
               "|[Nn]ov(?:ember)?|[Dd]e[cz](?:ember)?)\\b" },
    { "MONTHNUM", "(?:1[0-2]|0?[1-9])" },
    { "MONTHNUM2", "(?:1[0-2]|0[1-9])" },
    { "MONTHDAY", "(?:3[01]|[12][0-9]|0?[1-9])" },
    { "DAY", "\\b(?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?"
             "|Sat(?:urday)?|Sun(?:day)?)\\b" },
    /* Four digits or two, never three. */
    { "YEAR", "(?>[0-9]{4}|[0-9]{2})" },
    { "HOUR", "(?:2[0-3]|[01]?[0-9])" },
    { "MINUTE", "[0-5][0-9]" },
    /* 60 is a leap second; a fraction may follow after '.', ',' or ':'. */
    { "SECOND", "(?:60|[0-5]?[0-9])(?:[:.,][0-9]+)?" },
    { "TIME", "(?<![0-9])%{HOUR}:%{MINUTE}:%{SECOND}(?![0-9])" },
    { "DATE_US", "%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}" },
    { "DATE_EU", "%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}" },
    { "DATE", "%{DATE_US}|%{DATE_EU}" },
    { "DATESTAMP", "%{DATE}[-\\ ]%{TIME}" },
    { "ISO8601_TIMEZONE", "Z|[+-]%{HOUR}:?%{MINUTE}" },
    { "ISO8601_SECOND", "%{SECOND}" },
    /* Date, 'T' or space, time with optional seconds, optional zone. */
    { "TIMESTAMP_ISO8601", "%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T\\ ]%{HOUR}:?%{MINUTE}"
                           "(?::?%{SECOND})?%{ISO8601_TIMEZONE}?" },
    { "TZ", "[APMCE][SD]T|UTC|GMT" },
    { "DATESTAMP_RFC822", "%{DAY}\\ %{MONTH}\\ %{MONTHDAY}\\ %{YEAR}\\ %{TIME}\\ %{TZ}" },
    { "DATESTAMP_RFC2822", "%{DAY},\\ %{MONTHDAY}\\ %{MONTH}\\ %{YEAR}\\ %{TIME}"
                           "\\ %{ISO8601_TIMEZONE}" },
    { "DATESTAMP_OTHER", "%{DAY}\\ %{MONTH}\\ %{MONTHDAY}\\ %{TIME}\\ %{TZ}\\ %{YEAR}" },
    { "DATESTAMP_EVENTLOG", "%{YEAR}%{MONTHNUM2}%{MONTHDAY}%{HOUR}%{MINUTE}%{SECOND}" },
    /* "Jun 14 15:16:01", or "Jun  4 15:16:01" with the day padded by a space. */
    { "SYSLOGTIMESTAMP", "%{MONTH}\\ +%{MONTHDAY}\\ %{TIME}" },
    { "HTTPDATE", "%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME}\\ %{INT}" },

    /* Syslog */
    /* Printable ASCII but '[' and ']', which delimit the pid. */
    { "PROG", "[!-Z\\\\^-~]+" },
    /* Without logstash's program/pid captures: write
     * %{PROG:program}(?:\[%{POSINT:pid}\])? to get them. */
    { "SYSLOGPROG", "%{PROG}(?:\\[%{POSINT}\\])?" },
    { "SYSLOGHOST", "%{IPORHOST}" },
    { "SYSLOGFACILITY", "<%{NONNEGINT}\\.%{NONNEGINT}>" },
    { "SYSLOGBASE", "%{SYSLOGTIMESTAMP}\\ (?:%{SYSLOGFACILITY}\\ )?%{SYSLOGHOST}"
                    "\\ %{SYSLOGPROG}:" },
    /* Level words in lower, Capitalised and UPPER case; "inf" and "err"
     * are common short forms. */
    { "LOGLEVEL", "\\b(?:[Tt]race|TRACE|[Dd]ebug|DEBUG"
                  "|[Ii]nf(?:o|ormation)?|INF(?:O|ORMATION)?|[Nn]otice|NOTICE"
                  "|[Ww]arn(?:ing)?|WARN(?:ING)?|[Ee]rr(?:or)?|ERR(?:OR)?"
                  "|[Cc]rit(?:ical)?|CRIT(?:ICAL)?|[Aa]lert|ALERT|[Ff]atal|FATAL"
                  "|[Ss]evere|SEVERE|[Ee]merg(?:ency)?|EMERG(?:ENCY)?)\\b" },
};

const size_t ehs_grok_builtin_count = sizeof(ehs_grok_builtins) / sizeof(ehs_grok_builtins[0]);
