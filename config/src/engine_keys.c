/*
 * ehs_config_set_keys: every (level, keyword) an event of a config can be
 * written with, so the shim can register its event sets up front.
 *
 * A "producer" is a rule that does not drop, or the default event unless it
 * drops. Its keywords: its own, else the keyword of each source it can see
 * (ehs_source_keyword: sources the config does not capture never reach
 * it). Its levels: its fixed level, else 1..5 (a priority or a
 * "<N>" prefix can give any); plus its level_map's levels. Output order:
 * keywords in order of first appearance, each with its levels ascending.
 * Runs once per config; quadratic in the rule count, and allocation-free.
 */
#include <string.h>

#include "ehs/ehs_engine.h"

typedef struct producer {
    ehs_source source;
    bool has_keyword;
    uint64_t keyword;
    uint8_t level;          /* 0: from the message */
    const ehs_rule *rule;   /* for the level_map; NULL for the default event */
    bool limited;           /* has a rate limit: its reports are level 3 */
} producer;

/* Producer `index` (rules, then the default event); false when there is
 * none at that index or it drops everything. */
static bool producer_at(const ehs_config *config, size_t index, producer *p)
{
    if (index < config->rule_count) {
        const ehs_rule *rule = &config->rules[index];
        if (rule->drop)
            return false;
        *p = (producer){ rule->source,           rule->has_keyword, rule->keyword, rule->level, rule,
                         rule->rate_limit.burst != 0 };
        return true;
    }
    const ehs_default_event *d = &config->default_event;
    if (d->drop)
        return false;
    *p = (producer){ EHS_SOURCE_ANY, d->has_keyword,         d->keyword,
                     d->level,       NULL, d->rate_limit.burst != 0 };
    return true;
}

/* The keywords of `p` (up to one per source). */
static size_t producer_keywords(const ehs_config *config, const producer *p,
                                uint64_t out[EHS_SOURCE_COUNT])
{
    size_t n = 0;
    bool sees_any = false;
    for (int s = EHS_SOURCE_ANY + 1; s < EHS_SOURCE_COUNT; s++) {
        if (!ehs_config_captures(config, (ehs_source)s) ||
            (p->source != EHS_SOURCE_ANY && p->source != (ehs_source)s))
            continue;
        sees_any = true;
        if (!p->has_keyword)
            out[n++] = ehs_source_keyword((ehs_source)s);
    }
    if (p->has_keyword && sees_any)
        out[n++] = p->keyword;
    return n;
}

static bool producer_has_keyword(const ehs_config *config, const producer *p, uint64_t keyword)
{
    uint64_t keywords[EHS_SOURCE_COUNT];
    size_t n = producer_keywords(config, p, keywords);
    for (size_t i = 0; i < n; i++)
        if (keywords[i] == keyword)
            return true;
    return false;
}

/* Adds the levels of `p` to a 256-bit set. */
static void producer_levels(const producer *p, uint64_t levels[4])
{
    if (p->level != 0) {
        levels[p->level / 64] |= UINT64_C(1) << (p->level % 64);
    } else {
        for (unsigned l = EHD_LEVEL_CRITICAL; l <= EHD_LEVEL_VERBOSE; l++)
            levels[0] |= UINT64_C(1) << l;
    }
    if (p->limited)
        levels[0] |= UINT64_C(1) << EHD_LEVEL_WARNING;
    if (p->rule != NULL && p->rule->level_field != NULL) {
        for (size_t i = 0; i < p->rule->level_map_count; i++) {
            uint8_t l = p->rule->level_map[i].level;
            if (l != 0)
                levels[l / 64] |= UINT64_C(1) << (l % 64);
        }
    }
}

/* Whether `keyword` came up for a producer before `index` (or earlier in
 * the list of producer `index` itself, at `position`). */
static bool seen_before(const ehs_config *config, size_t index, size_t position,
                        uint64_t keyword)
{
    producer p;
    for (size_t i = 0; i < index; i++)
        if (producer_at(config, i, &p) && producer_has_keyword(config, &p, keyword))
            return true;
    if (position > 0 && producer_at(config, index, &p)) {
        uint64_t keywords[EHS_SOURCE_COUNT];
        size_t n = producer_keywords(config, &p, keywords);
        for (size_t k = 0; k < position && k < n; k++)
            if (keywords[k] == keyword)
                return true;
    }
    return false;
}

size_t ehs_config_set_keys(const ehs_config *config, ehs_set_key *keys, size_t max)
{
    size_t count = 0;
    size_t producers = config->rule_count + 1;
    for (size_t index = 0; index < producers; index++) {
        producer p;
        if (!producer_at(config, index, &p))
            continue;
        uint64_t keywords[EHS_SOURCE_COUNT];
        size_t n = producer_keywords(config, &p, keywords);
        for (size_t k = 0; k < n; k++) {
            uint64_t keyword = keywords[k];
            if (seen_before(config, index, k, keyword))
                continue;
            /* First time this keyword comes up: gather the levels of every
             * producer that can write it. */
            uint64_t levels[4] = { 0 };
            for (size_t j = index; j < producers; j++) {
                producer q;
                if (producer_at(config, j, &q) && producer_has_keyword(config, &q, keyword))
                    producer_levels(&q, levels);
            }
            for (unsigned l = 1; l < 256; l++) {
                if ((levels[l / 64] >> (l % 64) & 1) == 0)
                    continue;
                if (count < max)
                    keys[count] = (ehs_set_key){ (uint8_t)l, keyword };
                count++;
            }
        }
    }
    if (config->reload_check_ms != 0) {
        static const uint8_t own_levels[] = { EHD_LEVEL_ERROR, EHD_LEVEL_INFO };
        for (size_t i = 0; i < sizeof own_levels; i++) {
            bool listed = false;
            for (size_t k = 0; k < count && k < max; k++)
                listed |= keys[k].level == own_levels[i] && keys[k].keyword == EHS_KEYWORD_SHIM;
            if (listed)
                continue;
            if (count < max)
                keys[count] = (ehs_set_key){ own_levels[i], EHS_KEYWORD_SHIM };
            count++;
        }
    }
    return count;
}
