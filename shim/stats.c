/*
 * Counters for EHSHIM_DEBUG=1: what the shim saw and what became of it, per
 * source. Relaxed atomic adds: they only need to be right at exit. Kept
 * only with EHSHIM_DEBUG=1, the only time they are reported (shim.h).
 */
#include <stdio.h>

#include "shim.h"

static unsigned long shim_counters[EHS_SOURCE_COUNT][SHIM_COUNTER_KINDS];
static unsigned long abandoned_calls;
static unsigned long reports;

void shim_count_report_add(void)
{
    __atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED);
}

void shim_count_abandoned_add(void)
{
    __atomic_fetch_add(&abandoned_calls, 1, __ATOMIC_RELAXED);
}

void shim_count_add(ehs_source source, shim_counter counter, unsigned long n)
{
    if ((unsigned)source >= EHS_SOURCE_COUNT || n == 0)
        return;
    __atomic_fetch_add(&shim_counters[source][counter], n, __ATOMIC_RELAXED);
}

void shim_stats_reset(void)
{
    for (int s = 0; s < EHS_SOURCE_COUNT; s++)
        for (int c = 0; c < SHIM_COUNTER_KINDS; c++)
            __atomic_store_n(&shim_counters[s][c], 0, __ATOMIC_RELAXED);
    __atomic_store_n(&abandoned_calls, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&reports, 0, __ATOMIC_RELAXED);
}

static unsigned long counter(int source, shim_counter which)
{
    return __atomic_load_n(&shim_counters[source][which], __ATOMIC_RELAXED);
}

void shim_stats_report(void)
{
    if (!shim_debug_enabled)
        return;
    for (int s = EHS_SOURCE_ANY + 1; s < EHS_SOURCE_COUNT; s++) {
        /* syslog and stderr always (scripts read them); the others when
         * captured. */
        if (s != EHS_SOURCE_SYSLOG && s != EHS_SOURCE_STDERR &&
            !ehs_config_captures(shim_config, (ehs_source)s))
            continue;
        unsigned long disabled = counter(s, SHIM_COUNT_DISABLED);
        unsigned long by_rule = counter(s, SHIM_COUNT_RULE_DROP);
        unsigned long failed = counter(s, SHIM_COUNT_WRITE_ERROR);
        shim_debug("%s: %lu lines seen, %lu events written, %lu dropped (%lu disabled, "
                   "%lu by rule, %lu write errors), %lu conversion failures, %lu truncated",
                   ehs_source_name((ehs_source)s), counter(s, SHIM_COUNT_LINES), counter(s, SHIM_COUNT_WRITTEN),
                   disabled + by_rule + failed, disabled, by_rule, failed,
                   counter(s, SHIM_COUNT_CONVERSION), counter(s, SHIM_COUNT_TRUNCATED));
    }
    if (shim_config != NULL && shim_config->rate_windows != NULL) {
        unsigned long suppressed = 0;
        for (int s = EHS_SOURCE_ANY + 1; s < EHS_SOURCE_COUNT; s++)
            suppressed += counter(s, SHIM_COUNT_SUPPRESSED);
        shim_debug("rate limits: %lu events suppressed, %lu Suppressed events reporting them",
                   suppressed, __atomic_load_n(&reports, __ATOMIC_RELAXED));
    }
    shim_reload_report();
    unsigned long abandoned = __atomic_load_n(&abandoned_calls, __ATOMIC_RELAXED);
    if (abandoned != 0)
        shim_debug("%lu intercepted calls were left by a signal handler's jump before their "
                   "text was captured",
                   abandoned);
}
