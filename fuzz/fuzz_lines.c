/*
 * The shim's line assembler (shim/lines.h) on any sequence of writes,
 * against a reference model kept here: a line is everything up to a '\n';
 * each complete line reaches the sink exactly once, in order, with its
 * first min(length, capacity) bytes intact. A line longer than the
 * capacity arrives as exactly `capacity` bytes, which is how the engine
 * (capacity = max_message_bytes + EHS_STDERR_PREFIX_MAX + 1) knows to flag
 * it truncated. Flush
 * passes an unfinished line the same way; discard forgets it.
 *
 * Input: byte 0 picks the capacity, then operations:
 *   0xFF flush, 0xFE discard, 0xFD write all the rest,
 *   n < 0xFD write the next n bytes (fewer at the end of the input).
 * Every write is copied into a heap block of exactly its size so that
 * AddressSanitizer sees a read past it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lines.h"

enum { MAX_CAPACITY = 4096, MAX_LINES = 1 << 16 };

/* What the sink received during one operation. */
typedef struct received {
    size_t count;
    size_t len[MAX_LINES];
    size_t offset[MAX_LINES];   /* into `bytes` */
    const char *pointer[MAX_LINES];
    char bytes[1 << 20];
    size_t used;
} received;

/* The reference model: the first `capacity` bytes of the current line,
 * and its full length. */
typedef struct model {
    size_t capacity;
    char kept[MAX_CAPACITY];
    size_t len;
} model;

static received got;

static void sink(void *context, const char *text, size_t len)
{
    received *r = context;
    FUZZ_CHECK(r->count < MAX_LINES && r->used + len <= sizeof r->bytes, "too many lines");
    memcpy(r->bytes + r->used, text, len);
    r->len[r->count] = len;
    r->offset[r->count] = r->used;
    r->pointer[r->count] = text;
    r->used += len;
    r->count++;
}

/* Checks the next received line against the model's current line, and
 * whether it came straight from the write when it arrived in one piece. */
static void expect_line(const model *m, size_t *next, const char *write, size_t write_len,
                        bool started_here)
{
    size_t i = (*next)++;
    FUZZ_CHECK(i < got.count, "line %zu never arrived", i);
    size_t want = m->len < m->capacity ? m->len : m->capacity;
    FUZZ_CHECK(got.len[i] == want, "line %zu: %zu bytes, want %zu (line of %zu, capacity %zu)",
               i, got.len[i], want, m->len, m->capacity);
    FUZZ_CHECK(memcmp(got.bytes + got.offset[i], m->kept, want) == 0, "line %zu: bytes differ", i);
    if (started_here && write != NULL)
        FUZZ_CHECK(got.pointer[i] >= write && got.pointer[i] + want <= write + write_len,
                   "a line in one piece was copied");
}

static void model_add(model *m, char c)
{
    if (m->len < m->capacity)
        m->kept[m->len] = c;
    m->len++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static model m;
    m.capacity = data[0] < 0xF0 ? 1u + data[0] % 32u : (size_t)(data[0] - 0xEF) * 256u;
    m.len = 0;
    static char storage[MAX_CAPACITY];
    shim_line line;
    shim_line_init(&line, storage, m.capacity);

    size_t i = 1;
    while (i < size) {
        uint8_t op = data[i++];
        got.count = 0;
        got.used = 0;
        size_t next = 0;
        if (op == 0xFF) {
            bool pending = m.len > 0;
            shim_line_flush(&line, sink, &got);
            if (pending)
                expect_line(&m, &next, NULL, 0, false);
            m.len = 0;
        } else if (op == 0xFE) {
            shim_line_discard(&line);
            m.len = 0;
        } else {
            size_t n = op == 0xFD ? size - i : op;
            if (n > size - i)
                n = size - i;
            char *write = malloc(n > 0 ? n : 1);
            FUZZ_CHECK(write != NULL, "out of memory");
            memcpy(write, data + i, n);
            i += n;
            shim_line_feed(&line, write, n, sink, &got);
            bool started_here = m.len == 0;
            for (size_t k = 0; k < n; k++) {
                if (write[k] == '\n') {
                    expect_line(&m, &next, write, n, started_here);
                    m.len = 0;
                    started_here = true;
                } else {
                    model_add(&m, write[k]);
                }
            }
            free(write);
        }
        FUZZ_CHECK(next == got.count, "%zu lines arrived, %zu expected", got.count, next);
        FUZZ_CHECK(shim_line_pending(&line) == (m.len > 0), "pending says %d with %zu bytes",
                   shim_line_pending(&line), m.len);
    }
    return 0;
}
