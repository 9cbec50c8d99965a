/*
 * Checking a user pattern where it is written, before any rule uses it: a
 * pattern is pasted into every expression that names it, so a flaw in it
 * would otherwise show up as a confusing error in each rule, or not at all
 * when no rule uses it.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "grok_internal.h"

/* Compiles `pattern`; on failure fills `message` and `offset`. Returns 0 or
 * EINVAL. */
static int try_compile(const char *pattern, size_t len, uint32_t options, char *message,
                       size_t message_size, size_t *offset)
{
    int code = 0;
    PCRE2_SIZE error_offset = 0;
    pcre2_code *compiled =
        pcre2_compile((PCRE2_SPTR)pattern, len, options, &code, &error_offset, NULL);
    if (compiled) {
        pcre2_code_free(compiled);
        return 0;
    }
    /* A message too long for the buffer comes back cut, which is fine. */
    if (pcre2_get_error_message(code, (PCRE2_UCHAR *)message, message_size) ==
        PCRE2_ERROR_BADDATA)
        snprintf(message, message_size, "PCRE2 error %d", code);
    *offset = error_offset;
    return EINVAL;
}

int ehs_grok_check(const ehs_grok_library *library, const char *name, size_t name_len,
                   uint32_t pcre2_options, ehs_grok_error *error)
{
    memset(error, 0, sizeof(*error));
    ehs_grok_entry entry;
    char shown[EHS_GROK_SHOW_MAX];
    ehs_grok_show(shown, sizeof(shown), name, name_len);
    if (!ehs_grok_lookup(library, name, name_len, &entry) || entry.builtin) {
        ehs_grok_set_message(error, "no user grok pattern '%s'", shown);
        return ENOENT;
    }

    ehs_grok_expansion expansion;
    int rc = ehs_grok_expand_root(library, entry.name, entry.name_len, entry.body,
                                  entry.body_len, &expansion, error);
    if (rc)
        return rc;

    char reason[160];
    size_t offset = 0;
    const char *context = "";
    rc = try_compile(expansion.pattern, expansion.pattern_len, pcre2_options, reason,
                     sizeof(reason), &offset);
    if (rc == 0) {
        /* Wrapped as a rule would use it: "(?:" BODY ")". */
        char *wrapped = malloc(expansion.pattern_len + 5);
        if (!wrapped) {
            rc = ENOMEM;
        } else {
            memcpy(wrapped, "(?:", 3);
            memcpy(wrapped + 3, expansion.pattern, expansion.pattern_len);
            memcpy(wrapped + 3 + expansion.pattern_len, ")", 2);
            rc = try_compile(wrapped, expansion.pattern_len + 4, pcre2_options, reason,
                             sizeof(reason), &offset);
            free(wrapped);
            context = " when used inside a group";
            offset = offset > 3 ? offset - 3 : 0;
            if (offset > expansion.pattern_len)
                offset = expansion.pattern_len;
        }
    }
    if (rc == EINVAL) {
        ehs_grok_set_message(error, "bad regex in grok pattern '%s'%s: %s", shown, context,
                             reason);
        int located = ehs_grok_locate_root(library, entry.name, entry.name_len, entry.body,
                                           entry.body_len, offset, &error->where);
        if (located == ENOMEM)
            rc = ENOMEM;
    }
    if (rc == ENOMEM) {
        memset(&error->where, 0, sizeof(error->where));
        ehs_grok_set_message(error, "out of memory");
    }
    ehs_grok_expansion_free(&expansion);
    return rc;
}
