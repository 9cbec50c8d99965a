/*
 * Strict JSON reader with positions; see json_pos.h.
 *
 * A recursive descent over the text that stops at the first syntax error and
 * names the byte that broke the grammar: reporting more after a syntax error
 * would mostly report the same mistake again. Nesting is capped well below
 * what could exhaust the stack.
 */
#include <errno.h>
#include <locale.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow_array.h"
#include "hex_digits.h"
#include "json_pos.h"
#include "utf8.h"

struct reader {
    const char *text;
    size_t len;
    size_t pos;
    unsigned line;        /* line of `pos`, from 1 */
    size_t line_start;    /* offset of the first byte of that line */
    ehs_json_doc *doc;
    ehs_diag *diag;
    char *scratch;        /* the last decoded string, NUL-terminated */
    size_t scratch_len;
    size_t scratch_capacity;
    locale_t c_locale;    /* numbers use '.' whatever the host program's locale */
    int err;              /* 0, EINVAL after a syntax error, ENOMEM */
};

/* Position of `offset`, which must lie on the reader's current line: no
 * token spans lines, since strings cannot hold a raw newline. */
static ehs_position position_at(const struct reader *r, size_t offset)
{
    size_t column = offset - r->line_start + 1;
    return (ehs_position){ r->line, column > UINT_MAX ? UINT_MAX : (unsigned)column };
}

static void fail(struct reader *r, size_t offset, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct reader *r, size_t offset, const char *format, ...)
{
    if (r->err != 0)
        return;
    r->err = EINVAL;
    char message[512];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    ehs_diag_add(r->diag, position_at(r, offset), "%s", message);
}

static void out_of_memory(struct reader *r)
{
    if (r->err == 0)
        r->err = ENOMEM;
}

/* Names the byte at `offset` for a message: 'x', byte 0xNN or end of file. */
static const char *describe(const struct reader *r, size_t offset, char buf[16])
{
    if (offset >= r->len)
        return "end of file";
    unsigned char c = (unsigned char)r->text[offset];
    if (c > ' ' && c < 0x7f)
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02x", c);
    return buf;
}

/* What a byte that broke the grammar usually means, as a message suffix. */
static const char *hint(const struct reader *r, size_t offset)
{
    if (offset >= r->len)
        return "";
    if (r->text[offset] == '\'')
        return " (JSON strings are in double quotes)";
    if (r->text[offset] == '/')
        return " (JSON has no comments)";
    return "";
}

static void skip_whitespace(struct reader *r)
{
    while (r->pos < r->len) {
        char c = r->text[r->pos];
        if (c == '\n') {
            r->pos++;
            r->line++;
            r->line_start = r->pos;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            r->pos++;
        } else {
            break;
        }
    }
}

static bool at(const struct reader *r, char c)
{
    return r->pos < r->len && r->text[r->pos] == c;
}

static bool is_digit_at(const struct reader *r, size_t offset)
{
    return offset < r->len && r->text[offset] >= '0' && r->text[offset] <= '9';
}

static bool scratch_append(struct reader *r, const void *bytes, size_t n)
{
    /* No overflow: scratch_len + n is at most the length of the text. */
    char *grown = ehd__grow_array(r->scratch, &r->scratch_capacity, r->scratch_len + n + 1, 1, 64);
    if (grown == NULL)
        return out_of_memory(r), false;
    r->scratch = grown;
    memcpy(r->scratch + r->scratch_len, bytes, n);
    r->scratch_len += n;
    r->scratch[r->scratch_len] = '\0';
    return true;
}

/* Length of the valid UTF-8 sequence at `s`, or 0: overlong forms,
 * surrogates and code points above U+10FFFF are invalid in a config. */
static size_t utf8_sequence_length(const char *s, size_t available)
{
    uint32_t code_point;
    size_t n = ehd__utf8_decode((const uint8_t *)s, available, &code_point);
    if (n == 0 || (code_point >= 0xd800 && code_point <= 0xdfff))
        return 0;
    return n;
}

/* Decodes the escape at r->pos (a backslash) into the scratch buffer.
 * Errors point at the backslash, where the escape begins. */
static bool read_escape(struct reader *r)
{
    size_t backslash = r->pos;
    char buf[16];
    if (backslash + 1 >= r->len)
        return fail(r, backslash + 1, "end of file inside a string"), false;
    char e = r->text[backslash + 1];
    static const char simple_from[] = "\"\\/bfnrt";
    static const char simple_to[] = "\"\\/\b\f\n\r\t";
    const char *simple = e != '\0' ? strchr(simple_from, e) : NULL;
    if (simple != NULL) {
        r->pos += 2;
        return scratch_append(r, &simple_to[simple - simple_from], 1);
    }
    if (e != 'u') {
        if (e > ' ' && e < 0x7f)
            fail(r, backslash,
                 "invalid escape \\%c in a string (a backslash is written \\\\, so a regex's "
                 "\\%c is \\\\%c)",
                 e, e, e);
        else
            fail(r, backslash, "invalid escape in a string: a backslash followed by %s",
                 describe(r, backslash + 1, buf));
        return false;
    }
    long unit = ehs_hex_number(r->text, r->len, backslash + 2, 4);
    if (unit < 0)
        return fail(r, backslash, "invalid escape \\u: it needs four hex digits"), false;
    uint32_t code_point = (uint32_t)unit;
    size_t used = 6;
    if (unit >= 0xd800 && unit <= 0xdbff) {
        long low = -1;
        if (backslash + 7 < r->len && r->text[backslash + 6] == '\\' &&
            r->text[backslash + 7] == 'u')
            low = ehs_hex_number(r->text, r->len, backslash + 8, 4);
        if (low < 0xdc00 || low > 0xdfff)
            return fail(r, backslash,
                        "\\u%04lX is half of a surrogate pair; the low half \\uDC00..\\uDFFF "
                        "must follow it",
                        unit),
                   false;
        code_point = 0x10000 + (((uint32_t)unit - 0xd800) << 10) + ((uint32_t)low - 0xdc00);
        used = 12;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
        return fail(r, backslash, "\\u%04lX is the low half of a surrogate pair without its high half",
                    unit),
               false;
    } else if (unit == 0) {
        return fail(r, backslash, "\\u0000 is not allowed: config strings cannot hold NUL bytes"),
               false;
    }
    uint8_t bytes[EHD_UTF8_ENCODED_MAX];
    size_t n = ehd__utf8_encode(code_point, bytes);
    r->pos += used;
    return scratch_append(r, bytes, n);
}

/* Reads the string at r->pos (its opening quote) into the scratch buffer. */
static bool read_string(struct reader *r)
{
    r->pos++;
    r->scratch_len = 0;
    if (!scratch_append(r, "", 0))
        return false;
    for (;;) {
        if (r->pos >= r->len)
            return fail(r, r->pos, "end of file inside a string"), false;
        unsigned char c = (unsigned char)r->text[r->pos];
        if (c == '"') {
            r->pos++;
            return true;
        }
        if (c == '\\') {
            if (!read_escape(r))
                return false;
            continue;
        }
        if (c == '\n')
            return fail(r, r->pos, "the line ends inside a string (a newline is written \\n)"),
                   false;
        if (c < 0x20)
            return fail(r, r->pos, "control byte 0x%02x inside a string (write it as \\u%04x)", c,
                        c),
                   false;
        size_t n = utf8_sequence_length(r->text + r->pos, r->len - r->pos);
        if (n == 0)
            return fail(r, r->pos, "invalid UTF-8 in a string (byte 0x%02x); configs are UTF-8",
                        c),
                   false;
        if (!scratch_append(r, r->text + r->pos, n))
            return false;
        r->pos += n;
    }
}

static cJSON *read_number(struct reader *r)
{
    size_t start = r->pos;
    char buf[16];
    if (at(r, '-')) {
        r->pos++;
        if (!is_digit_at(r, r->pos))
            return fail(r, r->pos, "expected a digit after '-', found %s", describe(r, r->pos, buf)),
                   NULL;
    }
    if (at(r, '0')) {
        r->pos++;
        if (is_digit_at(r, r->pos))
            return fail(r, r->pos, "a number cannot have a leading zero"), NULL;
    } else {
        while (is_digit_at(r, r->pos))
            r->pos++;
    }
    if (at(r, '.')) {
        r->pos++;
        if (!is_digit_at(r, r->pos))
            return fail(r, r->pos, "expected a digit after '.', found %s", describe(r, r->pos, buf)),
                   NULL;
        while (is_digit_at(r, r->pos))
            r->pos++;
    }
    if (at(r, 'e') || at(r, 'E')) {
        r->pos++;
        if (at(r, '+') || at(r, '-'))
            r->pos++;
        if (!is_digit_at(r, r->pos))
            return fail(r, r->pos, "expected a digit in the exponent, found %s",
                        describe(r, r->pos, buf)),
                   NULL;
        while (is_digit_at(r, r->pos))
            r->pos++;
    }
    r->scratch_len = 0;
    if (!scratch_append(r, r->text + start, r->pos - start))
        return NULL;
    double value = r->c_locale != (locale_t)0 ? strtod_l(r->scratch, NULL, r->c_locale)
                                               : strtod(r->scratch, NULL);
    cJSON *item = cJSON_CreateNumber(value);
    if (item == NULL)
        out_of_memory(r);
    return item;
}

static cJSON *read_literal(struct reader *r, const char *word, cJSON *(*make)(void))
{
    char buf[16];
    for (size_t i = 0; word[i] != '\0'; i++) {
        if (r->pos + i >= r->len || r->text[r->pos + i] != word[i])
            return fail(r, r->pos + i, "invalid literal: expected %s, found %s", word,
                        describe(r, r->pos + i, buf)),
                   NULL;
    }
    r->pos += strlen(word);
    cJSON *item = make();
    if (item == NULL)
        out_of_memory(r);
    return item;
}

static uint32_t slot_of(const cJSON *node, size_t slot_count)
{
    uint64_t h = (uint64_t)(uintptr_t)node * 0x9e3779b97f4a7c15ull;
    return (uint32_t)((h >> 32) & (slot_count - 1));
}

static bool grow_slots(ehs_json_doc *doc)
{
    size_t slot_count = doc->slot_count ? doc->slot_count * 2 : 64;
    uint32_t *slots = calloc(slot_count, sizeof *slots);
    if (slots == NULL)
        return false;
    for (size_t i = 0; i < doc->count; i++) {
        uint32_t s = slot_of(doc->entries[i].node, slot_count);
        while (slots[s] != 0)
            s = (s + 1) & (uint32_t)(slot_count - 1);
        slots[s] = (uint32_t)i + 1;
    }
    free(doc->slots);
    doc->slots = slots;
    doc->slot_count = slot_count;
    return true;
}

static bool record(struct reader *r, const cJSON *node, ehs_position key, ehs_position value,
                   size_t offset)
{
    ehs_json_doc *doc = r->doc;
    if (doc->count >= UINT32_MAX - 1)
        return out_of_memory(r), false;
    ehs_json_entry *grown =
        ehd__grow_array(doc->entries, &doc->capacity, doc->count + 1, sizeof *grown, 64);
    if (grown == NULL)
        return out_of_memory(r), false;
    doc->entries = grown;
    /* Keeps the hash at most half full so probes stay short. */
    if ((doc->count + 1) * 2 > doc->slot_count && !grow_slots(doc))
        return out_of_memory(r), false;
    doc->entries[doc->count] = (ehs_json_entry){ node, { key, value, offset, r->pos - offset } };
    uint32_t s = slot_of(node, doc->slot_count);
    while (doc->slots[s] != 0)
        s = (s + 1) & (uint32_t)(doc->slot_count - 1);
    doc->slots[s] = (uint32_t)doc->count + 1;
    doc->count++;
    return true;
}

static cJSON *read_value(struct reader *r, unsigned depth, ehs_position key);

static bool check_depth(struct reader *r, unsigned depth)
{
    if (depth <= EHS_JSON_MAX_DEPTH)
        return true;
    fail(r, r->pos, "objects and arrays nest deeper than %d levels", EHS_JSON_MAX_DEPTH);
    return false;
}

static cJSON *read_object(struct reader *r, unsigned depth)
{
    char buf[16];
    if (!check_depth(r, depth))
        return NULL;
    cJSON *object = cJSON_CreateObject();
    if (object == NULL)
        return out_of_memory(r), NULL;
    r->pos++;
    skip_whitespace(r);
    if (at(r, '}')) {
        r->pos++;
        return object;
    }
    for (bool after_comma = false;; after_comma = true) {
        skip_whitespace(r);
        if (!at(r, '"')) {
            fail(r, r->pos, "expected a member name in double quotes, found %s%s",
                 describe(r, r->pos, buf),
                 after_comma && at(r, '}') ? " (JSON allows no comma before '}')" : hint(r, r->pos));
            goto error;
        }
        ehs_position key_position = position_at(r, r->pos);
        if (!read_string(r))
            goto error;
        char *key = strdup(r->scratch);
        if (key == NULL) {
            out_of_memory(r);
            goto error;
        }
        skip_whitespace(r);
        if (!at(r, ':')) {
            fail(r, r->pos, "expected ':' after the member name, found %s%s",
                 describe(r, r->pos, buf), hint(r, r->pos));
            free(key);
            goto error;
        }
        r->pos++;
        cJSON *value = read_value(r, depth, key_position);
        if (value == NULL) {
            free(key);
            goto error;
        }
        bool added = cJSON_AddItemToObject(object, key, value);
        free(key);
        if (!added) {
            cJSON_Delete(value);
            out_of_memory(r);
            goto error;
        }
        skip_whitespace(r);
        if (at(r, ',')) {
            r->pos++;
            continue;
        }
        if (at(r, '}')) {
            r->pos++;
            return object;
        }
        fail(r, r->pos, "expected ',' or '}' after an object member, found %s%s",
             describe(r, r->pos, buf), hint(r, r->pos));
        goto error;
    }
error:
    cJSON_Delete(object);
    return NULL;
}

static cJSON *read_array(struct reader *r, unsigned depth)
{
    char buf[16];
    if (!check_depth(r, depth))
        return NULL;
    cJSON *array = cJSON_CreateArray();
    if (array == NULL)
        return out_of_memory(r), NULL;
    r->pos++;
    skip_whitespace(r);
    if (at(r, ']')) {
        r->pos++;
        return array;
    }
    for (;;) {
        cJSON *value = read_value(r, depth, (ehs_position){ 0, 0 });
        if (value == NULL)
            goto error;
        if (!cJSON_AddItemToArray(array, value)) {
            cJSON_Delete(value);
            out_of_memory(r);
            goto error;
        }
        skip_whitespace(r);
        if (at(r, ',')) {
            r->pos++;
            skip_whitespace(r);
            if (at(r, ']')) {
                fail(r, r->pos, "expected a value, found ']' (JSON allows no comma before ']')");
                goto error;
            }
            continue;
        }
        if (at(r, ']')) {
            r->pos++;
            return array;
        }
        fail(r, r->pos, "expected ',' or ']' after an array element, found %s%s",
             describe(r, r->pos, buf), hint(r, r->pos));
        goto error;
    }
error:
    cJSON_Delete(array);
    return NULL;
}

static cJSON *read_string_value(struct reader *r)
{
    if (!read_string(r))
        return NULL;
    cJSON *item = cJSON_CreateString(r->scratch);
    if (item == NULL)
        out_of_memory(r);
    return item;
}

/* Reads one value; `depth` counts the objects and arrays around it. */
static cJSON *read_value(struct reader *r, unsigned depth, ehs_position key)
{
    char buf[16];
    skip_whitespace(r);
    size_t start = r->pos;
    ehs_position position = position_at(r, start);
    cJSON *item = NULL;
    char c = r->pos < r->len ? r->text[r->pos] : '\0';
    if (r->pos >= r->len)
        fail(r, r->pos, "expected a value, found end of file");
    else if (c == '{')
        item = read_object(r, depth + 1);
    else if (c == '[')
        item = read_array(r, depth + 1);
    else if (c == '"')
        item = read_string_value(r);
    else if (c == 't')
        item = read_literal(r, "true", cJSON_CreateTrue);
    else if (c == 'f')
        item = read_literal(r, "false", cJSON_CreateFalse);
    else if (c == 'n')
        item = read_literal(r, "null", cJSON_CreateNull);
    else if (c == '-' || (c >= '0' && c <= '9'))
        item = read_number(r);
    else
        fail(r, start, "expected a value, found %s%s", describe(r, start, buf), hint(r, start));
    if (item != NULL && !record(r, item, key, position, start)) {
        cJSON_Delete(item);
        item = NULL;
    }
    return item;
}

int ehs_json_parse(ehs_json_doc *doc, const char *text, size_t len, ehs_diag *diag)
{
    struct reader r = { .text = text, .len = len, .line = 1, .doc = doc, .diag = diag };
    doc->text = text;
    doc->len = len;
    /* Editors on some systems start UTF-8 files with a byte order mark. */
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        r.pos = 3;
    r.c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    skip_whitespace(&r);
    char buf[16];
    if (r.pos >= len) {
        fail(&r, r.pos, "the config is empty; it must be a JSON object such as {}");
    } else {
        cJSON *root = read_value(&r, 0, (ehs_position){ 0, 0 });
        if (root != NULL) {
            skip_whitespace(&r);
            if (r.pos < len) {
                fail(&r, r.pos, "unexpected %s after the end of the top-level value%s",
                     describe(&r, r.pos, buf), hint(&r, r.pos));
                cJSON_Delete(root);
            } else {
                doc->root = root;
            }
        }
    }
    if (r.c_locale != (locale_t)0)
        freelocale(r.c_locale);
    free(r.scratch);
    if (r.err == 0 && doc->root == NULL)
        r.err = ENOMEM;
    return r.err;
}

void ehs_json_doc_free(ehs_json_doc *doc)
{
    cJSON_Delete(doc->root);
    free(doc->entries);
    free(doc->slots);
    *doc = (ehs_json_doc){ 0 };
}

ehs_json_span ehs_json_span_of(const ehs_json_doc *doc, const cJSON *node)
{
    if (node == NULL || doc->slot_count == 0)
        return (ehs_json_span){ { 0, 0 }, { 0, 0 }, 0, 0 };
    uint32_t s = slot_of(node, doc->slot_count);
    while (doc->slots[s] != 0) {
        const ehs_json_entry *e = &doc->entries[doc->slots[s] - 1];
        if (e->node == node)
            return e->span;
        s = (s + 1) & (uint32_t)(doc->slot_count - 1);
    }
    return (ehs_json_span){ { 0, 0 }, { 0, 0 }, 0, 0 };
}

ehs_position ehs_json_string_position(const ehs_json_doc *doc, const cJSON *node, size_t offset)
{
    ehs_json_span span = ehs_json_span_of(doc, node);
    if (span.length < 2 || doc->text[span.offset] != '"')
        return span.value;
    const char *text = doc->text;
    size_t source = span.offset + 1, end = span.offset + span.length - 1, decoded = 0;
    /* The literal passed the reader, so every escape in it is complete. */
    while (source < end) {
        size_t source_len, decoded_len;
        if (text[source] == '\\' && text[source + 1] == 'u') {
            long unit = ehs_hex_number(text, doc->len, source + 2, 4);
            if (unit >= 0xd800 && unit <= 0xdbff)
                source_len = 12, decoded_len = 4;
            else
                source_len = 6, decoded_len = unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
        } else if (text[source] == '\\') {
            source_len = 2, decoded_len = 1;
        } else {
            source_len = utf8_sequence_length(text + source, end - source);
            if (source_len == 0)
                source_len = 1;
            decoded_len = source_len;
        }
        if (offset < decoded + decoded_len)
            break;
        decoded += decoded_len;
        source += source_len;
    }
    size_t column = span.value.column + (source - span.offset);
    return (ehs_position){ span.value.line, column > UINT_MAX ? UINT_MAX : (unsigned)column };
}

int ehs_json_integer(const ehs_json_doc *doc, const cJSON *node, uint64_t *value)
{
    ehs_json_span span = ehs_json_span_of(doc, node);
    const char *p = doc->text + span.offset, *end = p + span.length;
    if (span.length == 0 || memchr(p, '.', span.length) || memchr(p, 'e', span.length) ||
        memchr(p, 'E', span.length))
        return EHS_JSON_NOT_INTEGER;
    bool negative = *p == '-';
    if (negative)
        p++;
    uint64_t n = 0;
    for (; p < end; p++) {
        if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, (uint64_t)(*p - '0'), &n))
            return EHS_JSON_OUT_OF_RANGE;
    }
    if (negative && n != 0)
        return EHS_JSON_OUT_OF_RANGE;
    *value = n;
    return EHS_JSON_INTEGER;
}
