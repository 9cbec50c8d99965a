/* What the kernel has and allows; see kernel_probe.h. */
#include "kernel_probe.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Capability numbers of linux/capability.h. */
enum { CAPABILITY_SYS_ADMIN = 21, CAPABILITY_PERFMON = 38 };

/* A kernel with symbols lists tens of thousands; fewer means the list was
 * cut down and its silence proves nothing. */
enum { KALLSYMS_TRUSTED_MIN = 10000 };

static probe_answer from_boot_config(const char *release, char *evidence, size_t size)
{
    char path[512];
    snprintf(path, sizeof path, "/boot/config-%s", release);
    FILE *file = fopen(path, "re");
    if (file == NULL)
        return PROBE_UNKNOWN;
    probe_answer answer = PROBE_NO; /* a config without the line predates the option */
    char line[512];
    while (fgets(line, sizeof line, file) != NULL) {
        if (strncmp(line, "CONFIG_USER_EVENTS=y", 20) == 0) {
            answer = PROBE_YES;
            break;
        }
    }
    fclose(file);
    snprintf(evidence, size, "%s", path);
    return answer;
}

static probe_answer from_kallsyms(char *evidence, size_t size)
{
    FILE *file = fopen("/proc/kallsyms", "re");
    if (file == NULL)
        return PROBE_UNKNOWN;
    size_t symbols = 0;
    bool found = false;
    char line[1024];
    while (!found && fgets(line, sizeof line, file) != NULL) {
        /* "ffffffff81000000 T name [module]" */
        char *name = strchr(line, ' ');
        name = name != NULL ? strchr(name + 1, ' ') : NULL;
        if (name == NULL)
            continue;
        symbols++;
        found = strncmp(name + 1, "user_event", 10) == 0;
    }
    fclose(file);
    if (!found && symbols < KALLSYMS_TRUSTED_MIN)
        return PROBE_UNKNOWN;
    snprintf(evidence, size, "/proc/kallsyms");
    return found ? PROBE_YES : PROBE_NO;
}

probe_answer kernel_probe_user_events(char *evidence, size_t size)
{
    struct utsname names;
    if (uname(&names) == 0) {
        probe_answer answer = from_boot_config(names.release, evidence, size);
        if (answer != PROBE_UNKNOWN)
            return answer;
    }
    return from_kallsyms(evidence, size);
}

bool kernel_probe_perf_privileged(void)
{
    if (geteuid() == 0)
        return true;
    FILE *file = fopen("/proc/self/status", "re");
    if (file == NULL)
        return false;
    uint64_t effective = 0;
    char line[256];
    while (fgets(line, sizeof line, file) != NULL)
        if (sscanf(line, "CapEff: %" SCNx64, &effective) == 1)
            break;
    fclose(file);
    return (effective >> CAPABILITY_PERFMON & 1) || (effective >> CAPABILITY_SYS_ADMIN & 1);
}
