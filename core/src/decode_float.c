/*
 * The shortest decimal that reads back as a float or double, without
 * printf: the value's rounding interval is scaled by a power of ten so
 * that it spans 1 to 10 units, and the answer is an integer in it.
 *
 * Why that works: a double v = c * 2^q (c the significand with its hidden
 * bit) reads back from every decimal strictly inside the interval halfway
 * to its neighbours (and from the ends too when c is even). Scaled by
 * 10^-k, with k = floor(q * log10 2), the interval is W = 2^q / 10^k wide,
 * 1 <= W < 10 (3/4 of that below a power of two, whose lower neighbour is
 * nearer). So it holds at most one multiple of ten, and when it holds one,
 * that is the only decimal of fewest digits; otherwise every integer in it
 * has as many digits as the others, and the one nearest v is floor(v) or
 * floor(v) + 1. (With fewer than three digits the digit counts can tie
 * across a multiple of ten, so such values, only the smallest subnormals,
 * take the exact path.)
 *
 * The scaled values are computed from a 128-bit power of ten (rounded
 * down: float_pow10.h) as 64.64 fixed point, at most 2 units of 2^-64
 * below the truth. A comparison that close to call is not guessed: the
 * caller is told to use its exact path (decode_number.c), which happens
 * for values whose interval ends or midpoint fall on an integer, such as
 * large whole numbers.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "decode_internal.h"
#include "float_pow10.h"

typedef unsigned __int128 u128;

/* How far below the true scaled value the computed one may be, in units of
 * 2^-64: less than 1 from the power of ten, 1 from the final shift. */
enum { SLACK = 2 };

/* (m * 10^j) scaled to 64.64 fixed point, where the exact product is
 * m * G * 2^(E + shift_exponent)... see scaled(): `shift` is the right
 * shift that turns m * G into units of 2^-64. */
static u128 scaled(uint64_t m, const struct ehd_pow10 *p, int shift)
{
    u128 low = (u128)m * p->lo;
    u128 high = (u128)m * p->hi;
    u128 middle = (low >> 64) + (uint64_t)high;
    uint64_t w0 = (uint64_t)low, w1 = (uint64_t)middle;
    uint64_t w2 = (uint64_t)(high >> 64) + (uint64_t)(middle >> 64);
    /* (w2:w1:w0) >> shift, 61 <= shift <= 67: w2 has at most 55 bits. */
    u128 below = ((u128)w1 << 64 | w0) >> shift;
    return below | (u128)w2 << (128 - shift);
}

/* -1 when n < x for sure, 1 when n > x for sure, 0 when too close to tell;
 * x is a computed scaled value, n an integer. */
static int compare(uint64_t n, u128 x)
{
    u128 scaled_n = (u128)n << 64;
    if (scaled_n < x)
        return -1;
    if (scaled_n >= x + SLACK)
        return 1;
    return 0;
}

/* 1 inside [low, high], -1 outside, 0 when too close to tell. */
static int inside(uint64_t n, u128 low, u128 high)
{
    int above_low = compare(n, low), below_high = compare(n, high);
    if (above_low == 0 || below_high == 0)
        return 0;
    return above_low > 0 && below_high < 0 ? 1 : -1;
}

bool ehd__shortest_fast(uint64_t c, int q, bool lower_gap_half, uint64_t *digits, int *exponent)
{
    int k = (q * 315653) >> 20; /* floor(q * log10 2) for |q| < 1100 */
    int j = -k;
    if (j < EHD_POW10_MIN || j > EHD_POW10_MAX)
        return false;
    const struct ehd_pow10 *p = &ehd_pow10[j - EHD_POW10_MIN];
    /* In units of 2^(q-2): v is 4c, its interval [4c - 2, 4c + 2] (4c - 1
     * below a power of two). Those units times 10^j in 64.64 fixed point
     * need a right shift of -(q - 2 + exp + 64) bits. */
    int shift = -(q - 2 + p->exp + 64);
    if (shift < 61 || shift > 67)
        return false;
    uint64_t cb = c << 2;
    u128 v = scaled(cb, p, shift);
    u128 low = scaled(cb - (lower_gap_half ? 1 : 2), p, shift);
    u128 high = scaled(cb + 2, p, shift);

    uint64_t s = (uint64_t)(v >> 64);
    if ((uint64_t)v > UINT64_MAX - SLACK) /* floor(v) might be s + 1 */
        return false;
    if (s < 100)
        return false;

    uint64_t down10 = s - s % 10, up10 = down10 + 10;
    int in_down10 = inside(down10, low, high), in_up10 = inside(up10, low, high);
    if (in_down10 == 0 || in_up10 == 0 || (in_down10 > 0 && in_up10 > 0))
        return false;
    if (in_down10 > 0 || in_up10 > 0) {
        *digits = in_down10 > 0 ? down10 : up10;
        *exponent = k;
        return true;
    }

    int in_s = inside(s, low, high), in_t = inside(s + 1, low, high);
    if (in_s == 0 || in_t == 0 || (in_s < 0 && in_t < 0))
        return false;
    uint64_t pick;
    if (in_s > 0 && in_t > 0) {
        /* Both read back: the nearer to v, s when v is below s + 1/2. */
        u128 half = (u128)s << 64 | (u128)1 << 63;
        if (v + SLACK <= half)
            pick = s;
        else if (v > half)
            pick = s + 1;
        else
            return false;
    } else {
        pick = in_s > 0 ? s : s + 1;
    }
    *digits = pick;
    *exponent = k;
    return true;
}
