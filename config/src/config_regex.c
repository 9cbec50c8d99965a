/*
 * PCRE2 for the loader: compiling rule patterns (JIT when allowed), listing
 * their named groups, and the match context with the limits every match
 * runs under.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "config_internal.h"

int ehs_regex_compile(const char *pattern, size_t len, void **code, bool *jit,
                      ehs_regex_error *error)
{
    *code = NULL;
    *jit = false;
    int errorcode = 0;
    PCRE2_SIZE erroroffset = 0;
    pcre2_code *compiled = pcre2_compile((PCRE2_SPTR)pattern, len, EHS_PCRE2_COMPILE_OPTIONS,
                                         &errorcode, &erroroffset, NULL);
    if (compiled == NULL) {
        if (errorcode == PCRE2_ERROR_HEAPLIMIT || errorcode == PCRE2_ERROR_NOMEMORY)
            return ENOMEM;
        if (pcre2_get_error_message(errorcode, (PCRE2_UCHAR *)error->message,
                                    sizeof error->message) < 0)
            strcpy(error->message, "PCRE2 cannot compile it");
        error->offset = erroroffset;
        return EINVAL;
    }
    /* JIT is ten times faster per line but SELinux execmem rules refuse it
     * (PITFALLS.md): then the interpreter matches the same way, only slower. */
    *jit = pcre2_jit_compile(compiled, PCRE2_JIT_COMPLETE) == 0;
    *code = compiled;
    return 0;
}

static int compare_groups(const void *a, const void *b)
{
    const ehs_named_group *x = a, *y = b;
    return (x->group > y->group) - (x->group < y->group);
}

int ehs_regex_named_groups(const void *code, ehs_named_group **groups, size_t *count)
{
    uint32_t name_count = 0, entry_size = 0;
    PCRE2_SPTR table = NULL;
    *groups = NULL;
    *count = 0;
    pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &name_count);
    if (name_count == 0)
        return 0;
    pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
    pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
    ehs_named_group *list = calloc(name_count, sizeof *list);
    if (list == NULL)
        return ENOMEM;
    /* Each entry: the group number in two bytes, big-endian, then the name. */
    for (uint32_t i = 0; i < name_count; i++) {
        PCRE2_SPTR entry = table + (size_t)i * entry_size;
        list[i].group = (uint32_t)entry[0] << 8 | entry[1];
        list[i].name = (const char *)entry + 2;
    }
    qsort(list, name_count, sizeof *list, compare_groups);
    *groups = list;
    *count = name_count;
    return 0;
}

uint32_t ehs_regex_capture_count(const void *code)
{
    uint32_t n = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &n);
    return n;
}

void *ehs_regex_match_context_new(void)
{
    pcre2_match_context *context = pcre2_match_context_create(NULL);
    if (context == NULL)
        return NULL;
    pcre2_set_match_limit(context, EHS_PCRE2_MATCH_LIMIT);
    pcre2_set_depth_limit(context, EHS_PCRE2_DEPTH_LIMIT);
    pcre2_set_heap_limit(context, EHS_PCRE2_HEAP_LIMIT_KIB);
    return context;
}

void ehs_regex_code_free(void *code)
{
    pcre2_code_free(code);
}

void ehs_regex_match_context_free(void *context)
{
    pcre2_match_context_free(context);
}
