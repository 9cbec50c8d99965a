/*
 * The grok pattern library: the built-in table, indexed once by name, plus
 * the user patterns of one config.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grok_internal.h"
#include "grow_array.h"

typedef struct user_pattern {
    char *name;
    size_t name_len;
    char *body;
    size_t body_len;
} user_pattern;

struct ehs_grok_library {
    const ehs_grok_builtin **builtins_by_name; /* sorted for binary search */
    user_pattern *users;
    size_t user_count;
    size_t user_capacity;
};

static int compare_names(const char *a, size_t a_len, const char *b, size_t b_len)
{
    int order = memcmp(a, b, a_len < b_len ? a_len : b_len);
    if (order != 0)
        return order;
    return (a_len > b_len) - (a_len < b_len);
}

static int compare_builtins(const void *a, const void *b)
{
    const ehs_grok_builtin *x = *(const ehs_grok_builtin *const *)a;
    const ehs_grok_builtin *y = *(const ehs_grok_builtin *const *)b;
    return strcmp(x->name, y->name);
}

int ehs_grok_library_new(ehs_grok_library **out)
{
    *out = NULL;
    ehs_grok_library *library = calloc(1, sizeof(*library));
    if (!library)
        return ENOMEM;
    library->builtins_by_name = calloc(ehs_grok_builtin_count, sizeof(*library->builtins_by_name));
    if (!library->builtins_by_name) {
        free(library);
        return ENOMEM;
    }
    for (size_t i = 0; i < ehs_grok_builtin_count; i++)
        library->builtins_by_name[i] = &ehs_grok_builtins[i];
    qsort(library->builtins_by_name, ehs_grok_builtin_count, sizeof(*library->builtins_by_name),
          compare_builtins);
    *out = library;
    return 0;
}

void ehs_grok_library_free(ehs_grok_library *library)
{
    if (!library)
        return;
    for (size_t i = 0; i < library->user_count; i++) {
        free(library->users[i].name);
        free(library->users[i].body);
    }
    free(library->users);
    free(library->builtins_by_name);
    free(library);
}

static const user_pattern *find_user(const ehs_grok_library *library, const char *name,
                                     size_t name_len)
{
    for (size_t i = 0; i < library->user_count; i++) {
        const user_pattern *user = &library->users[i];
        if (user->name_len == name_len && memcmp(user->name, name, name_len) == 0)
            return user;
    }
    return NULL;
}

static const ehs_grok_builtin *find_builtin(const ehs_grok_library *library, const char *name,
                                            size_t name_len)
{
    size_t low = 0, high = ehs_grok_builtin_count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        const ehs_grok_builtin *candidate = library->builtins_by_name[middle];
        int order = compare_names(name, name_len, candidate->name, strlen(candidate->name));
        if (order == 0)
            return candidate;
        if (order < 0)
            high = middle;
        else
            low = middle + 1;
    }
    return NULL;
}

bool ehs_grok_lookup(const ehs_grok_library *library, const char *name, size_t name_len,
                     ehs_grok_entry *entry)
{
    const user_pattern *user = find_user(library, name, name_len);
    if (user) {
        *entry = (ehs_grok_entry){ user->name, user->name_len, user->body, user->body_len, false };
        return true;
    }
    const ehs_grok_builtin *builtin = find_builtin(library, name, name_len);
    if (builtin) {
        *entry = (ehs_grok_entry){ builtin->name, strlen(builtin->name), builtin->body,
                                   strlen(builtin->body), true };
        return true;
    }
    return false;
}

bool ehs_grok_name_chars_ok(const char *name, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_';
        if (!ok)
            return false;
    }
    return true;
}

char *ehs_grok_show(char *out, size_t size, const char *text, size_t len)
{
    const size_t shown_max = 48;
    size_t room = size - 4; /* "..." and the NUL */
    size_t keep = len;
    if (keep > shown_max)
        keep = shown_max;
    if (keep > room)
        keep = room;
    size_t n = 0;
    for (; n < keep; n++) {
        unsigned char c = (unsigned char)text[n];
        out[n] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    if (keep < len) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}

void ehs_grok_set_message(ehs_grok_error *error, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(error->message, sizeof(error->message), format, args);
    va_end(args);
}

static void set_error(ehs_grok_error *error, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Errors about a pattern's name have no place in any text grok sees. */
static void set_error(ehs_grok_error *error, const char *format, ...)
{
    memset(&error->where, 0, sizeof(error->where));
    va_list args;
    va_start(args, format);
    vsnprintf(error->message, sizeof(error->message), format, args);
    va_end(args);
}

char *ehs_grok_copy(const char *text, size_t len)
{
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, text, len);
        copy[len] = '\0';
    }
    return copy;
}

int ehs_grok_library_add(ehs_grok_library *library, const char *name, size_t name_len,
                         const char *body, size_t body_len, ehs_grok_error *error)
{
    char shown[EHS_GROK_SHOW_MAX];
    if (!ehs_grok_name_chars_ok(name, name_len)) {
        set_error(error, "bad grok pattern name '%s': use letters, digits and _",
                  ehs_grok_show(shown, sizeof(shown), name, name_len));
        return EINVAL;
    }
    if (name_len > EHS_GROK_NAME_MAX) {
        set_error(error, "grok pattern name '%s' is longer than %d bytes",
                  ehs_grok_show(shown, sizeof(shown), name, name_len), EHS_GROK_NAME_MAX);
        return EINVAL;
    }
    if (find_user(library, name, name_len)) {
        set_error(error, "duplicate grok pattern '%s'",
                  ehs_grok_show(shown, sizeof(shown), name, name_len));
        return EINVAL;
    }
    user_pattern *grown = ehd__grow_array(library->users, &library->user_capacity,
                                          library->user_count + 1, sizeof(*grown), 8);
    if (!grown)
        goto out_of_memory;
    library->users = grown;
    user_pattern user = { ehs_grok_copy(name, name_len), name_len, ehs_grok_copy(body, body_len),
                          body_len };
    if (!user.name || !user.body) {
        free(user.name);
        free(user.body);
        goto out_of_memory;
    }
    library->users[library->user_count++] = user;
    return 0;

out_of_memory:
    set_error(error, "out of memory");
    return ENOMEM;
}
