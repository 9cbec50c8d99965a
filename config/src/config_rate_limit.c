/*
 * "rate_limit" at the top level, in "default" and in a rule: reading it,
 * and making the config's windows (rate_limit.h) once every rule is read.
 * A rule or default without its own key inherits the top-level limit; its
 * own null turns the limit off.
 */
#include <stdlib.h>

#include "config_internal.h"
#include "rate_limit.h"

/* journald's RateLimitIntervalSec default. */
enum { INTERVAL_DEFAULT_MS = 30000 };

void ehs_load_rate_limit(ehs_load *load, const cJSON *object, const ehs_rate_limit *inherited,
                         ehs_rate_limit *out)
{
    const cJSON *member = cJSON_GetObjectItemCaseSensitive(object, "rate_limit");
    if (member == NULL) {
        if (inherited != NULL)
            *out = *inherited;
        return;
    }
    const cJSON *limit = ehs_member(load, object, "rate_limit", cJSON_Object, true,
                                    "an object with 'burst' (and 'interval_ms', 'errors') or null");
    *out = (ehs_rate_limit){ 0 };
    if (limit == NULL)
        return;
    static const char *const keys[] = { "burst", "interval_ms", "errors", NULL };
    ehs_check_keys(load, limit, keys, "'rate_limit'");
    uint64_t burst = 0, interval = INTERVAL_DEFAULT_MS;
    bool errors = false;
    if (cJSON_GetObjectItemCaseSensitive(limit, "burst") == NULL)
        ehs_diag_add(&load->diag, ehs_value_position(load, limit),
                     "'rate_limit' needs a 'burst' (events let through per interval)");
    bool ok = ehs_read_uint(load, limit, "burst", 1, EHS_RATE_BURST_MAX, &burst);
    if (cJSON_GetObjectItemCaseSensitive(limit, "interval_ms") != NULL)
        ok &= ehs_read_uint(load, limit, "interval_ms", 1, EHS_RATE_INTERVAL_MAX, &interval);
    ehs_read_bool(load, limit, "errors", &errors);
    if (ok)
        *out = (ehs_rate_limit){ (uint32_t)burst, (uint32_t)interval, errors };
}

void ehs_load_rate_windows(ehs_load *load)
{
    ehs_config *config = load->config;
    bool any = config->default_event.rate_limit.burst != 0;
    for (size_t i = 0; i < config->rule_count && !any; i++)
        any = config->rules[i].rate_limit.burst != 0 && !config->rules[i].drop;
    if (!any)
        return;
    size_t count = config->rule_count + EHS_SOURCE_COUNT;
    ehs_rate_limit *limits = calloc(count, sizeof(*limits));
    if (limits == NULL) {
        ehs_load_nomem(load);
        return;
    }
    for (size_t i = 0; i < config->rule_count; i++)
        if (!config->rules[i].drop)
            limits[i] = config->rules[i].rate_limit;
    for (size_t s = 0; s < EHS_SOURCE_COUNT; s++)
        limits[config->rule_count + s] = config->default_event.rate_limit;
    config->rate_windows = ehs_rate_windows_new(limits, count);
    free(limits);
    if (config->rate_windows == NULL)
        ehs_load_nomem(load);
}
