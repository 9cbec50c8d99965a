/*
 * From perf records to JSON lines or capture records, in time order.
 *
 * Each CPU's ring is in time order by itself, but the rings are not with
 * each other. A round drains every ring; a sample stamped before the start
 * of the previous round can no longer be on its way (it was in its ring
 * when that round read it), so those are sorted and written, and later ones
 * wait for the next round -- the way `perf` orders its rounds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ehd/ehd_capture.h"
#include "ehd/eventheader.h"
#include "grow_array.h"
#include "listen.h"

/* The fixed part of a sample with PERF_RING_SAMPLE_TYPE, as the kernel
 * lays it out after the record header. */
struct sample_fields {
    uint64_t identifier;
    uint32_t pid, tid;
    uint64_t time;
    uint32_t cpu, reserved;
    uint32_t raw_size;
} __attribute__((packed));

struct lost_record {
    struct perf_event_header header;
    uint64_t id;
    uint64_t lost;
};

void listen_output_init(listen_output *out, const listen_session *session, int capture_fd)
{
    memset(out, 0, sizeof *out);
    out->session = session;
    out->capture_fd = capture_fd;
    ehd_text_init(&out->line);
}

void listen_output_free(listen_output *out)
{
    for (size_t i = 0; i < out->pending_count; i++)
        free(out->pending[i]);
    free(out->pending);
    ehd_text_free(&out->line);
    out->pending = NULL;
    out->pending_count = out->pending_capacity = 0;
}

static void keep_sample(listen_output *out, const struct perf_event_header *record)
{
    struct sample_fields fields;
    size_t available = record->size - sizeof *record;
    if (available < sizeof fields)
        return;
    memcpy(&fields, record + 1, sizeof fields);
    if (fields.raw_size > available - sizeof fields)
        return;
    const listen_tracepoint *tracepoint = listen_session_find_id(out->session, fields.identifier);
    if (tracepoint == NULL || fields.raw_size < tracepoint->header_offset)
        return;
    /* The raw data ends with padding to 8 bytes; EventHeader decoders
     * ignore bytes after the last field, as the reference does here. */
    const uint8_t *raw = (const uint8_t *)(record + 1) + sizeof fields;
    uint32_t size = fields.raw_size - (uint32_t)tracepoint->header_offset;

    listen_pending **grown = ehd__grow_array(out->pending, &out->pending_capacity,
                                             out->pending_count + 1, sizeof *grown, 256);
    if (grown == NULL) {
        out->failed++;
        return;
    }
    out->pending = grown;
    listen_pending *sample = malloc(sizeof *sample + size);
    if (sample == NULL) {
        out->failed++;
        return;
    }
    sample->time = fields.time;
    sample->sequence = out->next_sequence++;
    sample->cpu = fields.cpu;
    sample->pid = fields.pid;
    sample->tid = fields.tid;
    sample->tracepoint = (uint32_t)(tracepoint - out->session->tracepoints);
    sample->size = size;
    memcpy(sample->event, raw + tracepoint->header_offset, size);
    out->pending[out->pending_count++] = sample;
    out->received++;
}

static void consume_record(const struct perf_event_header *record, void *arg)
{
    listen_output *out = arg;
    if (record->type == PERF_RECORD_SAMPLE) {
        keep_sample(out, record);
    } else if (record->type == PERF_RECORD_LOST && record->size >= sizeof(struct lost_record)) {
        struct lost_record lost;
        memcpy(&lost, record, sizeof lost);
        out->lost += lost.lost;
    }
}

void listen_output_collect(listen_output *out)
{
    for (size_t i = 0; i < out->session->ring_count; i++)
        perf_ring_drain(&out->session->rings[i], consume_record, out);
    if (out->lost > out->lost_reported) {
        fprintf(stderr, "ehshim listen: %llu events lost: a ring buffer was full\n",
                (unsigned long long)(out->lost - out->lost_reported));
        out->lost_reported = out->lost;
    }
}

static int by_time(const void *a, const void *b)
{
    const listen_pending *x = *(listen_pending *const *)a, *y = *(listen_pending *const *)b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->sequence < y->sequence ? -1 : x->sequence > y->sequence;
}

static void write_json(listen_output *out, const listen_pending *sample)
{
    const listen_session *session = out->session;
    const listen_tracepoint *tracepoint = &session->tracepoints[sample->tracepoint];
    ehd_sample_meta meta = {
        .present = EHD_SAMPLE_TIME | EHD_SAMPLE_CPU | EHD_SAMPLE_PID_TID,
        .time_is_utc = session->monotonic_clock,
        .time_ns = session->monotonic_clock ? sample->time + (uint64_t)session->utc_offset_ns
                                            : sample->time,
        .cpu = sample->cpu,
        .pid = sample->pid,
        .tid = sample->tid,
    };
    ehd_decode_error problem;
    ehd_text_clear(&out->line);
    int err = ehd_decode_json_ex(&out->line, tracepoint->name, tracepoint->name_len,
                                 sample->event, sample->size, &meta, &problem);
    if (err != 0) {
        fprintf(stderr, "ehshim listen: %s: event of pid %u: %s\n", tracepoint->name,
                sample->pid, problem.message[0] != '\0' ? problem.message : strerror(err));
        out->failed++;
        return;
    }
    fwrite(out->line.chars, 1, out->line.len, stdout);
    putchar('\n');
    out->written++;
}

/* One record, one writev on the O_APPEND descriptor: records of concurrent
 * writers of the same file never interleave. */
static int write_record(listen_output *out, const listen_pending *sample)
{
    const listen_session *session = out->session;
    const listen_tracepoint *tracepoint = &session->tracepoints[sample->tracepoint];
    /* The sample's time, pid and tid go into the record as a capture stamp
     * (ehd_capture.h), so that `ehshim decode` shows what listen would
     * have: a header with the extension flag, the stamp block chained to
     * the event's own blocks, the rest of the event. The time is only
     * known in UTC with the monotonic clock; otherwise no stamp. */
    ehd_eventheader header;
    uint8_t block[sizeof(ehd_extension) + EHD_CAPTURE_STAMP_SIZE];
    struct iovec iov[5];
    int count = 0;
    size_t event_size = sample->size;
    uint8_t prefix[4];
    iov[count++] = (struct iovec){ prefix, sizeof prefix };
    iov[count++] = (struct iovec){ tracepoint->name, tracepoint->name_len + 1 };
    if (session->monotonic_clock && sample->size >= sizeof header) {
        memcpy(&header, sample->event, sizeof header);
        size_t block_size =
            ehd_capture_stamp_block(block, &header, sample->time + (uint64_t)session->utc_offset_ns,
                                    sample->pid, sample->tid);
        iov[count++] = (struct iovec){ &header, sizeof header };
        iov[count++] = (struct iovec){ block, block_size };
        iov[count++] = (struct iovec){ (void *)(sample->event + sizeof header),
                                       sample->size - sizeof header };
        event_size += block_size;
    } else {
        iov[count++] = (struct iovec){ (void *)sample->event, sample->size };
    }
    if (ehd_capture_size_word(prefix, tracepoint->name_len, event_size) != 0) {
        out->failed++;
        return 0;
    }
    size_t total = sizeof prefix + tracepoint->name_len + 1 + event_size;
    ssize_t written;
    do
        written = writev(out->capture_fd, iov, count);
    while (written < 0 && errno == EINTR);
    if (written < 0)
        return errno;
    if ((size_t)written != total)
        return EIO;
    out->written++;
    return 0;
}

int listen_output_flush(listen_output *out, uint64_t bound, bool everything)
{
    if (out->pending_count == 0)
        return 0;
    qsort(out->pending, out->pending_count, sizeof *out->pending, by_time);
    size_t done = 0;
    int err = 0;
    while (done < out->pending_count && err == 0 &&
           (everything || out->pending[done]->time <= bound)) {
        listen_pending *sample = out->pending[done];
        if (out->capture_fd < 0)
            write_json(out, sample);
        else
            err = write_record(out, sample);
        free(sample);
        done++;
    }
    memmove(out->pending, out->pending + done, (out->pending_count - done) * sizeof *out->pending);
    out->pending_count -= done;
    return err;
}
