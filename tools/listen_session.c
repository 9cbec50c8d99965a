/* The perf side of `ehshim listen`; see listen.h. */
#include "listen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "grow_array.h"
#include "hex_digits.h"

/* 1 MiB per CPU; perf_ring_open halves it until the mapping is allowed
 * (perf_event_mlock_kb lets an unprivileged user map 512 KiB per CPU). */
enum { RING_PAGES = 256 };

static uint64_t clock_ns(clockid_t clock)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/* Each tracepoint takes one descriptor per CPU; the usual soft limit of
 * 1024 would stop a listener of a few hundred tracepoints. */
static void raise_open_file_limit(void)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

static int open_rings(listen_session *session, const unsigned *cpus, size_t count)
{
    session->rings = calloc(count, sizeof *session->rings);
    if (session->rings == NULL)
        return ENOMEM;
    for (size_t i = 0; i < count; i++) {
        int err = perf_ring_open(&session->rings[i], cpus[i], &session->attr, RING_PAGES);
        if (err != 0)
            return err;
        session->ring_count++;
    }
    return 0;
}

int listen_session_open(listen_session *session)
{
    memset(session, 0, sizeof *session);
    int err = tracefs_locate(&session->tracefs);
    if (err == ENOTSUP) {
        fprintf(stderr, "ehshim listen: tracefs is not mounted (ehshim status tells more)\n");
        return err;
    }
    if (err != 0) {
        fprintf(stderr, "ehshim listen: reading /proc/mounts: %s\n", strerror(err));
        return err;
    }
    raise_open_file_limit();

    unsigned *cpus = NULL;
    size_t cpu_count = 0;
    err = perf_online_cpus(&cpus, &cpu_count);
    if (err != 0) {
        fprintf(stderr, "ehshim listen: listing CPUs: %s\n", strerror(err));
        return err;
    }
    /* CLOCK_MONOTONIC timestamps can be turned into UTC and compared with
     * our own clock reads; kernels before 4.1 refuse use_clockid. */
    session->monotonic_clock = true;
    perf_ring_attr(&session->attr, true);
    err = open_rings(session, cpus, cpu_count);
    if (err == EINVAL) {
        for (size_t i = 0; i < session->ring_count; i++)
            perf_ring_close(&session->rings[i]);
        free(session->rings);
        session->rings = NULL;
        session->ring_count = 0;
        session->monotonic_clock = false;
        perf_ring_attr(&session->attr, false);
        err = open_rings(session, cpus, cpu_count);
    }
    free(cpus);
    if (err != 0) {
        fprintf(stderr, "ehshim listen: perf_event_open: %s%s\n", strerror(err),
                err == EACCES || err == EPERM
                    ? " (needs root, CAP_PERFMON or kernel.perf_event_paranoid=-1; "
                      "ehshim status tells more)"
                    : "");
        return err;
    }
    if (session->monotonic_clock)
        session->utc_offset_ns =
            (int64_t)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC));
    return 0;
}

/* Slow with many tracepoints: the last close of each waits for an RCU grace
 * period while holding the kernel's event_mutex (perf_trace_destroy), so
 * closes cannot overlap. The summary is printed before this runs. */
void listen_session_close(listen_session *session)
{
    for (size_t i = 0; i < session->event_fd_count; i++)
        close(session->event_fds[i]);
    for (size_t i = 0; i < session->ring_count; i++)
        perf_ring_close(&session->rings[i]);
    for (size_t i = 0; i < session->tracepoint_count; i++)
        free(session->tracepoints[i].name);
    free(session->event_fds);
    free(session->rings);
    free(session->tracepoints);
    free(session->name_slots);
    free(session->ids);
    memset(session, 0, sizeof *session);
}

/* ---- the set of names listened to ----------------------------------------- */

static uint64_t name_hash(const char *name)
{
    uint64_t hash = 0xcbf29ce484222325u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++)
        hash = (hash ^ *p) * 0x100000001b3u;
    return hash;
}

/* The slot holding `name`, or the empty slot where it would go. */
static uint32_t *find_slot(const listen_session *session, const char *name)
{
    size_t mask = session->name_slot_count - 1;
    for (size_t i = (size_t)name_hash(name) & mask;; i = (i + 1) & mask) {
        uint32_t *slot = &session->name_slots[i];
        if (*slot == 0 || strcmp(session->tracepoints[*slot - 1].name, name) == 0)
            return slot;
    }
}

static bool is_listened(const listen_session *session, const char *name)
{
    return session->name_slot_count != 0 && *find_slot(session, name) != 0;
}

/* Makes room for one more name in the set. Returns 0 or ENOMEM. */
static int grow_name_slots(listen_session *session)
{
    if (session->name_slot_count >= 2 * (session->tracepoint_count + 1))
        return 0;
    size_t count = session->name_slot_count ? session->name_slot_count * 2 : 64;
    uint32_t *slots = calloc(count, sizeof *slots);
    if (slots == NULL)
        return ENOMEM;
    free(session->name_slots);
    session->name_slots = slots;
    session->name_slot_count = count;
    for (size_t i = 0; i < session->tracepoint_count; i++)
        *find_slot(session, session->tracepoints[i].name) = (uint32_t)i + 1;
    return 0;
}

/* ---- adding tracepoints --------------------------------------------------- */

/* Opens the tracepoint with perf id `id` on every CPU, into the rings.
 * Stores the sample ids under tracepoint index `index`. */
static int open_on_every_cpu(listen_session *session, uint64_t id, uint32_t index)
{
    struct perf_event_attr attr = session->attr;
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.config = id;
    for (size_t i = 0; i < session->ring_count; i++) {
        perf_ring *ring = &session->rings[i];
        int *fds = ehd__grow_array(session->event_fds, &session->event_fd_capacity,
                                   session->event_fd_count + 1, sizeof *fds, 64);
        if (fds == NULL)
            return ENOMEM;
        session->event_fds = fds;
        listen_sample_id *ids = ehd__grow_array(session->ids, &session->id_capacity,
                                                session->id_count + 1, sizeof *ids, 64);
        if (ids == NULL)
            return ENOMEM;
        session->ids = ids;
        int fd;
        int err = perf_ring_event_open(&attr, ring->cpu, &fd);
        if (err != 0)
            return err;
        session->event_fds[session->event_fd_count++] = fd;
        uint64_t sample_id;
        if (ioctl(fd, PERF_EVENT_IOC_ID, &sample_id) != 0)
            return errno;
        /* Ids only grow, so appending keeps the table sorted; check anyway,
         * since lookups depend on it. */
        if (session->id_count > 0 && session->ids[session->id_count - 1].id >= sample_id)
            return EPROTO;
        session->ids[session->id_count++] = (listen_sample_id){ sample_id, index };
        err = perf_ring_attach(ring, fd);
        if (err != 0)
            return err;
    }
    return 0;
}

int listen_session_add(listen_session *session, const char *name)
{
    if (is_listened(session, name))
        return 0;
    uint64_t id;
    size_t offset;
    int err = tracefs_user_event_id(&session->tracefs, name, &id);
    if (err == 0)
        err = tracefs_eventheader_offset(&session->tracefs, name, &offset);
    if (err == 0)
        err = grow_name_slots(session);
    if (err != 0)
        return err;
    listen_tracepoint *tracepoints =
        ehd__grow_array(session->tracepoints, &session->tracepoint_capacity,
                        session->tracepoint_count + 1, sizeof *tracepoints, 64);
    if (tracepoints == NULL)
        return ENOMEM;
    session->tracepoints = tracepoints;
    char *copy = strdup(name);
    if (copy == NULL)
        return ENOMEM;
    uint32_t index = (uint32_t)session->tracepoint_count;
    /* Record the tracepoint before its events exist: a sample may arrive as
     * soon as the first CPU's event is enabled. */
    session->tracepoints[index] = (listen_tracepoint){ copy, strlen(copy), offset };
    session->tracepoint_count++;
    *find_slot(session, copy) = index + 1;
    /* On failure the tracepoint stays known, with the CPUs that did open:
     * trying again would open those twice. */
    return open_on_every_cpu(session, id, index);
}

const listen_tracepoint *listen_session_find_id(const listen_session *session, uint64_t id)
{
    size_t low = 0, high = session->id_count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (session->ids[middle].id < id)
            low = middle + 1;
        else
            high = middle;
    }
    if (low < session->id_count && session->ids[low].id == id)
        return &session->tracepoints[session->ids[low].tracepoint];
    return NULL;
}

/* ---- providers ------------------------------------------------------------ */

static bool is_hex_digit(char c)
{
    return ehs_hex_digit(c) >= 0;
}

static bool is_option_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
}

bool listen_name_of_provider(const char *name, const char *provider)
{
    size_t length = strlen(provider);
    if (strncmp(name, provider, length) != 0 || name[length] != '_' || name[length + 1] != 'L')
        return false;
    const char *p = name + length + 2;
    if (!is_hex_digit(*p))
        return false;
    while (is_hex_digit(*p))
        p++;
    if (*p++ != 'K' || !is_hex_digit(*p))
        return false;
    while (is_hex_digit(*p))
        p++;
    /* Options: an uppercase letter, then lowercase letters and digits. */
    while (*p >= 'A' && *p <= 'Z') {
        p++;
        while (is_option_char(*p))
            p++;
    }
    return *p == '\0';
}

typedef struct scan_state {
    listen_session *session;
    char *const *providers;
    size_t provider_count;
    size_t added;
} scan_state;

static int scan_one(const char *name, void *arg)
{
    scan_state *scan = arg;
    bool wanted = false;
    for (size_t i = 0; i < scan->provider_count && !wanted; i++)
        wanted = listen_name_of_provider(name, scan->providers[i]);
    if (!wanted || is_listened(scan->session, name))
        return 0;
    int err = listen_session_add(scan->session, name);
    if (err == 0)
        scan->added++;
    else if (err == EBADMSG)
        fprintf(stderr, "ehshim listen: %s: not an EventHeader tracepoint; ignored\n", name);
    else if (err != ENOENT) /* gone since the directory was read: nothing lost */
        fprintf(stderr, "ehshim listen: %s: %s\n", name, strerror(err));
    /* Out of descriptors or memory, the next tracepoint would fail too. */
    return err == EMFILE || err == ENFILE || err == ENOMEM ? err : 0;
}

size_t listen_session_scan(listen_session *session, char *const *providers, size_t count)
{
    scan_state scan = { session, providers, count, 0 };
    int err = tracefs_each_user_event(&session->tracefs, scan_one, &scan);
    if (err == EMFILE || err == ENFILE)
        fprintf(stderr, "ehshim listen: out of file descriptors; raise `ulimit -n`\n");
    return scan.added;
}
