/*
 * Internal: reading the options structs of the public API the way libbpf
 * reads its opts. Each struct starts with `size_t sz`, the size the caller
 * was compiled with: fields past it are absent (the caller predates them)
 * and read as their defaults; a caller newer than the library may pass a
 * larger size as long as every field this library does not know is zero.
 */
#ifndef EHD_OPTIONS_H
#define EHD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when options of `sz` bytes at `options` (NULL is valid: no options)
 * can be read by a library that knows `known` bytes of them. */
static inline bool ehd__options_valid(const void *options, size_t sz, size_t known)
{
    if (options == NULL)
        return true;
    if (sz < sizeof(size_t))
        return false;
    const uint8_t *bytes = options;
    for (size_t i = known; i < sz; i++)
        if (bytes[i] != 0)
            return false;
    return true;
}

/* options->field when the caller's struct has it, else `fallback`. */
#define EHD__OPTION(options, field, fallback)                                             \
    ((options) != NULL &&                                                                \
             (options)->sz >= offsetof(__typeof__(*(options)), field) + sizeof((options)->field) \
         ? (options)->field                                                              \
         : (fallback))

/* ehd__options_valid for a struct pointer. */
#define EHD__OPTIONS_VALID(options)                                                      \
    ehd__options_valid((options), (options) != NULL ? (options)->sz : 0, sizeof(*(options)))

#endif /* EHD_OPTIONS_H */
