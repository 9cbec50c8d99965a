/*
 * The fields of a grouped record's event: exception_type,
 * exception_message and frames (from its built-in detector), then lines.
 */
#ifndef EHS_ENGINE_RECORD_H
#define EHS_ENGINE_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "detect.h"
#include "ehd/ehd.h"
#include "ehs/ehs_engine.h"

/* Most frames one event carries. */
enum { EHS_FRAMES_MAX = 128 };

/*
 * Adds the record fields of `message` (whose text, prefix removed, is
 * `text`/`len`) to `builder`, in at most `room` event bytes, strings cut to
 * `max_string`. A field named like one of `rule`'s captures is left to the
 * capture. `frames` is scratch room for `max_frames` frames. Returns true
 * when something was cut or left out.
 */
bool ehs_add_record_fields(ehd_builder *builder, const ehs_message *message, const char *text,
                           size_t len, const ehs_rule *rule, ehs_frame *frames,
                           size_t max_frames, size_t room, size_t max_string);

#endif /* EHS_ENGINE_RECORD_H */
