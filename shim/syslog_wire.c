/* Reading syslog messages as programs write them to the local socket. */
#include <stdint.h>
#include <string.h>

#include "syslog_wire.h"

enum { TAG_MAX = 48, PRI_MAX = 1023, OCTET_COUNT_DIGITS = 9 };

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_tag_char(char c)
{
    return c > ' ' && c < 0x7F && c != ':' && c != '[' && c != ']';
}

/* "<PRI>" at the start: its length, and the value in *priority. */
static size_t parse_priority(const char *p, size_t len, int *priority)
{
    if (len < 3 || p[0] != '<')
        return 0;
    int value = 0;
    size_t i = 1;
    while (i < len && i <= 4 && is_digit(p[i]))
        value = value * 10 + (p[i++] - '0');
    if (i == 1 || i >= len || p[i] != '>' || value > PRI_MAX)
        return 0;
    *priority = value;
    return i + 1;
}

/* Length of the token at `p` (up to a space or the end). */
static size_t token_length(const char *p, size_t len)
{
    const char *space = memchr(p, ' ', len);
    return space != NULL ? (size_t)(space - p) : len;
}

/* RFC 3164's "Mmm dd hh:mm:ss " (dd space-padded): 16 bytes, or 0. */
static size_t parse_3164_timestamp(const char *p, size_t len)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (len < 16 || p[3] != ' ' || p[6] != ' ' || p[9] != ':' || p[12] != ':' || p[15] != ' ')
        return 0;
    bool month = false;
    for (size_t m = 0; m < 36 && !month; m += 3)
        month = memcmp(p, months + m, 3) == 0;
    bool day = (p[4] == ' ' || is_digit(p[4])) && is_digit(p[5]);
    bool time = is_digit(p[7]) && is_digit(p[8]) && is_digit(p[10]) && is_digit(p[11]) &&
                is_digit(p[13]) && is_digit(p[14]);
    return month && day && time ? 16 : 0;
}

/* "TAG[PID]: " or "TAG: " (the space optional) at `p`: its length, with
 * the tag in *tag_len; 0 when there is none. */
static size_t parse_tag(const char *p, size_t len, size_t *tag_len)
{
    size_t i = 0;
    while (i < len && i < TAG_MAX && is_tag_char(p[i]))
        i++;
    if (i == 0 || i == len)
        return 0;
    size_t tag = i;
    if (p[i] == '[') {
        size_t close = i + 1;
        while (close < len && is_digit(p[close]))
            close++;
        if (close == i + 1 || close >= len || p[close] != ']')
            return 0;
        i = close + 1;
    }
    if (i >= len || p[i] != ':')
        return 0;
    i++;
    if (i < len && p[i] == ' ')
        i++;
    *tag_len = tag;
    return i;
}

/* RFC 5424 after "<PRI>1 ": fills ident and text, or returns false. */
static bool parse_5424(const char *p, size_t len, shim_syslog_record *out)
{
    size_t at = 0;
    const char *app = NULL;
    size_t app_len = 0;
    /* TIMESTAMP, HOSTNAME, APP-NAME, PROCID, MSGID: each a token and a space. */
    for (int field = 0; field < 5; field++) {
        size_t n = token_length(p + at, len - at);
        if (n == 0 || at + n >= len)
            return false;
        if (field == 2 && !(n == 1 && p[at] == '-')) {
            /* APP-NAME is 1 to 48 printable ASCII characters: anything
             * else is no RFC 5424 header. */
            for (size_t i = 0; i < n; i++) {
                if ((unsigned char)p[at + i] < 33 || (unsigned char)p[at + i] > 126)
                    return false;
            }
            if (n > TAG_MAX)
                return false;
            app = p + at;
            app_len = n;
        }
        at += n + 1;
    }
    /* STRUCTURED-DATA: "-" or "[...]" elements, with \] \" \\ escapes;
     * required, so a header that ends after MSGID's space is none. */
    if (at >= len)
        return false;
    if (p[at] == '-') {
        at++;
    } else {
        if (p[at] != '[')
            return false;
        while (at < len && p[at] == '[') {
            at++;
            while (at < len && p[at] != ']')
                at += p[at] == '\\' && at + 1 < len ? 2 : 1;
            if (at >= len)
                return false;
            at++;
        }
    }
    if (at < len && p[at] == ' ')
        at++;
    else if (at < len)
        return false;
    if (len - at >= 3 && memcmp(p + at, "\xEF\xBB\xBF", 3) == 0)
        at += 3;
    out->ident = app;
    out->ident_len = app_len;
    out->text = p + at;
    out->len = len - at;
    return true;
}

void shim_syslog_parse(const char *bytes, size_t len, shim_syslog_record *out)
{
    while (len > 0 && bytes[len - 1] == '\0')
        len--;
    if (len > 0 && bytes[len - 1] == '\n')
        len--;
    /* logger --octet-count counts datagrams too: "LEN <PRI>..." */
    size_t frame_skip, frame_len;
    if (len > 0 && bytes[0] != '<' && shim_syslog_next_frame(bytes, len, true, &frame_skip,
                                                             &frame_len) == len &&
        frame_skip != 0 && bytes[frame_skip] == '<') {
        bytes += frame_skip;
        len = frame_len;
    }
    *out = (shim_syslog_record){ SHIM_SYSLOG_DEFAULT_PRIORITY, NULL, 0, bytes, len };
    size_t at = parse_priority(bytes, len, &out->priority);
    const char *p = bytes + at;
    size_t rest = len - at;
    if (at != 0 && rest >= 2 && p[0] == '1' && p[1] == ' ' && parse_5424(p + 2, rest - 2, out))
        return;
    size_t stamp = parse_3164_timestamp(p, rest);
    p += stamp;
    rest -= stamp;
    size_t tag_len = 0;
    size_t header = parse_tag(p, rest, &tag_len);
    if (header == 0 && stamp != 0) {
        /* "HOSTNAME TAG: " as remote-style senders write it. */
        size_t host = token_length(p, rest);
        if (host > 0 && host < rest) {
            size_t after_host = parse_tag(p + host + 1, rest - host - 1, &tag_len);
            if (after_host != 0) {
                p += host + 1;
                rest -= host + 1;
                header = after_host;
            }
        }
    }
    if (header != 0) {
        out->ident = p;
        out->ident_len = tag_len;
    }
    out->text = p + header;
    out->len = rest - header;
}

size_t shim_syslog_octet_count(const char *bytes, size_t len, size_t *count)
{
    if (len == 0 || bytes[0] < '1' || bytes[0] > '9')
        return 0;
    size_t i = 0, value = 0;
    while (i < len && i < OCTET_COUNT_DIGITS && is_digit(bytes[i]))
        value = value * 10 + (size_t)(bytes[i++] - '0');
    if (i == len || bytes[i] != ' ')
        return 0;
    *count = value;
    return i + 1;
}

size_t shim_syslog_next_frame(const char *bytes, size_t len, bool nul_framed, size_t *skip,
                              size_t *frame_len)
{
    size_t count;
    size_t head = shim_syslog_octet_count(bytes, len, &count);
    if (head != 0) {
        if (len - head < count)
            return 0;
        *skip = head;
        *frame_len = count;
        return head + count;
    }
    /* Digits to the end may still become a count: no delimiter among them
     * ends the frame either. */
    for (size_t i = 0; i < len; i++) {
        if (bytes[i] == '\0' || (bytes[i] == '\n' && !nul_framed)) {
            *skip = 0;
            *frame_len = i;
            return i + 1;
        }
    }
    return 0;
}
