/*
 * The "Suppressed" event a rate limit reports its held-back events with
 * (its layout is documented with ehs_engine_build). Built without printf:
 * the shim builds it wherever a message arrives, a signal handler included.
 */
#include <string.h>

#include "ehs/ehs_engine.h"
#include "rate_limit.h"

/* Writes `value` in decimal at `out` (room for 20 digits); returns its length. */
static size_t put_decimal(char *out, uint64_t value)
{
    char digits[20];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    for (size_t i = 0; i < n; i++)
        out[i] = digits[n - 1 - i];
    return n;
}

static size_t put_text(char *out, const char *text, size_t len)
{
    memcpy(out, text, len);
    return len;
}

int ehs_build_rate_report(const ehs_config *config, const ehs_rate_report *report,
                          ehd_builder *builder, ehs_outcome *outcome)
{
    const ehs_rule *rule = report->slot < config->rule_count ? &config->rules[report->slot] : NULL;
    const char *name;
    size_t name_len;
    uint32_t burst;
    if (rule != NULL) {
        name = rule->name != NULL ? rule->name : "";
        name_len = rule->name != NULL ? rule->name_len : 0;
        if (name_len > 255)
            name_len = 255;
        burst = rule->rate_limit.burst;
    } else {
        const ehs_default_event *d = &config->default_event;
        ehs_source source = (ehs_source)(report->slot - config->rule_count);
        name = d->name != NULL ? d->name : ehs_source_event_name(source);
        name_len = strlen(name);
        burst = d->rate_limit.burst;
    }
    *outcome = (ehs_outcome){
        .rule = rule,
        .level = EHD_LEVEL_WARNING,
        .keyword = report->keyword,
    };
    ehd_builder_reset_n(builder, "Suppressed", 10, 0);
    ehd_builder_add_string_n(builder, "rule", 4, name, 1, name_len, EHD_FMT_DEFAULT, 0);
    ehd_builder_add_value_n(builder, "count", 5, &report->count, sizeof(report->count),
                            EHD_FMT_UNSIGNED_INT, 0);
    ehd_builder_add_value_n(builder, "burst", 5, &burst, sizeof(burst), EHD_FMT_UNSIGNED_INT, 0);
    ehd_builder_add_value_n(builder, "interval_ms", 11, &report->interval_ms,
                            sizeof(report->interval_ms), EHD_FMT_UNSIGNED_INT, 0);
    if (config->message_field != NULL) {
        /* Event names are at most 255 bytes: this always fits. */
        char text[128 + 255];
        size_t n = put_text(text, "Suppressed ", 11);
        n += put_decimal(text + n, report->count);
        n += put_text(text + n, " events of ", 11);
        n += put_text(text + n, name, name_len);
        n += put_text(text + n, " (rate_limit: ", 14);
        n += put_decimal(text + n, burst);
        n += put_text(text + n, " per ", 5);
        n += put_decimal(text + n, report->interval_ms);
        n += put_text(text + n, " ms)", 4);
        ehd_builder_add_string_n(builder, config->message_field, config->message_field_len, text,
                                 1, n, EHD_FMT_DEFAULT, 0);
    }
    return EHS_REPORT;
}
