/*
 * The sources a message comes from, as configs, events and keywords name
 * them: one table, so that a new source is added in one place.
 */
#include <string.h>

#include "config_internal.h"
#include "sources.h"

#define SOURCE(name, event_name, keyword) { name, event_name, sizeof(event_name) - 1, keyword }

const ehs_source_info ehs_sources[EHS_SOURCE_COUNT] = {
    [EHS_SOURCE_ANY] = SOURCE("any", "Event", 0),
    [EHS_SOURCE_SYSLOG] = SOURCE("syslog", "Syslog", 0x1),
    [EHS_SOURCE_STDERR] = SOURCE("stderr", "Stderr", 0x2),
    [EHS_SOURCE_JOURNAL] = SOURCE("journal", "Journal", 0x4),
    [EHS_SOURCE_STDOUT] = SOURCE("stdout", "Stdout", 0x8),
};

static const ehs_source_info *info(ehs_source source)
{
    return (unsigned)source < EHS_SOURCE_COUNT ? &ehs_sources[source] : NULL;
}

EHS_API const char *ehs_source_name(ehs_source source)
{
    return info(source) != NULL ? info(source)->name : "?";
}

EHS_API const char *ehs_source_event_name(ehs_source source)
{
    return info(source) != NULL ? info(source)->event_name : "Event";
}

EHS_API uint64_t ehs_source_keyword(ehs_source source)
{
    return info(source) != NULL ? info(source)->keyword : 0;
}

EHS_API bool ehs_config_captures(const ehs_config *config, ehs_source source)
{
    if (config == NULL)
        return false;
    switch (source) {
    case EHS_SOURCE_SYSLOG: return config->capture_syslog;
    case EHS_SOURCE_STDERR: return config->capture_stderr;
    case EHS_SOURCE_JOURNAL: return config->capture_journal;
    case EHS_SOURCE_STDOUT: return config->capture_stdout;
    default: return false;
    }
}

bool ehs_source_from_name(const char *name, ehs_source *out)
{
    for (unsigned s = 0; s < EHS_SOURCE_COUNT; s++) {
        if (strcmp(name, ehs_sources[s].name) == 0) {
            *out = (ehs_source)s;
            return true;
        }
    }
    return false;
}
