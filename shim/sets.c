/*
 * The event sets the shim writes to, and the question every interposer asks
 * first: does anybody listen? The answer must cost a few loads, so every set
 * the shim registers is also kept in a small array whose enable words are
 * read with relaxed loads. Sets are registered up front from the config's
 * (level, keyword) list; one the list missed is registered on first use.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

#define SHIM_WATCHED_MAX 64

static ehd_event_set *watched[SHIM_WATCHED_MAX];
static unsigned watched_count;
/* A set did not fit in `watched`: its listeners cannot be seen cheaply, so
 * capture always runs (correct, only slower). */
static bool watched_overflow;
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
    unsigned count = watched_count;
    if (count < SHIM_WATCHED_MAX) {
        watched[count] = set;
        __atomic_store_n(&watched_count, count + 1, __ATOMIC_RELEASE);
    } else {
        __atomic_store_n(&watched_overflow, true, __ATOMIC_RELAXED);
    }
    return set;
}

int shim_sets_setup(void)
{
    ehs_set_key local[SHIM_WATCHED_MAX];
    ehs_set_key *keys = local;
    size_t count = ehs_config_set_keys(shim_config, keys, SHIM_WATCHED_MAX);
    if (count > SHIM_WATCHED_MAX) {
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

bool shim_sets_any_enabled(void)
{
    if (__atomic_load_n(&watched_overflow, __ATOMIC_RELAXED))
        return true;
    unsigned count = __atomic_load_n(&watched_count, __ATOMIC_ACQUIRE);
    for (unsigned i = 0; i < count; i++) {
        if (ehd_event_set_enabled(watched[i]))
            return true;
    }
    return false;
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
