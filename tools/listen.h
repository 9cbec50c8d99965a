/*
 * Internals of `ehshim listen`: a session holds one perf ring per online
 * CPU and a perf event per (tracepoint, CPU) writing into it; an output
 * turns the samples drained from the rings into JSON lines or capture
 * records, in time order.
 *
 * Error convention: 0 or a positive errno; problems worth a word to the
 * user are printed on stderr as "ehshim listen: ...".
 */
#ifndef EHSHIM_TOOLS_LISTEN_H
#define EHSHIM_TOOLS_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ehd/ehd_decode.h"
#include "perf_ring.h"
#include "tracefs.h"

/* ---- session (listen_session.c) ------------------------------------------ */

/* One tracepoint listened to. */
typedef struct listen_tracepoint {
    char *name;           /* tracepoint name, e.g. "MyService_L4K1", owned */
    size_t name_len;
    size_t header_offset; /* where the EventHeader event starts in a sample's raw data */
} listen_tracepoint;

/* A perf sample id and the tracepoint it belongs to. */
typedef struct listen_sample_id {
    uint64_t id;
    uint32_t tracepoint;  /* index into listen_session.tracepoints */
} listen_sample_id;

typedef struct listen_session {
    tracefs_location tracefs;
    struct perf_event_attr attr;   /* template of every event opened */
    bool monotonic_clock;          /* sample times are CLOCK_MONOTONIC */
    int64_t utc_offset_ns;         /* CLOCK_REALTIME minus CLOCK_MONOTONIC at start */
    perf_ring *rings;              /* one per online CPU */
    size_t ring_count;
    listen_tracepoint *tracepoints;
    size_t tracepoint_count, tracepoint_capacity;
    uint32_t *name_slots;          /* open-addressing set of tracepoint indices + 1 (0: empty) */
    size_t name_slot_count;        /* a power of two, kept at least twice tracepoint_count */
    listen_sample_id *ids;         /* sorted by id: the kernel hands out increasing ids */
    size_t id_count, id_capacity;
    int *event_fds;                /* every tracepoint event, to close at the end */
    size_t event_fd_count, event_fd_capacity;
} listen_session;

/* Finds tracefs, opens a ring on every online CPU and raises the open-file
 * limit (each tracepoint takes a descriptor per CPU). Returns 0 or errno
 * after printing why. */
int listen_session_open(listen_session *session);

/* Closes every event and ring, frees what the session holds and zeroes it.
 * Fine on a zeroed session and after a failed listen_session_open (which
 * may leave rings open). Slow with many tracepoints: each close waits for
 * an RCU grace period in the kernel. */
void listen_session_close(listen_session *session);

/*
 * Starts listening to tracepoint `name` on every CPU, unless it is listened
 * to already. Returns 0; ENOENT when the tracepoint does not exist; EBADMSG
 * when it is no EventHeader tracepoint; or another errno (EMFILE, EACCES,
 * ...). Prints nothing: the caller knows how much the failure matters.
 */
int listen_session_add(listen_session *session, const char *name);

/* True when `name` is a tracepoint of provider `provider` by the EventHeader
 * naming rule: PROVIDER_L<level>K<keyword><options>, any group. */
bool listen_name_of_provider(const char *name, const char *provider);

/*
 * Adds every existing tracepoint of the named providers that is not
 * listened to yet. Returns how many were added; failures are printed.
 */
size_t listen_session_scan(listen_session *session, char *const *providers, size_t count);

/* The tracepoint a sample id belongs to, or NULL. */
const listen_tracepoint *listen_session_find_id(const listen_session *session, uint64_t id);

/* ---- output (listen_output.c) --------------------------------------------- */

/* One sample waiting for its turn: every ring is drained each round, and
 * samples come out sorted by time once no earlier one can still arrive. */
typedef struct listen_pending {
    uint64_t time;      /* sample time, ns of the session's clock */
    uint64_t sequence;  /* arrival order: keeps equal times stable */
    uint32_t cpu, pid, tid;
    uint32_t tracepoint;/* index into the session's tracepoints */
    uint32_t size;      /* bytes of event */
    uint8_t event[];    /* the EventHeader event (sample raw data past the common fields) */
} listen_pending;

typedef struct listen_output {
    const listen_session *session;
    int capture_fd;             /* -1: JSON lines on stdout; else append capture records */
    listen_pending **pending;   /* samples read, not yet written */
    size_t pending_count, pending_capacity;
    uint64_t next_sequence;
    uint64_t received;          /* samples read from the rings */
    uint64_t written;           /* events printed or appended */
    uint64_t failed;            /* events that did not decode or could not be appended */
    uint64_t lost;              /* samples the kernel dropped (PERF_RECORD_LOST) */
    uint64_t lost_reported;     /* part of `lost` already reported */
    ehd_text line;              /* reused for every JSON line */
} listen_output;

/* Prepares `out` for `session`: JSON lines on stdout when `capture_fd` is
 * -1, else capture records appended to it. */
void listen_output_init(listen_output *out, const listen_session *session, int capture_fd);

/* Frees what `out` holds (pending samples are dropped: flush first). */
void listen_output_free(listen_output *out);

/* Drains every ring into the pending samples (written later by
 * listen_output_flush). Samples of no known tracepoint, or too short, are
 * skipped; one that finds no memory is counted in `failed`. When the kernel
 * reported lost samples since the last call, says how many on stderr. */
void listen_output_collect(listen_output *out);

/* Writes the pending samples with time <= `bound` (all of them when
 * `everything`) in time order. Returns 0 or the errno of writing. */
int listen_output_flush(listen_output *out, uint64_t bound, bool everything);

#endif
