/*
 * Internal: the capture backend's one-pass record for a built event, used by
 * the builder's write (builder_write.c) so that the shim's events skip the
 * iovec and every copy but one. The layout is ehd_capture.h's, byte for byte
 * what ehd__capture_writev makes of the same event (tests/unit/
 * test_backend_capture.c compares the two).
 */
#ifndef EHD_CAPTURE_RECORD_H
#define EHD_CAPTURE_RECORD_H

#include "backend.h"
#include "ehd_builder_layout.h"

/* ehd__capture_write_built's answer for a record too large to gather: the
 * caller writes it through ehd__capture_writev instead. */
#define EHD__CAPTURE_NOT_GATHERED (-1)

/*
 * Appends the stamped record of the event `b` holds (at `set`'s level, with
 * the activity ids when not NULL) to `data_fd`, built straight into one
 * buffer and written with one write. The caller has checked the builder's
 * state, the set and the ids. Returns what ehd__capture_writev returns for
 * the same event, or EHD__CAPTURE_NOT_GATHERED (nothing written) when the
 * record is larger than the buffer.
 */
int ehd__capture_write_built(int data_fd, const ehd_event_set *set, const ehd_builder *b,
                             const void *activity_id, const void *related_id,
                             const ehd__writer *writer);

#endif /* EHD_CAPTURE_RECORD_H */
