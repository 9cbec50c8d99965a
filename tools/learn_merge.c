/* The existing config with the learned rules added; see learn_merge.h. */
#include "learn_merge.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow_array.h"
#include "json_pos.h"

/* The text being built: a few edits of the existing text, in order. */
typedef struct merged {
    char *chars;
    size_t len;
    size_t capacity;
    bool failed;
} merged;

static void put(merged *m, const char *s, size_t n)
{
    if (m->failed)
        return;
    if (m->len + n + 1 > m->capacity) {
        size_t capacity = m->capacity;
        char *grown = ehd__grow_array(m->chars, &capacity, m->len + n + 1, 1, 4096);
        if (grown == NULL) {
            m->failed = true;
            return;
        }
        m->chars = grown;
        m->capacity = capacity;
    }
    memcpy(m->chars + m->len, s, n);
    m->len += n;
    m->chars[m->len] = '\0';
}

static void puts_(merged *m, const char *s)
{
    put(m, s, strlen(s));
}

/* The whitespace that starts the line holding byte `offset` of `text`:
 * how the author indents top-level keys. */
static void line_indent(const char *text, size_t offset, char *out, size_t size)
{
    size_t start = offset;
    while (start > 0 && text[start - 1] != '\n')
        start--;
    size_t n = 0;
    while (start + n < offset && (text[start + n] == ' ' || text[start + n] == '\t') &&
           n + 1 < size)
        n++;
    memcpy(out, text + start, n);
    out[n] = '\0';
}

/* `rules`' elements as JSON text, each on its own lines at two levels of
 * `unit` (an element of a top-level array), separated by ",\n". cJSON
 * indents with a tab per level: each becomes `unit`. */
static void put_rules(merged *m, const cJSON *rules, const char *unit)
{
    bool first = true;
    for (const cJSON *rule = rules->child; rule != NULL; rule = rule->next) {
        char *text = cJSON_Print(rule);
        if (text == NULL) {
            m->failed = true;
            return;
        }
        if (!first)
            puts_(m, ",\n");
        first = false;
        for (const char *line = text; *line != '\0';) {
            const char *end = strchr(line, '\n');
            size_t n = end != NULL ? (size_t)(end - line) : strlen(line);
            puts_(m, unit);
            puts_(m, unit);
            size_t i = 0;
            for (; i < n && line[i] == '\t'; i++)
                puts_(m, unit);
            /* cJSON's other tabs follow a key's colon (a string holds its
             * tabs escaped): a space, as the author's file likely has. */
            for (; i < n; i++)
                put(m, line[i] == '\t' ? " " : line + i, 1);
            if (end == NULL)
                break;
            puts_(m, "\n");
            line = end + 1;
        }
        cJSON_free(text);
    }
}

/* One change to the existing text: [at, at + drop) becomes `with`. */
typedef struct edit {
    size_t at;
    size_t drop;
    merged with;
} edit;

/* The edit that sets the provider to `provider` (quoted JSON). */
static void provider_edit(edit *e, const ehs_json_doc *doc, const char *quoted, const char *unit,
                          bool more)
{
    const cJSON *root = doc->root;
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(root, "provider");
    if (old != NULL) {
        ehs_json_span span = ehs_json_span_of(doc, old);
        *e = (edit){ .at = span.offset, .drop = span.length };
        puts_(&e->with, quoted);
        return;
    }
    /* First, where configs name their provider. */
    *e = (edit){ .at = ehs_json_span_of(doc, root).offset + 1 };
    puts_(&e->with, "\n");
    puts_(&e->with, unit);
    puts_(&e->with, "\"provider\": ");
    puts_(&e->with, quoted);
    puts_(&e->with, root->child != NULL || more ? "," : "\n");
}

/* The edit that appends `rules` to the top-level "rules" array. */
static void rules_edit(edit *e, const ehs_json_doc *doc, const cJSON *rules, const char *unit)
{
    const cJSON *root = doc->root;
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(root, "rules");
    if (cJSON_IsArray(old) && old->child != NULL) {
        const cJSON *last = old->child;
        while (last->next != NULL)
            last = last->next;
        ehs_json_span span = ehs_json_span_of(doc, last);
        *e = (edit){ .at = span.offset + span.length };
        puts_(&e->with, ",\n");
        put_rules(&e->with, rules, unit);
        return;
    }
    if (old != NULL) {
        /* [] or null: the learned rules are all there are. */
        ehs_json_span span = ehs_json_span_of(doc, old);
        *e = (edit){ .at = span.offset, .drop = span.length };
    } else {
        const cJSON *last = root->child;
        while (last != NULL && last->next != NULL)
            last = last->next;
        ehs_json_span span = ehs_json_span_of(doc, last != NULL ? last : root);
        *e = (edit){ .at = last != NULL ? span.offset + span.length : span.offset + 1 };
        puts_(&e->with, last != NULL ? ",\n" : "\n");
        puts_(&e->with, unit);
        puts_(&e->with, "\"rules\": ");
    }
    puts_(&e->with, "[\n");
    put_rules(&e->with, rules, unit);
    puts_(&e->with, "\n");
    puts_(&e->with, unit);
    puts_(&e->with, "]");
    if (old == NULL && root->child == NULL)
        puts_(&e->with, "\n");
}

char *learn_merge(const char *text, size_t len, const cJSON *rules, const char *provider)
{
    ehs_json_doc doc = { 0 };
    ehs_diag diag = { .path = "" };
    int err = ehs_json_parse(&doc, text, len, &diag);
    ehs_diag_free(&diag);
    if (err == 0 && !cJSON_IsObject(doc.root))
        err = EINVAL;
    if (err != 0) {
        ehs_json_doc_free(&doc);
        errno = err;
        return NULL;
    }
    char unit[64] = "";
    if (doc.root->child != NULL)
        line_indent(text, ehs_json_span_of(&doc, doc.root->child).offset, unit, sizeof unit);
    if (unit[0] == '\0')
        snprintf(unit, sizeof unit, "\t");
    bool adding = rules != NULL && rules->child != NULL;

    edit edits[2];
    size_t count = 0;
    bool failed = false;
    if (provider != NULL) {
        cJSON *value = cJSON_CreateString(provider);
        char *quoted = value != NULL ? cJSON_PrintUnformatted(value) : NULL;
        cJSON_Delete(value);
        if (quoted != NULL)
            provider_edit(&edits[count++], &doc, quoted, unit, adding);
        failed |= quoted == NULL;
        cJSON_free(quoted);
    }
    if (adding)
        rules_edit(&edits[count++], &doc, rules, unit);
    /* Apply them in the text's order; at one place the provider first. */
    if (count == 2 && edits[1].at < edits[0].at) {
        edit first = edits[1];
        edits[1] = edits[0];
        edits[0] = first;
    }
    merged m = { 0 };
    size_t done = 0;
    for (size_t i = 0; i < count; i++) {
        put(&m, text + done, edits[i].at - done);
        put(&m, edits[i].with.chars != NULL ? edits[i].with.chars : "", edits[i].with.len);
        done = edits[i].at + edits[i].drop;
        failed |= edits[i].with.failed;
        free(edits[i].with.chars);
    }
    put(&m, text + done, len - done);
    if (len == 0 || text[len - 1] != '\n')
        put(&m, "\n", 1);
    ehs_json_doc_free(&doc);
    if (failed || m.failed || m.chars == NULL) {
        free(m.chars);
        errno = ENOMEM;
        return NULL;
    }
    return m.chars;
}

char *learn_merge_file(const char *path, const cJSON *rules, const char *provider)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    merged text = { 0 };
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        put(&text, chunk, n);
    int err = ferror(f) ? EIO : text.failed ? ENOMEM : 0;
    fclose(f);
    char *result = err == 0 ? learn_merge(text.chars != NULL ? text.chars : "", text.len, rules,
                                          provider)
                            : NULL;
    if (err == 0)
        err = errno;
    free(text.chars);
    errno = err;
    return result;
}
