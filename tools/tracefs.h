/*
 * tracefs as the collector and `ehshim status` see it: where it is mounted,
 * and what it says about user_events tracepoints (their perf ids and where
 * their own fields start in a sample's raw data).
 *
 * Error convention: 0 or a positive errno.
 */
#ifndef EHSHIM_TOOLS_TRACEFS_H
#define EHSHIM_TOOLS_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Directory that tracefs files live in: the tracefs mount itself, or
 * "tracing/" inside a debugfs mount (older systems). */
typedef struct tracefs_location {
    char dir[4096];     /* e.g. "/sys/kernel/tracing"; "" when not found */
    bool via_debugfs;   /* found as <debugfs>/tracing, not as a tracefs mount */
} tracefs_location;

/*
 * Finds the tracing directory through /proc/mounts: the first tracefs
 * mount, else <first debugfs mount>/tracing when that holds tracefs files.
 * Returns 0, ENOTSUP when neither is mounted (as the core's provider open
 * says it), ENAMETOOLONG, ENOMEM, or the errno of reading /proc/mounts.
 */
int tracefs_locate(tracefs_location *where);

/* Reads events/user_events/NAME/id: the perf tracepoint id. Returns 0,
 * ENOENT when the tracepoint does not exist, EBADMSG for odd content, or
 * the errno of reading. */
int tracefs_user_event_id(const tracefs_location *where, const char *name, uint64_t *id);

/*
 * Reads events/user_events/NAME/format and stores in *offset where the
 * first field that is not common_* starts: in a perf sample's raw data the
 * EventHeader event begins there. Returns 0, ENOENT, EBADMSG when the first
 * own field is not "eventheader_flags" (not an EventHeader tracepoint), or
 * the errno of reading.
 */
int tracefs_eventheader_offset(const tracefs_location *where, const char *name, size_t *offset);

/*
 * Calls `visit` with the name of every user_events tracepoint (the entries
 * of events/user_events/). Stops early when `visit` returns nonzero and
 * returns that value; else returns 0, or the errno of opening the directory
 * (ENOENT: no user_events tracepoint exists yet).
 */
int tracefs_each_user_event(const tracefs_location *where, int (*visit)(const char *name, void *arg),
                            void *arg);

#endif
