/*
 * Problem collection for the loader and the public ehs_errors list.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_diag.h"
#include "config_internal.h"
#include "grow_array.h"


void ehs_diag_add(ehs_diag *diag, ehs_position position, const char *format, ...)
{
    ehs_diag_entry *grown =
        ehd__grow_array(diag->entries, &diag->capacity, diag->count + 1, sizeof *grown, 16);
    if (grown == NULL) {
        diag->out_of_memory = true;
        return;
    }
    diag->entries = grown;
    va_list args;
    va_start(args, format);
    char *message = NULL;
    int n = vasprintf(&message, format, args);
    va_end(args);
    if (n < 0) {
        diag->out_of_memory = true;
        return;
    }
    diag->entries[diag->count] = (ehs_diag_entry){ position, diag->count, message };
    diag->count++;
}

static int compare_entries(const void *a, const void *b)
{
    const ehs_diag_entry *x = a, *y = b;
    if (x->position.line != y->position.line)
        return x->position.line < y->position.line ? -1 : 1;
    if (x->position.column != y->position.column)
        return x->position.column < y->position.column ? -1 : 1;
    return x->sequence < y->sequence ? -1 : x->sequence > y->sequence;
}

static bool same_problem(const ehs_diag_entry *a, const ehs_diag_entry *b)
{
    return a->position.line == b->position.line && a->position.column == b->position.column &&
           strcmp(a->message, b->message) == 0;
}

int ehs_diag_finish(ehs_diag *diag, ehs_errors *errors)
{
    int err = diag->out_of_memory ? ENOMEM : 0;
    if (diag->count > 1)
        qsort(diag->entries, diag->count, sizeof diag->entries[0], compare_entries);
    for (size_t i = 0; i < diag->count && errors != NULL && err == 0; i++) {
        const ehs_diag_entry *e = &diag->entries[i];
        if (i > 0 && same_problem(e, &diag->entries[i - 1]))
            continue;
        char *line = NULL;
        int n = e->position.line == 0
                    ? asprintf(&line, "%s: %s", diag->path, e->message)
                    : asprintf(&line, "%s:%u:%u: %s", diag->path, e->position.line,
                               e->position.column, e->message);
        if (n < 0)
            err = ENOMEM;
        else
            err = ehs_errors_append(errors, line);
    }
    ehs_diag_free(diag);
    return err;
}

void ehs_diag_free(ehs_diag *diag)
{
    for (size_t i = 0; i < diag->count; i++)
        free(diag->entries[i].message);
    free(diag->entries);
    diag->entries = NULL;
    diag->count = diag->capacity = 0;
    diag->out_of_memory = false;
}

int ehs_errors_append(ehs_errors *errors, char *line)
{
    char **grown =
        ehd__grow_array(errors->lines, &errors->capacity, errors->count + 1, sizeof *grown, 8);
    if (grown == NULL) {
        free(line);
        return ENOMEM;
    }
    errors->lines = grown;
    errors->lines[errors->count++] = line;
    return 0;
}

EHS_API void ehs_errors_free(ehs_errors *errors)
{
    if (errors == NULL)
        return;
    for (size_t i = 0; i < errors->count; i++)
        free(errors->lines[i]);
    free(errors->lines);
    *errors = (ehs_errors){ 0 };
}

char *ehs_quote(char *out, size_t size, const char *text, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    /* Leaves room for the longest escape, the closing quote, "..." and NUL. */
    size_t limit = size - 11, n = 0;
    out[n++] = '\'';
    size_t i = 0;
    for (; i < len && n < limit; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\'' || c == '\\') {
            out[n++] = '\\';
            out[n++] = (char)c;
        } else if (c == '\n') {
            out[n++] = '\\';
            out[n++] = 'n';
        } else if (c == '\t') {
            out[n++] = '\\';
            out[n++] = 't';
        } else if (c < 0x20 || c == 0x7f) {
            memcpy(out + n, "\\u00", 4);
            out[n + 4] = hex[c >> 4];
            out[n + 5] = hex[c & 15];
            n += 6;
        } else {
            out[n++] = (char)c;
        }
    }
    if (i < len) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n++] = '\'';
    out[n] = '\0';
    return out;
}
