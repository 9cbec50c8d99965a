/*
 * xorshift64*: the tests' random numbers. Plenty for test data, and the
 * same seed gives the same numbers everywhere, so a failure repeats.
 */
#ifndef TESTS_LIB_XORSHIFT_H
#define TESTS_LIB_XORSHIFT_H

#include <stdint.h>

/* The next number from `state` (never 0; advanced in place). */
static inline uint64_t xorshift_next(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * UINT64_C(2685821657736338717);
}

#endif /* TESTS_LIB_XORSHIFT_H */
