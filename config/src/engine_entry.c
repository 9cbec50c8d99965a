/*
 * A journal entry's own fields as event fields (ehs_emit_entry_fields in
 * engine_emit.h). The program chose them, so they keep its names; the
 * types journald itself gives some of them apply unless the rule says
 * otherwise.
 */
#include <string.h>

#include "engine_emit.h"

typedef struct known_field {
    const char *name;
    ehs_type type;
} known_field;

/* Fields systemd.journal-fields(7) defines with a value that has a type. */
static const known_field known_fields[] = {
    { "CODE_LINE", EHS_TYPE_U32 },  { "ERRNO", EHS_TYPE_ERRNO },
    { "MESSAGE_ID", EHS_TYPE_UUID }, { "SYSLOG_PID", EHS_TYPE_PID },
    { "TID", EHS_TYPE_PID },
};

static ehs_type entry_field_type(const ehs_emit *emit, const char *name, size_t name_len)
{
    bool typed;
    ehs_type type = ehs_emit_member_type(emit, name, name_len, &typed);
    if (typed)
        return type;
    for (size_t i = 0; i < sizeof known_fields / sizeof known_fields[0]; i++) {
        if (strlen(known_fields[i].name) == name_len &&
            memcmp(known_fields[i].name, name, name_len) == 0)
            return known_fields[i].type;
    }
    return EHS_TYPE_STRING;
}

void ehs_emit_entry_fields(ehs_emit *emit, const ehs_entry_field *fields, size_t count)
{
    char name_buffer[EHS_NAME_MAX + 2];
    for (size_t i = 0; i < count; i++) {
        const ehs_entry_field *field = &fields[i];
        if (emit->top_fields_left == 0 || !ehs_emit_has_room(emit)) {
            emit->cut = true;
            return;
        }
        size_t name_len = ehs_utf8_cut(field->name, field->name_len, EHS_NAME_MAX);
        if (name_len < field->name_len)
            emit->cut = true;
        const char *name = field->name;
        if (ehs_emit_is_reserved(emit->message_field, emit->message_field_len, name, name_len)) {
            name_buffer[0] = '_';
            memcpy(name_buffer + 1, field->name, name_len);
            name = name_buffer;
            name_len++;
        }
        if (!ehs_names_add(emit->names, name, name_len))
            continue; /* a repeated field, or a capture's name: the first wins */
        ehs_emit_check_level(emit, field->name, field->name_len, field->value, field->value_len);
        ehs_emit_typed(emit, name, name_len, entry_field_type(emit, field->name, field->name_len),
                       field->value, field->value_len);
        emit->top_fields_left--;
    }
}
