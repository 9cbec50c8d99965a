/*
 * Field appends of the engine. Every typed value goes out as a counted
 * 8-bit field so a failed conversion can keep the field's layout with zero
 * bytes, which the reference formatter prints as null.
 */
#include <string.h>

#include "convert.h"
#include "engine_emit.h"
#include "same_bytes.h"

/* ehs_utf8_cut for a text longer than `max`. */
size_t ehs_utf8_cut_over(const char *text, size_t len, size_t max)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t lead = max;
    while (lead > 0 && max - lead < 3 && (s[lead] & 0xC0) == 0x80)
        lead--;
    if (lead == max)
        return max; /* already a character boundary */
    unsigned char b = s[lead];
    size_t need = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3
                : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
    /* Only back up over a whole, well-formed character that the cut splits;
     * in text that is not UTF-8 there, any cut is as good as another. */
    if (need == 0 || lead + need <= max || lead + need > len)
        return max;
    for (size_t i = lead + 1; i < lead + need; i++)
        if ((s[i] & 0xC0) != 0x80)
            return max;
    return lead;
}

void ehs_emit_string(ehs_emit *emit, const char *name, size_t name_len, const char *text,
                     size_t len)
{
    size_t overhead = ehs_field_overhead(name_len);
    size_t room = emit->bytes_left > overhead ? emit->bytes_left - overhead : 0;
    size_t kept = ehs_utf8_cut(text, len, emit->max_string < room ? emit->max_string : room);
    if (kept < len)
        emit->cut = true;
    ehd_builder_fast_add_string_n(emit->builder, name, name_len, text, 1, kept, EHD_FMT_DEFAULT, 0);
    ehs_emit_spend(emit, 1, overhead + kept);
}

void ehs_emit_null(ehs_emit *emit, const char *name, size_t name_len, ehs_type type)
{
    uint8_t format = type == EHS_TYPE_STRING || type == EHS_TYPE_HEXBYTES
                         ? EHD_FMT_UNSIGNED_INT
                         : ehs_type_format(type);
    ehd_builder_fast_add_binary_n(emit->builder, name, name_len, NULL, 0, format, 0);
    ehs_emit_spend(emit, 1, ehs_field_overhead(name_len));
}

void ehs_emit_typed(ehs_emit *emit, const char *name, size_t name_len, ehs_type type,
                    const char *text, size_t len)
{
    if (type == EHS_TYPE_STRING) {
        ehs_emit_string(emit, name, name_len, text, len);
        return;
    }
    size_t overhead = ehs_field_overhead(name_len);
    /* Addresses and ports, in nearly every network event, straight from
     * their parsers: the bytes and format ehs_convert would give. Anything
     * they refuse takes the general way below. */
    uint8_t direct[4];
    size_t direct_size = 0;
    if (type == EHS_TYPE_IP || type == EHS_TYPE_IPV4) {
        if (ehs_parse_ipv4(text, len, direct))
            direct_size = 4;
    } else if (type == EHS_TYPE_PORT) {
        uint64_t port;
        if (ehs_parse_unsigned(text, len, 16, &port)) {
            direct[0] = (uint8_t)(port >> 8); /* network byte order */
            direct[1] = (uint8_t)port;
            direct_size = 2;
        }
    }
    if (direct_size != 0) {
        ehd_builder_fast_add_binary_n(emit->builder, name, name_len, direct, direct_size,
                                      type == EHS_TYPE_PORT ? EHD_FMT_PORT : EHD_FMT_IPV4, 0);
        ehs_emit_spend(emit, 1, overhead + direct_size);
        return;
    }
    size_t room = emit->bytes_left > overhead ? emit->bytes_left - overhead : 0;
    size_t capacity = emit->value_scratch_size < room ? emit->value_scratch_size : room;
    if (capacity < EHS_VALUE_MAX)
        capacity = EHS_VALUE_MAX; /* fixed-size values always fit the scratch */
    size_t size;
    if (!ehs_convert(type, text, len, emit->rule != NULL ? emit->rule->time_format : NULL,
                     emit->value_scratch, capacity, &size)) {
        emit->failures++;
        ehs_emit_null(emit, name, name_len, type);
        return;
    }
    ehd_builder_fast_add_binary_n(emit->builder, name, name_len, emit->value_scratch, size,
                                  ehs_type_format(type), 0);
    ehs_emit_spend(emit, 1, overhead + size);
}

ehs_type ehs_emit_member_type(const ehs_emit *emit, const char *name, size_t name_len,
                              bool *typed)
{
    const ehs_rule *rule = emit->rule;
    *typed = false;
    if (rule == NULL)
        return EHS_TYPE_STRING;
    /* Members' types follow the named groups (group 0, see ehs_field). */
    for (size_t i = 0; i < rule->field_count; i++) {
        const ehs_field *f = &rule->fields[i];
        if (f->group == 0 && f->name_len == name_len && ehs_same_bytes(f->name, name, name_len)) {
            *typed = true;
            return f->type;
        }
    }
    return EHS_TYPE_STRING;
}

uint8_t ehs_level_map_find(const ehs_rule *rule, const char *value, size_t len)
{
    for (size_t i = 0; i < rule->level_map_count; i++) {
        const ehs_level_entry *e = &rule->level_map[i];
        if (e->value_len == len && memcmp(e->value, value, len) == 0)
            return e->level;
    }
    return 0;
}

void ehs_emit_check_level_field(ehs_emit *emit, const char *name, size_t name_len,
                                const char *value, size_t value_len)
{
    const ehs_rule *rule = emit->rule;
    if (strnlen(rule->level_field, name_len + 1) != name_len ||
        memcmp(rule->level_field, name, name_len) != 0)
        return;
    uint8_t level = ehs_level_map_find(rule, value, value_len);
    if (level != 0) {
        emit->level_found = true;
        emit->level = level;
    }
}

bool ehs_emit_is_reserved(const char *message_field, size_t message_field_len, const char *name,
                          size_t name_len)
{
    switch (name_len) {
    case 5: if (memcmp(name, "ident", 5) == 0) return true; break;
    case 8: if (memcmp(name, "facility", 8) == 0) return true; break;
    case 9: if (memcmp(name, "truncated", 9) == 0) return true; break;
    default: break;
    }
    return message_field != NULL && name_len == message_field_len &&
           ehs_same_bytes(name, message_field, name_len);
}

bool ehs_names_add(ehs_name_set *set, const char *name, size_t len)
{
    uint32_t start = set->level_start == 0 ? 0 : set->ends[set->level_start - 1];
    for (uint32_t i = set->level_start; i < set->count; i++) {
        uint32_t end = set->ends[i];
        if (end - start == len && ehs_same_bytes(set->bytes + start, name, len))
            return false;
        start = end;
    }
    uint32_t used = set->count == 0 ? 0 : set->ends[set->count - 1];
    if (set->count == EHS_NAME_SET_ENTRIES || len > EHS_NAME_SET_BYTES - used)
        return false;
    memcpy(set->bytes + used, name, len);
    set->ends[set->count++] = used + (uint32_t)len;
    return true;
}
