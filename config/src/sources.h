/*
 * The table behind ehs_source_name, ehs_source_event_name and
 * ehs_source_keyword (ehs_config.h), for the engine, which reads it once
 * per message.
 */
#ifndef EHS_SOURCES_H
#define EHS_SOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "ehs/ehs_config.h"

typedef struct ehs_source_info {
    const char *name;       /* in configs and `ehshim parse --source` */
    const char *event_name; /* of the default event */
    size_t event_name_len;
    uint64_t keyword;       /* when a rule sets none */
} ehs_source_info;

/* Indexed by ehs_source; check the index against EHS_SOURCE_COUNT. */
extern const ehs_source_info ehs_sources[EHS_SOURCE_COUNT];

#endif /* EHS_SOURCES_H */
