/*
 * A rule's fields: the named groups of its pattern typed by grok suffixes
 * and "fields", the kv/json members "fields" types, and level_field with its
 * level_map. Names of captures are checked here against the reserved names
 * every event carries by itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

static bool is_reserved(const ehs_load *load, const char *name)
{
    const char *message_field = load->config->message_field;
    return strcmp(name, "ident") == 0 || strcmp(name, "facility") == 0 ||
           strcmp(name, "truncated") == 0 ||
           (message_field != NULL && strcmp(name, message_field) == 0);
}

static void report_reserved(ehs_load *load, ehs_position position, const char *what,
                            const char *name)
{
    char q[EHS_QUOTE_MAX], m[EHS_QUOTE_MAX];
    ehs_quote(q, sizeof q, name, strlen(name));
    const char *message_field = load->config->message_field;
    if (message_field != NULL)
        ehs_diag_add(&load->diag, position,
                     "%s %s is reserved: events carry 'ident', 'facility', 'truncated' and %s "
                     "themselves",
                     what, q, ehs_quote(m, sizeof m, message_field, strlen(message_field)));
    else
        ehs_diag_add(&load->diag, position,
                     "%s %s is reserved: events carry 'ident', 'facility' and 'truncated' "
                     "themselves",
                     what, q);
}

/* Offset of the name of group `name` in regex text, or SIZE_MAX. Finds the
 * three ways PCRE2 spells a named group. */
static size_t find_group_name(const char *text, const char *name)
{
    static const char *const openers[] = { "(?<", "(?'", "(?P<" };
    size_t name_len = strlen(name);
    for (const char *p = text; (p = strstr(p, "(?")) != NULL; p++) {
        for (size_t i = 0; i < 3; i++) {
            size_t n = strlen(openers[i]);
            if (strncmp(p, openers[i], n) == 0 && strncmp(p + n, name, name_len) == 0 &&
                (p[n + name_len] == '>' || p[n + name_len] == '\''))
                return (size_t)(p - text) + n;
        }
    }
    return SIZE_MAX;
}

static const ehs_grok_capture *grok_capture(const ehs_rule_source *source, const char *name)
{
    if (source->grok == NULL)
        return NULL;
    for (size_t i = 0; i < source->grok->capture_count; i++) {
        if (strcmp(source->grok->captures[i].name, name) == 0)
            return &source->grok->captures[i];
    }
    return NULL;
}

/* Where the name of capture `name` is written: in the regex, in the grok
 * expression, or in a user pattern whose body holds the group. */
static ehs_position capture_position(const ehs_load *load, const ehs_rule_source *source,
                                     const char *name)
{
    const ehs_grok_capture *capture = grok_capture(source, name);
    if (capture != NULL)
        return ehs_grok_position(load, source->matcher, &capture->where);
    size_t offset = find_group_name(source->matcher->valuestring, name);
    if (offset != SIZE_MAX)
        return ehs_json_string_position(&load->doc, source->matcher, offset);
    for (const cJSON *c = load->patterns != NULL ? load->patterns->child : NULL; c != NULL;
         c = c->next) {
        if (cJSON_IsString(c) && (offset = find_group_name(c->valuestring, name)) != SIZE_MAX)
            return ehs_json_string_position(&load->doc, c, offset);
    }
    return ehs_value_position(load, source->matcher);
}

static void report_unknown_type(ehs_load *load, ehs_position position, const char *type)
{
    char q[EHS_QUOTE_MAX];
    ehs_diag_add(&load->diag, position, "unknown type %s (types: %s)",
                 ehs_quote(q, sizeof q, type, strlen(type)), ehs_type_list);
}

/* Applies the ":type" of a grok capture to `field`. */
static void apply_grok_type(ehs_load *load, const ehs_rule_source *source, ehs_field *field)
{
    const ehs_grok_capture *capture = grok_capture(source, field->name);
    if (capture == NULL || capture->type == NULL)
        return;
    if (!ehs_type_from_name(capture->type, &field->type)) {
        ehs_grok_location where = capture->where;
        where.offset += strlen(capture->name) + 1; /* the type follows "name:" */
        report_unknown_type(load, ehs_grok_position(load, source->matcher, &where), capture->type);
    }
}

static bool add_field(ehs_load *load, ehs_rule *rule, const char *name, ehs_type type,
                      uint32_t group)
{
    char *copy = strdup(name);
    if (copy == NULL) {
        ehs_load_nomem(load);
        return false;
    }
    rule->fields[rule->field_count++] = (ehs_field){ copy, strlen(copy), type, group };
    return true;
}

static ehs_field *find_field(ehs_rule *rule, const char *name)
{
    for (size_t i = 0; i < rule->field_count; i++) {
        if (strcmp(rule->fields[i].name, name) == 0)
            return &rule->fields[i];
    }
    return NULL;
}

/* kv and json rules (and the kv part of a regex/grok rule) take any member;
 * journal rules take the entry's fields. */
static bool takes_members(const ehs_rule *rule)
{
    return rule->matcher == EHS_MATCH_KV || rule->matcher == EHS_MATCH_JSON || rule->kv_after ||
           rule->source == EHS_SOURCE_JOURNAL;
}

static void apply_fields_entry(ehs_load *load, const ehs_rule_source *source, ehs_rule *rule,
                               const cJSON *entry)
{
    char q[EHS_QUOTE_MAX];
    ehs_quote(q, sizeof q, entry->string, strlen(entry->string));
    if (!cJSON_IsString(entry)) {
        ehs_diag_add(&load->diag, ehs_value_position(load, entry),
                     "%s must be a type name such as 'u16', not %s", q, ehs_json_kind(entry));
        return;
    }
    ehs_type type;
    bool type_known = ehs_type_from_name(entry->valuestring, &type);
    if (!type_known)
        report_unknown_type(load, ehs_value_position(load, entry), entry->valuestring);
    ehs_field *field = find_field(rule, entry->string);
    if (field != NULL && field->group != 0) {
        const ehs_grok_capture *capture = grok_capture(source, field->name);
        bool typed_by_grok = capture != NULL && capture->type != NULL;
        if (type_known && typed_by_grok && field->type != type)
            ehs_diag_add(&load->diag, ehs_value_position(load, entry),
                         "capture %s is %s in the grok expression but %s in 'fields'", q,
                         ehs_type_name(field->type), ehs_type_name(type));
        else if (type_known)
            field->type = type;
        return;
    }
    if (takes_members(rule)) {
        if (is_reserved(load, entry->string))
            report_reserved(load, ehs_key_position(load, entry), "field name", entry->string);
        else if (type_known)
            add_field(load, rule, entry->string, type, 0);
        return;
    }
    if (source->known_captures)
        ehs_diag_add(&load->diag, ehs_key_position(load, entry),
                     "'fields' names %s, which is no named capture of this rule", q);
}

static void read_level_map(ehs_load *load, ehs_rule *rule, const cJSON *map)
{
    ehs_check_keys(load, map, NULL, "'level_map'");
    size_t count = 0;
    for (const cJSON *c = map->child; c != NULL; c = c->next)
        count++;
    rule->level_map = calloc(count ? count : 1, sizeof *rule->level_map);
    if (rule->level_map == NULL) {
        ehs_load_nomem(load);
        return;
    }
    for (const cJSON *c = map->child; c != NULL; c = c->next) {
        uint8_t level;
        if (ehs_is_repeated_key(load, c) || !ehs_parse_level(load, c, "a 'level_map' value", &level))
            continue;
        char *value = strdup(c->string);
        if (value == NULL) {
            ehs_load_nomem(load);
            return;
        }
        rule->level_map[rule->level_map_count++] =
            (ehs_level_entry){ value, strlen(value), level };
    }
}

static void read_level_field(ehs_load *load, const ehs_rule_source *source, ehs_rule *rule)
{
    const cJSON *object = source->object;
    const cJSON *field =
        ehs_member(load, object, "level_field", cJSON_String, true, "a capture name");
    const cJSON *map = ehs_member(load, object, "level_map", cJSON_Object, true,
                                  "an object of value: level");
    const cJSON *field_key = cJSON_GetObjectItemCaseSensitive(object, "level_field");
    const cJSON *map_key = cJSON_GetObjectItemCaseSensitive(object, "level_map");
    if (field != NULL && (map_key == NULL || cJSON_IsNull(map_key)))
        ehs_diag_add(&load->diag, ehs_key_position(load, field),
                     "'level_field' needs a 'level_map' from its values to levels");
    if (map != NULL && (field_key == NULL || cJSON_IsNull(field_key)))
        ehs_diag_add(&load->diag, ehs_key_position(load, map),
                     "'level_map' needs a 'level_field' naming the capture it reads");
    if (field != NULL) {
        const ehs_field *f = find_field(rule, field->valuestring);
        if (f != NULL && f->group != 0) {
            rule->level_field_group = f->group;
        } else if (!takes_members(rule)) {
            if (source->known_captures) {
                char q[EHS_QUOTE_MAX];
                ehs_diag_add(&load->diag, ehs_value_position(load, field),
                             "'level_field' names %s, which is no named capture of this rule",
                             ehs_quote(q, sizeof q, field->valuestring,
                                       strlen(field->valuestring)));
            }
            field = NULL;
        }
        if (field != NULL)
            rule->level_field = ehs_copy_string(load, field);
    }
    if (map != NULL)
        read_level_map(load, rule, map);
}

void ehs_load_rule_fields(ehs_load *load, const ehs_rule_source *source, ehs_rule *rule)
{
    const cJSON *fields = ehs_member(load, source->object, "fields", cJSON_Object, false,
                                     "an object of capture: type");
    if (fields != NULL)
        ehs_check_keys(load, fields, NULL, "'fields'");
    ehs_named_group *groups = NULL;
    size_t group_count = 0;
    if (rule->code != NULL && ehs_regex_named_groups(rule->code, &groups, &group_count) != 0) {
        ehs_load_nomem(load);
        return;
    }
    size_t member_count = 0;
    for (const cJSON *c = fields != NULL ? fields->child : NULL; c != NULL; c = c->next)
        member_count++;
    rule->fields = calloc(group_count + member_count + 1, sizeof *rule->fields);
    if (rule->fields == NULL) {
        ehs_load_nomem(load);
        free(groups);
        return;
    }
    for (size_t i = 0; i < group_count; i++) {
        if (is_reserved(load, groups[i].name))
            report_reserved(load, capture_position(load, source, groups[i].name), "capture name",
                            groups[i].name);
        if (!add_field(load, rule, groups[i].name, EHS_TYPE_STRING, groups[i].group))
            break;
        apply_grok_type(load, source, &rule->fields[rule->field_count - 1]);
    }
    free(groups);
    for (const cJSON *c = fields != NULL ? fields->child : NULL; c != NULL; c = c->next) {
        if (!ehs_is_repeated_key(load, c))
            apply_fields_entry(load, source, rule, c);
    }
    read_level_field(load, source, rule);
}
