/*
 * Template mining for `ehshim learn` (learn_templates.h).
 *
 * Two lines belong to one template when they have as many tokens, the
 * same first word (a program's messages are told apart by how they start
 * far more often than by a word in the middle), and at least half of the
 * positions agree: the same mask, or variable pieces on both sides.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "grow_array.h"
#include "learn_templates.h"

/* Templates of one key a line is compared with, the most recently joined
 * first: enough for any real program's messages of one first word and
 * length, and a bound on the work per line whatever the input. */
enum { BUCKET_SCAN_MAX = 64 };

/* What each byte is, looked up once a byte: the scans below read every
 * byte of every line several times. Opaque bytes are those a readable
 * constant never holds (control bytes, anything not ASCII): a token with
 * one is a value. */
enum { CLASS_DIGIT = 1, CLASS_LETTER = 2, CLASS_HEX = 4, CLASS_BLANK = 8, CLASS_OPAQUE = 16 };

static const unsigned char char_class[256] = {
    [0 ... 0x08] = CLASS_OPAQUE,
    ['\t'] = CLASS_BLANK,
    [0x0a ... 0x1f] = CLASS_OPAQUE,
    [' '] = CLASS_BLANK,
    ['0' ... '9'] = CLASS_DIGIT | CLASS_HEX,
    ['A' ... 'F'] = CLASS_LETTER | CLASS_HEX,
    ['G' ... 'Z'] = CLASS_LETTER,
    ['a' ... 'f'] = CLASS_LETTER | CLASS_HEX,
    ['g' ... 'z'] = CLASS_LETTER,
    [0x7f ... 0xff] = CLASS_OPAQUE,
};

static bool is_digit(unsigned char c)
{
    return char_class[c] & CLASS_DIGIT;
}

static bool is_letter(unsigned char c)
{
    return char_class[c] & CLASS_LETTER;
}

static bool is_alnum(unsigned char c)
{
    return char_class[c] & (CLASS_DIGIT | CLASS_LETTER);
}

static bool is_hex_digit(unsigned char c)
{
    return char_class[c] & CLASS_HEX;
}

/* Length of a UUID (8-4-4-4-12 hex digits) at `s`, else 0. */
static size_t uuid_at(const char *s, size_t len)
{
    static const size_t groups[] = { 8, 4, 4, 4, 12 };
    size_t i = 0;
    for (size_t g = 0; g < 5; g++) {
        if (g > 0) {
            if (i >= len || s[i] != '-')
                return 0;
            i++;
        }
        for (size_t k = 0; k < groups[g]; k++, i++)
            if (i >= len || !is_hex_digit((unsigned char)s[i]))
                return 0;
    }
    return i < len && is_alnum((unsigned char)s[i]) ? 0 : i;
}

/* Length of `n` digits at `s`, or 0. */
static size_t digits_at(const char *s, size_t len, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (i >= len || !is_digit((unsigned char)s[i]))
            return 0;
    return n;
}

/* Length of an ISO 8601 date and time in one token at `s`
 * ("2024-01-02T03:04:05.678+01:00"), else 0. */
static size_t iso_time_at(const char *s, size_t len)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t i = 0;
    for (; shape[i] != '\0'; i++) {
        if (i >= len)
            return 0;
        if (shape[i] == 'd' ? !is_digit((unsigned char)s[i]) : s[i] != shape[i])
            return 0;
    }
    /* A time in range, as the grok pattern and the conversion want it. */
#define TWO(at) ((s[at] - '0') * 10 + (s[(at) + 1] - '0'))
    if (TWO(5) < 1 || TWO(5) > 12 || TWO(8) < 1 || TWO(8) > 31 || TWO(11) > 23 || TWO(14) > 59 ||
        TWO(17) > 60)
        return 0;
#undef TWO
    if (i < len && (s[i] == '.' || s[i] == ',') && i + 1 < len && is_digit((unsigned char)s[i + 1])) {
        i++;
        while (i < len && is_digit((unsigned char)s[i]))
            i++;
    }
    if (i < len && s[i] == 'Z') {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-') && digits_at(s + i + 1, len - i - 1, 2)) {
        i += 3;
        if (i < len && s[i] == ':')
            i++;
        if (digits_at(s + i, len - i, 2))
            i += 2;
    }
    return i < len && is_alnum((unsigned char)s[i]) ? 0 : i;
}

static bool is_path_byte(unsigned char c)
{
    return is_alnum(c) || c == '/' || c == '.' || c == '_' || c == '-' || c == '~' || c == '+' ||
           c == '@' || c == ',' || c == ':' || c == '=';
}

/* Length of an absolute file path at `s` (two '/' at least, up to the end
 * of the token but for closing punctuation), else 0: which file is a
 * value, like a number. */
static size_t path_at(const char *s, size_t len)
{
    if (len < 3 || s[0] != '/')
        return 0;
    size_t i = 0, slashes = 0;
    while (i < len && is_path_byte((unsigned char)s[i])) {
        slashes += s[i] == '/';
        i++;
    }
    if (i != len && !strchr(")]}'\"", s[i]))
        return 0;
    while (i > 1 && strchr(".,:)", s[i - 1]) != NULL)
        i--;
    return slashes >= 2 && i > 1 ? i : 0;
}

/* The LEARN_FITS_* bits `len` bytes of `s` fit. */
/* The bits of a number of decimal digits only (most values are). */
static unsigned unsigned_fits(const char *s, size_t len)
{
    if (len > 20)
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    unsigned fits = LEARN_FITS_U64 | LEARN_FITS_F64;
    if (v <= 0xFFFFFFFFull)
        fits |= LEARN_FITS_U32;
    if (v <= 0xFFFFull)
        fits |= LEARN_FITS_U16;
    if (v <= 0x7FFFFFFFFFFFFFFFull)
        fits |= LEARN_FITS_I64;
    return fits;
}

static unsigned fits_of(const char *s, size_t len)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return 0;
    size_t leading = 0;
    while (leading < len && is_digit((unsigned char)s[leading]))
        leading++;
    if (leading == len)
        return unsigned_fits(s, len);
    memcpy(buf, s, len);
    buf[len] = '\0';
    bool flag;
    int32_t errno_value;
    if (is_letter((unsigned char)buf[0]) && ehs_parse_bool(buf, len, &flag))
        return LEARN_FITS_BOOL;
    if (buf[0] == 'E' && len >= 3 && ehs_parse_errno(buf, len, &errno_value))
        return LEARN_FITS_ERRNO;
    if (uuid_at(buf, len) == len)
        return LEARN_FITS_UUID;
    if (path_at(buf, len) == len)
        return LEARN_FITS_PATH;
    if (iso_time_at(buf, len) == len) {
        /* strptime has no fractions of a second: those stay strings. */
        if (len == 19)
            return LEARN_FITS_TIME;
        return buf[19] == 'Z' || buf[19] == '+' || buf[19] == '-' ? LEARN_FITS_TIME_ZONE : 0;
    }
    unsigned char addr[16];
    if (strchr(buf, '.') != NULL || strchr(buf, ':') != NULL) {
        if (inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1)
            return LEARN_FITS_IP;
    }
    if (len > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X') &&
        strspn(buf + 2, "0123456789abcdefABCDEF") == len - 2 && len <= 18)
        return LEARN_FITS_HEX;
    size_t sign = buf[0] == '-' ? 1 : 0;
    size_t digits = strspn(buf + sign, "0123456789");
    if (digits == 0)
        return 0;
    if (sign + digits < len) {
        /* A fraction: digits '.' digits. */
        if (buf[sign + digits] == '.' && sign + digits + 1 < len &&
            strspn(buf + sign + digits + 1, "0123456789") == len - sign - digits - 1)
            return LEARN_FITS_F64;
        return 0;
    }
    /* A minus sign and digits (digits alone took the fast path above). */
    errno = 0;
    char *end;
    (void)strtoll(buf, &end, 10);
    return errno == 0 && *end == '\0' ? LEARN_FITS_I64 | LEARN_FITS_F64 : 0;
}

/* One token of a line: its bytes, its mask, and where its first variable
 * pieces lie in its bytes. */
typedef struct line_token {
    const char *text;
    size_t len;
    char mask[LEARN_TOKEN_BYTES + 1];
    size_t mask_len;
    size_t vars;
    size_t piece_at[LEARN_PIECES_MAX];
    size_t piece_len[LEARN_PIECES_MAX];
    uint32_t hash;
} line_token;

static uint32_t mask_hash(const char *mask, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)mask[i]) * 16777619u;
    return h;
}

static const char *const time_words[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                          "Aug", "Sep", "Oct", "Nov", "Dec", "Mon", "Tue",
                                          "Wed", "Thu", "Fri", "Sat", "Sun" };

static bool is_time_word(const char *s, size_t len)
{
    if (len != 3)
        return false;
    for (size_t i = 0; i < sizeof time_words / sizeof time_words[0]; i++)
        if (memcmp(s, time_words[i], 3) == 0)
            return true;
    return false;
}

/* Length of a dotted IPv4 address at `s` (four groups of 1-3 digits, not
 * followed by more of a number), else 0. */
static size_t ipv4_at(const char *s, size_t len)
{
    size_t i = 0;
    for (int group = 0; group < 4; group++) {
        if (group > 0) {
            if (i >= len || s[i] != '.')
                return 0;
            i++;
        }
        size_t start = i;
        while (i < len && is_digit((unsigned char)s[i]) && i - start < 4)
            i++;
        if (i == start || i - start > 3)
            return 0;
    }
    if (i < len && (is_alnum((unsigned char)s[i]) ||
                    (s[i] == '.' && i + 1 < len && is_digit((unsigned char)s[i + 1]))))
        return 0;
    return i;
}

/* Length of an IPv6 address at `s` (hex digits and colons holding "::"
 * or seven colons, that inet_pton takes), else 0. */
static size_t ipv6_at(const char *s, size_t len)
{
    size_t i = 0, colons = 0;
    bool double_colon = false;
    while (i < len && i < 45 && (is_hex_digit((unsigned char)s[i]) || s[i] == ':' || s[i] == '.')) {
        if (s[i] == ':') {
            colons++;
            double_colon |= i > 0 && s[i - 1] == ':';
        }
        i++;
    }
    if (colons < 2 || (!double_colon && colons != 7))
        return 0;
    /* A trailing ':' belongs to the text ("addr fe80::1: up"). */
    while (i > 0 && s[i - 1] == ':' && !(i > 1 && s[i - 2] == ':'))
        i--;
    char buf[48];
    memcpy(buf, s, i);
    buf[i] = '\0';
    unsigned char addr[16];
    return inet_pton(AF_INET6, buf, addr) == 1 ? i : 0;
}

/* Length of a dotted host name at `s` that a ':' and a port number
 * follow ("proxy.example.org:5070"), else 0: an endpoint's host is a
 * value even where it never changes. */
static size_t host_before_port(const char *s, size_t len)
{
    size_t i = 0, dots = 0;
    while (i < len && (is_alnum((unsigned char)s[i]) || s[i] == '-' ||
                       (s[i] == '.' && i > 0 && s[i - 1] != '.'))) {
        dots += s[i] == '.';
        i++;
    }
    if (dots == 0 || i + 1 >= len || s[i] != ':' || s[i - 1] == '.' ||
        !is_digit((unsigned char)s[i + 1]))
        return 0;
    return i;
}

/* Length of a base64 blob at `s` (16 bytes or more of the alphabet,
 * upper and lower case letters and digits all present: a key, a hash),
 * else 0. */
static size_t base64_at(const char *s, size_t len)
{
    size_t i = 0;
    bool upper = false, lower = false, digit = false;
    while (i < len && (is_alnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '/')) {
        upper |= s[i] >= 'A' && s[i] <= 'Z';
        lower |= s[i] >= 'a' && s[i] <= 'z';
        digit |= is_digit((unsigned char)s[i]);
        i++;
    }
    while (i < len && s[i] == '=')
        i++;
    return i >= 16 && upper && lower && digit ? i : 0;
}

static void add_piece(line_token *t, size_t at, size_t len)
{
    if (t->vars < LEARN_PIECES_MAX) {
        t->piece_at[t->vars] = at;
        t->piece_len[t->vars] = len;
    }
    t->vars++;
    t->mask[t->mask_len++] = LEARN_VAR;
}

/* Length of the variable piece starting at `s[i]` (a number, address,
 * hex string, UUID or time word), else 0. */
static size_t piece_at(const char *s, size_t len, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    bool after_alnum = i > 0 && is_alnum((unsigned char)s[i - 1]);
    if (after_alnum)
        return 0;
    size_t n;
    if (c == '/' && (i == 0 || strchr(":='\"([", s[i - 1]) != NULL) &&
        (n = path_at(s + i, len - i)) != 0)
        return n;
    size_t run = 0;
    while (i + run < len && is_alnum((unsigned char)s[i + run]))
        run++;
    /* Cheap looks first: most positions are none of these. */
    size_t left = len - i;
    if (left >= 36 && s[i + 8] == '-' && (n = uuid_at(s + i, left)) != 0)
        return n;
    if (left >= 19 && s[i + 4] == '-' && (n = iso_time_at(s + i, left)) != 0)
        return n;
    if (is_digit(c) && (n = ipv4_at(s + i, left)) != 0)
        return n;
    const char *colon = memchr(s + i, ':', left < 6 ? left : 6);
    if (colon != NULL && (n = ipv6_at(s + i, left)) != 0)
        return n;
    if (c == '-' && i + 1 < len && is_digit((unsigned char)s[i + 1])) {
        size_t d = 1;
        while (i + d < len && is_digit((unsigned char)s[i + d]))
            d++;
        return d;
    }
    if (run == 0)
        return 0;
    if (i + run < len && (s[i + run] == '.' || s[i + run] == '-') &&
        memchr(s + i + run, ':', len - i - run) != NULL && (n = host_before_port(s + i, left)) != 0)
        return n;
    if (left >= 16 && (n = base64_at(s + i, left)) != 0)
        return n;
    if (is_letter(c)) {
        if (is_time_word(s + i, run))
            return run;
        /* Hex strings and ids, mostly digits: "14f05578bf8001c". */
        size_t digits = 0, hex = 0;
        for (size_t k = 0; k < run; k++) {
            digits += is_digit((unsigned char)s[i + k]);
            hex += is_hex_digit((unsigned char)s[i + k]);
        }
        if ((hex == run && run >= 6 && digits > 0) || digits * 2 > run)
            return run;
        return 0;
    }
    /* A run starting with a digit is a value, units and all ("896MB"),
       and so is a fraction, unless it is part of a dotted version. */
    if (run != 0 && !(i > 0 && s[i - 1] == '.')) {
        size_t d = run;
        if (i + d + 1 < len && s[i + d] == '.' && is_digit((unsigned char)s[i + d + 1])) {
            size_t f = d + 1;
            while (i + f < len && is_digit((unsigned char)s[i + f]))
                f++;
            if (i + f == len || s[i + f] != '.')
                return f;
        }
    }
    return run;
}

/* Builds the mask of `t` from its bytes; `opaque`: one of them is. */
static void mask_token(line_token *t, bool opaque)
{
    const char *s = t->text;
    size_t len = t->len;
    t->mask_len = 0;
    t->vars = 0;
    if (opaque || len >= LEARN_TOKEN_BYTES) {
        add_piece(t, 0, len);
        t->mask[t->mask_len] = '\0';
        t->hash = mask_hash(t->mask, t->mask_len);
        return;
    }
    size_t i = 0;
    while (i < len) {
        size_t n = piece_at(s, len, i);
        if (n != 0) {
            add_piece(t, i, n);
            i += n;
            continue;
        }
        /* A word goes whole, so "SOCKS5" stays a word. */
        if (is_alnum((unsigned char)s[i])) {
            while (i < len && is_alnum((unsigned char)s[i])) {
                /* Digits after letters stay in the word ("SOCKS5",
                   "tty2", "SHA256") unless they are a version ("v2.4")
                   or a long number run on to a name ("Steps1514038440000"). */
                if (is_digit((unsigned char)s[i]) && i > 0 && is_letter((unsigned char)s[i - 1])) {
                    size_t d = i;
                    while (d < len && is_digit((unsigned char)s[d]))
                        d++;
                    if ((d + 1 < len && s[d] == '.' && is_digit((unsigned char)s[d + 1])) ||
                        (d - i >= 4 && (d == len || !is_letter((unsigned char)s[d]))))
                        break;
                }
                t->mask[t->mask_len++] = s[i++];
            }
            if (i < len && is_digit((unsigned char)s[i])) {
                size_t d = i;
                while (d < len && is_digit((unsigned char)s[d]))
                    d++;
                add_piece(t, i, d - i);
                i = d;
            }
            continue;
        }
        t->mask[t->mask_len++] = s[i++];
    }
    t->mask[t->mask_len] = '\0';
    t->hash = mask_hash(t->mask, t->mask_len);
}

static size_t tokenize(const char *line, size_t len, line_token *out, bool *rest)
{
    size_t n = 0;
    size_t i = 0;
    *rest = false;
    while (i < len && n < LEARN_TOKENS_MAX) {
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == len)
            break;
        size_t start = i;
        /* The last token takes the rest of a line longer than the cap. */
        if (n + 1 == LEARN_TOKENS_MAX) {
            size_t end = len;
            while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t'))
                end--;
            for (size_t k = start; k < end && !*rest; k++)
                *rest = line[k] == ' ' || line[k] == '\t';
            i = end;
        }
        unsigned seen = 0;
        for (; i < len; i++) {
            unsigned char class = char_class[(unsigned char)line[i]];
            if (class & CLASS_BLANK)
                break;
            seen |= class;
        }
        line_token *t = &out[n++];
        t->text = line + start;
        t->len = i - start;
        mask_token(t, (seen & CLASS_OPAQUE) != 0);
        if (*rest && n == LEARN_TOKENS_MAX) {
            t->mask_len = 0;
            t->vars = 0;
            add_piece(t, 0, t->len);
            t->mask[t->mask_len] = '\0';
            t->hash = mask_hash(t->mask, t->mask_len);
        }
    }
    return n;
}

/* The first word as the index sees it (`*len` bytes at the return
 * value): a word, or the key of a "key=value" first token, or the
 * LEARN_VAR byte for any other token with a variable piece. A template's
 * first key never changes: lines with another one go elsewhere. */
static const char *first_key(const char *mask, size_t *len)
{
    size_t var = strcspn(mask, "\x01");
    if (mask[var] == '\0') {
        *len = var;
        return mask;
    }
    size_t word = 0;
    while (word < var && (is_alnum((unsigned char)mask[word]) || mask[word] == '_' ||
                          mask[word] == '.'))
        word++;
    if (word > 0 && word + 1 == var && mask[word] == '=') {
        *len = var;
        return mask;
    }
    *len = 1;
    return "\x01";
}

static bool same_first_key(const char *a, const char *b)
{
    size_t alen, blen;
    const char *ka = first_key(a, &alen), *kb = first_key(b, &blen);
    return alen == blen && memcmp(ka, kb, alen) == 0;
}

static bool same_mask(const learn_token *t, const line_token *lt)
{
    return t->hash == lt->hash && strcmp(t->mask, lt->mask) == 0;
}

/* The same mask, or variable pieces on both sides. */
static bool positions_agree(const learn_token *t, const line_token *lt)
{
    return (t->vars != 0 && lt->vars != 0) || same_mask(t, lt);
}

/* How many positions of `tpl` the line's tokens agree with, or 0 as soon
 * as fewer than `need` can. */
static size_t agreement(const learn_template *tpl, const line_token *tokens, size_t need)
{
    size_t same = 0, misses = tpl->count - need;
    for (size_t i = 0; i < tpl->count; i++) {
        if (positions_agree(&tpl->tokens[i], &tokens[i]))
            same++;
        else if (misses-- == 0)
            return 0;
    }
    return same;
}

/* Byte offset in the token's text where mask offset `at` falls. */
static size_t text_offset(const line_token *t, size_t at)
{
    size_t text = 0, piece = 0;
    for (size_t m = 0; m < at; m++) {
        if (t->mask[m] == LEARN_VAR) {
            if (piece < LEARN_PIECES_MAX) {
                text = t->piece_at[piece] + t->piece_len[piece];
            } else {
                /* Past the tracked pieces: the piece ends where the next
                   constant byte of the mask shows up in the text. */
                char next = t->mask[m + 1];
                while (text < t->len && t->text[text] != next)
                    text++;
            }
            piece++;
        } else {
            text++;
        }
    }
    return text;
}

static unsigned piece_fits(const line_token *t, size_t piece)
{
    if (piece >= LEARN_PIECES_MAX)
        return 0;
    return fits_of(t->text + t->piece_at[piece], t->piece_len[piece]);
}

static size_t count_vars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == LEARN_VAR;
    return n;
}

/* Whether a cut between s[k-1] and s[k] falls between pieces, not inside
 * a word. */
static bool is_boundary(const char *s, size_t len, size_t k)
{
    return k == 0 || k == len || !is_alnum((unsigned char)s[k - 1]) ||
           !is_alnum((unsigned char)s[k]);
}

/* Makes `t` general enough for the line token `lt` as well: the common
 * start and end of both masks stay, what lies between becomes one
 * variable piece. */
static bool generalize(learn_token *t, const line_token *lt)
{
    const char *a = t->mask;
    const char *b = lt->mask;
    size_t alen = strlen(a), blen = lt->mask_len;
    size_t p = 0;
    while (p < alen && p < blen && a[p] == b[p])
        p++;
    while (p > 0 && !(is_boundary(a, alen, p) && is_boundary(b, blen, p)))
        p--;
    size_t s = 0;
    while (s < alen - p && s < blen - p && a[alen - 1 - s] == b[blen - 1 - s])
        s++;
    while (s > 0 && !(is_boundary(a, alen, alen - s) && is_boundary(b, blen, blen - s)))
        s--;
    /* A variable piece next to the new one joins it. */
    if (p > 0 && a[p - 1] == LEARN_VAR)
        p--;
    if (s > 0 && a[alen - s] == LEARN_VAR)
        s--;

    size_t a_prefix_vars = count_vars(a, p), a_suffix_vars = count_vars(a + alen - s, s);
    size_t b_prefix_vars = count_vars(b, p);
    size_t a_mid_vars = t->vars - a_prefix_vars - a_suffix_vars;
    size_t b_suffix_vars = count_vars(b + blen - s, s);
    unsigned fits[LEARN_PIECES_MAX] = { 0 };
    size_t out = 0;
    for (size_t k = 0; k < a_prefix_vars && out < LEARN_PIECES_MAX; k++, out++)
        fits[out] = t->fits[k] & piece_fits(lt, k);
    /* The new piece: what both had between, when that was one value. */
    unsigned a_mid = 0;
    if (a_mid_vars == 1 && alen - s - p == 1)
        a_mid = a_prefix_vars < LEARN_PIECES_MAX ? t->fits[a_prefix_vars] : 0;
    else if (a_mid_vars == 0)
        a_mid = fits_of(a + p, alen - s - p);
    size_t b_from = text_offset(lt, p), b_to = text_offset(lt, blen - s);
    unsigned b_mid = b_to > b_from ? fits_of(lt->text + b_from, b_to - b_from) : 0;
    if (out < LEARN_PIECES_MAX)
        fits[out] = a_mid & b_mid;
    out++;
    for (size_t k = 0; k < a_suffix_vars; k++, out++) {
        size_t ai = t->vars - a_suffix_vars + k, bi = lt->vars - b_suffix_vars + k;
        if (out < LEARN_PIECES_MAX)
            fits[out] = (ai < LEARN_PIECES_MAX ? t->fits[ai] : 0) & piece_fits(lt, bi);
    }
    (void)b_prefix_vars;

    char *mask = malloc(p + 1 + s + 1);
    if (mask == NULL)
        return false;
    memcpy(mask, a, p);
    mask[p] = LEARN_VAR;
    memcpy(mask + p + 1, a + alen - s, s);
    mask[p + 1 + s] = '\0';
    free(t->mask);
    t->mask = mask;
    t->hash = mask_hash(mask, strlen(mask));
    t->vars = out;
    memcpy(t->fits, fits, sizeof fits);
    return true;
}

static void forget_words(learn_token *t)
{
    free(t->words[0]);
    free(t->words[1]);
    t->words[0] = t->words[1] = NULL;
    t->words_state = LEARN_WORDS_MANY;
}

/* Notes the word a line has at a position whose constants differ. */
static bool note_word(learn_token *t, const line_token *lt, bool same, unsigned long lines_before)
{
    bool word = lt->vars == 0;
    if (t->words_state == LEARN_WORDS_CONSTANT) {
        if (!word || t->vars != 0 || same) {
            if (!same)
                t->words_state = LEARN_WORDS_MANY;
            return true;
        }
        t->words[0] = strdup(t->mask);
        t->words[1] = strndup(lt->mask, lt->mask_len);
        if (t->words[0] == NULL || t->words[1] == NULL) {
            forget_words(t);
            return false;
        }
        t->word_lines[0] = lines_before;
        t->word_lines[1] = 1;
        t->words_state = LEARN_WORDS_TWO;
        return true;
    }
    if (t->words_state == LEARN_WORDS_TWO) {
        for (int k = 0; k < 2 && word; k++) {
            if (strcmp(t->words[k], lt->mask) == 0) {
                t->word_lines[k]++;
                return true;
            }
        }
        forget_words(t);
    }
    return true;
}

/* Merges a line into `tpl`: positions that differ become variable. */
static bool merge(learn_template *tpl, const line_token *tokens)
{
    for (size_t i = 0; i < tpl->count; i++) {
        learn_token *t = &tpl->tokens[i];
        const line_token *lt = &tokens[i];
        bool same = same_mask(t, lt);
        if (t->words_state != LEARN_WORDS_MANY && !note_word(t, lt, same, tpl->lines))
            return false;
        if (same) {
            for (size_t k = 0; k < t->vars && k < LEARN_PIECES_MAX; k++)
                t->fits[k] &= piece_fits(lt, k);
        } else if (!generalize(t, lt)) {
            return false;
        }
    }
    tpl->lines++;
    return true;
}

/* The index: open addressing from (token count, first key) to the first
 * template of that key; templates of one key are chained by
 * `bucket_next`. */
struct learn_bucket {
    size_t head; /* template index + 1; 0 for an empty slot */
};

static uint64_t key_hash(size_t count, const char *first)
{
    size_t len;
    const char *key = first_key(first, &len);
    uint64_t h = 1469598103934665603ull ^ count;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 1099511628211ull;
    return h;
}

/* The slot of the key of (`count` tokens, first token `first`): its
 * bucket, or the empty one where it would go. */
static struct learn_bucket *find_bucket(const learner *l, size_t count, const char *first)
{
    size_t mask = l->bucket_capacity - 1;
    for (size_t i = key_hash(count, first) & mask;; i = (i + 1) & mask) {
        struct learn_bucket *b = &l->buckets[i];
        if (b->head == 0)
            return b;
        const learn_template *tpl = &l->templates[b->head - 1];
        if (tpl->count == count && same_first_key(tpl->tokens[0].mask, first))
            return b;
    }
}

static bool rehash(learner *l)
{
    size_t capacity = l->bucket_capacity == 0 ? 256 : l->bucket_capacity * 2;
    struct learn_bucket *old = l->buckets;
    size_t old_capacity = l->bucket_capacity;
    l->buckets = calloc(capacity, sizeof *l->buckets);
    if (l->buckets == NULL) {
        l->buckets = old;
        return false;
    }
    l->bucket_capacity = capacity;
    for (size_t i = 0; i < old_capacity; i++) {
        if (old[i].head == 0)
            continue;
        const learn_template *tpl = &l->templates[old[i].head - 1];
        find_bucket(l, tpl->count, tpl->tokens[0].mask)->head = old[i].head;
    }
    free(old);
    return true;
}

static void free_template(learn_template *tpl)
{
    for (size_t j = 0; j < tpl->count; j++) {
        free(tpl->tokens[j].mask);
        free(tpl->tokens[j].words[0]);
        free(tpl->tokens[j].words[1]);
    }
}

static bool add_template(learner *l, const line_token *tokens, size_t n, bool rest)
{
    if (l->template_count == l->template_capacity) {
        learn_template *grown = ehd__grow_array(l->templates, &l->template_capacity,
                                                l->template_count + 1, sizeof *l->templates, 64);
        if (grown == NULL)
            return false;
        l->templates = grown;
    }
    learn_template *tpl = &l->templates[l->template_count];
    memset(tpl, 0, sizeof *tpl);
    for (size_t i = 0; i < n; i++) {
        learn_token *t = &tpl->tokens[i];
        t->mask = strndup(tokens[i].mask, tokens[i].mask_len);
        if (t->mask == NULL) {
            tpl->count = i;
            free_template(tpl);
            return false;
        }
        t->hash = tokens[i].hash;
        t->vars = tokens[i].vars;
        for (size_t k = 0; k < t->vars && k < LEARN_PIECES_MAX; k++)
            t->fits[k] = piece_fits(&tokens[i], k);
    }
    tpl->count = n;
    tpl->rest = rest;
    tpl->lines = 1;
    tpl->first_line = l->lines;
    l->template_count++;
    return true;
}

bool learner_add(learner *l, const char *line, size_t len)
{
    l->lines++;
    if (l->wanted != NULL && !l->wanted(l->wanted_context, line, len)) {
        l->known++;
        return true;
    }
    static __thread line_token tokens[LEARN_TOKENS_MAX];
    bool rest;
    size_t n = tokenize(line, len, tokens, &rest);
    if (n == 0) {
        l->skipped++;
        return true;
    }
    if (l->template_count * 2 >= l->bucket_capacity && !rehash(l))
        return false;
    struct learn_bucket *bucket = find_bucket(l, n, tokens[0].mask);
    /* At least half of the positions agree. */
    size_t need = (n + 1) / 2;
    size_t best = 0, best_before = 0, best_same = 0;
    size_t before = 0, scanned = 0;
    for (size_t i = bucket->head; i != 0 && scanned < BUCKET_SCAN_MAX; scanned++) {
        learn_template *tpl = &l->templates[i - 1];
        size_t same = tpl->rest == rest ? agreement(tpl, tokens, need) : 0;
        if (same >= need && same > best_same) {
            best = i;
            best_before = before;
            best_same = same;
            if (same == n)
                break;
        }
        before = i;
        i = tpl->bucket_next;
    }
    if (best != 0) {
        learn_template *tpl = &l->templates[best - 1];
        /* To the front of its chain, where the next line of its kind
           looks first. */
        if (best_before != 0) {
            l->templates[best_before - 1].bucket_next = tpl->bucket_next;
            tpl->bucket_next = bucket->head;
            bucket->head = best;
        }
        return merge(tpl, tokens);
    }
    if (l->template_count == LEARN_TEMPLATES_MAX) {
        l->skipped++;
        return true;
    }
    if (!add_template(l, tokens, n, rest))
        return false;
    learn_template *tpl = &l->templates[l->template_count - 1];
    /* Newest first: a key's recent templates are the likely ones. */
    tpl->bucket_next = bucket->head;
    bucket->head = l->template_count;
    return true;
}

/* A copy of `from` with position `at` holding `word` as its constant. */
static bool split_copy(learner *l, size_t from, size_t at, int k)
{
    if (l->template_count == l->template_capacity) {
        learn_template *grown = ehd__grow_array(l->templates, &l->template_capacity,
                                                l->template_count + 1, sizeof *l->templates, 64);
        if (grown == NULL)
            return false;
        l->templates = grown;
    }
    const learn_template *src = &l->templates[from];
    learn_template *tpl = &l->templates[l->template_count];
    memset(tpl, 0, sizeof *tpl);
    for (size_t i = 0; i < src->count; i++) {
        learn_token *t = &tpl->tokens[i];
        const learn_token *s = &src->tokens[i];
        t->mask = strdup(i == at ? s->words[k] : s->mask);
        if (t->mask == NULL) {
            tpl->count = i;
            free_template(tpl);
            return false;
        }
        t->hash = mask_hash(t->mask, strlen(t->mask));
        if (i != at) {
            t->vars = s->vars;
            memcpy(t->fits, s->fits, sizeof t->fits);
        }
        t->words_state = LEARN_WORDS_MANY;
    }
    tpl->count = src->count;
    tpl->rest = src->rest;
    tpl->lines = src->tokens[at].word_lines[k];
    tpl->first_line = src->first_line;
    tpl->split_at = at + 1;
    l->template_count++;
    return true;
}

/* Whether `text` (no variable piece) reads as `mask`: its constants in
 * place, each variable piece standing for at least one byte. */
static bool mask_takes(const char *mask, const char *text)
{
    if (*mask == '\0')
        return *text == '\0';
    if (*mask == LEARN_VAR) {
        for (const char *t = text + 1; t <= text + strlen(text); t++)
            if (*text != '\0' && mask_takes(mask + 1, t))
                return true;
        return false;
    }
    return *mask == *text && mask_takes(mask + 1, text + 1);
}

/* Whether two templates' tokens can be one: the same, both with variable
 * pieces, or the word of one is what the other's mask reads. */
static bool tokens_agree(const learn_token *a, const learn_token *b)
{
    if (a->vars != 0 && b->vars != 0)
        return true;
    if (a->vars == 0 && b->vars == 0)
        return strcmp(a->mask, b->mask) == 0;
    /* A variable with no constant around it ("<*>") would take any word:
       "port" is not a number that went missing. */
    const learn_token *var = a->vars != 0 ? a : b, *word = a->vars != 0 ? b : a;
    if (var->vars == 1 && var->mask[0] == LEARN_VAR && var->mask[1] == '\0')
        return false;
    return mask_takes(var->mask, word->mask);
}

/* Alignment of a shorter template `a` into a longer `b`: every token of
 * `a` agrees with one of `b` in order; the tokens of `b` left over come in
 * runs of at most RUN_MAX, each holding a variable piece and lying between
 * two aligned tokens, or ending `b` after an aligned variable token.
 * `dropped[j]` says which of `b`'s tokens are left over. */
enum { RUN_MAX = 3 };

static bool ends_in_piece(const learn_token *t)
{
    size_t len = strlen(t->mask);
    return len > 0 && t->mask[len - 1] == LEARN_VAR;
}

static bool align_into(const learn_template *a, const learn_template *b, bool dropped[])
{
    size_t n = a->count, m = b->count;
    /* reach[i][j][r]: a[0..i) aligned with b[0..j), the last r tokens of
       b dropped (r > 0: a run open; `var` bit: it holds a variable). */
    static __thread unsigned char reach[LEARN_TOKENS_MAX + 1][LEARN_TOKENS_MAX + 1];
    enum { MATCHED = 1, RUN_BASE = 2 };
    /* State byte: bit 0 the state "just aligned" is reachable; bits
       1..: run length r (1..RUN_MAX) with or without a variable: bit
       (2 * r - 1) without, bit (2 * r) with. */
    memset(reach, 0, sizeof reach);
    reach[0][0] = MATCHED;
    for (size_t i = 0; i <= n; i++) {
        for (size_t j = 0; j <= m; j++) {
            unsigned char st = reach[i][j];
            if (st == 0)
                continue;
            bool can_close = (st & MATCHED) != 0;
            for (int r = 1; r <= RUN_MAX; r++)
                can_close |= (st >> (2 * r)) & 1;
            /* Align a[i] with b[j]: from "aligned", or closing a run
               that holds a variable. */
            if (i < n && j < m && can_close && tokens_agree(&a->tokens[i], &b->tokens[j]))
                reach[i + 1][j + 1] |= MATCHED;
            /* Drop b[j]: not before the first aligned token. */
            if (j < m && i > 0) {
                bool var = b->tokens[j].vars != 0;
                if (st & MATCHED)
                    reach[i][j + 1] |= (unsigned char)(1u << (var ? 2 : 1));
                for (int r = 1; r < RUN_MAX; r++) {
                    if ((st >> (2 * r - 1)) & 1)
                        reach[i][j + 1] |= (unsigned char)(1u << (var ? 2 * (r + 1) : 2 * (r + 1) - 1));
                    if ((st >> (2 * r)) & 1)
                        reach[i][j + 1] |= (unsigned char)(1u << (2 * (r + 1)));
                }
            }
        }
    }
    /* The end: all aligned, or a run ending b after a variable token. */
    unsigned char end = reach[n][m];
    bool tail = false;
    if (!(end & MATCHED)) {
        if (end == 0 || n == 0 || a->tokens[n - 1].vars == 0)
            return false;
        tail = true;
    }
    /* Walk back for which tokens were dropped: prefer aligning. */
    size_t i = n, j = m;
    for (size_t k = 0; k < m; k++)
        dropped[k] = false;
    if (tail) {
        while (j > 0 && !(reach[i][j] & MATCHED)) {
            dropped[j - 1] = true;
            j--;
        }
        /* The rest of the line goes to the last piece of the token before:
           it must end in one, in both ("<*>s" cannot take "s the rest"). */
        if (j == 0 || m - j > RUN_MAX || !ends_in_piece(&b->tokens[j - 1]) ||
            !ends_in_piece(&a->tokens[n - 1]))
            return false;
    }
    while (i > 0 || j > 0) {
        if (i > 0 && j > 0 && (reach[i][j] & MATCHED) &&
            tokens_agree(&a->tokens[i - 1], &b->tokens[j - 1])) {
            /* Aligned here; whatever run came before is dropped. */
            i--;
            j--;
            size_t run = 0;
            while (j > 0 && run < RUN_MAX && !(reach[i][j] & MATCHED)) {
                dropped[j - 1] = true;
                j--;
                run++;
            }
            if (!(reach[i][j] & MATCHED) && (i > 0 || j > 0))
                return false;
            continue;
        }
        return false;
    }
    return true;
}

/* Makes token `t` of a longer template general enough for `o` of a
 * shorter one merged into it. */
static bool generalize_token(learn_token *t, const learn_token *o)
{
    if (strcmp(t->mask, o->mask) == 0) {
        for (size_t k = 0; k < t->vars && k < LEARN_PIECES_MAX; k++)
            t->fits[k] &= o->fits[k];
        return true;
    }
    /* The masks differ: the whole token is one value now, of a type
       nothing known says (a piece's type is not the whole token's). */
    memset(t->fits, 0, sizeof t->fits);
    if (t->vars == 1 && t->mask[0] == LEARN_VAR && t->mask[1] == '\0')
        return true;
    char *mask = strdup("\x01");
    if (mask == NULL)
        return false;
    free(t->mask);
    t->mask = mask;
    t->hash = mask_hash(mask, strlen(mask));
    t->vars = 1;
    return true;
}

/* Merges templates into longer ones of the same first key that hold them
 * plus runs of variable tokens (align_into). Longest first, so each
 * shorter one finds the fullest. */
/* Whether an alignment holds a constant word in both: without one, a
 * merge would make a rule that takes any line. */
static bool anchored(const learn_template *a, const learn_template *b, const bool dropped[])
{
    size_t at = 0;
    for (size_t j = 0; j < b->count; j++) {
        if (dropped[j])
            continue;
        if (a->tokens[at].vars == 0 && b->tokens[j].vars == 0)
            return true;
        at++;
    }
    return false;
}

/* Whether `b`, its tokens `dropped` optional too (on top of those other
 * merges made so), still makes a rule every line of it matches: the
 * optional tokens at its end follow a kept token that ends in a variable
 * piece, which takes them. */
static bool still_readable(const learn_template *b, const bool dropped[])
{
    size_t end = b->count;
    while (end > 0 && (b->tokens[end - 1].optional || dropped[end - 1]))
        end--;
    return end == b->count || (end > 0 && ends_in_piece(&b->tokens[end - 1]));
}

static int by_count_down(const void *x, const void *y)
{
    const learn_template *a = *(const learn_template *const *)x;
    const learn_template *b = *(const learn_template *const *)y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return (a > b) - (a < b);
}

static bool merge_lengths(learner *l)
{
    bool dropped[LEARN_TOKENS_MAX];
    /* Longer ones first: a template that takes others in is never merged
       away after that. */
    learn_template **order = calloc(l->template_count + 1, sizeof *order);
    if (order == NULL)
        return false;
    for (size_t i = 0; i < l->template_count; i++)
        order[i] = &l->templates[i];
    qsort(order, l->template_count, sizeof *order, by_count_down);
    bool ok = true;
    for (size_t i = 0; i < l->template_count && ok; i++) {
        learn_template *a = order[i];
        if (a->rest)
            continue;
        for (size_t extra = 2 * RUN_MAX; extra >= 1 && !a->merged; extra--) {
            if (a->count + extra > LEARN_TOKENS_MAX)
                continue;
            struct learn_bucket *bucket = find_bucket(l, a->count + extra, a->tokens[0].mask);
            for (size_t k = bucket->head; k != 0 && !a->merged;) {
                learn_template *b = &l->templates[k - 1];
                k = b->bucket_next;
                if (b->merged || b->rest || !align_into(a, b, dropped) ||
                    !anchored(a, b, dropped) || !still_readable(b, dropped))
                    continue;
                size_t at = 0;
                for (size_t j = 0; j < b->count; j++) {
                    if (dropped[j]) {
                        b->tokens[j].optional = true;
                        b->tokens[j].words_state = LEARN_WORDS_MANY;
                        continue;
                    }
                    if (!generalize_token(&b->tokens[j], &a->tokens[at])) {
                        ok = false;
                        break;
                    }
                    /* Words counted in `b` say nothing of `a`'s lines unless
                       `a` had one constant word there, and `b` too. */
                    if (!(a->tokens[at].vars == 0 && strcmp(b->tokens[j].mask, a->tokens[at].mask) == 0))
                        b->tokens[j].words_state = LEARN_WORDS_MANY;
                    at++;
                }
                b->lines += a->lines;
                if (a->first_line < b->first_line)
                    b->first_line = a->first_line;
                a->merged = true;
            }
        }
    }
    free(order);
    return ok;
}

/* Whether two words are the same but for their trailing digits. */
static bool same_stem(const char *a, const char *b)
{
    size_t x = strlen(a), y = strlen(b);
    while (x > 0 && is_digit((unsigned char)a[x - 1]))
        x--;
    while (y > 0 && is_digit((unsigned char)b[y - 1]))
        y--;
    return x > 0 && x == y && memcmp(a, b, x) == 0;
}

/* Whether two words are two values of one "key=": they differ only after
 * an '=' of their common start. */
static bool keyed_values(const char *a, const char *b)
{
    size_t n = 0;
    while (a[n] != '\0' && a[n] == b[n])
        n++;
    const char *eq = memchr(a, '=', n);
    return eq != NULL && eq > a;
}

bool learner_finish(learner *l)
{
    if (l->bucket_capacity != 0 && !merge_lengths(l))
        return false;
    size_t learned = l->template_count;
    for (size_t i = 0; i < learned; i++) {
        if (l->templates[i].merged)
            continue;
        size_t at = 0;
        while (at < l->templates[i].count &&
               l->templates[i].tokens[at].words_state != LEARN_WORDS_TWO)
            at++;
        if (at == l->templates[i].count)
            continue;
        /* Two values of a flag or two errno names: a field, not two kinds
           of message. */
        const learn_token *t = &l->templates[i].tokens[at];
        if (fits_of(t->words[0], strlen(t->words[0])) & fits_of(t->words[1], strlen(t->words[1])) &
            (LEARN_FITS_BOOL | LEARN_FITS_ERRNO))
            continue;
        /* "user1" and "user2": numbered names of one kind; "user=alice"
           and "user=bob": a value its key names. */
        if (same_stem(t->words[0], t->words[1]) || keyed_values(t->words[0], t->words[1]))
            continue;
        if (!split_copy(l, i, at, 0) || !split_copy(l, i, at, 1))
            return false;
    }
    return true;
}

void learner_free(learner *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->template_count; i++)
        free_template(&l->templates[i]);
    free(l->templates);
    free(l->buckets);
    l->templates = NULL;
    l->buckets = NULL;
    l->template_count = 0;
    l->template_capacity = 0;
    l->bucket_capacity = 0;
}
