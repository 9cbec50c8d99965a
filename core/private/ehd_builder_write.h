/*
 * Internal: the builder's write for a host that knows who writes (the
 * shim keeps each thread's ids), without an options struct to check and
 * read. Nothing installed sees it.
 */
#ifndef EHD_BUILDER_WRITE_H
#define EHD_BUILDER_WRITE_H

#include <stdint.h>

#include "ehd/ehd.h"

/* ehd_builder_write_opts(b, set, &EHD_WRITE_OPTIONS(.pid = pid, .tid = tid)):
 * the same checks, bytes and return values. Thread-safe as that call is. */
int ehd__builder_write_ids(const ehd_builder *b, const ehd_event_set *set, uint32_t pid,
                           uint32_t tid);

#endif /* EHD_BUILDER_WRITE_H */
