/*
 * Providers and their event sets: name checks, choosing the backend,
 * registering each (level, keyword) once, finding sets without a lock, and
 * tearing everything down again.
 *
 * A provider's sets form a singly linked list, newest first. Sets are only
 * ever added (under the provider's lock) until the provider closes, and a
 * new set is complete before it becomes the list head with a release store,
 * so readers may walk the list with acquire loads and no lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "options.h"
#include "ehd/ehd.h"
#include "ehd_api.h"

/* Valid names are never empty, so an empty name marks a closed provider. */
static bool provider_is_open(const ehd_provider *provider)
{
    return provider->name[0] != '\0';
}

/* Tracepoint names end up in tracefs paths and "name field;..." commands,
 * where spaces and colons are separators. */
static bool is_provider_name_char(unsigned char c)
{
    return c > ' ' && c != 0x7f && c != ':';
}

static bool is_group_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Checks the names; on success stores their lengths and returns 0. */
static int check_names(const char *name, const char *group, size_t *name_len, size_t *group_len)
{
    if (name == NULL)
        return EINVAL;
    size_t n = strnlen(name, EHD_PROVIDER_NAMES_MAX);
    size_t g = group != NULL ? strnlen(group, EHD_PROVIDER_NAMES_MAX) : 0;
    if (n == 0 || n + g >= EHD_PROVIDER_NAMES_MAX)
        return EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!is_provider_name_char((unsigned char)name[i]))
            return EINVAL;
    }
    for (size_t i = 0; i < g; i++) {
        if (!is_group_char((unsigned char)group[i]))
            return EINVAL;
    }
    *name_len = n;
    *group_len = g;
    return 0;
}

/* Returns the provider to the state of EHD_PROVIDER_INIT, lock aside. */
static void reset_provider(ehd_provider *provider)
{
    provider->backend = EHD_BACKEND_NONE;
    provider->data_fd = -1;
    provider->err = EINVAL;
    provider->name[0] = '\0';
    provider->options[0] = '\0';
    __atomic_store_n(&provider->any_enabled, 0, __ATOMIC_RELAXED);
    provider->any_bits_used = 0;
}

EHD_API int ehd_provider_open(ehd_provider *provider, const char *name, const char *group,
                              const ehd_provider_options *options)
{
    if (provider == NULL)
        return EINVAL;
    if (provider_is_open(provider))
        return EBUSY;
    if (!EHD__OPTIONS_VALID(options))
        return EINVAL;
    size_t name_len, group_len;
    int err = check_names(name, group, &name_len, &group_len);
    if (err != 0)
        return err;

    memcpy(provider->name, name, name_len);
    provider->name[name_len] = '\0';
    if (group_len != 0) {
        provider->options[0] = 'G';
        memcpy(provider->options + 1, group, group_len);
    }
    provider->options[group_len != 0 ? group_len + 1 : 0] = '\0';
    provider->sets = NULL;
    __atomic_store_n(&provider->any_enabled, 0, __ATOMIC_RELAXED);
    provider->any_bits_used = 0;

    const char *capture_path = EHD__OPTION(options, capture_path, NULL);
    int fd = capture_path != NULL ? ehd__capture_open(capture_path) : ehd__user_events_open();
    if (fd < 0) {
        /* Still open: sets register with this errno and stay disabled, so
         * callers need no separate path for a machine without tracing. */
        provider->backend = EHD_BACKEND_NONE;
        provider->data_fd = -1;
        provider->err = -fd;
    } else {
        provider->backend = capture_path != NULL ? EHD_BACKEND_CAPTURE : EHD_BACKEND_USER_EVENTS;
        provider->data_fd = fd;
        provider->err = 0;
    }
    return provider->err;
}

/* Asks the backend to start delivering `set`; returns its errno. */
static int connect_set(const ehd_provider *provider, ehd_event_set *set)
{
    if (provider->err != 0)
        return provider->err;
    switch (provider->backend) {
    case EHD_BACKEND_USER_EVENTS:
        return ehd__user_events_register(provider->data_fd, set);
    case EHD_BACKEND_CAPTURE:
        __atomic_store_n(&set->status_word, 1, __ATOMIC_RELAXED);
        return 0;
    case EHD_BACKEND_NONE:
        break;
    }
    return ENODEV;
}

/*
 * Gives `set`, connected and published, a bit of provider->any_enabled that
 * follows its status word; called with the lock held. A set that cannot
 * have one (all bits taken, or the kernel refused) turns on
 * EHD_ANY_ENABLED_OTHERS for good, so readers look at it on its own.
 */
static void add_any_bit(ehd_provider *provider, ehd_event_set *set)
{
    if (set->err != 0)
        return; /* never enabled: nothing to follow */
    unsigned bit = provider->any_bits_used;
    int err = ENOSPC;
    if (bit < EHD_ANY_ENABLED_BITS) {
        switch (provider->backend) {
        case EHD_BACKEND_USER_EVENTS:
            err = ehd__user_events_register_bit(provider->data_fd, set, &provider->any_enabled,
                                                bit);
            break;
        case EHD_BACKEND_CAPTURE:
            __atomic_fetch_or(&provider->any_enabled, 1UL << bit, __ATOMIC_RELAXED);
            err = 0;
            break;
        case EHD_BACKEND_NONE:
            err = ENODEV;
            break;
        }
    }
    if (err == 0) {
        provider->any_bits_used = bit + 1;
        set->any_bit = (int)bit;
    } else {
        __atomic_fetch_or(&provider->any_enabled, EHD_ANY_ENABLED_OTHERS, __ATOMIC_RELAXED);
    }
}

/* Stops delivery to `set`; returns false when the set must not be freed. */
static bool disconnect_set(ehd_provider *provider, ehd_event_set *set)
{
    if (provider->backend != EHD_BACKEND_USER_EVENTS || set->err != 0)
        return true;
    /* The bit lives in the provider, not in the set: a failure here leaves
     * the kernel a bit to flip in memory that stays valid, and at worst
     * makes ehd_provider_any_enabled say yes for nothing. */
    if (set->any_bit >= 0)
        ehd__user_events_unregister_bit(provider->data_fd, &provider->any_enabled,
                                        (unsigned)set->any_bit);
    int err = ehd__user_events_unregister(provider->data_fd, set);
    /* Otherwise the kernel may still flip a bit in this memory: leaking the
     * set is the only safe choice. */
    return err == 0 || err == ENOENT;
}

/* Creates, registers and publishes a new set; called with the lock held. */
static ehd_event_set *add_set(ehd_provider *provider, uint8_t level, uint64_t keyword)
{
    ehd_event_set *set = calloc(1, sizeof(*set));
    if (set == NULL)
        return NULL;
    set->level = level;
    set->keyword = keyword;
    set->provider = provider;
    set->err = ehd_format_tracepoint_name(set->tracepoint_name, provider->name, level, keyword,
                                          provider->options);
    if (set->err != 0)
        set->tracepoint_name[0] = '\0';
    set->name_len = (uint32_t)strlen(set->tracepoint_name);
    set->any_bit = -1;
    if (set->err == 0)
        set->err = connect_set(provider, set);

    set->next = provider->sets;
    __atomic_store_n(&provider->sets, set, __ATOMIC_RELEASE);
    add_any_bit(provider, set);
    return set;
}

EHD_API ehd_event_set *ehd_provider_register_set(ehd_provider *provider, uint8_t level,
                                                 uint64_t keyword)
{
    if (provider == NULL || level == 0)
        return NULL;
    pthread_mutex_lock(&provider->lock);
    ehd_event_set *set = NULL;
    if (provider_is_open(provider)) {
        set = ehd_provider_find_set(provider, level, keyword);
        if (set == NULL)
            set = add_set(provider, level, keyword);
    }
    pthread_mutex_unlock(&provider->lock);
    return set;
}

EHD_API ehd_event_set *ehd_provider_find_set(const ehd_provider *provider, uint8_t level,
                                             uint64_t keyword)
{
    if (provider == NULL)
        return NULL;
    ehd_event_set *set = __atomic_load_n(&provider->sets, __ATOMIC_ACQUIRE);
    while (set != NULL) {
        if (set->level == level && set->keyword == keyword)
            return set;
        set = __atomic_load_n(&set->next, __ATOMIC_ACQUIRE);
    }
    return NULL;
}

EHD_API void ehd_provider_close(ehd_provider *provider)
{
    if (provider == NULL)
        return;
    pthread_mutex_lock(&provider->lock);
    ehd_event_set *set = provider->sets;
    __atomic_store_n(&provider->sets, NULL, __ATOMIC_RELEASE);
    while (set != NULL) {
        ehd_event_set *next = set->next;
        if (disconnect_set(provider, set))
            free(set);
        set = next;
    }
    if (provider->data_fd >= 0)
        close(provider->data_fd);
    reset_provider(provider);
    pthread_mutex_unlock(&provider->lock);
}

EHD_API ehd_backend ehd_provider_backend(const ehd_provider *provider)
{
    return provider != NULL ? provider->backend : EHD_BACKEND_NONE;
}

EHD_API int ehd_provider_errno(const ehd_provider *provider)
{
    return provider != NULL ? provider->err : EINVAL;
}

EHD_API size_t ehd_provider_event_max(const ehd_provider *provider)
{
    return provider != NULL ? ehd__backend_event_max(provider->backend) : 0;
}

EHD_API int ehd_provider_fd(const ehd_provider *provider)
{
    return provider != NULL ? __atomic_load_n(&provider->data_fd, __ATOMIC_ACQUIRE) : -1;
}

EHD_API int ehd_provider_move_fd(ehd_provider *provider, int min_fd, bool close_old)
{
    int fd = ehd_provider_fd(provider);
    if (fd < 0)
        return EBADF;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, min_fd);
    if (moved < 0)
        return errno;
    __atomic_store_n(&provider->data_fd, moved, __ATOMIC_RELEASE);
    if (close_old)
        close(fd);
    return 0;
}

EHD_API int ehd_format_tracepoint_name(char *out, const char *provider_name, uint8_t level,
                                       uint64_t keyword, const char *options)
{
    if (out == NULL || provider_name == NULL)
        return EINVAL;
    int length = snprintf(out, EHD_NAME_MAX, "%s_L%xK%" PRIx64 "%s", provider_name,
                          (unsigned)level, keyword, options != NULL ? options : "");
    if (length < 0 || length >= EHD_NAME_MAX) {
        out[0] = '\0';
        return EINVAL;
    }
    return 0;
}
