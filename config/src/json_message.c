/*
 * JSON object messages (json_message.h). Two passes over the text: a strict
 * validating scan decides whether the rule matches without touching the
 * builder, then the emitting pass walks the (now known good) text again and
 * adds fields. Both are plain pointer walks with every step checked against
 * the end, so no input can make them read outside the message.
 */
#include <string.h>

#include "convert.h"
#include "json_message.h"

/* ---- scanning ---- */

static inline const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static inline bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* `p` at the opening quote; returns the position after the closing quote,
 * or NULL. Raw control characters and unknown escapes are errors. */
static const char *scan_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            return p + 1;
        if (c < 0x20)
            return NULL;
        if (c == '\\') {
            if (++p == end)
                return NULL;
            switch (*p) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                break;
            case 'u':
                if (end - p < 5 || !is_hex(p[1]) || !is_hex(p[2]) || !is_hex(p[3]) ||
                    !is_hex(p[4]))
                    return NULL;
                p += 4;
                break;
            default:
                return NULL;
            }
        }
    }
    return NULL;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? ; *integer when it has
 * neither fraction nor exponent. */
static const char *scan_number(const char *p, const char *end, bool *integer)
{
    *integer = true;
    if (p < end && *p == '-')
        p++;
    if (p == end)
        return NULL;
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    } else {
        return NULL;
    }
    if (p < end && *p == '.') {
        *integer = false;
        const char *digits = ++p;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        if (p == digits)
            return NULL;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        *integer = false;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        const char *digits = p;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        if (p == digits)
            return NULL;
    }
    return p;
}

static const char *scan_literal(const char *p, const char *end, const char *word, size_t n)
{
    if ((size_t)(end - p) < n || memcmp(p, word, n) != 0)
        return NULL;
    return p + n;
}

/* Validates one value at `p` (no leading whitespace); returns the position
 * after it, or NULL. */
static const char *scan_value(const char *p, const char *end, int depth)
{
    if (p == end)
        return NULL;
    bool integer;
    switch (*p) {
    case '"': return scan_string(p, end);
    case 't': return scan_literal(p, end, "true", 4);
    case 'f': return scan_literal(p, end, "false", 5);
    case 'n': return scan_literal(p, end, "null", 4);
    case '{':
    case '[': {
        if (depth >= EHS_JSON_MAX_DEPTH)
            return NULL;
        char close = *p == '{' ? '}' : ']';
        bool object = *p == '{';
        p = skip_ws(p + 1, end);
        if (p < end && *p == close)
            return p + 1;
        for (;;) {
            if (object) {
                if (p == end || *p != '"' || (p = scan_string(p, end)) == NULL)
                    return NULL;
                p = skip_ws(p, end);
                if (p == end || *p != ':')
                    return NULL;
                p = skip_ws(p + 1, end);
            }
            if ((p = scan_value(p, end, depth + 1)) == NULL)
                return NULL;
            p = skip_ws(p, end);
            if (p == end)
                return NULL;
            if (*p == close)
                return p + 1;
            if (*p != ',')
                return NULL;
            p = skip_ws(p + 1, end);
        }
    }
    default:
        return scan_number(p, end, &integer);
    }
}

bool ehs_json_is_object(const char *text, size_t len)
{
    const char *end = text + len;
    const char *p = skip_ws(text, end);
    if (p == end || *p != '{')
        return false;
    p = scan_value(p, end, 0);
    return p != NULL && skip_ws(p, end) == end;
}

/* ---- emitting ---- */

/* Longest dotted path of a nested member used to look up its type. */
enum { PATH_MAX_BYTES = 512 };

typedef struct json_emitter {
    ehs_emit *emit;
    const ehs_json_scratch *scratch;
    bool typed_members;          /* the rule names members in "fields" */
    size_t path_len;             /* bytes of `path` in use; SIZE_MAX: too long */
    char path[PATH_MAX_BYTES];   /* dotted path of the object being walked */
} json_emitter;

/* The body of a valid string at `p` (its opening quote). */
static void string_body(const char *p, const char *end, const char **body, size_t *len,
                        const char **after)
{
    const char *q = scan_string(p, end);
    *body = p + 1;
    *len = (size_t)(q - 1 - (p + 1));
    *after = q;
}

/* The unescaped contents of a string body, in the text scratch when it has
 * escapes. *complete is false when the scratch could not hold it all. */
static const char *unescaped(json_emitter *je, const char *body, size_t len, size_t *out_len,
                             bool *complete)
{
    *complete = true;
    if (memchr(body, '\\', len) == NULL) {
        *out_len = len;
        return body;
    }
    ehs_emit *emit = je->emit;
    *out_len = ehs_unescape(body, len, emit->text_scratch, emit->text_scratch_size, complete);
    return emit->text_scratch;
}

/* Adds a string field holding the JSON text of the value from p to q. */
static void emit_json_text(json_emitter *je, const char *name, size_t name_len, const char *p,
                           const char *q)
{
    ehs_emit_string(je->emit, name, name_len, p, (size_t)(q - p));
}

typedef enum array_kind {
    ARRAY_EMPTY,
    ARRAY_INTEGERS,
    ARRAY_NUMBERS,
    ARRAY_STRINGS,
    ARRAY_BOOLS,
    ARRAY_OTHER,
} array_kind;

/* What a valid array at `p` holds; *after is past its ']'. */
static array_kind classify_array(const char *p, const char *end, const char **after)
{
    bool integers = true, numbers = true, strings = true, bools = true;
    size_t count = 0;
    p = skip_ws(p + 1, end);
    while (*p != ']') {
        const char *q;
        bool integer = false;
        char c = *p;
        if (c == '-' || (c >= '0' && c <= '9')) {
            q = scan_number(p, end, &integer);
            int64_t ignored;
            if (integer && !ehs_parse_signed(p, (size_t)(q - p), 64, &ignored))
                integer = false;
            strings = bools = false;
        } else {
            q = scan_value(p, end, 0);
            numbers = false;
            if (c != '"')
                strings = false;
            if (c != 't' && c != 'f')
                bools = false;
        }
        integers &= integer;
        count++;
        p = skip_ws(q, end);
        if (*p == ',')
            p = skip_ws(p + 1, end);
    }
    *after = p + 1;
    if (count == 0)
        return ARRAY_EMPTY;
    if (numbers)
        return integers ? ARRAY_INTEGERS : ARRAY_NUMBERS;
    if (strings)
        return ARRAY_STRINGS;
    if (bools)
        return ARRAY_BOOLS;
    return ARRAY_OTHER;
}

/* Elements of at least `element_size` bytes an array named `name_len`
 * bytes may keep under the item and byte budgets. */
static size_t array_room(const ehs_emit *emit, size_t name_len, size_t element_size)
{
    size_t items = emit->items_left > EHS_EMIT_RESERVE ? emit->items_left - EHS_EMIT_RESERVE : 0;
    size_t reserve = EHS_EMIT_BYTES_RESERVE + ehs_field_overhead(name_len);
    size_t bytes = emit->bytes_left > reserve ? (emit->bytes_left - reserve) / element_size : 0;
    size_t room = items < bytes ? items : bytes;
    return room < 65535 ? room : 65535;
}

/* Adds an array of the kind classify_array found. Returns false when an
 * element did not convert (a number past the double range), before
 * anything was added. */
static bool emit_array(json_emitter *je, const char *name, size_t name_len, const char *p,
                       const char *end, array_kind kind)
{
    ehs_emit *emit = je->emit;
    size_t n = 0;
    size_t bytes = ehs_field_overhead(name_len);
    size_t max;
    p = skip_ws(p + 1, end);
    switch (kind) {
    case ARRAY_EMPTY:
        ehd_builder_add_string_array_n(emit->builder, name, name_len, NULL, NULL, 1, 0,
                                       EHD_FMT_DEFAULT, 0);
        break;
    case ARRAY_INTEGERS:
    case ARRAY_NUMBERS: {
        max = array_room(emit, name_len, 8);
        if (max > emit->value_scratch_size / 8)
            max = emit->value_scratch_size / 8;
        for (; *p != ']' && n < max; n++) {
            bool integer;
            const char *q = scan_number(p, end, &integer);
            size_t len = (size_t)(q - p);
            if (kind == ARRAY_INTEGERS) {
                int64_t v;
                ehs_parse_signed(p, len, 64, &v);
                memcpy(emit->value_scratch + n * 8, &v, 8);
            } else {
                double v;
                if (!ehs_parse_f64(p, len, &v))
                    return false;
                memcpy(emit->value_scratch + n * 8, &v, 8);
            }
            p = skip_ws(q, end);
            if (*p == ',')
                p = skip_ws(p + 1, end);
        }
        ehd_builder_add_value_array_n(emit->builder, name, name_len, emit->value_scratch, 8, n,
                                      kind == ARRAY_INTEGERS ? EHD_FMT_SIGNED_INT : EHD_FMT_FLOAT,
                                      0);
        bytes += n * 8;
        break;
    }
    case ARRAY_BOOLS:
        max = array_room(emit, name_len, 1);
        if (max > emit->value_scratch_size)
            max = emit->value_scratch_size;
        for (; *p != ']' && n < max; n++) {
            emit->value_scratch[n] = *p == 't';
            p = skip_ws(p + (*p == 't' ? 4 : 5), end);
            if (*p == ',')
                p = skip_ws(p + 1, end);
        }
        ehd_builder_add_value_array_n(emit->builder, name, name_len, emit->value_scratch, 1, n,
                                      EHD_FMT_BOOLEAN, 0);
        bytes += n;
        break;
    case ARRAY_STRINGS: {
        max = array_room(emit, name_len, 2);
        if (max > EHS_JSON_STRING_ARRAY_MAX)
            max = EHS_JSON_STRING_ARRAY_MAX;
        size_t used = 0; /* of the text scratch */
        size_t reserve = EHS_EMIT_BYTES_RESERVE + bytes;
        size_t budget = emit->bytes_left > reserve ? emit->bytes_left - reserve : 0;
        for (; *p != ']' && n < max && budget >= 2; n++) {
            const char *body, *q;
            size_t len;
            string_body(p, end, &body, &len, &q);
            const char *text = body;
            size_t room = emit->text_scratch_size - used;
            if (memchr(body, '\\', len) != NULL) {
                bool complete;
                len = ehs_unescape(body, len, emit->text_scratch + used, room, &complete);
                text = emit->text_scratch + used;
                used += len;
            }
            size_t whole = len;
            len = ehs_utf8_cut(text, len, emit->max_string < budget - 2 ? emit->max_string
                                                                        : budget - 2);
            if (len < whole)
                emit->cut = true;
            je->scratch->strings[n] = text;
            je->scratch->lengths[n] = len;
            budget -= 2 + len;
            bytes += 2 + len;
            p = skip_ws(q, end);
            if (*p == ',')
                p = skip_ws(p + 1, end);
        }
        ehd_builder_add_string_array_n(emit->builder, name, name_len, je->scratch->strings,
                                       je->scratch->lengths, 1, n, EHD_FMT_DEFAULT, 0);
        break;
    }
    case ARRAY_OTHER:
        break;
    }
    /* Elements past the budgets are left out. */
    if (*p != ']')
        emit->cut = true;
    ehs_emit_spend(emit, (unsigned)(2 + n), bytes);
    return true;
}

static const char *emit_members(json_emitter *je, const char *p, const char *end, int depth,
                                size_t *count);

/* Adds the value at `p` as field `name`; returns the position after it. */
static const char *emit_value(json_emitter *je, const char *name, size_t name_len, bool typed,
                              ehs_type type, const char *p, const char *end, int depth)
{
    ehs_emit *emit = je->emit;
    const char *q;
    bool integer;
    switch (*p) {
    case '"': {
        const char *body;
        size_t len;
        string_body(p, end, &body, &len, &q);
        bool complete;
        const char *text = unescaped(je, body, len, &len, &complete);
        if (depth == 0)
            ehs_emit_check_level(emit, name, name_len, text, len);
        if (typed && type != EHS_TYPE_STRING && !complete) {
            emit->failures++;
            ehs_emit_null(emit, name, name_len, type);
        } else {
            ehs_emit_typed(emit, name, name_len, typed ? type : EHS_TYPE_STRING, text, len);
        }
        return q;
    }
    case 't':
    case 'f':
        q = p + (*p == 't' ? 4 : 5);
        ehs_emit_typed(emit, name, name_len, typed ? type : EHS_TYPE_BOOL, p, (size_t)(q - p));
        return q;
    case 'n':
        ehs_emit_null(emit, name, name_len, typed ? type : EHS_TYPE_STRING);
        return p + 4;
    case '{':
    case '[': {
        if (typed) {
            /* A typed member must be a scalar. */
            q = scan_value(p, end, 0);
            emit->failures++;
            ehs_emit_null(emit, name, name_len, type);
            return q;
        }
        if (*p == '[') {
            array_kind kind = classify_array(p, end, &q);
            if (kind == ARRAY_OTHER || !emit_array(je, name, name_len, p, end, kind))
                emit_json_text(je, name, name_len, p, q);
            return q;
        }
        const char *first = skip_ws(p + 1, end);
        if (*first == '}' || depth + 1 > EHS_JSON_STRUCT_DEPTH ||
            emit->items_left < EHS_EMIT_RESERVE / 2 ||
            emit->bytes_left < EHS_EMIT_BYTES_RESERVE / 2) {
            q = scan_value(p, end, 0);
            emit_json_text(je, name, name_len, p, q);
            return q;
        }
        size_t bookmark = ehd_builder_add_struct_n(emit->builder, name, name_len, 1, 0);
        ehs_emit_spend(emit, 2, ehs_field_overhead(name_len));
        /* The path of the members: this member's path plus '.'. */
        size_t saved_path = je->path_len;
        if (je->path_len != SIZE_MAX) {
            if (je->path_len + 1 < PATH_MAX_BYTES)
                je->path[je->path_len++] = '.';
            else
                je->path_len = SIZE_MAX;
        }
        uint32_t saved_level = ehs_names_begin_level(emit->names);
        size_t count = 0;
        q = emit_members(je, first, end, depth + 1, &count);
        ehs_names_end_level(emit->names, saved_level);
        je->path_len = saved_path;
        ehd_builder_set_struct_field_count(emit->builder, bookmark, (uint8_t)count);
        return q;
    }
    default: {
        q = scan_number(p, end, &integer);
        size_t len = (size_t)(q - p);
        if (depth == 0)
            ehs_emit_check_level(emit, name, name_len, p, len);
        if (typed) {
            ehs_emit_typed(emit, name, name_len, type, p, len);
        } else {
            int64_t ignored;
            bool fits = integer && ehs_parse_signed(p, len, 64, &ignored);
            ehs_emit_typed(emit, name, name_len, fits ? EHS_TYPE_I64 : EHS_TYPE_F64, p, len);
        }
        return q;
    }
    }
}

/* Walks the members of an object from `p` (after its '{' and whitespace) to
 * after its '}', adding the ones that fit; *count gets how many. */
static const char *emit_members(json_emitter *je, const char *p, const char *end, int depth,
                                size_t *count)
{
    ehs_emit *emit = je->emit;
    char name_buffer[EHS_NAME_MAX + 2];
    while (*p != '}') {
        const char *body, *after_key;
        size_t key_len;
        string_body(p, end, &body, &key_len, &after_key);
        p = skip_ws(after_key, end);
        p = skip_ws(p + 1, end); /* ':' */

        /* The name: unescaped, cut at a NUL and at EHS_NAME_MAX bytes. */
        const char *key = body;
        if (memchr(body, '\\', key_len) != NULL) {
            bool complete;
            key_len = ehs_unescape(body, key_len, name_buffer + 1, EHS_NAME_MAX, &complete);
            key = name_buffer + 1;
        }
        const char *nul = memchr(key, '\0', key_len);
        if (nul != NULL)
            key_len = (size_t)(nul - key);
        key_len = ehs_utf8_cut(key, key_len, EHS_NAME_MAX);

        const char *name = key;
        size_t name_len = key_len;
        if (depth == 0 && ehs_emit_is_reserved(emit->message_field, emit->message_field_len, key,
                                               key_len)) {
            if (key != name_buffer + 1)
                memcpy(name_buffer + 1, key, key_len);
            name_buffer[0] = '_';
            name = name_buffer;
            name_len = key_len + 1;
        }

        bool first = *count == 0;
        bool room = depth == 0 ? emit->top_fields_left > 0 : *count < EHD_STRUCT_FIELDS_MAX;
        bool budget = ehs_emit_has_room(emit) || (first && depth > 0);
        /* A struct's first member goes in even when the name set is full,
         * so that no struct is left without members. */
        bool fresh = room && budget && (ehs_names_add(emit->names, name, name_len) ||
                                        (first && depth > 0));
        if (!fresh) {
            /* Past the field count or the event's room it is a cut; a
             * repeated name is not (the first one is kept on purpose). */
            if (!room || !budget)
                emit->cut = true;
            p = scan_value(p, end, 0);
        } else {
            ehs_type type = EHS_TYPE_STRING;
            bool typed = false;
            size_t saved_path = je->path_len;
            if (je->typed_members && je->path_len != SIZE_MAX) {
                if (je->path_len + key_len <= PATH_MAX_BYTES) {
                    memcpy(je->path + je->path_len, key, key_len);
                    je->path_len += key_len;
                    type = ehs_emit_member_type(emit, je->path, je->path_len, &typed);
                } else {
                    je->path_len = SIZE_MAX;
                }
            }
            p = emit_value(je, name, name_len, typed, type, p, end, depth);
            je->path_len = saved_path;
            (*count)++;
            if (depth == 0)
                emit->top_fields_left--;
        }
        p = skip_ws(p, end);
        if (*p == ',')
            p = skip_ws(p + 1, end);
    }
    return p + 1;
}

size_t ehs_json_emit(ehs_emit *emit, const ehs_json_scratch *scratch, const char *text,
                     size_t len)
{
    json_emitter je;
    je.emit = emit;
    je.scratch = scratch;
    je.typed_members = emit->rule != NULL && emit->rule->field_count > 0;
    je.path_len = 0;
    const char *end = text + len;
    const char *p = skip_ws(text, end);
    size_t count = 0;
    emit_members(&je, skip_ws(p + 1, end), end, 0, &count);
    return count;
}
