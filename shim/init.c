/*
 * Lifecycle: set-up once, from the constructor or from the first interposer
 * that may initialise (a constructor of another library can call us before
 * our own constructor ran), and the flush at process exit.
 *
 * Set-up is a one-way state machine driven by a compare-and-swap, so exactly
 * one thread does it; any other thread, and any nested call on the setting-up
 * thread, passes through meanwhile instead of waiting. Every failure (bad
 * config, no user_events, unwritable capture file) ends in SHIM_PASSIVE: the
 * program then runs exactly as without the shim, and says why on fd 2 only
 * under EHSHIM_DEBUG=1.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "ehd_backend_writev.h"
#include "exec_env.h"
#include "real.h"
#include "shim.h"

int shim_state = SHIM_UNINIT;
int shim_armed;
pid_t shim_pid;
const ehs_config *shim_config;
ehd_provider shim_provider = EHD_PROVIDER_INIT;

__thread unsigned shim_tls_busy SHIM_TLS;

/* An environment variable, with "" meaning unset. */
static const char *env_value(const char *name)
{
    const char *value = shim_getenv(name);
    return value != NULL && value[0] != '\0' ? value : NULL;
}

static ehs_config *load_config(const char *path)
{
    if (path == NULL) {
        ehs_config *config = ehs_config_new_default();
        if (config == NULL)
            shim_debug("out of memory for the default config; not capturing");
        return config;
    }
    ehs_config *config;
    char why[512];
    size_t problems;
    if (shim_config_read(path, &config, why, sizeof why, &problems) != 0)
        shim_debug("%s%s; not capturing", why,
                   problems > 1 ? " (and more problems: see ehshim check)" : "");
    return config;
}

static int open_provider(const ehs_config *config)
{
    /* The shim's events go straight to libc: its own write and writev
     * interposers would only look them over and pass them on. */
    shim_real_writev_fn *real_writev = SHIM_REAL(writev);
    if (real_writev != NULL)
        ehd__set_backend_writev(real_writev);
    shim_real_write_fn *real_write = SHIM_REAL(write);
    if (real_write != NULL)
        ehd__set_backend_write(real_write);
    ehd_provider_options options =
        EHD_PROVIDER_OPTIONS(.capture_path = env_value("EHSHIM_CAPTURE"));
    int err = ehd_provider_open(&shim_provider, config->provider, config->group, &options);
    if (err == 0)
        return 0;
    if (options.capture_path != NULL)
        shim_debug("cannot open capture file %s: %s; not capturing", options.capture_path,
                   strerror(err));
    else if (err == EINVAL)
        shim_debug("provider name \"%s\" is not valid; not capturing", config->provider);
    else
        shim_debug("user_events is not available (%s; see ehshim status); not capturing",
                   strerror(err));
    ehd_provider_close(&shim_provider);
    return err;
}

/* Does the work of set-up; returns the final state and the armed sources. */
static int set_up(int *armed)
{
    *armed = 0;
    shim_real_resolve_all();
    shim_pid = getpid();
    shim_identity_setup();
    /* A secure-execution (setuid, file capabilities) process must not let
     * its environment steer what it opens or writes (LTTng-UST 8d20bf54). */
    if (getauxval(AT_SECURE) != 0)
        return SHIM_PASSIVE;
    const char *debug = shim_getenv("EHSHIM_DEBUG");
    if (debug != NULL && strcmp(debug, "1") == 0)
        shim_debug_enable();
    if (!shim_is_first_copy())
        return SHIM_PASSIVE;

    const char *path = env_value("EHSHIM_CONFIG");
    ehs_config *config = load_config(path);
    if (config == NULL)
        return SHIM_PASSIVE;
    if (!config->inherit) {
        shim_exec_setup();
        shim_exec_strip_preload = true;
    }
    if (!config->capture_stderr && !config->capture_syslog && !config->capture_journal &&
        !config->capture_stdout) {
        ehs_config_free(config);
        return SHIM_PASSIVE;
    }
    if (open_provider(config) != 0) {
        ehs_config_free(config);
        return SHIM_PASSIVE;
    }
    shim_config = config;
    if (shim_reload_setup(path, config) != 0) {
        shim_debug("cannot set up: %s; not capturing", strerror(ENOMEM));
        return SHIM_PASSIVE;
    }
    /* Everything allocated from here on may be allocated again or grown
     * inside a signal handler: the thread states and builders. */
    shim_alloc_use_mmap();
    shim_own_fd_setup();
    int err = shim_thread_setup(config->max_message_bytes, config->capture_stdout);
    if (err == 0)
        err = shim_sets_setup();
    if (err == 0)
        err = shim_fork_setup();
    if (err != 0) {
        shim_debug("cannot set up: %s; not capturing", strerror(err));
        /* The provider stays open: sets may already be registered, and the
         * kernel keeps writing their enable words. */
        return SHIM_PASSIVE;
    }
    shim_fd_track_init(config->capture_stdout);
    /* The setting-up thread is usually the main thread, where signal
     * handlers mostly run: give it its engine state now, so that its first
     * event never allocates, whatever it interrupted. */
    shim_thread *thread = shim_thread_get();
    ehs_thread_state *state;
    ehd_builder *builder;
    if (thread != NULL)
        shim_thread_engine(thread, config, &state, &builder);
    *armed = (config->capture_stderr ? SHIM_ARM_STDERR : 0) |
             (config->capture_syslog ? SHIM_ARM_SYSLOG : 0) |
             (config->capture_journal ? SHIM_ARM_JOURNAL : 0) |
             (config->capture_stdout ? SHIM_ARM_STDOUT : 0);
    return SHIM_READY;
}

static void init_once(void)
{
    int expected = SHIM_UNINIT;
    if (!__atomic_compare_exchange_n(&shim_state, &expected, SHIM_STARTING, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
        return;
    int saved_errno = errno;
    shim_busy_enter();
    int armed;
    int state = set_up(&armed);
    __atomic_store_n(&shim_armed, armed, __ATOMIC_RELEASE);
    __atomic_store_n(&shim_state, state, __ATOMIC_RELEASE);
    shim_busy_leave();
    errno = saved_errno;
}

bool shim_capturing_slow(int source_bit, bool may_init)
{
    int armed = __atomic_load_n(&shim_armed, __ATOMIC_ACQUIRE);
    if (!(armed & source_bit)) {
        if (!may_init || __atomic_load_n(&shim_state, __ATOMIC_RELAXED) != SHIM_UNINIT)
            return false;
        shim_init_lazy();
        armed = __atomic_load_n(&shim_armed, __ATOMIC_ACQUIRE);
        if (!(armed & source_bit))
            return false;
    }
    return (shim_tls_busy == 0 || shim_busy_recover()) && shim_sets_any_enabled();
}

void shim_init_lazy(void)
{
    if (shim_tls_busy != 0 || shim_real_resolving())
        return;
    init_once();
}

/* Runs after libc's constructor (libc is our dependency), before main. */
__attribute__((constructor)) static void shim_constructor(void)
{
    init_once();
    /* Here rather than in set_up: before libc's constructor (an early
     * lazy set-up) there is no `environ` yet to edit. */
    shim_exec_strip_environ();
}

/*
 * Runs after the program's atexit handlers (exit() runs them first, then the
 * libraries' destructors). Other threads may still be running and writing,
 * so nothing shared is torn down: only the exiting thread's unfinished line
 * is emitted and its context freed.
 */
__attribute__((destructor)) static void shim_destructor(void)
{
    if (__atomic_load_n(&shim_state, __ATOMIC_ACQUIRE) != SHIM_READY)
        return;
    int saved_errno = errno;
    /* exit() from inside the shim (a signal handler) or from a vfork child
     * must not touch the buffers. */
    if ((shim_tls_busy == 0 || shim_busy_recover()) && getpid() == shim_pid) {
        shim_busy_enter();
        /* exit flushes stdio after the destructors: what waits in a
         * buffered stderr or stdout is written then. */
        shim_stream_feed_waiting_at_exit();
        shim_thread_exit_process();
        shim_stats_report();
        shim_busy_leave();
    }
    errno = saved_errno;
}
