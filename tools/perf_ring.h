/*
 * perf_event_open plumbing for the collector: one ring buffer per CPU,
 * owned by a cpu-clock event of that CPU, into which every tracepoint event
 * of that CPU writes (PERF_EVENT_IOC_SET_OUTPUT). A ring therefore exists
 * before any tracepoint is opened, and opening thousands of tracepoints
 * costs no memory per tracepoint.
 *
 * The owner ticks (a sample every PERF_RING_TICK_NS) because the kernel
 * reports samples it had to drop from a full ring only in front of the next
 * sample that fits: without a tick, a loss at the end of a burst would
 * never be told. Readers skip the tick samples (their id is no tracepoint's).
 *
 * Error convention: 0 or a positive errno.
 */
#ifndef EHSHIM_TOOLS_PERF_RING_H
#define EHSHIM_TOOLS_PERF_RING_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What every sample of the collector carries, in this order in the record:
 * identifier, pid/tid, time, cpu, raw data. */
#define PERF_RING_SAMPLE_TYPE \
    (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW)

/* How often each ring's owner samples; also how long a reader waits before
 * its last drain so that every pending loss has been reported. */
#define PERF_RING_TICK_NS 100000000ull

/* One CPU's ring. */
typedef struct perf_ring {
    int fd;                             /* the cpu-clock event that owns the ring; -1 if none */
    unsigned cpu;                       /* the CPU it belongs to */
    struct perf_event_mmap_page *meta;  /* first mapped page: head, tail, ... */
    uint8_t *data;                      /* the ring itself, data_size bytes */
    size_t data_size;                   /* a power of two */
    size_t map_size;                    /* bytes mapped (meta page + data) */
    uint8_t *scratch;                   /* a record that wraps the end is put together here */
} perf_ring;

/*
 * Fills `attr` with the settings shared by the rings and the tracepoint
 * events: PERF_RING_SAMPLE_TYPE, a sample per event, and with
 * `monotonic_clock` timestamps of CLOCK_MONOTONIC (else perf's own clock).
 * Events start disabled, so none is lost before its output is redirected.
 */
void perf_ring_attr(struct perf_event_attr *attr, bool monotonic_clock);

/* perf_event_open for all processes on `cpu`, close-on-exec. Stores the
 * descriptor in *fd. Returns 0 or errno. */
int perf_ring_event_open(const struct perf_event_attr *attr, unsigned cpu, int *fd);

/*
 * Opens the ticking owner event on `cpu` with the clock of `attr` and maps a ring
 * of `pages` data pages (a power of two) for it. On EPERM or ENOMEM for
 * the mapping, smaller rings are tried down to 8 pages. Returns 0 or errno.
 */
int perf_ring_open(perf_ring *ring, unsigned cpu, const struct perf_event_attr *attr,
                   size_t pages);

/* Unmaps and closes; safe on a ring that never opened (fd -1). */
void perf_ring_close(perf_ring *ring);

/* Sends the samples of `event_fd` (opened on the ring's CPU, disabled) to
 * the ring, then enables it. Returns 0 or errno. */
int perf_ring_attach(perf_ring *ring, int event_fd);

/*
 * Hands every record now in the ring to `consume` (the record is only
 * valid during the call; a record that wrapped the end has been put
 * together), then frees their room. Returns how many records there were.
 */
size_t perf_ring_drain(perf_ring *ring,
                       void (*consume)(const struct perf_event_header *record, void *arg),
                       void *arg);

/*
 * Lists the online CPUs (from /sys/devices/system/cpu/online, else 0..N-1
 * of sysconf) into a malloc'd array. Returns 0 or errno.
 */
int perf_online_cpus(unsigned **cpus, size_t *count);

#endif
