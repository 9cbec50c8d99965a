/*
 * Expanding grok references into one PCRE2 pattern, and mapping a byte of
 * that pattern back to the text the user wrote.
 *
 * One recursive walk does both: the stack of frames (the expression, then
 * each pattern body being expanded inside it) is exactly what is needed to
 * detect cycles and to say where any output byte came from, so locating a
 * PCRE2 error re-runs the walk instead of keeping a source map around for
 * the rare compile failure.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grok_internal.h"
#include "grow_array.h"

typedef struct frame {
    const char *name;     /* pattern name; NULL for an expression */
    size_t name_len;
    const char *text;     /* the expression or the pattern body */
    size_t len;
    bool builtin;         /* built-in bodies are not the user's text: errors
                             there are reported at the reference to them */
    uint32_t id;          /* preorder number: a frame on the stack contains
                             every frame numbered from it up to now */
    size_t ref_offset;    /* offset of the `%{` in the parent's text */
} frame;

typedef struct expander {
    const ehs_grok_library *library;
    frame stack[EHS_GROK_DEPTH_MAX + 1];
    size_t depth;                 /* index of the innermost frame */
    uint32_t next_id;

    bool locating;                /* count output bytes, store none */
    size_t target;                /* the output byte to locate */
    bool located;
    ehs_grok_location *found;

    char *out;
    size_t out_len;
    size_t out_capacity;

    ehs_grok_capture *captures;
    uint32_t *capture_frames;     /* id of the frame each field is written in */
    size_t capture_count;
    size_t capture_capacity;

    ehs_grok_error *error;
} expander;

/* Where byte `offset` of the text of frame `depth` is, in user-written text. */
static void resolve(const expander *ex, size_t depth, size_t offset, ehs_grok_location *where)
{
    while (depth > 0 && ex->stack[depth].builtin) {
        offset = ex->stack[depth].ref_offset;
        depth--;
    }
    const frame *f = &ex->stack[depth];
    memset(where, 0, sizeof(*where));
    if (f->name)
        memcpy(where->pattern, f->name, f->name_len); /* name_len <= EHS_GROK_NAME_MAX */
    where->offset = offset;
    where->expression_offset = depth == 0 ? offset : ex->stack[1].ref_offset;
}

static int fail_at(expander *ex, size_t depth, size_t offset, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(expander *ex, size_t depth, size_t offset, const char *format, ...)
{
    resolve(ex, depth, offset, &ex->error->where);
    va_list args;
    va_start(args, format);
    vsnprintf(ex->error->message, sizeof(ex->error->message), format, args);
    va_end(args);
    return EINVAL;
}

static int out_of_memory(expander *ex)
{
    memset(&ex->error->where, 0, sizeof(ex->error->where));
    ehs_grok_set_message(ex->error, "out of memory");
    return ENOMEM;
}

/*
 * Appends `n` bytes made while expanding frame ex->depth. `source` is their
 * offset in that frame's text: of the bytes themselves when `copied`, else of
 * the reference that produced them.
 */
static int emit(expander *ex, const char *bytes, size_t n, size_t source, bool copied)
{
    if (n > EHS_GROK_EXPANSION_MAX - ex->out_len)
        return fail_at(ex, ex->depth, source, "grok expansion longer than %u bytes",
                       (unsigned)EHS_GROK_EXPANSION_MAX);
    if (ex->locating) {
        if (!ex->located && ex->target >= ex->out_len && ex->target - ex->out_len < n) {
            size_t at = copied ? source + (ex->target - ex->out_len) : source;
            resolve(ex, ex->depth, at, ex->found);
            ex->located = true;
        }
        ex->out_len += n;
        return 0;
    }
    /* No overflow: out_len + n is at most EHS_GROK_EXPANSION_MAX. */
    char *grown = ehd__grow_array(ex->out, &ex->out_capacity, ex->out_len + n + 1, 1, 256);
    if (!grown)
        return out_of_memory(ex);
    ex->out = grown;
    memcpy(ex->out + ex->out_len, bytes, n);
    ex->out_len += n;
    return 0;
}

/* One `%{NAME}`, `%{NAME:field}` or `%{NAME:field:type}`, split up. Offsets
 * are in the text of the frame holding it. */
typedef struct reference {
    size_t start;             /* the `%` */
    size_t end;               /* one past the `}` */
    const char *name;
    size_t name_len;
    const char *field;        /* NULL: no field */
    size_t field_len;
    size_t field_offset;
    const char *type;         /* NULL: no type */
    size_t type_len;
    size_t type_offset;
} reference;

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int check_field(expander *ex, const reference *ref)
{
    char shown[EHS_GROK_SHOW_MAX];
    if (ref->field_len == 0)
        return fail_at(ex, ex->depth, ref->field_offset, "empty field name");
    if (!ehs_grok_name_chars_ok(ref->field, ref->field_len) || is_digit(ref->field[0])) {
        ehs_grok_show(shown, sizeof(shown), ref->field, ref->field_len);
        if (ref->field[0] == '[')
            return fail_at(ex, ex->depth, ref->field_offset,
                           "bad field name '%s': nested [a][b] names are not supported; "
                           "use letters, digits and _",
                           shown);
        return fail_at(ex, ex->depth, ref->field_offset,
                       "bad field name '%s': use letters, digits and _, not starting with a digit",
                       shown);
    }
    if (ref->field_len > EHS_GROK_FIELD_MAX)
        return fail_at(ex, ex->depth, ref->field_offset, "field name '%s' is longer than %d bytes",
                       ehs_grok_show(shown, sizeof(shown), ref->field, ref->field_len),
                       EHS_GROK_FIELD_MAX);
    if (ref->type) {
        if (ref->type_len == 0)
            return fail_at(ex, ex->depth, ref->type_offset, "empty field type");
        if (!ehs_grok_name_chars_ok(ref->type, ref->type_len))
            return fail_at(ex, ex->depth, ref->type_offset, "bad field type '%s'",
                           ehs_grok_show(shown, sizeof(shown), ref->type, ref->type_len));
    }
    return 0;
}

/* Parses the reference starting at `start` (a "%{") of the current frame. */
static int parse_reference(expander *ex, size_t start, reference *ref)
{
    const frame *f = &ex->stack[ex->depth];
    const char *inside = f->text + start + 2;
    size_t room = f->len - start - 2;
    const char *close = memchr(inside, '}', room);
    if (!close)
        return fail_at(ex, ex->depth, start, "unterminated %%{");
    size_t inside_len = (size_t)(close - inside);

    memset(ref, 0, sizeof(*ref));
    ref->start = start;
    ref->end = start + 2 + inside_len + 1;
    ref->name = inside;
    const char *colon = memchr(inside, ':', inside_len);
    ref->name_len = colon ? (size_t)(colon - inside) : inside_len;
    if (colon) {
        ref->field = colon + 1;
        ref->field_offset = (size_t)(ref->field - f->text);
        size_t rest = (size_t)(close - ref->field);
        const char *colon2 = memchr(ref->field, ':', rest);
        ref->field_len = colon2 ? (size_t)(colon2 - ref->field) : rest;
        if (colon2) {
            ref->type = colon2 + 1;
            ref->type_offset = (size_t)(ref->type - f->text);
            ref->type_len = (size_t)(close - ref->type);
            if (memchr(ref->type, ':', ref->type_len))
                return fail_at(ex, ex->depth, start, "too many ':' in grok reference");
        }
    }

    char shown[EHS_GROK_SHOW_MAX];
    if (ref->name_len == 0)
        return fail_at(ex, ex->depth, start, "empty grok pattern name");
    if (!ehs_grok_name_chars_ok(ref->name, ref->name_len)) {
        ehs_grok_show(shown, sizeof(shown), ref->name, ref->name_len);
        if (memchr(ref->name, '=', ref->name_len))
            return fail_at(ex, ex->depth, start,
                           "bad grok pattern name '%s': inline definitions (%%{NAME=regex}) "
                           "are not supported",
                           shown);
        return fail_at(ex, ex->depth, start, "bad grok pattern name '%s'", shown);
    }
    return ref->field ? check_field(ex, ref) : 0;
}

static bool on_stack(const expander *ex, const ehs_grok_entry *entry, size_t *at)
{
    for (size_t d = 0; d <= ex->depth; d++) {
        const frame *f = &ex->stack[d];
        if (f->name && f->name_len == entry->name_len &&
            memcmp(f->name, entry->name, entry->name_len) == 0) {
            *at = d;
            return true;
        }
    }
    return false;
}

static int report_cycle(expander *ex, size_t from, const reference *ref)
{
    char chain[sizeof(ex->error->message)];
    size_t used = 0;
    for (size_t d = from; d <= ex->depth + 1; d++) {
        const char *name = d <= ex->depth ? ex->stack[d].name : ref->name;
        size_t name_len = d <= ex->depth ? ex->stack[d].name_len : ref->name_len;
        int n = snprintf(chain + used, sizeof(chain) - used, "%s%.*s", d == from ? "" : " -> ",
                         (int)name_len, name);
        if (n < 0 || (size_t)n >= sizeof(chain) - used)
            break; /* cut: the message buffer could not show more anyway */
        used += (size_t)n;
    }
    return fail_at(ex, ex->depth, ref->start, "grok pattern cycle: %s", chain);
}

/*
 * A field name already taken. The error goes where the user can fix it: at
 * the second field when both are written in the same text, else at the use
 * (in the innermost text holding both) that brought in the second.
 */
static int report_duplicate(expander *ex, size_t first, const reference *ref)
{
    uint32_t first_frame = ex->capture_frames[first];
    size_t common = 0;
    for (size_t d = 0; d <= ex->depth; d++)
        if (ex->stack[d].id <= first_frame)
            common = d;
    size_t offset = common == ex->depth ? ref->field_offset : ex->stack[common + 1].ref_offset;
    char shown[EHS_GROK_SHOW_MAX];
    return fail_at(ex, common, offset, "duplicate field name '%s'",
                   ehs_grok_show(shown, sizeof(shown), ref->field, ref->field_len));
}

static int add_capture(expander *ex, const reference *ref)
{
    for (size_t i = 0; i < ex->capture_count; i++) {
        const char *taken = ex->captures[i].name;
        if (strlen(taken) == ref->field_len && memcmp(taken, ref->field, ref->field_len) == 0)
            return report_duplicate(ex, i, ref);
    }
    /* captures and capture_frames grow together; capture_capacity is what
     * both hold, so it changes only when both have grown. */
    size_t capture_capacity = ex->capture_capacity;
    ehs_grok_capture *captures = ehd__grow_array(ex->captures, &capture_capacity,
                                                 ex->capture_count + 1, sizeof(*captures), 8);
    if (!captures)
        return out_of_memory(ex);
    ex->captures = captures;
    size_t frame_capacity = ex->capture_capacity;
    uint32_t *frames = ehd__grow_array(ex->capture_frames, &frame_capacity,
                                       ex->capture_count + 1, sizeof(*frames), 8);
    if (!frames)
        return out_of_memory(ex);
    ex->capture_frames = frames;
    ex->capture_capacity = capture_capacity;
    ehs_grok_capture capture = { .name = ehs_grok_copy(ref->field, ref->field_len) };
    if (ref->type)
        capture.type = ehs_grok_copy(ref->type, ref->type_len);
    if (!capture.name || (ref->type && !capture.type)) {
        free(capture.name);
        free(capture.type);
        return out_of_memory(ex);
    }
    resolve(ex, ex->depth, ref->field_offset, &capture.where);
    ex->capture_frames[ex->capture_count] = ex->stack[ex->depth].id;
    ex->captures[ex->capture_count++] = capture;
    return 0;
}

static int expand_frame(expander *ex);

static int expand_reference(expander *ex, const reference *ref)
{
    char shown[EHS_GROK_SHOW_MAX];
    ehs_grok_entry entry;
    if (!ehs_grok_lookup(ex->library, ref->name, ref->name_len, &entry))
        return fail_at(ex, ex->depth, ref->start, "unknown grok pattern '%s'",
                       ehs_grok_show(shown, sizeof(shown), ref->name, ref->name_len));
    size_t cycle_start;
    if (on_stack(ex, &entry, &cycle_start))
        return report_cycle(ex, cycle_start, ref);
    if (ex->depth == EHS_GROK_DEPTH_MAX)
        return fail_at(ex, ex->depth, ref->start, "grok patterns nested more than %d deep",
                       EHS_GROK_DEPTH_MAX);

    char open[EHS_GROK_FIELD_MAX + 8];
    size_t open_len = 3;
    memcpy(open, "(?:", 3);
    if (ref->field) {
        int rc = add_capture(ex, ref);
        if (rc)
            return rc;
        open_len = (size_t)snprintf(open, sizeof(open), "(?<%.*s>", (int)ref->field_len,
                                    ref->field);
    }
    int rc = emit(ex, open, open_len, ref->start, false);
    if (rc)
        return rc;

    ex->stack[++ex->depth] = (frame){
        .name = entry.name,
        .name_len = entry.name_len,
        .text = entry.body,
        .len = entry.body_len,
        .builtin = entry.builtin,
        .id = ++ex->next_id,
        .ref_offset = ref->start,
    };
    rc = expand_frame(ex);
    ex->depth--;
    if (rc)
        return rc;
    return emit(ex, ")", 1, ref->start, false);
}

/* Copies the current frame's text to the output, expanding its references. */
static int expand_frame(expander *ex)
{
    const frame *f = &ex->stack[ex->depth];
    size_t copied_up_to = 0;
    size_t at = 0;
    while (at + 1 < f->len) {
        const char *percent = memchr(f->text + at, '%', f->len - at - 1);
        if (!percent)
            break;
        at = (size_t)(percent - f->text);
        if (f->text[at + 1] != '{') {
            at++;
            continue;
        }
        int rc = emit(ex, f->text + copied_up_to, at - copied_up_to, copied_up_to, true);
        if (rc)
            return rc;
        reference ref;
        rc = parse_reference(ex, at, &ref);
        if (rc)
            return rc;
        rc = expand_reference(ex, &ref);
        if (rc)
            return rc;
        at = copied_up_to = ref.end;
    }
    return emit(ex, f->text + copied_up_to, f->len - copied_up_to, copied_up_to, true);
}

static void expander_init(expander *ex, const ehs_grok_library *library, const char *root_name,
                          size_t root_name_len, const char *text, size_t length,
                          ehs_grok_error *error)
{
    *ex = (expander){ .library = library, .error = error };
    ex->stack[0] = (frame){ .name = root_name, .name_len = root_name_len, .text = text,
                            .len = length };
}

static void free_captures(ehs_grok_capture *captures, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(captures[i].name);
        free(captures[i].type);
    }
    free(captures);
}

int ehs_grok_expand_root(const ehs_grok_library *library, const char *root_name,
                         size_t root_name_len, const char *text, size_t length,
                         ehs_grok_expansion *out, ehs_grok_error *error)
{
    memset(out, 0, sizeof(*out));
    memset(error, 0, sizeof(*error));
    expander ex;
    expander_init(&ex, library, root_name, root_name_len, text, length, error);
    int rc = expand_frame(&ex);
    /* An empty expression still gets a NUL-terminated pattern. */
    if (rc == 0 && !ex.out) {
        ex.out = malloc(1);
        if (!ex.out)
            rc = out_of_memory(&ex);
    }
    free(ex.capture_frames);
    if (rc) {
        free(ex.out);
        free_captures(ex.captures, ex.capture_count);
        return rc;
    }
    ex.out[ex.out_len] = '\0';
    out->pattern = ex.out;
    out->pattern_len = ex.out_len;
    out->captures = ex.captures;
    out->capture_count = ex.capture_count;
    return 0;
}

int ehs_grok_locate_root(const ehs_grok_library *library, const char *root_name,
                         size_t root_name_len, const char *text, size_t length,
                         size_t pattern_offset, ehs_grok_location *where)
{
    ehs_grok_error error;
    memset(where, 0, sizeof(*where));
    expander ex;
    expander_init(&ex, library, root_name, root_name_len, text, length, &error);
    ex.locating = true;
    ex.target = pattern_offset;
    ex.found = where;
    int rc = expand_frame(&ex);
    free(ex.capture_frames);
    free_captures(ex.captures, ex.capture_count);
    if (rc) {
        memset(where, 0, sizeof(*where));
        return rc;
    }
    if (!ex.located)
        resolve(&ex, 0, length, where); /* the end of the pattern, or past it */
    return 0;
}

int ehs_grok_expand(const ehs_grok_library *library, const char *expression, size_t length,
                    ehs_grok_expansion *out, ehs_grok_error *error)
{
    return ehs_grok_expand_root(library, NULL, 0, expression, length, out, error);
}

int ehs_grok_locate(const ehs_grok_library *library, const char *expression, size_t length,
                    size_t pattern_offset, ehs_grok_location *where)
{
    return ehs_grok_locate_root(library, NULL, 0, expression, length, pattern_offset, where);
}

void ehs_grok_expansion_free(ehs_grok_expansion *expansion)
{
    if (!expansion)
        return;
    free(expansion->pattern);
    free_captures(expansion->captures, expansion->capture_count);
    memset(expansion, 0, sizeof(*expansion));
}
