/*
 * Holding back the first lines of `ehshim learn` until their prefix is
 * known (learn_feed.h). The prefix must be known before the first line is
 * learned: a learner cannot take a line back out of a template.
 */
#include <stdlib.h>
#include <string.h>

#include "grow_array.h"
#include "learn_feed.h"

static bool learn(learn_feed *f, const char *line, size_t len)
{
    size_t message;
    if (f->prefix == NULL)
        return learner_add(f->main, line, len);
    if (!learn_prefix_split(f->prefix, line, len, &message))
        return learner_add(f->bare, line, len);
    f->fitted++;
    return learner_add(f->main, line + message, len - message);
}

/* Chooses the prefix from the lines held and `extra` (a line too big to be
 * held; NULL for none), then learns the held lines. */
static bool decide(learn_feed *f, const char *extra, size_t extra_len)
{
    size_t n = f->count + (extra != NULL);
    const char **lines = calloc(n + 1, sizeof *lines);
    size_t *lens = calloc(n + 1, sizeof *lens);
    bool ok = lines != NULL && lens != NULL;
    for (size_t i = 0; ok && i < f->count; i++) {
        size_t start = i > 0 ? f->ends[i - 1] : 0;
        lines[i] = f->bytes + start;
        lens[i] = f->ends[i] - start;
    }
    if (ok && extra != NULL) {
        lines[f->count] = extra;
        lens[f->count] = extra_len;
    }
    if (ok)
        f->format = learn_prefix_detect(lines, lens, n, &f->sample_fitting);
    if (ok && f->format != NULL) {
        f->prefix = learn_prefix_new(f->format);
        ok = f->prefix != NULL;
    }
    f->decided = true;
    for (size_t i = 0; ok && i < f->count; i++)
        ok = learn(f, lines[i], lens[i]);
    free(lines);
    free(lens);
    free(f->bytes);
    free(f->ends);
    f->bytes = NULL;
    f->ends = NULL;
    f->count = f->bytes_used = f->bytes_capacity = f->ends_capacity = 0;
    return ok;
}

static bool hold(learn_feed *f, const char *line, size_t len)
{
    char *bytes = ehd__grow_array(f->bytes, &f->bytes_capacity, f->bytes_used + len + 1, 1, 4096);
    if (bytes == NULL)
        return false;
    f->bytes = bytes;
    size_t *ends = ehd__grow_array(f->ends, &f->ends_capacity, f->count + 1, sizeof *f->ends, 64);
    if (ends == NULL)
        return false;
    f->ends = ends;
    memcpy(f->bytes + f->bytes_used, line, len);
    f->bytes_used += len;
    f->ends[f->count++] = f->bytes_used;
    return true;
}

bool learn_feed_line(learn_feed *f, const char *line, size_t len)
{
    if (f->decided)
        return learn(f, line, len);
    if (f->bytes_used + len > LEARN_FEED_SAMPLE_BYTES)
        return decide(f, line, len) && learn(f, line, len);
    if (!hold(f, line, len))
        return false;
    return f->count < LEARN_FEED_SAMPLE_LINES || decide(f, NULL, 0);
}

bool learn_feed_end(learn_feed *f)
{
    return f->decided || decide(f, NULL, 0);
}

void learn_feed_free(learn_feed *f)
{
    if (f == NULL)
        return;
    learn_prefix_free(f->prefix);
    free(f->bytes);
    free(f->ends);
    f->prefix = NULL;
    f->bytes = NULL;
    f->ends = NULL;
}
