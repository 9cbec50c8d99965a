/*
 * State structures of the ehd dynamic EventHeader library.
 *
 * ehd_provider and ehd_event_set are public structs so that callers can keep
 * them static (EHD_PROVIDER_INIT) and so that the enabled checks in ehd.h
 * stay a single load in the caller. Callers touch no field: read and change
 * them only through the calls in ehd.h. The inline calls there read
 * ehd_event_set.status_word, ehd_provider.any_enabled and the set list
 * (ehd_provider.sets, ehd_event_set.next): those fields keep their offsets
 * and meaning for as long as the soname stays; the others may change.
 * The builder is opaque.
 */
#ifndef EHD_TYPES_H
#define EHD_TYPES_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "eventheader.h"

/* Which backend a provider writes through; chosen once, by ehd_provider_open. */
typedef enum ehd_backend {
    EHD_BACKEND_NONE = 0,        /* nothing could be opened: every set stays disabled */
    EHD_BACKEND_USER_EVENTS = 1, /* the kernel's user_events_data */
    EHD_BACKEND_CAPTURE = 2,     /* records appended to a .dat file; every set enabled */
} ehd_backend;

struct ehd_provider;

/*
 * One tracepoint: a provider's events of one (level, keyword). Owned by its
 * provider; valid until ehd_provider_close. Safe to use from any thread.
 */
typedef struct ehd_event_set {
    /* Nonzero while someone listens. The kernel writes it (user_events enable
     * bit 0 of this word); the capture backend sets it to 1 once. */
    uint32_t status_word;
    /* Kernel's index for this tracepoint, the first 4 bytes of every write. */
    uint32_t write_index;
    /* 0 when registered, else the errno of the failed registration. */
    int err;
    /* The level of every event written to this set. */
    uint8_t level;
    /* The keyword of this set. */
    uint64_t keyword;
    /* The provider this set belongs to. */
    struct ehd_provider *provider;
    /* Next set of the same provider, newest first; published with release order. */
    struct ehd_event_set *next;
    /* The bit of the provider's any_enabled word that follows this set too,
     * or -1 when it has none (see ehd_provider_any_enabled). */
    int any_bit;
    /* Length of tracepoint_name without its NUL. */
    uint32_t name_len;
    /* "Provider_L<level>K<keyword>[G<group>]", NUL-terminated. */
    char tracepoint_name[EHD_NAME_MAX];
} ehd_event_set;

/*
 * Options for ehd_provider_open. `sz` must be sizeof(ehd_provider_options)
 * as the caller was compiled (EHD_PROVIDER_OPTIONS sets it), as for
 * ehd_builder_options; no options (NULL) means user_events.
 */
typedef struct ehd_provider_options {
    size_t sz;
    /* Non-NULL: append events to this .dat file instead of user_events. */
    const char *capture_path;
} ehd_provider_options;

#define EHD_PROVIDER_OPTIONS(...) \
    ((ehd_provider_options){ .sz = sizeof(ehd_provider_options), __VA_ARGS__ })

/*
 * Options for ehd_builder_write_opts. `sz` must be sizeof(ehd_write_options)
 * as the caller was compiled (EHD_WRITE_OPTIONS sets it), as for
 * ehd_builder_options. Every field's zero is the behaviour of
 * ehd_builder_write with NULL ids.
 */
typedef struct ehd_write_options {
    size_t sz;
    /* 16 bytes each, or NULL; related_id needs activity_id. */
    const void *activity_id;
    const void *related_id;
    /* The process and thread ids the capture backend stamps the event with
     * (ehd_capture.h), for a caller that knows which thread writes and so
     * spares it the two system calls of asking the kernel. 0: the calling
     * thread's, asked of the kernel at the write; the pair is used only
     * when both are nonzero. user_events ignores them: the kernel records
     * who wrote. */
    uint32_t pid;
    uint32_t tid;
} ehd_write_options;

#define EHD_WRITE_OPTIONS(...) \
    ((ehd_write_options){ .sz = sizeof(ehd_write_options), __VA_ARGS__ })

/*
 * A named event provider and its event sets. Open with ehd_provider_open,
 * close with ehd_provider_close. Registering sets is serialised internally;
 * finding sets and writing events never take a lock.
 */
typedef struct ehd_provider {
    /* Which backend data_fd belongs to. */
    ehd_backend backend;
    /* user_events_data or the capture file; -1 when none. Always above 2. */
    int data_fd;
    /* 0 when the backend opened, else the errno that stopped it. */
    int err;
    /* Sets registered so far, newest first (read with acquire order). */
    ehd_event_set *sets;
    /* Serialises ehd_provider_register_set and ehd_provider_close. */
    pthread_mutex_t lock;
    /* Provider name, NUL-terminated; empty exactly while the provider is closed. */
    char name[EHD_PROVIDER_NAMES_MAX];
    /* Options suffix, "" or "G<group>", NUL-terminated. */
    char options[EHD_PROVIDER_NAMES_MAX + 1];
    /* Bit i is set while the set whose any_bit is i is enabled: the kernel
     * drives it (each set registers a second time with this word and its
     * bit), the capture backend sets it once. EHD_ANY_ENABLED_OTHERS: some
     * set has no bit here and must be looked at on its own. */
    unsigned long any_enabled;
    /* Bits of any_enabled handed out so far. */
    unsigned any_bits_used;
} ehd_provider;

/* Sets that get a bit of their own in ehd_provider.any_enabled: all its bits
 * but the top one, EHD_ANY_ENABLED_OTHERS. */
#define EHD_ANY_ENABLED_BITS ((unsigned)(sizeof(unsigned long) * 8 - 1))
#define EHD_ANY_ENABLED_OTHERS (1UL << EHD_ANY_ENABLED_BITS)

#define EHD_PROVIDER_INIT \
    { EHD_BACKEND_NONE, -1, EINVAL, NULL, PTHREAD_MUTEX_INITIALIZER, "", "", 0, 0 }

/*
 * Builds one event at a time; reusable for any number of events. Opaque:
 * made by ehd_builder_new, freed by ehd_builder_free. Not thread-safe: use
 * one builder per thread. After warm-up, building events of the same shape
 * allocates nothing.
 */
typedef struct ehd_builder ehd_builder;

/*
 * Options for ehd_builder_new. `sz` must be sizeof(ehd_builder_options) as
 * the caller was compiled (EHD_BUILDER_OPTIONS sets it): the library reads
 * only the fields that size covers, so options added later leave older
 * callers working, and refuses a larger size whose unknown fields are not
 * zero. Zero fields mean the defaults.
 */
typedef struct ehd_builder_options {
    size_t sz;
    size_t meta_capacity; /* initial bytes for names and field definitions; 0: 256 */
    size_t data_capacity; /* initial bytes for values; 0: 256 */
} ehd_builder_options;

#define EHD_BUILDER_OPTIONS(...) \
    ((ehd_builder_options){ .sz = sizeof(ehd_builder_options), __VA_ARGS__ })

/* No bookmark: returned by ehd_builder_add_struct when it could not add. */
#define EHD_NO_BOOKMARK ((size_t)-1)

#endif /* EHD_TYPES_H */
