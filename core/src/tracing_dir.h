/*
 * Where the kernel's tracing files are, read from the mounts file. The
 * user_events backend opens user_events_data there; the ehshim tool, which
 * links the core statically, reads tracepoint ids and formats there (this
 * is internal: the shared library does not export it).
 */
#ifndef EHD_TRACING_DIR_H
#define EHD_TRACING_DIR_H

#include <stdbool.h>

/*
 * Finds the tracing directory through /proc/mounts: the mount point of the
 * first tracefs mount, else "<mount point>/tracing" of the first debugfs
 * mount (debugfs mounts tracefs there by itself; whether it did is for the
 * caller to find out). Mount points come unescaped ("\040" is a space).
 * Stores a malloc'ed path in *dir (the caller frees it) and, unless
 * `via_debugfs` is NULL, whether it was found through debugfs. Returns 0,
 * ENOTSUP when neither file system is mounted, ENOMEM, or the errno of
 * opening the mounts file. Thread-safe (but see the test seam below).
 */
int ehd__tracing_dir(char **dir, bool *via_debugfs);

/*
 * Test seam: reads mount points from `path` instead of /proc/mounts; NULL
 * restores the default. Not thread-safe; call before opening providers.
 */
void ehd__tracing_set_mounts_path(const char *path);

#endif /* EHD_TRACING_DIR_H */
