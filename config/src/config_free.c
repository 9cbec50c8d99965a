/*
 * Releasing configs, and the built-in default config.
 */
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "rate_limit.h"
#include "rule_index.h"

void ehs_rule_free(ehs_rule *rule)
{
    free(rule->name);
    ehs_names_free(&rule->ident);
    ehs_names_free(&rule->exe);
    free(rule->pattern);
    ehs_regex_code_free(rule->code);
    for (size_t i = 0; i < rule->field_count; i++)
        free(rule->fields[i].name);
    free(rule->fields);
    free(rule->time_format);
    free(rule->level_field);
    for (size_t i = 0; i < rule->level_map_count; i++)
        free(rule->level_map[i].value);
    free(rule->level_map);
    memset(rule, 0, sizeof *rule);
}

EHS_API void ehs_config_free(ehs_config *config)
{
    if (config == NULL)
        return;
    for (size_t i = 0; i < config->rule_count; i++)
        ehs_rule_free(&config->rules[i]);
    free(config->rules);
    free(config->path);
    free(config->provider);
    free(config->group);
    free(config->message_field);
    free(config->default_event.name);
    ehs_regex_match_context_free(config->match_context);
    ehs_rule_index_free(config->rule_index);
    ehs_rate_windows_free(config->rate_windows);
    free(config->restart_keys);
    for (int s = 0; s < EHS_SOURCE_COUNT; s++)
        ehs_multiline_free(config->multiline[s]);
    free(config);
}

/* The defaults of DESIGN.md, before any key of a file applies. */
ehs_config *ehs_config_defaults(const char *path)
{
    ehs_config *config = calloc(1, sizeof *config);
    if (config == NULL)
        return NULL;
    config->path = strdup(path);
    config->provider = strdup("ehshim");
    config->message_field = strdup("msg");
    config->message_field_len = 3;
    config->capture_syslog = true;
    config->capture_stderr = true;
    config->capture_journal = true;
    config->max_message_bytes = EHS_MAX_MESSAGE_BYTES_DEFAULT;
    config->inherit = true;
    config->strip_cr = true;
    config->default_event.level_words = true;
    config->match_context = ehs_regex_match_context_new();
    if (config->path == NULL || config->provider == NULL || config->message_field == NULL ||
        config->match_context == NULL) {
        ehs_config_free(config);
        return NULL;
    }
    return config;
}

EHS_API ehs_config *ehs_config_new_default(void)
{
    return ehs_config_defaults("<built-in>");
}
