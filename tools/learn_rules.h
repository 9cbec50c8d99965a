/*
 * Config rules of learned templates, for `ehshim learn`: the rule of a
 * template (a grok expression, typed and named captures, an event name,
 * the template text), the order rules go in, and the event names given.
 * Not thread-safe: learn_rule_of uses static buffers.
 */
#ifndef EHSHIM_TOOLS_LEARN_RULES_H
#define EHSHIM_TOOLS_LEARN_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "learn_prefix.h"
#include "learn_templates.h"

/* The event names given so far, and an index over them: a clash is found
 * in a probe or two, not by a scan of thousands of rules. */
typedef struct learn_names {
    char (*names)[64]; /* `count` of them, room for the capacity; owned */
    size_t count;
    size_t *slots;     /* name index + 1; 0 empty; a power of two of them */
    size_t slot_mask;
} learn_names;

/* Sets up room for `capacity` names; false when out of memory (then
 * learn_names_free is still due). */
bool learn_names_init(learn_names *set, size_t capacity);

/* The index slot of `name`: 0 when no name given has it, else its
 * index + 1. A caller that fills `names` itself sets the slot. */
size_t *learn_name_slot(learn_names *set, const char *name);

/* Adds `name` (as given, or with the first number from 2 that makes it
 * unique) and returns the name it got, owned by the set. At most the
 * capacity of names may be added. */
const char *learn_names_add(learn_names *set, const char *name);

/* Frees what the set holds; NULL-safe. */
void learn_names_free(learn_names *set);

/*
 * The rule of `tpl` as a new cJSON object (the caller's, cJSON_Delete):
 * `prefix` (or NULL) starts it, `source` and `ident` (or NULL) are its
 * keys, no capture takes the name of `message_field` (the config's, or
 * NULL) or another one events carry themselves, and its event name is
 * added to `event_names`. NULL when out of memory.
 */
cJSON *learn_rule_of(const learn_template *tpl, const learn_prefix_format *prefix,
                     const char *source, const char *ident, const char *message_field,
                     learn_names *event_names);

/* qsort order of `const learn_template *`: rules that need more constant
 * text first, so a rule that takes another's lines comes after it. */
int learn_rule_order(const void *a, const void *b);

#endif /* EHSHIM_TOOLS_LEARN_RULES_H */
