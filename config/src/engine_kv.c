/*
 * kv pairs as fields (ehs_emit_kv in engine_emit.h).
 */
#include <string.h>

#include "convert.h"
#include "engine_emit.h"
#include "kv.h"

size_t ehs_emit_kv(ehs_emit *emit, const char *text, size_t len)
{
    ehs_kv_cursor cursor;
    ehs_kv_pair pair;
    char name_buffer[EHS_NAME_MAX + 2];
    size_t pairs = 0;
    ehs_kv_start(&cursor, text, len);
    while (ehs_kv_next(&cursor, &pair)) {
        if (!pair.bare)
            pairs++;
        if (emit->top_fields_left == 0 || !ehs_emit_has_room(emit)) {
            emit->cut = true;
            continue; /* keep counting pairs: the rule still matched */
        }

        size_t key_len = ehs_utf8_cut(pair.key, pair.key_len, EHS_NAME_MAX);
        if (key_len < pair.key_len)
            emit->cut = true;
        const char *name = pair.key;
        size_t name_len = key_len;
        if (ehs_emit_is_reserved(emit->message_field, emit->message_field_len, pair.key,
                                 key_len)) {
            name_buffer[0] = '_';
            memcpy(name_buffer + 1, pair.key, key_len);
            name = name_buffer;
            name_len = key_len + 1;
        }
        if (!ehs_names_add(emit->names, name, name_len))
            continue;

        const char *value = pair.value;
        size_t value_len = pair.value_len;
        bool complete = true;
        if (pair.quoted && memchr(value, '\\', value_len) != NULL) {
            value_len = ehs_unescape(value, value_len, emit->text_scratch,
                                     emit->text_scratch_size, &complete);
            value = emit->text_scratch;
            if (!complete)
                emit->cut = true;
        }
        bool typed;
        ehs_type type = ehs_emit_member_type(emit, pair.key, key_len, &typed);
        if (pair.bare) {
            value = "true";
            value_len = 4;
            if (!typed)
                type = EHS_TYPE_BOOL;
        } else {
            ehs_emit_check_level(emit, pair.key, key_len, value, value_len);
        }
        if (!complete && type != EHS_TYPE_STRING) {
            emit->failures++;
            ehs_emit_null(emit, name, name_len, type);
        } else {
            ehs_emit_typed(emit, name, name_len, type, value, value_len);
        }
        emit->top_fields_left--;
    }
    return pairs;
}
