/*
 * Running one of the config's compiled patterns with a thread's engine
 * state (its match data, match context and JIT stack), for code outside
 * engine.c that must not allocate per line: the grouper's patterns.
 */
#ifndef EHS_ENGINE_MATCH_H
#define EHS_ENGINE_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "ehs/ehs_engine.h"

/* True when `code` (a pcre2_code_8 * of the state's config) matches `len`
 * bytes of `text`. A match that hits a PCRE2 limit counts as no match. */
bool ehs_engine_pattern_matches(ehs_thread_state *state, const void *code, const char *text,
                                size_t len);

/* `linear` true: builds with `state` try every rule in config order with no
 * index and no literal checks, PCRE2 deciding alone: what the index must
 * agree with (tests compare the two). Not thread-safe with builds on
 * `state`. */
void ehs_engine_set_linear(ehs_thread_state *state, bool linear);

#endif /* EHS_ENGINE_MATCH_H */
