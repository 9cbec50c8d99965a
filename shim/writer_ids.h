/*
 * Which process and thread write an event, known without asking the kernel
 * for each event (writer_ids.c), and the vfork and clone interposers that
 * keep that knowledge right (vfork.c).
 */
#ifndef SHIM_WRITER_IDS_H
#define SHIM_WRITER_IDS_H

#include <stdbool.h>
#include <stdint.h>

#include "ehd/ehd.h"

/* How deep the calling thread is in vfork calls made through the vfork
 * interposer: nonzero in a vfork child, which runs on this thread's memory
 * and TLS while the thread waits in vfork. */
extern __thread unsigned shim_vfork_depth __attribute__((tls_model("initial-exec")));

/* Sets the pid and tid of the calling thread's events from what the thread
 * keeps, and returns true; returns false (nothing set) where the kept ids
 * cannot be trusted: a vfork child, a process that made a clone sharing its
 * memory, before set-up, an architecture without the vfork interposer.
 * Async-signal-safe; keeps errno. */
bool shim_writer_ids(uint32_t *pid, uint32_t *tid);

/* Stops shim_writer_ids from trusting kept ids in this process, for good:
 * something happened that it cannot follow. */
void shim_writer_ids_off(void);

/* ehd_builder_write of the calling thread's event to `set`, stamped (in a
 * capture file) with shim_writer_ids when it has them. */
int shim_builder_write(const ehd_builder *builder, const ehd_event_set *set);

#endif /* SHIM_WRITER_IDS_H */
