/*
 * The literal start of an anchored pattern, to skip a rule without calling
 * PCRE2 when the line cannot match it: a pattern "^Accepted (?<m>\w+) ..."
 * can only match lines that start with "Accepted ". On a config of a dozen
 * anchored rules most rules are ruled out this way by one memcmp.
 */
#ifndef EHS_ENGINE_PREFIX_H
#define EHS_ENGINE_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest prefix kept; a longer one would rarely rule out more lines. */
enum { EHS_PREFIX_MAX = 16 };

/*
 * Writes to `out` (EHS_PREFIX_MAX bytes) the bytes every match of `pattern`
 * (compiled with `compile_options`, PCRE2_INFO_ARGOPTIONS) must start the
 * subject with, and returns how many; 0 when nothing is certain. Certain
 * means: the pattern starts with ^ or \A, is not compiled caseless,
 * extended, multiline or literal, has no alternation outside parentheses,
 * and the literal bytes after the anchor are not quantified.
 */
size_t ehs_pattern_prefix(const char *pattern, uint32_t compile_options, char *out);

/* True when `|` may apply outside every group of `pattern`, or it uses
 * constructs that hide parentheses from a simple scan (\Q..\E, comments). */
bool ehs_pattern_may_alternate(const char *pattern);

#endif /* EHS_ENGINE_PREFIX_H */
