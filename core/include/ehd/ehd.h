/*
 * ehd: runtime-defined EventHeader events on Linux user_events.
 *
 * Open a provider, register the event sets (level, keyword) it needs, and
 * write events built with an ehd_builder. Byte-compatible with the reference
 * C++ EventHeaderDynamic.h and the Rust eventheader_dynamic crate.
 *
 * Error convention: calls that can fail return 0 or a positive errno value.
 * Failure is a safe no-op: a provider that could not open, or a set that
 * could not register, is never enabled, and writing to it returns EBADF.
 */
#ifndef EHD_H
#define EHD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ehd_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- provider --------------------------------------------------------- */

/*
 * Opens `provider` (which must be EHD_PROVIDER_INIT or closed) with `name`
 * and optional `group` (NULL or "" for none), choosing its backend now:
 * options->capture_path set selects the capture backend, otherwise
 * user_events (tracefs or debugfs found through /proc/mounts).
 *
 * Names: `name` must be non-empty without ' ', ':' or control characters;
 * `group` only lowercase ASCII letters and digits; together shorter than
 * EHD_PROVIDER_NAMES_MAX. Invalid names return EINVAL and leave the provider
 * closed.
 *
 * Returns 0, EINVAL for invalid names, a NULL provider or invalid options
 * (options->sz smaller than its first member's end, or larger than this
 * library's ehd_provider_options with a nonzero byte past it; the provider
 * is left closed), EBUSY when the
 * provider is already open (it is left as it was), or the errno that kept the
 * backend from opening (ENOTSUP: neither tracefs nor debugfs is mounted;
 * ENOENT: the kernel has no user_events; EACCES; or the capture file's open
 * errno). In that last case the provider is still usable: its sets register
 * with that errno and are never enabled. `options` may be NULL.
 */
int ehd_provider_open(ehd_provider *provider, const char *name, const char *group,
                      const ehd_provider_options *options);

/*
 * Unregisters every set, frees them and closes the backend descriptor.
 * Every ehd_event_set pointer from this provider becomes invalid. Safe to call
 * again, and on a provider that never opened.
 */
void ehd_provider_close(ehd_provider *provider);

/*
 * Returns the set for (level, keyword), registering it first if needed.
 * The set is owned by the provider. Returns NULL only when out of memory,
 * level is 0, or the provider is NULL or not open (never opened, closed, or
 * its open failed with EINVAL); a set whose registration failed is returned
 * with its errno in ehd_event_set_errno and never enabled. Thread-safe.
 */
ehd_event_set *ehd_provider_register_set(ehd_provider *provider, uint8_t level, uint64_t keyword);

/*
 * Returns the already registered set for (level, keyword), or NULL. Lock-free;
 * safe to call while another thread registers sets.
 */
ehd_event_set *ehd_provider_find_set(const ehd_provider *provider, uint8_t level, uint64_t keyword);

/* Returns the provider's backend (EHD_BACKEND_NONE when nothing opened). */
ehd_backend ehd_provider_backend(const ehd_provider *provider);

/* Returns 0 if the backend opened, else the errno that stopped it. */
int ehd_provider_errno(const ehd_provider *provider);

/*
 * The largest event user_events delivers to a perf reader (perf record,
 * ehshim listen), in bytes from the event's header to the end of its data.
 * The kernel copies each event into a per-CPU perf buffer of
 * PERF_MAX_TRACE_SIZE (8192) bytes behind an 8-byte trace entry, rounded up
 * to 8 bytes; a larger event is dropped there although the writev
 * succeeded, with one warning in the kernel log. Measured on the test
 * kernel (tests/kernel/guest/test_big_events.sh): 8184 bytes arrive, 8185
 * do not. ftrace's own buffer (the tracefs `trace` and `trace_pipe` files)
 * holds less: 4064 bytes, what fits one ring-buffer page.
 */
#define EHD_USER_EVENTS_EVENT_MAX 8184u
/* The largest event a capture file carries: the reference builder's limit. */
#define EHD_CAPTURE_EVENT_MAX 65535u

/*
 * Returns the largest event (header to end of data, as ehd_builder_write
 * sends it) the provider's backend carries: EHD_USER_EVENTS_EVENT_MAX,
 * EHD_CAPTURE_EVENT_MAX, or 0 when nothing opened (or `provider` is NULL).
 * A larger event is refused by ehd_event_set_writev with EMSGSIZE instead
 * of being lost in the kernel. Thread-safe.
 */
size_t ehd_provider_event_max(const ehd_provider *provider);

/* Returns the backend's descriptor, or -1 when it has none. */
int ehd_provider_fd(const ehd_provider *provider);

/*
 * Moves the backend's descriptor to the lowest free number at or above
 * `min_fd`, with close-on-exec, for callers that must keep it away from the
 * numbers a host program uses by habit (a shell's `exec 3>&2`). Writers pick
 * up the new number atomically; registrations stay valid (they belong to the
 * open file, which both numbers share). With `close_old` the old number is
 * closed; without it stays open for the caller, who is about to reuse it
 * (as the target of a dup2, say). Returns 0, EBADF when the provider has no
 * descriptor, or the errno of fcntl.
 */
int ehd_provider_move_fd(ehd_provider *provider, int min_fd, bool close_old);

/*
 * Formats the tracepoint name for (provider name, level, keyword, options)
 * into `out` (EHD_NAME_MAX bytes). Returns 0, or EINVAL when it would not fit.
 */
int ehd_format_tracepoint_name(char *out, const char *provider_name, uint8_t level,
                               uint64_t keyword, const char *options);

/* ---- event set -------------------------------------------------------- */

/* True while someone listens to `set`. NULL-safe. One relaxed load. */
static inline bool ehd_event_set_enabled(const ehd_event_set *set)
{
    return set != NULL && __atomic_load_n(&set->status_word, __ATOMIC_RELAXED) != 0;
}

/*
 * True while someone listens to at least one set of `provider`: the question
 * a program with many sets asks before doing any work for an event. One
 * relaxed load of a word the kernel keeps, as long as every set has a bit of
 * its own there (the first 63 sets to register, 31 where a long has 32 bits);
 * beyond that it also looks at the sets without one. NULL-safe.
 */
static inline bool ehd_provider_any_enabled(const ehd_provider *provider)
{
    if (provider == NULL)
        return false;
    unsigned long word = __atomic_load_n(&provider->any_enabled, __ATOMIC_RELAXED);
    if (__builtin_expect(!(word & EHD_ANY_ENABLED_OTHERS), 1))
        return word != 0;
    if (word != EHD_ANY_ENABLED_OTHERS)
        return true;
    const ehd_event_set *set = __atomic_load_n(&provider->sets, __ATOMIC_ACQUIRE);
    for (; set != NULL; set = __atomic_load_n(&set->next, __ATOMIC_ACQUIRE)) {
        if (ehd_event_set_enabled(set))
            return true;
    }
    return false;
}

/* Returns 0 if `set` registered, else its errno (EINVAL for NULL). */
int ehd_event_set_errno(const ehd_event_set *set);

/* Returns the set's tracepoint name; owned by the set. */
const char *ehd_event_set_name(const ehd_event_set *set);

/*
 * Writes one event: iov[0] and iov[1] are reserved for the backend (write
 * index, or capture record prefix); iov[2..iovcnt-1] hold the event bytes
 * (header, extensions, metadata, data). The caller's iovecs are modified.
 * Returns 0, EBADF when `set` is NULL or disabled, EMSGSIZE when the event
 * is larger than its backend carries (ehd_provider_event_max; nothing is
 * written), or the errno of the write.
 */
struct iovec;
int ehd_event_set_writev(const ehd_event_set *set, struct iovec *iov, int iovcnt);

/* ---- builder ---------------------------------------------------------- */

/*
 * Values: a value pointer may be NULL when its length or count is 0.
 *
 * Names. Every call that takes a name comes in two forms: `name` alone,
 * NUL-terminated, and the `_n` form with its length in `name_len` (the name
 * must not contain NUL). The short forms are inline wrappers, so a literal
 * name costs no strlen at run time. Names may carry ";attr=value" suffixes.
 *
 * Appends return nothing: the first failure is kept and reported by
 * ehd_builder_write. Invalid arguments record EINVAL, memory failures ENOMEM,
 * a single append larger than a whole event ERANGE.
 */

/*
 * Returns a new builder, owned by the caller until ehd_builder_free, with
 * the initial capacities of `options` (NULL: the defaults). Nothing can be
 * written with it before its first ehd_builder_reset. Returns NULL with
 * errno ENOMEM when out of memory, or EINVAL for invalid options (the sz
 * rules of ehd_builder_options). Thread-safe; the builder itself is not.
 */
ehd_builder *ehd_builder_new(const ehd_builder_options *options);

/* Frees a builder from ehd_builder_new and its buffers. NULL is fine. */
void ehd_builder_free(ehd_builder *builder);

/* Starts a new event named `name` with event tag `tag`; clears fields, id,
 * version, opcode and any recorded error. */
void ehd_builder_reset_n(ehd_builder *builder, const char *name, size_t name_len, uint16_t tag);

/* Sets the header id and version. */
void ehd_builder_id_version(ehd_builder *builder, uint16_t id, uint8_t version);

/* Sets the header opcode (EHD_OPCODE_*). */
void ehd_builder_opcode(ehd_builder *builder, uint8_t opcode);

/*
 * Adds a scalar field of `size` bytes (1, 2, 4, 8 or 16) copied from
 * `value` as-is (host byte order), encoded Value8..Value128 with `format`
 * (EHD_FMT_*) and field tag `tag` (0 for none).
 */
void ehd_builder_add_value_n(ehd_builder *builder, const char *name, size_t name_len,
                             const void *value, size_t size, uint8_t format, uint16_t tag);

/* Adds a variable-length array of `count` scalars of `size` bytes each.
 * More than 65535 elements are cut to 65535. */
void ehd_builder_add_value_array_n(ehd_builder *builder, const char *name, size_t name_len,
                                   const void *values, size_t size, size_t count, uint8_t format,
                                   uint16_t tag);

/*
 * Adds a counted string of `length` code units of `char_size` bytes (1, 2 or
 * 4), encoded StringLength16Char8/16/32. Longer than 65535 units is cut.
 * EHD_FMT_DEFAULT shows as UTF text; EHD_FMT_HEX_BYTES makes it binary.
 */
void ehd_builder_add_string_n(ehd_builder *builder, const char *name, size_t name_len,
                              const void *chars, size_t char_size, size_t length, uint8_t format,
                              uint16_t tag);

/* Adds a NUL-terminated string (ZStringChar8/16/32): the first `length` code
 * units of `chars`, stopping early at a NUL unit; a NUL is appended. */
void ehd_builder_add_zstring_n(ehd_builder *builder, const char *name, size_t name_len,
                               const void *chars, size_t char_size, size_t length, uint8_t format,
                               uint16_t tag);

/* Adds a variable-length array of `count` counted strings; string i is
 * `lengths[i]` units at `strings[i]`. */
void ehd_builder_add_string_array_n(ehd_builder *builder, const char *name, size_t name_len,
                                    const void *const *strings, const size_t *lengths,
                                    size_t char_size, size_t count, uint8_t format, uint16_t tag);

/* Like ehd_builder_add_string_array_n with the NUL-terminated encoding. */
void ehd_builder_add_zstring_array_n(ehd_builder *builder, const char *name, size_t name_len,
                                     const void *const *strings, const size_t *lengths,
                                     size_t char_size, size_t count, uint8_t format, uint16_t tag);

/* Adds a binary field: `length` bytes with a 16-bit length prefix, encoded
 * BinaryLength16Char8 with `format` as given (EHD_FMT_DEFAULT shows as hex
 * bytes; a numeric format shows the bytes as that number when their count
 * fits it, and a zero-length value as null). Longer than 65535 bytes is
 * cut to 65535.
 */
void ehd_builder_add_binary_n(ehd_builder *builder, const char *name, size_t name_len,
                              const void *bytes, size_t length, uint8_t format, uint16_t tag);

/*
 * Adds a struct whose next `field_count` (1..127) fields are its members; a
 * nested struct counts as one. Returns a bookmark for
 * ehd_builder_set_struct_field_count, or EHD_NO_BOOKMARK if nothing was added.
 */
size_t ehd_builder_add_struct_n(ehd_builder *builder, const char *name, size_t name_len,
                                uint8_t field_count, uint16_t tag);

/* Changes the member count of the struct at `bookmark` (from
 * ehd_builder_add_struct since the last reset) to `field_count` (1..127).
 * Bad arguments are ignored. */
void ehd_builder_set_struct_field_count(ehd_builder *builder, size_t bookmark,
                                        uint8_t field_count);

/*
 * Advanced: appends a field definition with raw `encoding` (flags allowed)
 * and `format` without data, and raw data bytes without metadata, for layouts
 * the typed calls cannot express (arrays of structs, constant arrays).
 * Returns the bookmark of the format byte, or EHD_NO_BOOKMARK.
 */
size_t ehd_builder_raw_add_meta_n(ehd_builder *builder, const char *name, size_t name_len,
                                  uint8_t encoding, uint8_t format, uint16_t tag);
/* Like ehd_builder_raw_add_meta_n for a constant-length array of `count`
 * (1..65535) elements; EHD_ENC_CARRAY is added to `encoding`. A struct
 * array of two or more elements is refused (EINVAL recorded in the builder,
 * EHD_NO_BOOKMARK returned): the reference decoders misread that shape; use
 * EHD_ENC_VARRAY for an array of structs. */
size_t ehd_builder_raw_add_meta_carray_n(ehd_builder *builder, const char *name, size_t name_len,
                                         uint8_t encoding, uint8_t format, uint16_t tag,
                                         uint16_t count);
/* Appends `size` raw bytes to the event data. */
void ehd_builder_raw_add_data(ehd_builder *builder, const void *bytes, size_t size);

/* NUL-terminated-name forms of the calls above. */
static inline void ehd_builder_reset(ehd_builder *b, const char *name, uint16_t tag)
{
    ehd_builder_reset_n(b, name, strlen(name), tag);
}
static inline void ehd_builder_add_value(ehd_builder *b, const char *name, const void *value,
                                         size_t size, uint8_t format, uint16_t tag)
{
    ehd_builder_add_value_n(b, name, strlen(name), value, size, format, tag);
}
static inline void ehd_builder_add_value_array(ehd_builder *b, const char *name,
                                               const void *values, size_t size, size_t count,
                                               uint8_t format, uint16_t tag)
{
    ehd_builder_add_value_array_n(b, name, strlen(name), values, size, count, format, tag);
}
static inline void ehd_builder_add_string(ehd_builder *b, const char *name, const void *chars,
                                          size_t char_size, size_t length, uint8_t format,
                                          uint16_t tag)
{
    ehd_builder_add_string_n(b, name, strlen(name), chars, char_size, length, format, tag);
}
static inline void ehd_builder_add_zstring(ehd_builder *b, const char *name, const void *chars,
                                           size_t char_size, size_t length, uint8_t format,
                                           uint16_t tag)
{
    ehd_builder_add_zstring_n(b, name, strlen(name), chars, char_size, length, format, tag);
}
static inline void ehd_builder_add_string_array(ehd_builder *b, const char *name,
                                                const void *const *strings,
                                                const size_t *lengths, size_t char_size,
                                                size_t count, uint8_t format, uint16_t tag)
{
    ehd_builder_add_string_array_n(b, name, strlen(name), strings, lengths, char_size, count,
                                   format, tag);
}
static inline void ehd_builder_add_zstring_array(ehd_builder *b, const char *name,
                                                 const void *const *strings,
                                                 const size_t *lengths, size_t char_size,
                                                 size_t count, uint8_t format, uint16_t tag)
{
    ehd_builder_add_zstring_array_n(b, name, strlen(name), strings, lengths, char_size, count,
                                    format, tag);
}
static inline void ehd_builder_add_binary(ehd_builder *b, const char *name, const void *bytes,
                                          size_t length, uint8_t format, uint16_t tag)
{
    ehd_builder_add_binary_n(b, name, strlen(name), bytes, length, format, tag);
}
static inline size_t ehd_builder_add_struct(ehd_builder *b, const char *name,
                                            uint8_t field_count, uint16_t tag)
{
    return ehd_builder_add_struct_n(b, name, strlen(name), field_count, tag);
}
static inline size_t ehd_builder_raw_add_meta(ehd_builder *b, const char *name,
                                              uint8_t encoding, uint8_t format, uint16_t tag)
{
    return ehd_builder_raw_add_meta_n(b, name, strlen(name), encoding, format, tag);
}
static inline size_t ehd_builder_raw_add_meta_carray(ehd_builder *b, const char *name,
                                                     uint8_t encoding, uint8_t format,
                                                     uint16_t tag, uint16_t count)
{
    return ehd_builder_raw_add_meta_carray_n(b, name, strlen(name), encoding, format, tag,
                                             count);
}

/*
 * Writes the event to `set` with the set's level. `activity_id` and
 * `related_id` (16 bytes each) may be NULL; related_id needs activity_id.
 * Returns 0; ENOMEM after any append that failed for memory; EINVAL after an
 * append with bad arguments; ERANGE when the event passes 64 KiB; EBADF when
 * `set` is NULL or nobody listens; EMSGSIZE when the event is larger than the
 * set's backend carries (ehd_provider_event_max: 8184 bytes on user_events);
 * or the errno of the write itself.
 */
int ehd_builder_write(const ehd_builder *builder, const ehd_event_set *set,
                      const void *activity_id, const void *related_id);

/*
 * ehd_builder_write with options (NULL: the defaults, as ehd_builder_write
 * with NULL ids): the activity ids, and the pid and tid a capture file's
 * stamp records (ehd_write_options). Returns what ehd_builder_write returns,
 * and EINVAL for invalid options (the sz rules of ehd_builder_options).
 * Thread-safe as ehd_builder_write is: one builder per thread.
 */
int ehd_builder_write_opts(const ehd_builder *builder, const ehd_event_set *set,
                           const ehd_write_options *options);

/*
 * Copies the complete event as ehd_builder_write would send it (header,
 * extensions, metadata, data; no write index) into `buffer` of `capacity`
 * bytes, with header level `level`. Sets *size to the event size in every
 * case but errors of the builder. Returns 0, ENOMEM/EINVAL/ERANGE as for
 * ehd_builder_write, or ENOSPC when the event does not fit `capacity`.
 */
int ehd_builder_copy_event(const ehd_builder *builder, uint8_t level, const void *activity_id,
                           const void *related_id, void *buffer, size_t capacity, size_t *size);

/*
 * Returns the size in bytes of the event ehd_builder_write would send now
 * without activity ids (header, metadata extension, metadata, data), for
 * callers that keep events within ehd_provider_event_max while they build;
 * each activity id adds 16 bytes and their extension header 4. Returns 0
 * for NULL. Does not look at the builder's error.
 */
size_t ehd_builder_event_size(const ehd_builder *builder);

#ifdef __cplusplus
}
#endif

#endif /* EHD_H */
