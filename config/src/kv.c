/*
 * The logfmt tokeniser of kv.h. One pass, no copies, no allocation; every
 * index is checked against the length, so any byte sequence is safe.
 */
#include "kv.h"

static inline bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* The bytes of a key: above ' ', but DEL, '=' and '"'; one look a byte
 * (keys are most of a line's bytes the tokeniser steps through). */
static const bool key_bytes[256] = {
    ['!'] = true, ['#' ... '<'] = true, ['>' ... 0x7E] = true, [0x80 ... 0xFF] = true,
};

static inline bool is_key_byte(char c)
{
    return key_bytes[(unsigned char)c];
}

/* Index just after the closing quote of the quoted string whose opening
 * quote is at `open`, or `len` when it has none (*closed says which). */
static size_t skip_quoted(const char *text, size_t len, size_t open, bool *closed)
{
    size_t i = open + 1;
    while (i < len) {
        if (text[i] == '\\') {
            i += 2;
        } else if (text[i] == '"') {
            *closed = true;
            return i + 1;
        } else {
            i++;
        }
    }
    *closed = false;
    return len;
}

/* Skips a garbage token: up to the next space outside quotes. */
static size_t skip_token(const char *text, size_t len, size_t i)
{
    bool closed;
    while (i < len && !is_space(text[i]))
        i = text[i] == '"' ? skip_quoted(text, len, i, &closed) : i + 1;
    return i;
}

bool ehs_kv_next(ehs_kv_cursor *cursor, ehs_kv_pair *pair)
{
    const char *text = cursor->text;
    size_t len = cursor->len;
    size_t i = cursor->pos;
    for (;;) {
        while (i < len && is_space(text[i]))
            i++;
        if (i >= len) {
            cursor->pos = len;
            return false;
        }
        size_t key = i;
        while (i < len && is_key_byte(text[i]))
            i++;
        size_t key_len = i - key;
        if (key_len == 0) {
            i = skip_token(text, len, i);
            continue;
        }
        pair->key = text + key;
        pair->key_len = key_len;
        pair->quoted = false;
        pair->bare = false;
        if (i == len || is_space(text[i])) {
            pair->bare = true;
            pair->value = text + i;
            pair->value_len = 0;
            cursor->pos = i;
            return true;
        }
        if (text[i] != '=') {
            i = skip_token(text, len, i);
            continue;
        }
        i++;
        if (i < len && text[i] == '"') {
            bool closed;
            size_t end = skip_quoted(text, len, i, &closed);
            /* A closed quote must end the token. */
            if (end < len && !is_space(text[end])) {
                i = skip_token(text, len, end);
                continue;
            }
            pair->quoted = true;
            pair->value = text + i + 1;
            pair->value_len = closed ? end - i - 2 : len - i - 1;
            cursor->pos = end;
            return true;
        }
        size_t value = i;
        while (i < len && !is_space(text[i]))
            i++;
        pair->value = text + value;
        pair->value_len = i - value;
        cursor->pos = i;
        return true;
    }
}

bool ehs_kv_has_pair(const char *text, size_t len)
{
    ehs_kv_cursor cursor;
    ehs_kv_pair pair;
    ehs_kv_start(&cursor, text, len);
    while (ehs_kv_next(&cursor, &pair))
        if (!pair.bare)
            return true;
    return false;
}
