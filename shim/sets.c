/*
 * The event sets the shim writes to. Sets are registered up front from the
 * config's (level, keyword) list; one the list missed is registered on first
 * use. The question every interposer asks first, does anybody listen, is
 * answered by the provider's any_enabled word (shim_sets_any_enabled in
 * shim.h): the kernel keeps one bit of it per set, so it costs one load
 * however many sets there are.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

/* Keys read on the stack; a config with more gets a heap array. */
#define SHIM_KEYS_LOCAL 64

/* Serialises registration; the core's provider lock is only ever taken
 * under this one, so holding it across fork keeps both free in the child.
 * Recursive, so that a fork from a signal handler that interrupted a
 * registration on the same thread does not deadlock in the atfork handler. */
static pthread_mutex_t sets_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

void shim_sets_lock(void)
{
    pthread_mutex_lock(&sets_lock);
}

void shim_sets_unlock(void)
{
    pthread_mutex_unlock(&sets_lock);
}

void shim_sets_reset_in_child(void)
{
    /* A recursive mutex unlocks only for its owner's thread id, and the
     * child's thread has a new one: start over instead. */
    static const pthread_mutex_t unlocked = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
    memcpy(&sets_lock, &unlocked, sizeof(sets_lock));
}

/* Called with sets_lock held. */
static ehd_event_set *register_locked(uint8_t level, uint64_t keyword)
{
    ehd_event_set *set = ehd_provider_find_set(&shim_provider, level, keyword);
    if (set != NULL)
        return set;
    set = ehd_provider_register_set(&shim_provider, level, keyword);
    if (set == NULL)
        return NULL;
    int err = ehd_event_set_errno(set);
    if (err != 0)
        shim_debug("cannot register tracepoint %s: %s", ehd_event_set_name(set), strerror(err));
    return set;
}

int shim_sets_setup(void)
{
    ehs_set_key local[SHIM_KEYS_LOCAL];
    ehs_set_key *keys = local;
    size_t count = ehs_config_set_keys(shim_config, keys, SHIM_KEYS_LOCAL);
    if (count > SHIM_KEYS_LOCAL) {
        keys = calloc(count, sizeof(*keys));
        if (keys == NULL)
            return ENOMEM;
        count = ehs_config_set_keys(shim_config, keys, count);
    }
    shim_sets_lock();
    for (size_t i = 0; i < count; i++) {
        if (keys[i].level != 0)
            register_locked(keys[i].level, keys[i].keyword);
    }
    shim_sets_unlock();
    if (keys != local)
        free(keys);
    return 0;
}

ehd_event_set *shim_sets_get(uint8_t level, uint64_t keyword)
{
    ehd_event_set *set = ehd_provider_find_set(&shim_provider, level, keyword);
    if (set != NULL || level == 0)
        return set;
    shim_sets_lock();
    set = register_locked(level, keyword);
    shim_sets_unlock();
    return set;
}
