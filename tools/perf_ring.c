/* Per-CPU perf ring buffers; see perf_ring.h. */
#include "perf_ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* A record's size field is 16 bits, so no record is larger. */
enum { RECORD_MAX = 1 << 16, SMALLEST_RING_PAGES = 8 };

void perf_ring_attr(struct perf_event_attr *attr, bool monotonic_clock)
{
    memset(attr, 0, sizeof *attr);
    attr->size = sizeof *attr;
    attr->sample_period = 1;
    attr->sample_type = PERF_RING_SAMPLE_TYPE;
    attr->disabled = 1;
    if (monotonic_clock) {
        attr->use_clockid = 1;
        attr->clockid = CLOCK_MONOTONIC;
    }
}

int perf_ring_event_open(const struct perf_event_attr *attr, unsigned cpu, int *fd)
{
    *fd = -1;
    long result = syscall(SYS_perf_event_open, attr, -1, (int)cpu, -1, PERF_FLAG_FD_CLOEXEC);
    if (result < 0)
        return errno;
    *fd = (int)result;
    return 0;
}

int perf_ring_open(perf_ring *ring, unsigned cpu, const struct perf_event_attr *attr,
                   size_t pages)
{
    memset(ring, 0, sizeof *ring);
    ring->fd = -1;
    ring->cpu = cpu;

    struct perf_event_attr owner = *attr;
    owner.type = PERF_TYPE_SOFTWARE;
    owner.config = PERF_COUNT_SW_CPU_CLOCK;
    owner.sample_period = PERF_RING_TICK_NS;
    owner.disabled = 0;
    /* Wake the reader only once the ring is half full (the kernel's default
     * watermark) instead of for every event; the reader also polls with a
     * short timeout, so a lone event is not kept waiting. */
    owner.watermark = 1;
    int fd = -1;
    int err = perf_ring_event_open(&owner, cpu, &fd);
    if (err != 0)
        return err;

    long page_size = sysconf(_SC_PAGESIZE);
    void *map = MAP_FAILED;
    for (; pages >= SMALLEST_RING_PAGES; pages /= 2) {
        map = mmap(NULL, (pages + 1) * (size_t)page_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                   fd, 0);
        if (map != MAP_FAILED)
            break;
        err = errno;
        /* Past perf_event_mlock_kb an unprivileged user gets EPERM. */
        if (err != EPERM && err != ENOMEM)
            break;
    }
    if (map == MAP_FAILED) {
        close(fd);
        return err != 0 ? err : ENOMEM;
    }
    ring->scratch = malloc(RECORD_MAX);
    if (ring->scratch == NULL) {
        munmap(map, (pages + 1) * (size_t)page_size);
        close(fd);
        return ENOMEM;
    }
    ring->fd = fd;
    ring->meta = map;
    ring->map_size = (pages + 1) * (size_t)page_size;
    ring->data = (uint8_t *)map + page_size;
    ring->data_size = pages * (size_t)page_size;
    return 0;
}

void perf_ring_close(perf_ring *ring)
{
    if (ring->meta != NULL)
        munmap(ring->meta, ring->map_size);
    if (ring->fd >= 0)
        close(ring->fd);
    free(ring->scratch);
    ring->meta = NULL;
    ring->scratch = NULL;
    ring->fd = -1;
}

int perf_ring_attach(perf_ring *ring, int event_fd)
{
    if (ioctl(event_fd, PERF_EVENT_IOC_SET_OUTPUT, ring->fd) != 0)
        return errno;
    if (ioctl(event_fd, PERF_EVENT_IOC_ENABLE, 0) != 0)
        return errno;
    return 0;
}

size_t perf_ring_drain(perf_ring *ring,
                       void (*consume)(const struct perf_event_header *record, void *arg),
                       void *arg)
{
    /* The kernel publishes data_head after writing the records before it;
     * the acquire load makes those records visible to us. */
    uint64_t head = __atomic_load_n(&ring->meta->data_head, __ATOMIC_ACQUIRE);
    uint64_t tail = ring->meta->data_tail;
    size_t mask = ring->data_size - 1;
    size_t records = 0;
    while (tail + sizeof(struct perf_event_header) <= head) {
        size_t at = (size_t)tail & mask;
        /* Records are 8-byte aligned and the ring is a multiple of 8, so a
         * header never wraps; the body may. */
        const struct perf_event_header *header = (const void *)(ring->data + at);
        size_t size = header->size;
        if (size < sizeof *header || tail + size > head)
            break;
        if (at + size > ring->data_size) {
            size_t first = ring->data_size - at;
            memcpy(ring->scratch, ring->data + at, first);
            memcpy(ring->scratch + first, ring->data, size - first);
            header = (const void *)ring->scratch;
        }
        consume(header, arg);
        tail += size;
        records++;
    }
    /* Release: we are done reading the room we hand back. */
    __atomic_store_n(&ring->meta->data_tail, tail, __ATOMIC_RELEASE);
    return records;
}
