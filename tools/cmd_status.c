/*
 * ehshim status: can this machine carry events? One line per piece a
 * program under the shim and `ehshim listen` need -- the kernel feature,
 * the tracefs mount, the right to write user_events_data, the right to use
 * perf -- each missing piece followed by the exact remedy.
 *
 * Exit status 0 when every piece is there, 1 when one is missing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "commands.h"
#include "kernel_probe.h"
#include "tracefs.h"

#define DEFAULT_TRACEFS "/sys/kernel/tracing"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ehshim status\n"
            "\n"
            "Says whether this machine can carry events: whether the kernel has\n"
            "user_events, where tracefs is mounted, whether this user may write\n"
            "user_events_data, and what perf_event_paranoid allows ehshim listen.\n"
            "Each missing piece is followed by the command or change that adds it.\n"
            "\n"
            "options:\n"
            "  -h, --help   show this help\n"
            "\n"
            "exit status: 0 everything is there; 1 something is missing.\n");
}

/* Prints "label: text" with the labels lined up. */
static void report(const char *label, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void report(const char *label, const char *format, ...)
{
    printf("%-21s", label);
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    putchar('\n');
}

static void remedy(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void remedy(const char *format, ...)
{
    printf("  remedy:            ");
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    putchar('\n');
}

static const char *kernel_release(struct utsname *names)
{
    return uname(names) == 0 ? names->release : "(unknown release)";
}

/* Returns true when the kernel has user_events. */
static bool check_kernel(const tracefs_location *tracefs, bool mounted, const char *data_path)
{
    struct utsname names;
    const char *release = kernel_release(&names);
    char evidence[sizeof tracefs->dir + 64] = "";
    probe_answer answer;
    if (mounted && access(data_path, F_OK) == 0) {
        answer = PROBE_YES;
        snprintf(evidence, sizeof evidence, "%s", data_path);
    } else if (mounted && errno == ENOENT) {
        answer = PROBE_NO;
        snprintf(evidence, sizeof evidence, "%s has no user_events_data", tracefs->dir);
    } else {
        answer = kernel_probe_user_events(evidence, sizeof evidence);
        if (answer == PROBE_NO && strcmp(evidence, "/proc/kallsyms") == 0)
            snprintf(evidence, sizeof evidence, "no user_events symbol in /proc/kallsyms");
        else if (answer == PROBE_NO)
            snprintf(evidence + strlen(evidence), sizeof evidence - strlen(evidence),
                     " lacks CONFIG_USER_EVENTS=y");
    }
    switch (answer) {
    case PROBE_YES:
        report("kernel user_events:", "present (Linux %s)", release);
        return true;
    case PROBE_NO:
        report("kernel user_events:", "missing: Linux %s was built without CONFIG_USER_EVENTS (%s)",
               release, evidence);
        remedy("boot a kernel built with CONFIG_USER_EVENTS=y (Linux 6.4 or later; Debian's "
               "and Ubuntu's stock kernels lack it)");
        return false;
    default:
        report("kernel user_events:", "unknown until tracefs is mounted (Linux %s)", release);
        return false;
    }
}

/* Reports what tracefs_locate said (`err`); returns true when mounted. */
static bool check_tracefs(const tracefs_location *tracefs, int err)
{
    if (err == 0) {
        report("tracefs:", "mounted at %s%s", tracefs->dir,
               tracefs->via_debugfs ? " (inside debugfs)" : "");
        return true;
    }
    if (err == ENOTSUP) {
        report("tracefs:", "not mounted");
        remedy("mount -t tracefs nodev " DEFAULT_TRACEFS "   (as root)");
    } else {
        report("tracefs:", "unknown: /proc/mounts: %s", strerror(err));
    }
    return false;
}

static bool check_data_access(bool mounted, bool kernel_has_it, const char *tracefs_dir,
                              const char *data_path)
{
    if (!mounted) {
        report("user_events_data:", "unknown until tracefs is mounted");
        return false;
    }
    if (!kernel_has_it) {
        report("user_events_data:", "missing (the kernel has no user_events)");
        return false;
    }
    if (access(data_path, W_OK) == 0) {
        report("user_events_data:", "writable by this user (uid %u)", (unsigned)geteuid());
        return true;
    }
    int err = errno;
    report("user_events_data:", "not writable by this user (uid %u): %s", (unsigned)geteuid(),
           strerror(err));
    if (err == EACCES)
        remedy("as root: chmod a+x %s && chmod a+w %s   (or run the program as root)", tracefs_dir,
               data_path);
    else if (err == EROFS)
        remedy("remount tracefs read-write: mount -o remount,rw %s   (as root)", tracefs_dir);
    return false;
}

static bool check_perf(void)
{
    FILE *file = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
    int paranoid = 0;
    bool known = file != NULL && fscanf(file, "%d", &paranoid) == 1;
    if (file != NULL)
        fclose(file);
    if (!known) {
        report("perf_event_paranoid:", "missing: the kernel has no perf events");
        remedy("boot a kernel built with CONFIG_PERF_EVENTS=y");
        return false;
    }
    if (kernel_probe_perf_privileged()) {
        report("perf_event_paranoid:", "%d (ehshim listen allowed: this user is root or has "
               "CAP_PERFMON)", paranoid);
        return true;
    }
    if (paranoid <= -1) {
        report("perf_event_paranoid:", "%d (ehshim listen allowed for every user)", paranoid);
        return true;
    }
    report("perf_event_paranoid:", "%d (ehshim listen needs -1, root or CAP_PERFMON)", paranoid);
    remedy("sysctl -w kernel.perf_event_paranoid=-1   (as root), or run ehshim listen as root");
    return false;
}

int cmd_status(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        usage(stderr);
        return 2;
    }

    tracefs_location tracefs;
    int tracefs_err = tracefs_locate(&tracefs);
    bool mounted = tracefs_err == 0;
    char data_path[sizeof tracefs.dir + 32];
    snprintf(data_path, sizeof data_path, "%s/user_events_data", tracefs.dir);

    int missing = 0;
    bool kernel_has_it = check_kernel(&tracefs, mounted, data_path);
    missing += !kernel_has_it;
    missing += !check_tracefs(&tracefs, tracefs_err);
    missing += !check_data_access(mounted, kernel_has_it, tracefs.dir, data_path);
    missing += !check_perf();
    if (missing == 0)
        printf("ready: programs under the shim can emit events and ehshim listen can "
               "collect them\n");
    else
        printf("not ready: %d of 4 pieces missing or unknown\n", missing);
    fflush(stdout);
    return missing == 0 ? 0 : 1;
}
