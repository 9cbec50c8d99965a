/*
 * ehshim listen [-c CONFIG] [-o FILE.dat] [PROVIDER ...]: collects live
 * events from user_events tracepoints with perf_event_open and prints them
 * as JSON lines (with the sample's time, cpu, pid and tid in "meta"), or
 * appends them to a capture file.
 *
 * With -c, the tracepoints are every (level, keyword) the config can give
 * an event; they are registered first when they do not exist yet, so the
 * first events of a program started afterwards are not missed. A PROVIDER
 * stands for all its tracepoints: those that exist now, and those that
 * appear later (looked for once a second).
 *
 * SIGINT or SIGTERM ends it: the rings are drained, everything is written,
 * and a summary (events, lost events) goes to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "config_report.h"
#include "ehd/ehd.h"
#include "ehs/ehs_config.h"
#include "ehs/ehs_engine.h"
#include "listen.h"

/* How long a round waits for the rings, and how often missing tracepoints
 * are looked for again. */
enum { ROUND_MS = 100, RESCAN_NS = 1000000000 };

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ehshim listen [-c CONFIG] [-o FILE.dat] [PROVIDER ...]\n"
            "\n"
            "Collects events from user_events tracepoints (perf_event_open, one\n"
            "ring buffer per CPU) and prints each as a JSON line, in time order;\n"
            "\"meta\" then also holds the time (UTC), cpu, pid and tid.\n"
            "\n"
            "  -c CONFIG     every tracepoint the config's events can go to; those\n"
            "                that do not exist yet are registered now, so programs\n"
            "                started later lose no event\n"
            "  -o FILE.dat   append capture records to FILE.dat instead of printing\n"
            "                (read them with ehshim decode)\n"
            "  PROVIDER      every tracepoint of this provider (any level, keyword\n"
            "                or group), existing or appearing later\n"
            "  -h, --help    show this help\n"
            "\n"
            "SIGINT (Ctrl-C) or SIGTERM ends it after writing every event read;\n"
            "a summary with the number of lost events goes to stderr. Needs tracefs,\n"
            "user_events and the right to use perf: see ehshim status.\n"
            "\n"
            "exit status: 0 ended by a signal; 1 failure; 2 bad usage or config.\n");
}

static uint64_t monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/* What the command line asked for. */
typedef struct listen_request {
    const char *config_path;
    const char *capture_path;
    char **providers;
    size_t provider_count;
} listen_request;

/* Tracepoint names of a config that could not be opened yet. */
typedef struct name_list {
    char **names;
    size_t count;
} name_list;

static bool is_valid_provider(const char *name)
{
    return name[0] != '\0' && strpbrk(name, " :/\t\n") == NULL;
}

/* Returns -1 when parsed, else the exit status to end with. */
static int parse_arguments(int argc, char **argv, listen_request *request)
{
    memset(request, 0, sizeof *request);
    request->providers = calloc((size_t)argc, sizeof *request->providers);
    if (request->providers == NULL)
        return 1;
    bool options_ended = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_ended && arg[0] == '-') {
            if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
                usage(stdout);
                return 0;
            }
            if (strcmp(arg, "--") == 0) {
                options_ended = true;
                continue;
            }
            if ((strcmp(arg, "-c") == 0 || strcmp(arg, "-o") == 0) && i + 1 < argc) {
                *(arg[1] == 'c' ? &request->config_path : &request->capture_path) = argv[++i];
                continue;
            }
            fprintf(stderr, "ehshim listen: unknown option or missing value: '%s'\n", arg);
            usage(stderr);
            return 2;
        }
        if (!is_valid_provider(arg)) {
            fprintf(stderr, "ehshim listen: '%s' is not a provider name\n", arg);
            return 2;
        }
        request->providers[request->provider_count++] = argv[i];
    }
    if (request->config_path == NULL && request->provider_count == 0) {
        fprintf(stderr, "ehshim listen: name a PROVIDER or a config (-c)\n");
        usage(stderr);
        return 2;
    }
    return -1;
}

/*
 * Registers every tracepoint of `config` through `registrar` (a provider
 * the listener keeps open: a tracepoint lives while someone has it
 * registered) and listens to it. Names that cannot be opened yet go to
 * `missing`. Returns 0, or errno after printing it.
 */
static int listen_to_config(listen_session *session, const ehs_config *config,
                            ehd_provider *registrar, name_list *missing)
{
    ehs_set_key few[64];
    size_t count = ehs_config_set_keys(config, few, 64);
    ehs_set_key *keys = few;
    if (count > 64) {
        keys = calloc(count, sizeof *keys);
        if (keys == NULL)
            return ENOMEM;
        count = ehs_config_set_keys(config, keys, count);
    }
    missing->names = calloc(count ? count : 1, sizeof *missing->names);
    int err = missing->names == NULL ? ENOMEM : 0;

    int open_err = err ? err : ehd_provider_open(registrar, config->provider, config->group, NULL);
    if (err == 0 && open_err != 0)
        fprintf(stderr,
                "ehshim listen: cannot register tracepoints (%s): events of programs that "
                "start before they exist will be missed\n",
                strerror(open_err));
    for (size_t i = 0; i < count && err == 0; i++) {
        /* The provider names the set even when it could not register. */
        ehd_event_set *set = ehd_provider_register_set(registrar, keys[i].level, keys[i].keyword);
        if (set == NULL) {
            err = ENOMEM;
            fprintf(stderr, "ehshim listen: provider %s: cannot name its event sets\n",
                    config->provider);
            break;
        }
        const char *name = ehd_event_set_name(set);
        if (open_err == 0 && ehd_event_set_errno(set) != 0)
            fprintf(stderr, "ehshim listen: registering %s: %s\n", name,
                    strerror(ehd_event_set_errno(set)));
        int add_err = listen_session_add(session, name);
        if (add_err == ENOENT) {
            missing->names[missing->count] = strdup(name);
            if (missing->names[missing->count] == NULL)
                err = ENOMEM;
            else
                missing->count++;
        } else if (add_err != 0) {
            fprintf(stderr, "ehshim listen: %s: %s\n", name,
                    add_err == EBADMSG ? "not an EventHeader tracepoint" : strerror(add_err));
            err = add_err;
        }
    }
    if (keys != few)
        free(keys);
    return err;
}

/* Tries the missing names again; keeps those still missing. */
static void retry_missing(listen_session *session, name_list *missing)
{
    size_t kept = 0;
    for (size_t i = 0; i < missing->count; i++) {
        int err = listen_session_add(session, missing->names[i]);
        if (err == ENOENT) {
            missing->names[kept++] = missing->names[i];
            continue;
        }
        if (err != 0)
            fprintf(stderr, "ehshim listen: %s: %s\n", missing->names[i], strerror(err));
        free(missing->names[i]);
    }
    missing->count = kept;
}

static int block_end_signals(void)
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &signals, NULL) != 0)
        return -1;
    return signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Reads rings until a signal comes; then writes everything. Returns the
 * exit status. */
static int run_rounds(listen_session *session, listen_output *out, const listen_request *request,
                      name_list *missing, int signal_fd)
{
    size_t poll_count = session->ring_count + 1;
    struct pollfd *polls = calloc(poll_count, sizeof *polls);
    if (polls == NULL)
        return 1;
    for (size_t i = 0; i < session->ring_count; i++)
        polls[i] = (struct pollfd){ .fd = session->rings[i].fd, .events = POLLIN };
    polls[session->ring_count] = (struct pollfd){ .fd = signal_fd, .events = POLLIN };

    uint64_t previous_round = 0, last_scan = monotonic_ns();
    bool ending = false;
    int err = 0;
    while (!ending && err == 0) {
        if (poll(polls, poll_count, ROUND_MS) < 0 && errno != EINTR) {
            err = errno;
            break;
        }
        struct signalfd_siginfo info;
        ending = read(signal_fd, &info, sizeof info) == (ssize_t)sizeof info;
        uint64_t round_start = monotonic_ns();
        listen_output_collect(out);
        /* Without CLOCK_MONOTONIC stamps the rounds cannot be compared with
         * sample times: each round is written sorted, as read. */
        err = listen_output_flush(out, previous_round, !session->monotonic_clock);
        previous_round = round_start;
        fflush(stdout);
        if (!ending && round_start - last_scan >= RESCAN_NS) {
            last_scan = round_start;
            if (request->provider_count > 0)
                listen_session_scan(session, request->providers, request->provider_count);
            retry_missing(session, missing);
        }
    }
    if (err == 0) {
        /* After a tick every ring has told its losses (see perf_ring.h). */
        struct timespec tick = { 0, (long)(PERF_RING_TICK_NS * 3 / 2) };
        nanosleep(&tick, NULL);
        listen_output_collect(out);
        err = listen_output_flush(out, 0, true);
    }
    free(polls);
    if (err != 0)
        fprintf(stderr, "ehshim listen: writing %s: %s\n",
                out->capture_fd >= 0 ? request->capture_path : "the output", strerror(err));
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "ehshim listen: writing the output: %s\n", strerror(errno));
        err = err ? err : EIO;
    }
    fprintf(stderr, "ehshim listen: %llu events, %llu lost", (unsigned long long)out->written,
            (unsigned long long)out->lost);
    if (out->failed != 0)
        fprintf(stderr, ", %llu could not be decoded or written", (unsigned long long)out->failed);
    fputc('\n', stderr);
    return err == 0 ? 0 : 1;
}

int cmd_listen(int argc, char **argv)
{
    listen_request request;
    int status = parse_arguments(argc, argv, &request);
    if (status >= 0) {
        free(request.providers);
        return status;
    }

    ehs_config *config = NULL;
    if (request.config_path != NULL &&
        (config = config_load_reporting(request.config_path)) == NULL) {
        free(request.providers);
        return 2;
    }
    int capture_fd = -1;
    if (request.capture_path != NULL) {
        capture_fd = open(request.capture_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (capture_fd < 0) {
            fprintf(stderr, "ehshim listen: %s: %s\n", request.capture_path, strerror(errno));
            ehs_config_free(config);
            free(request.providers);
            return 1;
        }
    }

    /* Signals first: a SIGINT during set-up still ends the run cleanly. */
    int signal_fd = block_end_signals();
    listen_session session;
    memset(&session, 0, sizeof session);
    ehd_provider registrar = EHD_PROVIDER_INIT;
    name_list missing = { NULL, 0 };
    int err = signal_fd < 0 ? errno : listen_session_open(&session);
    if (signal_fd < 0)
        fprintf(stderr, "ehshim listen: signalfd: %s\n", strerror(err));
    if (err == 0 && config != NULL)
        err = listen_to_config(&session, config, &registrar, &missing);
    if (err == 0 && request.provider_count > 0)
        listen_session_scan(&session, request.providers, request.provider_count);

    status = 1;
    if (err == 0) {
        fprintf(stderr, "ehshim listen: ready: %zu tracepoint(s) on %zu CPU(s)%s\n",
                session.tracepoint_count, session.ring_count,
                missing.count != 0 || request.provider_count != 0 ? ", more as they appear" : "");
        listen_output out;
        listen_output_init(&out, &session, capture_fd);
        status = run_rounds(&session, &out, &request, &missing, signal_fd);
        listen_output_free(&out);
    }
    listen_session_close(&session);
    ehd_provider_close(&registrar);
    for (size_t i = 0; i < missing.count; i++)
        free(missing.names[i]);
    free(missing.names);
    if (signal_fd >= 0)
        close(signal_fd);
    if (capture_fd >= 0)
        close(capture_fd);
    ehs_config_free(config);
    free(request.providers);
    return status;
}
