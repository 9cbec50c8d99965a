/*
 * The "multiline" key: per source, how lines group into one message. Only
 * stderr and stdout arrive as lines; a syslog message or a journal entry is
 * already whole, so naming them is an error rather than a silent no-op.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "detect.h"

enum { HOLD_MS_DEFAULT = 1000, HOLD_MS_MAX = 3600 * 1000 };
enum { MAX_LINES_DEFAULT = 1000, MAX_LINES_MAX = 1000000 };
enum { MAX_BYTES_DEFAULT = 64 * 1024, MAX_BYTES_MIN = 256, MAX_BYTES_MAX = 16 * 1024 * 1024 };

/* syslog and journal are known here so that they get the message below
 * rather than "unknown key". */
static const char *const source_keys[] = { "stderr", "stdout", "syslog", "journal", NULL };
static const char *const spec_keys[] = { "detectors", "start",    "continue",  "end",
                                         "write",     "hold_ms", "max_lines", "max_bytes",
                                         NULL };

/* Lists the detector names for a message, as "python, java, ...". */
static void detector_list(char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < ehs_detector_count && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "",
                                 ehs_detectors[i].name);
}

static void read_detectors(ehs_load *load, const cJSON *object, ehs_multiline *spec)
{
    const cJSON *list = ehs_member(load, object, "detectors", cJSON_Array, false,
                                   "an array of detector names such as [\"python\"]");
    if (list == NULL)
        return;
    for (const cJSON *item = list->child; item != NULL; item = item->next) {
        if (!cJSON_IsString(item)) {
            ehs_diag_add(&load->diag, ehs_value_position(load, item),
                         "a detector is named by a string, not %s", ehs_json_kind(item));
            continue;
        }
        const ehs_detector *detector =
            ehs_detector_find(item->valuestring, strlen(item->valuestring));
        if (detector == NULL) {
            char names[160];
            char q[EHS_QUOTE_MAX];
            detector_list(names, sizeof names);
            ehs_diag_add(&load->diag, ehs_value_position(load, item),
                         "no detector is called %s; the built-in ones are %s",
                         ehs_quote(q, sizeof q, item->valuestring, strlen(item->valuestring)),
                         names);
            continue;
        }
        uint8_t index = (uint8_t)(detector - ehs_detectors);
        bool repeated = false;
        for (size_t i = 0; i < spec->detector_count; i++)
            repeated |= spec->detectors[i] == index;
        if (repeated) {
            ehs_diag_add(&load->diag, ehs_value_position(load, item),
                         "detector '%s' is named twice", detector->name);
            continue;
        }
        if (spec->detector_count == EHS_MULTILINE_DETECTORS_MAX) {
            ehs_diag_add(&load->diag, ehs_value_position(load, item),
                         "a source takes at most %d detectors", EHS_MULTILINE_DETECTORS_MAX);
            return;
        }
        spec->detectors[spec->detector_count++] = index;
    }
}

static void *read_pattern(ehs_load *load, const cJSON *object, const char *key)
{
    const cJSON *item = ehs_member(load, object, key, cJSON_String, false, "a regex string");
    if (item == NULL)
        return NULL;
    if (item->valuestring[0] == '\0') {
        ehs_diag_add(&load->diag, ehs_value_position(load, item),
                     "'%s' must not be empty (leave it out)", key);
        return NULL;
    }
    void *code;
    bool jit;
    ehs_regex_error error;
    int err = ehs_regex_compile(item->valuestring, strlen(item->valuestring), &code, &jit, &error);
    if (err == ENOMEM) {
        ehs_load_nomem(load);
        return NULL;
    }
    if (err != 0) {
        ehs_diag_add(&load->diag, ehs_json_string_position(&load->doc, item, error.offset),
                     "bad regex: %s", error.message);
        return NULL;
    }
    return code;
}

static void read_spec(ehs_load *load, const cJSON *object, ehs_source source)
{
    if (!cJSON_IsObject(object)) {
        ehs_diag_add(&load->diag, ehs_value_position(load, object),
                     "'multiline.%s' must be an object such as { \"detectors\": [\"python\"] }, "
                     "not %s",
                     object->string, ehs_json_kind(object));
        return;
    }
    size_t problems_before = load->diag.count;
    ehs_check_keys(load, object, spec_keys, "a 'multiline' source");
    ehs_multiline *spec = calloc(1, sizeof *spec);
    if (spec == NULL) {
        ehs_load_nomem(load);
        return;
    }
    spec->hold_ms = HOLD_MS_DEFAULT;
    spec->max_lines = MAX_LINES_DEFAULT;
    spec->max_bytes = MAX_BYTES_DEFAULT;
    spec->strip_cr = load->config->strip_cr;
    spec->position = ehs_value_position(load, object);
    read_detectors(load, object, spec);
    spec->start = read_pattern(load, object, "start");
    spec->more = read_pattern(load, object, "continue");
    spec->end = read_pattern(load, object, "end");
    ehs_read_bool(load, object, "write", &spec->write);
    uint64_t value;
    if (ehs_read_uint(load, object, "hold_ms", 1, HOLD_MS_MAX, &value))
        spec->hold_ms = (uint32_t)value;
    if (ehs_read_uint(load, object, "max_lines", 2, MAX_LINES_MAX, &value))
        spec->max_lines = (uint32_t)value;
    if (ehs_read_uint(load, object, "max_bytes", MAX_BYTES_MIN, MAX_BYTES_MAX, &value))
        spec->max_bytes = (size_t)value;
    spec->write_bounds = spec->write;
    for (size_t i = 0; i < spec->detector_count; i++)
        spec->write_bounds |= ehs_detectors[spec->detectors[i]].whole_writes;
    bool groups = spec->detector_count != 0 || spec->start != NULL || spec->more != NULL ||
                  spec->end != NULL || spec->write;
    if (!groups && load->diag.count == problems_before)
        ehs_diag_add(&load->diag, ehs_value_position(load, object),
                     "'multiline.%s' groups nothing: give it 'detectors', 'start', "
                     "'continue', 'end' or \"write\": true",
                     object->string);
    ehs_multiline_free(load->config->multiline[source]);
    load->config->multiline[source] = groups ? spec : NULL;
    if (!groups)
        ehs_multiline_free(spec);
}

void ehs_load_multiline(ehs_load *load, const cJSON *root)
{
    const cJSON *multiline = ehs_member(load, root, "multiline", cJSON_Object, true,
                                        "an object such as { \"stderr\": { \"detectors\": "
                                        "[\"python\"] } }");
    if (multiline == NULL)
        return;
    for (const cJSON *c = multiline->child; c != NULL; c = c->next) {
        ehs_source source;
        if (c->string != NULL &&
            (strcmp(c->string, "syslog") == 0 || strcmp(c->string, "journal") == 0)) {
            ehs_diag_add(&load->diag, ehs_key_position(load, c),
                         "'multiline' groups lines of stderr and stdout; a %s message "
                         "arrives whole already",
                         c->string);
            continue;
        }
        if (!ehs_source_from_name(c->string, &source) ||
            (source != EHS_SOURCE_STDERR && source != EHS_SOURCE_STDOUT))
            continue; /* ehs_check_keys reports it */
        if (ehs_is_repeated_key(load, c))
            continue;
        read_spec(load, c, source);
    }
    ehs_check_keys(load, multiline, source_keys, "'multiline'");
}

void ehs_multiline_free(ehs_multiline *spec)
{
    if (spec == NULL)
        return;
    ehs_regex_code_free(spec->start);
    ehs_regex_code_free(spec->more);
    ehs_regex_code_free(spec->end);
    free(spec);
}
