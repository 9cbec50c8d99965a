/*
 * Reloading the config while the program runs, without a thread, a signal
 * or a descriptor of the shim's: a config with "reload" has the message
 * path look at the file (stat) at most once per check_ms, and a change is
 * loaded and compiled whole, by the thread that noticed it, before it
 * replaces the config in force.
 *
 * Each build pins the config it uses (a hazard pointer in its thread's
 * context, thread.c), so a replaced config is freed only once no thread
 * pins it: at that reload or a later one, after its rate limits reported
 * what they held back. The config the program started with is never freed:
 * the groupers keep its multiline specs, which no reload may change.
 *
 * A config that does not load, or that changes a key only a restart can
 * (ehs_config_restart_key_changed), is refused: the config in force stays,
 * the refusal is counted and said once per version of the file, as an
 * event of the shim's own and under EHSHIM_DEBUG=1.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "shim.h"

/* Replaced configs waiting for their last build to end; a reload that
 * finds the list full keeps the config in force. */
enum { RETIRED_MAX = 16 };

/* Which version of the file a config came from. */
typedef struct file_version {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
    int err; /* stat failed with it */
} file_version;

static char *config_path;             /* NULL: the built-in config, never reloaded */
static const ehs_config *startup_config;
uint32_t shim_reload_check_ms;        /* atomic; 0: no reloads (any more) */
static uint64_t next_check_ms;        /* atomic */
static int reloading;                 /* atomic: a thread is reloading */
static file_version loaded_version, refused_version;
static bool refused_once;
static const ehs_config *retired[RETIRED_MAX];
static size_t retired_count;
static unsigned long generation, loads, refusals;

uint64_t shim_clock_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    /* Never 0: 0 means "no reading" to the thread's clock (thread.c). */
    return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000 + 1;
}

static file_version version_of(const char *path)
{
    file_version v = { 0 };
    struct stat st;
    if (stat(path, &st) != 0) {
        v.err = errno != 0 ? errno : EIO;
        return v;
    }
    v.dev = st.st_dev;
    v.ino = st.st_ino;
    v.size = st.st_size;
    v.mtime = st.st_mtim;
    v.ctime = st.st_ctim;
    return v;
}

static bool same_version(const file_version *a, const file_version *b)
{
    return a->err == b->err && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
           a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

int shim_reload_setup(const char *path, const ehs_config *config)
{
    startup_config = config;
    if (path == NULL || config->reload_check_ms == 0)
        return 0;
    config_path = strdup(path);
    if (config_path == NULL)
        return ENOMEM;
    loaded_version = version_of(path);
    __atomic_store_n(&shim_reload_check_ms, config->reload_check_ms, __ATOMIC_RELEASE);
    __atomic_store_n(&next_check_ms, shim_clock_ms() + config->reload_check_ms,
                     __ATOMIC_RELEASE);
    return 0;
}

void shim_reload_after_fork(void)
{
    /* The thread that was reloading did not come along. */
    __atomic_store_n(&reloading, 0, __ATOMIC_RELEASE);
    /* As the other counters (shim_stats_reset): a child reports its own. */
    loads = 0;
    refusals = 0;
}

void shim_reload_forget_suppressed(void)
{
    for (size_t i = 0; i < retired_count; i++)
        ehs_config_forget_suppressed(retired[i]);
}

int shim_config_read(const char *path, ehs_config **out, char *why, size_t why_size,
                     size_t *problems)
{
    ehs_errors errors = { 0 };
    *out = NULL;
    int err = ehs_config_load_file(path, out, &errors);
    *problems = errors.count;
    if (err != 0) {
        /* The first problem says enough to fix the file; `ehshim check`
         * lists all of them. */
        if (errors.count > 0)
            snprintf(why, why_size, "%s", errors.lines[0]);
        else
            snprintf(why, why_size, "%s: %s", path, strerror(err));
        *out = NULL;
    }
    ehs_errors_free(&errors);
    return err;
}

/* ---- the shim's own events ---- */

/* Writes the event in `builder` at `level` with the shim's own keyword. */
static void write_own(ehd_builder *builder, uint8_t level)
{
    ehd_event_set *set = shim_sets_get(level, EHS_KEYWORD_SHIM);
    if (ehd_event_set_enabled(set))
        ehd_builder_write(builder, set, NULL, NULL);
}

static void add_text(ehd_builder *builder, const char *name, const char *text)
{
    ehd_builder_add_string_n(builder, name, strlen(name), text, 1, strlen(text), EHD_FMT_DEFAULT,
                             0);
}

static void add_common(ehd_builder *builder, const ehs_config *config, const char *message)
{
    if (config->message_field != NULL)
        ehd_builder_add_string_n(builder, config->message_field, config->message_field_len,
                                 message, 1, strlen(message), EHD_FMT_DEFAULT, 0);
    add_text(builder, "ident", shim_program_name());
}

static void announce_loaded(shim_thread *thread, const ehs_config *config)
{
    shim_debug("%s: loaded (config generation %lu)", config_path, generation);
    ehs_thread_state *state;
    ehd_builder *builder;
    if (!shim_thread_engine(thread, NULL, &state, &builder))
        return;
    char message[160];
    snprintf(message, sizeof message, "config reloaded: generation %lu", generation);
    uint32_t gen = (uint32_t)generation;
    ehd_builder_reset(builder, "ConfigReloaded", 0);
    add_text(builder, "path", config_path);
    ehd_builder_add_value_n(builder, "generation", 10, &gen, sizeof(gen), EHD_FMT_UNSIGNED_INT,
                            0);
    add_common(builder, config, message);
    write_own(builder, EHD_LEVEL_INFO);
}

/* Counts and says (once for this version of the file) why it was refused. */
static void refuse(shim_thread *thread, const file_version *version, const char *why,
                   size_t problems)
{
    refused_version = *version;
    refused_once = true;
    refusals++;
    shim_debug("%s%s; keeping the config in force (generation %lu)", why,
               problems > 1 ? " (and more problems: see ehshim check)" : "", generation);
    ehs_thread_state *state;
    ehd_builder *builder;
    if (!shim_thread_engine(thread, NULL, &state, &builder))
        return;
    const ehs_config *config = shim_config_current();
    char message[600];
    snprintf(message, sizeof message, "config not reloaded, generation %lu stays: %s",
             generation, why);
    uint32_t count = (uint32_t)(problems != 0 ? problems : 1);
    ehd_builder_reset(builder, "ConfigRefused", 0);
    add_text(builder, "path", config_path);
    add_text(builder, "error", why);
    ehd_builder_add_value_n(builder, "errors", 6, &count, sizeof(count), EHD_FMT_UNSIGNED_INT,
                            0);
    add_common(builder, config, message);
    write_own(builder, EHD_LEVEL_ERROR);
}

/* ---- freeing replaced configs ---- */

/* Writes the reports of what `config`'s rate limits still hold back. */
static void final_reports(shim_thread *thread, const ehs_config *config)
{
    ehs_thread_state *state;
    ehd_builder *builder;
    if (config->rate_windows == NULL || !shim_thread_engine(thread, NULL, &state, &builder))
        return;
    ehs_outcome outcome;
    while (ehs_engine_build_final_report(config, state, builder, &outcome) == EHS_REPORT) {
        shim_count_report();
        ehd_event_set *set = shim_sets_get(outcome.level, outcome.keyword);
        if (ehd_event_set_enabled(set))
            ehd_builder_write(builder, set, NULL, NULL);
    }
}

/* Frees the replaced configs no build uses any more. reloading is held. */
static void free_retired(shim_thread *thread)
{
    size_t kept = 0;
    for (size_t i = 0; i < retired_count; i++) {
        const ehs_config *config = retired[i];
        if (shim_threads_pin(config)) {
            retired[kept++] = config;
            continue;
        }
        final_reports(thread, config);
        shim_threads_forget_config(config);
        shim_alloc_libc_begin();
        ehs_config_free((ehs_config *)config);
        shim_alloc_libc_end();
    }
    retired_count = kept;
}

void shim_reload_final_reports(shim_thread *thread)
{
    /* At exit: builds no longer matter, the counts do. A thread still
     * reloading frees (and reports) what it holds itself. */
    if (__atomic_exchange_n(&reloading, 1, __ATOMIC_ACQUIRE) != 0)
        return;
    for (size_t i = 0; i < retired_count; i++)
        final_reports(thread, retired[i]);
    __atomic_store_n(&reloading, 0, __ATOMIC_RELEASE);
}

/* ---- the check ---- */

/* Loads the file if it changed; reloading is held. */
static void check_file(shim_thread *thread)
{
    file_version version = version_of(config_path);
    if (same_version(&version, &loaded_version) ||
        (refused_once && same_version(&version, &refused_version)))
        return;
    if (version.err != 0) {
        char why[512];
        snprintf(why, sizeof why, "%s: %s", config_path, strerror(version.err));
        refuse(thread, &version, why, 1);
        return;
    }
    if (retired_count == RETIRED_MAX) {
        /* Builds still hold every replaced config: try again later. */
        return;
    }
    ehs_config *next;
    char why[512];
    size_t problems;
    shim_alloc_libc_begin();
    int err = shim_config_read(config_path, &next, why, sizeof why, &problems);
    shim_alloc_libc_end();
    if (err != 0) {
        refuse(thread, &version, why, problems);
        return;
    }
    char key[64];
    const ehs_config *current = shim_config_current();
    if (ehs_config_restart_key_changed(current, next, key, sizeof key) != NULL) {
        snprintf(why, sizeof why, "%s: '%s' changed, which takes a restart of the program",
                 config_path, key);
        shim_alloc_libc_begin();
        ehs_config_free(next);
        shim_alloc_libc_end();
        refuse(thread, &version, why, 1);
        return;
    }
    /* Its event sets exist before its first event. */
    shim_sets_register(next);
    __atomic_store_n(&shim_config, next, __ATOMIC_SEQ_CST);
    loaded_version = version;
    refused_once = false;
    generation++;
    loads++;
    __atomic_store_n(&shim_reload_check_ms, next->reload_check_ms, __ATOMIC_RELEASE);
    if (current != startup_config)
        retired[retired_count++] = current;
    announce_loaded(thread, next);
}

void shim_reload_check(shim_thread *thread, uint64_t now_ms)
{
    uint32_t every = __atomic_load_n(&shim_reload_check_ms, __ATOMIC_ACQUIRE);
    uint64_t due = __atomic_load_n(&next_check_ms, __ATOMIC_ACQUIRE);
    if (every == 0 || now_ms < due || config_path == NULL)
        return;
    /* Loading allocates from libc's heap: never inside a signal handler,
     * which may have interrupted malloc. The next message looks again. */
    if (shim_in_signal_handler())
        return;
    if (!__atomic_compare_exchange_n(&next_check_ms, &due, now_ms + every, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
        return; /* another thread checks */
    if (__atomic_exchange_n(&reloading, 1, __ATOMIC_ACQUIRE) != 0)
        return;
    int saved_errno = errno;
    check_file(thread);
    free_retired(thread);
    errno = saved_errno;
    __atomic_store_n(&reloading, 0, __ATOMIC_RELEASE);
}

void shim_reload_report(void)
{
    if (config_path == NULL && loads == 0 && refusals == 0)
        return;
    shim_debug("config reloads: %lu loaded, %lu refused; %zu replaced configs still in use",
               loads, refusals, retired_count);
}
