/* The inputs of `ehshim learn`; see learn_input.h. */
#include "learn_input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "capture_reader.h"
#include "config_report.h"
#include "ehd/ehd_capture.h"
#include "ehd/ehd_decode.h"
#include "grow_array.h"

/* What the filter compares: the message as `ehshim parse` would give it to
 * the engine (an exe the rule can compare only when an ident is known, as
 * parse takes the ident for the exe). A rule that matches, drop rules
 * included, covers the message already. */
static bool not_covered(void *context, const char *line, size_t len)
{
    const learn_filter *filter = context;
    learn_input *in = filter->in;
    const char *ident = in->message_ident != NULL ? in->message_ident : in->ident;
    size_t ident_len = in->message_ident != NULL ? in->message_ident_len
                       : ident != NULL          ? strlen(ident)
                                                : 0;
    ehs_message message = {
        .source = filter->source,
        .ident = ident != NULL ? ident : "",
        .ident_len = ident_len,
        .exe = ident,
        .exe_len = ident_len,
        .priority = LOG_USER | LOG_INFO,
        .text = line,
        .len = len,
    };
    ehs_outcome outcome;
    /* Only which rule takes the line counts: a rate limit's reports that
     * come first are not about it. */
    while (ehs_engine_build(in->existing, in->state, &message, in->builder, &outcome) ==
           EHS_REPORT)
        ;
    return outcome.rule == NULL;
}

int learn_input_open(learn_input *in, ehs_source source, const char *ident,
                     const char *existing_path)
{
    *in = (learn_input){ .source = source, .ident = ident };
    in->feed = (learn_feed){ .main = &in->text, .bare = &in->bare };
    if (existing_path == NULL)
        return 0;
    in->existing = config_load_reporting(existing_path);
    if (in->existing == NULL)
        return 1;
    in->state = ehs_thread_state_new(in->existing);
    in->builder = ehd_builder_new(NULL);
    if (in->state == NULL || in->builder == NULL) {
        fprintf(stderr, "ehshim learn: out of memory\n");
        return 1;
    }
    for (int s = EHS_SOURCE_ANY + 1; s < EHS_SOURCE_COUNT; s++) {
        in->filters[s] = (learn_filter){ .in = in, .source = (ehs_source)s };
        in->learners[s].wanted = not_covered;
        in->learners[s].wanted_context = &in->filters[s];
    }
    return 0;
}

/* Does the name end in ".dat"? Such a file is read as a capture even when
 * its first record is broken, so that it is reported, not learned as text. */
static bool named_dat(const char *path)
{
    size_t len = strlen(path);
    return len > 4 && strcmp(path + len - 4, ".dat") == 0;
}

/* Is the item a top-level string field named `name`? A field name may
 * carry ";attr=value" after the name. */
static bool is_string_field(const ehd_item *item, const char *name)
{
    size_t len = strlen(name);
    return item->kind == EHD_ITEM_VALUE && item->depth == 0 && item->array_flags == 0 &&
           (item->encoding == EHD_ENC_STRING_LENGTH16_CHAR8 ||
            item->encoding == EHD_ENC_ZSTRING_CHAR8) &&
           item->name_len >= len && memcmp(item->name, name, len) == 0 &&
           (item->name_len == len || item->name[len] == ';');
}

/* The source whose default event `view` is, EHS_SOURCE_ANY when it is none
 * (a rule's event), or `fallback` for a default event of the existing
 * config's own name whose keyword does not tell the source. */
static ehs_source default_source(const learn_input *in, const ehd_event_view *view)
{
    const char *name = view->event_name;
    size_t len = view->event_name_plain_len;
    for (int s = EHS_SOURCE_ANY + 1; s < EHS_SOURCE_COUNT; s++) {
        const char *own = ehs_source_event_name((ehs_source)s);
        if (strlen(own) == len && memcmp(own, name, len) == 0)
            return (ehs_source)s;
    }
    const ehs_default_event *def = in->existing != NULL ? &in->existing->default_event : NULL;
    if (def == NULL || def->name == NULL || strlen(def->name) != len ||
        memcmp(def->name, name, len) != 0)
        return EHS_SOURCE_ANY;
    for (int s = EHS_SOURCE_ANY + 1; s < EHS_SOURCE_COUNT && !def->has_keyword; s++)
        if (view->keyword == ehs_source_keyword((ehs_source)s))
            return (ehs_source)s;
    return in->source;
}

/* Learns the message of one record's event, or counts the event as
 * matched. Returns 0, ENOMEM, or an error of the event with `problem`
 * filled. */
static int learn_event(learn_input *in, const ehd_capture_record *record,
                       ehd_decode_error *problem)
{
    ehd_event_view view;
    int err = ehd_event_parse(&view, record->tracepoint_name, record->name_len, record->event,
                              record->event_size, problem);
    if (err != 0)
        return err;
    ehs_source source = default_source(in, &view);
    if (source == EHS_SOURCE_ANY) {
        in->matched++;
        return 0;
    }
    const char *message_field = in->existing != NULL && in->existing->message_field != NULL
                                    ? in->existing->message_field
                                    : "msg";
    ehd_item message = { 0 }, ident = { 0 }, item;
    ehd_enumerator e;
    ehd_enum_start(&e, &view);
    while ((err = ehd_enum_next(&e, &item, problem)) == 0) {
        if (message.kind == 0 && is_string_field(&item, message_field))
            message = item;
        else if (ident.kind == 0 && is_string_field(&item, "ident"))
            ident = item;
    }
    if (err != ENODATA)
        return err;
    if (message.kind == 0) {
        /* A config that leaves the message out: nothing to learn from. */
        in->learners[source].skipped++;
        return 0;
    }
    /* A grouped record's rule matches its first line, so that is what is
     * learned; a NUL cannot be part of a constant (as in text lines). */
    const char *text = (const char *)message.value;
    const char *newline = memchr(text, '\n', message.value_size);
    size_t len = newline != NULL ? (size_t)(newline - text) : message.value_size;
    char *copy = ehd__grow_array(in->message, &in->message_capacity, len + 1, 1, 256);
    if (copy == NULL)
        return ENOMEM;
    in->message = copy;
    for (size_t i = 0; i < len; i++)
        copy[i] = text[i] != '\0' ? text[i] : ' ';
    in->message_ident = ident.kind != 0 ? (const char *)ident.value : "";
    in->message_ident_len = ident.kind != 0 ? ident.value_size : 0;
    bool added = learner_add(&in->learners[source], copy, len);
    in->message_ident = NULL;
    return added ? 0 : ENOMEM;
}

/* Learns from the capture file open at `fd`, whose first `head_len` bytes
 * were read already into `head`; false after printing. */
static bool learn_capture(learn_input *in, int fd, const char *shown, const uint8_t *head,
                          size_t head_len)
{
    capture_reader r = { .fd = fd };
    if (head_len != 0) {
        r.buf = malloc(head_len);
        if (r.buf == NULL) {
            fprintf(stderr, "ehshim learn: %s: out of memory\n", shown);
            return false;
        }
        memcpy(r.buf, head, head_len);
        r.capacity = r.end = head_len;
    }
    bool ok = true;
    size_t offset = 0;
    for (unsigned long number = 1; ok; number++) {
        const char *why = NULL;
        size_t at = 0, size = 0;
        int err = capture_reader_next(&r, &at, &size, &why);
        if (err == ENODATA)
            break;
        ehd_capture_record record;
        size_t within = 0;
        ehd_decode_error problem = { 0 };
        if (err == 0) {
            in->events++;
            err = ehd_capture_next(r.buf + at, size, &within, &record, &why);
        }
        if (err == 0)
            err = learn_event(in, &record, &problem);
        if (err == 0) {
            offset += size;
            continue;
        }
        ok = false;
        if (err == ENOMEM)
            fprintf(stderr, "ehshim learn: %s: out of memory\n", shown);
        else if (err == EBADMSG || err == ENOTSUP || err == E2BIG)
            fprintf(stderr, "ehshim learn: %s: record %lu at offset %zu: %s\n", shown, number,
                    offset,
                    why != NULL                  ? why
                    : problem.message[0] != '\0' ? problem.message
                                                 : strerror(err));
        else
            fprintf(stderr, "ehshim learn: %s: %s\n", shown, strerror(err));
    }
    capture_reader_free(&r);
    return ok;
}

/* A pipe's first bytes, read to tell a capture from text, then the rest of
 * the pipe: what the line reader gets when it is text. */
typedef struct replay {
    int fd;
    const uint8_t *head;
    size_t len, pos;
} replay;

static ssize_t replay_read(void *cookie, char *buf, size_t size)
{
    replay *r = cookie;
    if (r->pos < r->len) {
        size_t n = r->len - r->pos < size ? r->len - r->pos : size;
        memcpy(buf, r->head + r->pos, n);
        r->pos += n;
        return (ssize_t)n;
    }
    ssize_t n;
    do
        n = read(r->fd, buf, size);
    while (n < 0 && errno == EINTR);
    return n;
}

/* Reads up to `size` bytes, fewer only at the end; -1 on a read error. */
static ssize_t read_head(int fd, uint8_t *buf, size_t size)
{
    size_t len = 0;
    while (len < size) {
        ssize_t n = read(fd, buf + len, size - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        len += (size_t)n;
    }
    return (ssize_t)len;
}

/* Learns from the open file `fd`, whose stream `text` has read nothing
 * yet; false after printing. A regular file is looked at with pread and
 * read from its start; anything else (a pipe) can be read once only, so its
 * first bytes are kept for whichever reader it turns out to need. */
static bool learn_fd(learn_input *in, int fd, FILE *text, const char *shown, bool dat,
                     learn_line_reader read_lines)
{
    struct stat st;
    bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    uint8_t head[CAPTURE_SNIFF_BYTES];
    ssize_t head_len = 0;
    if (!regular && (head_len = read_head(fd, head, sizeof head)) < 0) {
        fprintf(stderr, "ehshim learn: %s: %s\n", shown, strerror(errno));
        return false;
    }
    if (dat || (regular ? capture_reader_sniff(fd) : capture_reader_looks(head, (size_t)head_len)))
        return learn_capture(in, fd, shown, head, (size_t)head_len);
    replay rest = { .fd = fd, .head = head, .len = (size_t)head_len };
    FILE *replayed = NULL;
    if (!regular) {
        replayed = fopencookie(&rest, "r", (cookie_io_functions_t){ .read = replay_read });
        if (replayed == NULL) {
            fprintf(stderr, "ehshim learn: %s: %s\n", shown, strerror(errno));
            return false;
        }
    }
    bool ok = read_lines(in, replayed != NULL ? replayed : text);
    if (!ok)
        fprintf(stderr, "ehshim learn: %s: read failed or out of memory\n", shown);
    if (replayed != NULL)
        fclose(replayed);
    return ok;
}

bool learn_input_file(learn_input *in, const char *path, learn_line_reader read_lines)
{
    if (strcmp(path, "-") == 0)
        return learn_fd(in, STDIN_FILENO, stdin, "<stdin>", false, read_lines);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    FILE *text = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (text == NULL) {
        fprintf(stderr, "ehshim learn: %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    bool ok = learn_fd(in, fd, text, path, named_dat(path), read_lines);
    fclose(text);
    return ok;
}

/* Every learner of `in`, for sums: the capture ones, then text and bare. */
static const learner *learner_at(const learn_input *in, int i)
{
    return i < EHS_SOURCE_COUNT ? &in->learners[i] : i == EHS_SOURCE_COUNT ? &in->text : &in->bare;
}

enum { LEARNERS = EHS_SOURCE_COUNT + 2 };

unsigned long learn_input_messages(const learn_input *in)
{
    unsigned long n = 0;
    for (int i = 0; i < LEARNERS; i++)
        n += learner_at(in, i)->lines;
    return n;
}

size_t learn_input_templates(const learn_input *in)
{
    size_t n = 0;
    for (int i = 0; i < LEARNERS; i++)
        n += learner_at(in, i)->template_count;
    return n;
}

bool learn_input_text_line(learn_input *in, const char *line, size_t len)
{
    /* The existing rules see the whole line, prefix and all. */
    if (in->existing != NULL && !not_covered(&in->filters[in->source], line, len)) {
        in->text.lines++;
        in->text.known++;
        return true;
    }
    return learn_feed_line(&in->feed, line, len);
}

bool learn_input_end(learn_input *in)
{
    if (!learn_feed_end(&in->feed))
        return false;
    in->prefix = in->feed.format;
    for (int s = EHS_SOURCE_ANY + 1; s < EHS_SOURCE_COUNT; s++)
        if (!learner_finish(&in->learners[s]))
            return false;
    return learner_finish(&in->text) && learner_finish(&in->bare);
}

static size_t rules_of(const learner *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->template_count; i++)
        n += !l->templates[i].merged;
    return n;
}

size_t learn_input_rules(const learn_input *in)
{
    size_t n = 0;
    for (int i = 0; i < LEARNERS; i++)
        n += rules_of(learner_at(in, i));
    return n;
}

size_t learn_input_taken_names(const learn_input *in, char (*names)[64])
{
    size_t n = 0;
    for (int s = EHS_SOURCE_ANY + 1; s < EHS_SOURCE_COUNT; s++, n++)
        if (names != NULL)
            snprintf(names[n], 64, "%s", ehs_source_event_name((ehs_source)s));
    if (in->existing == NULL)
        return n;
    if (in->existing->default_event.name != NULL) {
        if (names != NULL)
            snprintf(names[n], 64, "%.63s", in->existing->default_event.name);
        n++;
    }
    for (size_t i = 0; i < in->existing->rule_count; i++, n++)
        if (names != NULL)
            snprintf(names[n], 64, "%.63s", in->existing->rules[i].name);
    return n;
}

void learn_input_report(const learn_input *in)
{
    unsigned long skipped = 0, known = 0;
    for (int i = 0; i < LEARNERS; i++) {
        skipped += learner_at(in, i)->skipped;
        known += learner_at(in, i)->known;
    }
    fprintf(stderr, "ehshim learn: %lu lines, %zu rules", learn_input_messages(in),
            learn_input_rules(in));
    if (skipped != 0)
        fprintf(stderr, ", %lu lines not learned (empty, or past %d templates)", skipped,
                LEARN_TEMPLATES_MAX);
    if (in->existing != NULL)
        fprintf(stderr, ", %lu lines matched by a rule of %s", known, in->existing->path);
    if (in->events != 0)
        fprintf(stderr, "; %lu capture events, %lu skipped (a rule had matched them)",
                in->events, in->matched);
    fputc('\n', stderr);
    if (in->prefix != NULL)
        fprintf(stderr, "ehshim learn: prefix %s on %lu lines, in every rule of theirs\n",
                in->prefix->name, in->feed.fitted);
}

void learn_input_close(learn_input *in)
{
    for (int s = 0; s < EHS_SOURCE_COUNT; s++)
        learner_free(&in->learners[s]);
    learner_free(&in->text);
    learner_free(&in->bare);
    learn_feed_free(&in->feed);
    ehs_thread_state_free(in->state);
    ehd_builder_free(in->builder);
    ehs_config_free(in->existing);
    free(in->message);
    *in = (learn_input){ 0 };
}
