/*
 * The table of built-in detectors. Each detector lives in its own file
 * (detect_<name>.c) with a header comment on what its runtime prints; the
 * table only names them, in the order detect.h documents, so that a
 * configuration can ask for one by name.
 */
#include "detect_util.h"

#define ENTRY(name, whole) \
    {#name, ehs_##name##_starts, ehs_##name##_next, ehs_##name##_describe, whole}

const ehs_detector ehs_detectors[] = {
    ENTRY(python, false), ENTRY(java, false), ENTRY(go, false),        ENTRY(rust, false),
    ENTRY(ruby, false),   ENTRY(cxx, false),  ENTRY(postgresql, true),
};

const size_t ehs_detector_count = sizeof ehs_detectors / sizeof ehs_detectors[0];

const ehs_detector *ehs_detector_find(const char *name, size_t len)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < ehs_detector_count; i++) {
        const char *n = ehs_detectors[i].name;
        if (strlen(n) == len && memcmp(n, name, len) == 0)
            return &ehs_detectors[i];
    }
    return NULL;
}
