/*
 * Multi-line grouping: the grouper (ehs/ehs_group.h), the built-in
 * detectors (config/src/detect.h) and the record fields the engine adds
 * (config/src/engine_record.c), on any sequence of writes. Lines reach the
 * grouper through the shim's line assembler (shim/lines.h), so a line is
 * what the shim would pass on.
 *
 * Every input runs twice, through a fresh grouper each time:
 *   - as the shim feeds it: the EHS_LINE_* flags of shim/group.c's
 *     line_of_write (SAME_WRITE after a write's first line, MORE_IN_WRITE
 *     when another complete line follows in the write, WRITES_KNOWN), and
 *     a clock;
 *   - as `ehshim parse` feeds it: no flags, and a clock only when byte 1's
 *     bit 0 says so (parse has none; the shim's other threads' lines come
 *     without flags but with a clock).
 * Checked on every record the sink gets:
 *   - its text lies inside the grouper's storage (and fits its capacity) or
 *     inside the line being fed, and nowhere else;
 *   - 1 <= lines <= max_lines; a detector only on a record of 2 or more
 *     lines, and only one the spec names;
 *   - its text is its lines as fed, joined with '\n' (in storage, without
 *     their final '\r' when strip_cr; a line passed straight on keeps it
 *     for the engine to strip, once), whole when not cut
 *     and a prefix of that when cut; so records take the fed lines in
 *     order, none lost, none taken twice (a tentative line given back is a
 *     record of one line), and at the end every fed line is in a record
 *     and the grouper is not open;
 *   - every detector's describe, given the record in a heap block of its
 *     exact size and max_frames of 0, 1, 3 and EHS_FRAMES_MAX (in heap
 *     blocks of exactly that many frames): type, message, and each frame's
 *     file and function inside the record; the same count, exception and
 *     leading frames whatever max_frames is;
 *   - the record as an ehs_message (record_lines, record_detector,
 *     record_cut) built by the real engine decodes (fuzz.h).
 *
 * Input:
 *   byte 0  the config, an index into `specs` below (modulo their count);
 *   byte 1  bit 0: the no-flags run has a clock; bits 1..7 (k): the line
 *           assembler's capacity is the shim's for the config when k is 0,
 *           else 8k bytes (longer lines arrive cut);
 *   then operations:
 *     0xFF        the program exits: the unfinished line, if any, goes on
 *                 without flags, then ehs_grouper_flush;
 *     0xFE b      the clock advances 8*b ms, then ehs_grouper_expire;
 *     0xFD        write all the rest;
 *     n < 0xFD    write the next n bytes (fewer at the end of the input).
 * At the end, the 0xFF operation. Every write is copied into a heap block
 * of exactly its size, and so is the grouper's storage and the assembler's,
 * so that AddressSanitizer sees a read past any of them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "engine_record.h"
#include "ehs/ehs_group.h"
#include "fuzz.h"
#include "lines.h"

/* Detector indexes follow ehs_detectors: python, java, go, rust, ruby,
 * cxx, postgresql; fuzz/run.sh names configs by these indexes. */
#define ALL_DETECTORS "[\"python\", \"java\", \"go\", \"rust\", \"ruby\", \"cxx\", \"postgresql\"]"
#define ALONE(name) "{ \"multiline\": { \"stderr\": { \"detectors\": [\"" name "\"] } } }"

static const char *const specs[] = {
    /* 0: what a program of unknown runtime would get, with rules whose
     * captures share the record fields' names (a capture wins). */
    "{ \"multiline\": { \"stderr\": { \"detectors\": " ALL_DETECTORS ", \"write\": true,"
    "  \"hold_ms\": 50 } },"
    "  \"rules\": [ { \"name\": \"Shadow\", \"source\": \"stderr\", \"match_text\": \"record\","
    "    \"regex\": \"^(?<exception_type>\\\\w+)Error: (?<lines>\\\\d+)(?s:.*)(?<frames>at)\" },"
    "    { \"name\": \"First\", \"source\": \"stderr\","
    "      \"regex\": \"^Traceback|^Exception in thread|^panic|^thread '\" } ] }",
    /* 1..7: each detector alone */
    ALONE("python"),
    ALONE("java"),
    ALONE("go"),
    ALONE("rust"),
    ALONE("ruby"),
    ALONE("cxx"),
    ALONE("postgresql"),
    /* 8: custom start, continue and end */
    "{ \"multiline\": { \"stderr\": { \"start\": \"^BEGIN\", \"continue\": \"^[ \\\\t]\","
    "  \"end\": \"^END\", \"hold_ms\": 100 } } }",
    /* 9: a start pattern alone: every line up to the next start */
    "{ \"multiline\": { \"stderr\": { \"start\": \"^\\\\[?\\\\d\", \"max_lines\": 5 } } }",
    /* 10: a continue pattern alone, small records */
    "{ \"multiline\": { \"stderr\": { \"continue\": \"^\\\\s\", \"max_bytes\": 256 } } }",
    /* 11: custom end with detectors and write: who owns what */
    "{ \"multiline\": { \"stderr\": { \"end\": \"\\\\.$\", \"detectors\": [\"python\", \"java\"],"
    "  \"write\": true, \"max_lines\": 4 } } }",
    /* 12..14: the caps */
    "{ \"multiline\": { \"stderr\": { \"detectors\": " ALL_DETECTORS ", \"write\": true,"
    "  \"max_lines\": 2, \"max_bytes\": 256 } } }",
    "{ \"multiline\": { \"stderr\": { \"detectors\": [\"python\", \"go\", \"java\"],"
    "  \"max_lines\": 3, \"max_bytes\": 256, \"hold_ms\": 1 } } }",
    "{ \"multiline\": { \"stderr\": { \"detectors\": [\"rust\", \"ruby\", \"cxx\", \"postgresql\"],"
    "  \"write\": true, \"max_lines\": 5, \"max_bytes\": 256 } } }",
    /* 15: write alone */
    "{ \"multiline\": { \"stderr\": { \"write\": true, \"max_lines\": 4 } } }",
    /* 16: '\r' kept, small messages: the engine's room for record fields */
    "{ \"strip_cr\": false, \"max_message_bytes\": 300,"
    "  \"multiline\": { \"stderr\": { \"detectors\": " ALL_DETECTORS ", \"write\": true,"
    "  \"max_bytes\": 256 } } }",
};
enum { SPEC_COUNT = sizeof specs / sizeof specs[0] };

static fuzz_config configs[SPEC_COUNT];

/* The lines fed in this run, in order, as the grouper got them. */
typedef struct fed_lines {
    char *bytes;
    size_t *offset;    /* count + 1 of them */
    size_t count;
    size_t max;
    size_t used;
} fed_lines;

/* One run. */
typedef struct run {
    fuzz_config *fc;
    const ehs_multiline *spec;
    ehs_grouper grouper;
    char *storage;
    size_t capacity;
    bool shim_flags;
    /* line_of_write's state for the current write */
    const char *next;
    const char *end;
    unsigned write_lines;
    /* the line being fed, for where a record may point */
    const char *line;
    size_t line_len;
    fed_lines fed;
    size_t taken;      /* fed lines that records took so far */
} run;

static uint64_t fake_now;
static uint64_t fake_clock(void)
{
    return fake_now;
}

static bool inside(const char *base, size_t len, const char *p, size_t n)
{
    return p >= base && (size_t)(p - base) <= len && n <= len - (size_t)(p - base);
}

/* describe with `max_frames` frames in a block of exactly that size;
 * returns the count and copies what it wrote to `frames_out`. */
static size_t describe_with(const ehs_detector *d, const char *text, size_t len,
                            size_t max_frames, ehs_exception *exception, ehs_frame *frames_out)
{
    ehs_frame *frames = malloc(max_frames * sizeof *frames + (max_frames == 0));
    FUZZ_CHECK(frames != NULL, "out of memory");
    memset(frames, 0xA5, max_frames * sizeof *frames);
    *exception = (ehs_exception){ 0 };
    size_t count = d->describe(text, len, exception, frames, max_frames);
    const char *name = d->name;
    FUZZ_CHECK(exception->type == NULL || inside(text, len, exception->type, exception->type_len),
               "%s: type outside the record", name);
    FUZZ_CHECK(exception->message == NULL ||
                   inside(text, len, exception->message, exception->message_len),
               "%s: message outside the record", name);
    size_t written = count < max_frames ? count : max_frames;
    for (size_t i = 0; i < written; i++) {
        const ehs_frame *f = &frames[i];
        FUZZ_CHECK(f->file == NULL || inside(text, len, f->file, f->file_len),
                   "%s: frame %zu's file outside the record", name, i);
        FUZZ_CHECK(f->function == NULL || inside(text, len, f->function, f->function_len),
                   "%s: frame %zu's function outside the record", name, i);
    }
    memcpy(frames_out, frames, written * sizeof *frames);
    free(frames);
    return count;
}

static bool same_text(const char *a, size_t a_len, const char *b, size_t b_len)
{
    return (a == NULL) == (b == NULL) && (a == NULL || (a == b && a_len == b_len));
}

static bool same_frame(const ehs_frame *a, const ehs_frame *b)
{
    return same_text(a->file, a->file_len, b->file, b->file_len) &&
           same_text(a->function, a->function_len, b->function, b->function_len) &&
           a->has_line == b->has_line && (!a->has_line || a->line == b->line);
}

static void describe_all(const ehs_detector *d, const char *text, size_t len)
{
    static ehs_frame full[EHS_FRAMES_MAX], some[EHS_FRAMES_MAX];
    ehs_exception exception, other;
    size_t count = describe_with(d, text, len, EHS_FRAMES_MAX, &exception, full);
    static const size_t fewer[] = { 0, 1, 3 };
    for (size_t k = 0; k < sizeof fewer / sizeof fewer[0]; k++) {
        size_t max = fewer[k];
        size_t got = describe_with(d, text, len, max, &other, some);
        FUZZ_CHECK(got == count, "%s: %zu frames with room for %zu, %zu with room for %d",
                   d->name, got, max, count, EHS_FRAMES_MAX);
        FUZZ_CHECK(same_text(other.type, other.type_len, exception.type, exception.type_len) &&
                       same_text(other.message, other.message_len, exception.message,
                                 exception.message_len),
                   "%s: another exception with room for %zu frames", d->name, max);
        for (size_t i = 0; i < max && i < count; i++)
            FUZZ_CHECK(same_frame(&some[i], &full[i]), "%s: frame %zu differs with room for %zu",
                       d->name, i, max);
    }
}

/* Whether `segment` is fed line `line` as a record keeps it: without a
 * final '\r' when `stripped` (storage, strip_cr). A cut record's last
 * segment may be a prefix. */
static bool segment_matches(const char *segment, size_t len, const char *line, size_t line_len,
                            bool stripped, bool prefix)
{
    size_t want = line_len;
    if (stripped && want > 0 && line[want - 1] == '\r')
        want--;
    if (len == want && memcmp(segment, line, len) == 0)
        return true;
    return prefix && len <= want && memcmp(segment, line, len) == 0;
}

static void check_record(run *r, const ehs_record *record)
{
    const ehs_grouper *g = &r->grouper;
    const ehs_multiline *spec = r->spec;
    bool in_storage = inside(r->storage, r->capacity, record->text, record->len);
    bool in_line = r->line != NULL && inside(r->line, r->line_len, record->text, record->len);
    FUZZ_CHECK(in_storage || in_line, "a record of %zu bytes outside storage and line",
               record->len);
    /* A line passed straight on may be longer than the storage. */
    FUZZ_CHECK(!in_storage || record->len <= g->capacity, "a record of %zu bytes, capacity %zu",
               record->len, g->capacity);
    FUZZ_CHECK(record->lines >= 1 && record->lines <= spec->max_lines,
               "a record of %u lines, max_lines %u", record->lines, spec->max_lines);
    FUZZ_CHECK(in_storage || record->lines == 1, "a record of %u lines from the line",
               record->lines);
    FUZZ_CHECK(record->detector == 0 || record->lines > 1, "detector %u on one line",
               record->detector);
    bool named = record->detector == 0;
    for (size_t i = 0; i < spec->detector_count; i++)
        named |= record->detector == spec->detectors[i] + 1u;
    FUZZ_CHECK(named, "detector %u is not the spec's", record->detector);

    size_t newlines = 0;
    for (size_t i = 0; i < record->len; i++)
        newlines += record->text[i] == '\n';
    if (!record->cut)
        FUZZ_CHECK(newlines == record->lines - 1u, "%zu newlines in an uncut record of %u lines",
                   newlines, record->lines);
    else
        FUZZ_CHECK(newlines <= record->lines - 1u, "%zu newlines in a cut record of %u lines",
                   newlines, record->lines);

    /* The record's text against the fed lines it takes. */
    FUZZ_CHECK(r->taken + record->lines <= r->fed.count,
               "records took %zu + %u lines of %zu fed", r->taken, record->lines, r->fed.count);
    /* A line passed straight on keeps its '\r' for the engine to strip. */
    bool stripped = in_storage && spec->strip_cr;
    const char *at = record->text;
    size_t left = record->len;
    for (uint32_t k = 0; k < record->lines; k++) {
        size_t i = r->taken + k;
        const char *line = r->fed.bytes + r->fed.offset[i];
        size_t line_len = r->fed.offset[i + 1] - r->fed.offset[i];
        const char *newline = memchr(at, '\n', left);
        size_t segment = newline != NULL ? (size_t)(newline - at) : left;
        bool last_segment = newline == NULL;
        FUZZ_CHECK(segment_matches(at, segment, line, line_len, stripped,
                                   record->cut && last_segment),
                   "line %u of a record of %u (fed line %zu, %zu bytes) is not as fed: "
                   "%zu bytes", k, record->lines, i, line_len, segment);
        if (last_segment) {
            FUZZ_CHECK(record->cut || k + 1 == record->lines, "an uncut record ends early");
            break;
        }
        at += segment + 1;
        left -= segment + 1;
    }
    r->taken += record->lines;

    /* The detectors on it, in a block of its exact size. */
    char *copy = malloc(record->len + (record->len == 0));
    FUZZ_CHECK(copy != NULL, "out of memory");
    memcpy(copy, record->text, record->len);
    for (size_t i = 0; i < ehs_detector_count; i++)
        describe_all(&ehs_detectors[i], copy, record->len);

    ehs_message message = {
        .source = EHS_SOURCE_STDERR,
        .ident = r->fc->idents[0],
        .ident_len = strlen(r->fc->idents[0]),
        .exe = r->fc->idents[0],
        .exe_len = strlen(r->fc->idents[0]),
        .text = copy,
        .len = record->len,
        .record_lines = record->lines,
        .record_detector = record->detector,
        .record_cut = record->cut,
    };
    fuzz_build_message(r->fc, &message, NULL);
    free(copy);
}

static void sink(void *context, const ehs_record *record)
{
    check_record(context, record);
}

static void feed_line(run *r, const char *text, size_t len, unsigned flags)
{
    FUZZ_CHECK(r->fed.count < r->fed.max, "more lines than the input has bytes");
    memcpy(r->fed.bytes + r->fed.used, text, len);
    r->fed.used += len;
    r->fed.offset[++r->fed.count] = r->fed.used;
    r->line = text;
    r->line_len = len;
    ehs_grouper_line(&r->grouper, r->fc->state, text, len, flags, sink, r);
    r->line = NULL;
    /* Lines cut for max_bytes count too: every fed line is in a record
     * passed on, or in the open one. */
    size_t open = ehs_grouper_open(&r->grouper)
                      ? (size_t)r->grouper.lines + r->grouper.held_lines
                      : 0;
    FUZZ_CHECK(r->taken + open == r->fed.count, "%zu lines fed, %zu in records, %zu open",
               r->fed.count, r->taken, open);
}

/* shim/group.c's line_of_write, or no flags. */
static void line_of_write(void *context, const char *text, size_t len)
{
    run *r = context;
    unsigned flags = 0;
    /* The shim passes flags only for a spec with write_bounds; the others
     * ignore them, which passing them here checks. */
    if (r->shim_flags && r->next != NULL) {
        flags |= EHS_LINE_WRITES_KNOWN;
        if (r->write_lines++ > 0)
            flags |= EHS_LINE_SAME_WRITE;
        const char *newline = memchr(r->next, '\n', (size_t)(r->end - r->next));
        if (newline != NULL) {
            r->next = newline + 1;
            if (memchr(r->next, '\n', (size_t)(r->end - r->next)) != NULL)
                flags |= EHS_LINE_MORE_IN_WRITE;
        }
    }
    feed_line(r, text, len, flags);
}

static void line_alone(void *context, const char *text, size_t len)
{
    feed_line(context, text, len, 0);
}

static void finish(run *r, shim_line *assembler)
{
    shim_line_flush(assembler, line_alone, r);
    ehs_grouper_flush(&r->grouper, sink, r);
    FUZZ_CHECK(!ehs_grouper_open(&r->grouper), "open after a flush");
    FUZZ_CHECK(r->taken == r->fed.count, "%zu lines fed, %zu in records", r->fed.count,
               r->taken);
}

static void run_input(fuzz_config *fc, const uint8_t *data, size_t size, bool shim_flags,
                      bool clock)
{
    run r = { .fc = fc, .spec = fc->config->multiline[EHS_SOURCE_STDERR] };
    FUZZ_CHECK(r.spec != NULL, "%s: no stderr grouping", fc->label);
    r.shim_flags = shim_flags;
    r.capacity = ehs_grouper_storage_size(r.spec);
    r.storage = malloc(r.capacity);
    FUZZ_CHECK(r.storage != NULL, "out of memory");
    ehs_grouper_init(&r.grouper, r.spec, r.storage, r.capacity, clock ? fake_clock : NULL);
    fake_now = 1000;

    unsigned k = data[1] >> 1;
    size_t line_capacity = k == 0 ? fc->config->max_message_bytes + EHS_STDERR_PREFIX_MAX + 1
                                  : 8u * k;
    char *line_storage = malloc(line_capacity);
    FUZZ_CHECK(line_storage != NULL, "out of memory");
    shim_line assembler;
    shim_line_init(&assembler, line_storage, line_capacity);

    /* No more lines than bytes, and no more bytes than the input has. */
    r.fed.max = size + 1;
    r.fed.bytes = malloc(size + 1);
    r.fed.offset = calloc(size + 2, sizeof *r.fed.offset);
    FUZZ_CHECK(r.fed.bytes != NULL && r.fed.offset != NULL, "out of memory");

    size_t i = 2;
    while (i < size) {
        uint8_t op = data[i++];
        if (op == 0xFF) {
            finish(&r, &assembler);
        } else if (op == 0xFE) {
            fake_now += 8u * (i < size ? data[i++] : 0);
            bool was_open = ehs_grouper_open(&r.grouper);
            bool expired = ehs_grouper_expire(&r.grouper, sink, &r);
            FUZZ_CHECK(!expired || (was_open && clock && !ehs_grouper_open(&r.grouper)),
                       "expired: was open %d, clock %d, open %d", was_open, clock,
                       ehs_grouper_open(&r.grouper));
        } else {
            size_t n = op == 0xFD ? size - i : op;
            if (n > size - i)
                n = size - i;
            char *write = malloc(n > 0 ? n : 1);
            FUZZ_CHECK(write != NULL, "out of memory");
            memcpy(write, data + i, n);
            i += n;
            r.next = write;
            r.end = write + n;
            r.write_lines = 0;
            shim_line_feed(&assembler, write, n, line_of_write, &r);
            r.next = r.end = NULL;
            free(write);
        }
    }
    finish(&r, &assembler);
    free(r.fed.bytes);
    free(r.fed.offset);
    free(line_storage);
    free(r.storage);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool loaded;
    if (!loaded) {
        for (size_t i = 0; i < SPEC_COUNT; i++) {
            char label[32];
            snprintf(label, sizeof label, "group-spec-%zu", i);
            fuzz_config_load_text(&configs[i], strdup(label), specs[i], strlen(specs[i]));
        }
        loaded = true;
    }
    if (size < 2)
        return 0;
    fuzz_config *fc = &configs[data[0] % SPEC_COUNT];
    run_input(fc, data, size, true, true);
    run_input(fc, data, size, false, data[1] & 1);
    return 0;
}
