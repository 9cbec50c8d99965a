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

/*
 * The sets of the config's keys, by (level, keyword), filled in by
 * shim_sets_setup before the shim arms and by shim_sets_register for a
 * reloaded config, never removed: the provider keeps its sets in a list,
 * newest first, and a config with many keywords (every source adds one)
 * would make each event walk it. Open addressing over KEY_SLOTS slots
 * holding an index into key_sets plus one; keys past KEY_CACHED are left
 * to the list. Entries are added under sets_lock and published by their
 * slot (release), so readers need no lock.
 */
enum { KEY_SLOTS = 256, KEY_CACHED = 192 };
typedef shim_cached_set cached_set;
static cached_set key_sets[KEY_CACHED];
static uint8_t key_slots[KEY_SLOTS];
static size_t cached_count; /* under sets_lock */

static unsigned key_slot(uint8_t level, uint64_t keyword)
{
    uint64_t h = (keyword ^ ((uint64_t)level << 56)) * UINT64_C(0x9E3779B97F4A7C15);
    return (unsigned)(h >> 56); /* 0..255 */
}

/* Called with sets_lock held. */
static void cache_set(uint8_t level, uint64_t keyword, ehd_event_set *set)
{
    if (set == NULL || cached_count >= KEY_CACHED)
        return;
    unsigned slot = key_slot(level, keyword);
    uint8_t index;
    while ((index = __atomic_load_n(&key_slots[slot], __ATOMIC_RELAXED)) != 0) {
        const cached_set *c = &key_sets[index - 1];
        if (c->level == level && c->keyword == keyword)
            return;
        slot = (slot + 1) % KEY_SLOTS;
    }
    key_sets[cached_count] = (cached_set){ keyword, level, set };
    __atomic_store_n(&key_slots[slot], (uint8_t)(++cached_count), __ATOMIC_RELEASE);
}

__thread const shim_cached_set *shim_tls_last_set SHIM_TLS;

static ehd_event_set *cached(uint8_t level, uint64_t keyword)
{
    uint8_t index;
    for (unsigned slot = key_slot(level, keyword);
         (index = __atomic_load_n(&key_slots[slot], __ATOMIC_ACQUIRE)) != 0;
         slot = (slot + 1) % KEY_SLOTS) {
        const cached_set *c = &key_sets[index - 1];
        if (c->level == level && c->keyword == keyword) {
            shim_tls_last_set = c;
            return c->set;
        }
    }
    return NULL;
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

int shim_sets_register(const ehs_config *config)
{
    ehs_set_key local[SHIM_KEYS_LOCAL];
    ehs_set_key *keys = local;
    size_t count = ehs_config_set_keys(config, keys, SHIM_KEYS_LOCAL);
    if (count > SHIM_KEYS_LOCAL) {
        keys = calloc(count, sizeof(*keys));
        if (keys == NULL)
            return ENOMEM;
        count = ehs_config_set_keys(config, keys, count);
    }
    shim_sets_lock();
    for (size_t i = 0; i < count; i++) {
        if (keys[i].level != 0)
            cache_set(keys[i].level, keys[i].keyword,
                      register_locked(keys[i].level, keys[i].keyword));
    }
    shim_sets_unlock();
    if (keys != local)
        free(keys);
    return 0;
}

int shim_sets_setup(void)
{
    return shim_sets_register(shim_config);
}

ehd_event_set *shim_sets_get_slow(uint8_t level, uint64_t keyword)
{
    ehd_event_set *set = cached(level, keyword);
    if (set != NULL)
        return set;
    set = ehd_provider_find_set(&shim_provider, level, keyword);
    if (set != NULL || level == 0)
        return set;
    shim_sets_lock();
    set = register_locked(level, keyword);
    shim_sets_unlock();
    return set;
}
