/*
 * Internal: the capture backend's one-pass record for a built event, used by
 * the builder's write (builder_write.c) so that the shim's events skip the
 * iovec and every copy but one. The layout is ehd_capture.h's, byte for byte
 * what ehd__capture_writev makes of the same event (tests/unit/
 * test_backend_capture.c checks both against the format, on random events).
 */
#ifndef EHD_CAPTURE_RECORD_H
#define EHD_CAPTURE_RECORD_H

#include "backend.h"
#include "ehd_builder_layout.h"

/*
 * Appends the stamped record of the event `b` holds (at `set`'s level, with
 * the activity ids when not NULL) to `data_fd` in one system call: built
 * straight into one buffer and written with write when it takes at most
 * 1 KiB, else in its pieces with writev. The caller has checked the
 * builder's state (its size bounds the record), the set and the ids.
 * The stamp's ids are `writer_ids`, the pid in the low half and the tid in
 * the high one (one register, so that a call to this can be its caller's
 * last), or the kernel's when it is 0. Returns what ehd__capture_writev
 * returns for the same event. Thread-safe; allocates nothing.
 */
int ehd__capture_write_built(int data_fd, const ehd_event_set *set, const ehd_builder *b,
                             const void *activity_id, const void *related_id,
                             uint64_t writer_ids);

#endif /* EHD_CAPTURE_RECORD_H */
