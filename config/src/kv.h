/*
 * logfmt key=value pairs, tokenised without copying.
 *
 * Grammar, and what happens to everything else:
 *   pairs are separated by spaces or tabs;
 *   key    = one or more bytes above ' ' other than '=', '"' and DEL;
 *   key=value   value runs to the next space or tab (it may hold '=');
 *   key="value" value runs to the next unescaped '"' (backslash escapes,
 *               see ehs_unescape); a missing closing quote takes the rest of
 *               the line;
 *   key=        an empty value;
 *   key         alone: a bare key, meaning true.
 * A token that is none of these (starts with '=' or '"', a key followed by
 * '"' or a control byte, a closing quote followed by more than a space) is
 * garbage: it is skipped up to the next space outside quotes, and the pairs
 * around it still count. Duplicate keys are the caller's business (the
 * engine keeps the first).
 */
#ifndef EHS_KV_H
#define EHS_KV_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ehs_kv_pair {
    const char *key;
    size_t key_len;
    const char *value;  /* raw: inside the quotes for a quoted value */
    size_t value_len;
    bool quoted;        /* value may hold escapes: decode with ehs_unescape */
    bool bare;          /* no '=': the key alone (value empty) */
} ehs_kv_pair;

typedef struct ehs_kv_cursor {
    const char *text;
    size_t len;
    size_t pos;
} ehs_kv_cursor;

static inline void ehs_kv_start(ehs_kv_cursor *cursor, const char *text, size_t len)
{
    cursor->text = text;
    cursor->len = len;
    cursor->pos = 0;
}

/* The next pair (bare keys included), or false at the end of the text. */
bool ehs_kv_next(ehs_kv_cursor *cursor, ehs_kv_pair *pair);

/* True when the text holds at least one key=value pair (a bare key alone
 * does not make a kv line). */
bool ehs_kv_has_pair(const char *text, size_t len);

#endif /* EHS_KV_H */
