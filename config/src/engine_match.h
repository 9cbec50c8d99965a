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

#endif /* EHS_ENGINE_MATCH_H */
