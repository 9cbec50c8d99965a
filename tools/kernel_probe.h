/*
 * Questions `ehshim status` asks the running kernel when tracefs cannot
 * answer them: is user_events built in, and may this process use perf on
 * tracepoints.
 */
#ifndef EHSHIM_TOOLS_KERNEL_PROBE_H
#define EHSHIM_TOOLS_KERNEL_PROBE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum probe_answer {
    PROBE_UNKNOWN = 0,
    PROBE_YES = 1,
    PROBE_NO = 2,
} probe_answer;

/*
 * Whether the running kernel was built with CONFIG_USER_EVENTS, judged from
 * /boot/config-RELEASE, else from the symbol names in /proc/kallsyms. On a
 * YES or NO answer `evidence` (of `size` bytes) names the file that told.
 */
probe_answer kernel_probe_user_events(char *evidence, size_t size);

/* True when this process may open system-wide perf events on tracepoints
 * with raw data whatever perf_event_paranoid says: effective uid 0, or
 * CAP_PERFMON or CAP_SYS_ADMIN in its effective set. */
bool kernel_probe_perf_privileged(void);

#endif
