/*
 * What a config says about being reloaded: the "reload" key, and the keys a
 * running program cannot change without a restart (they shape what the
 * shim set up once: the provider and its event names, which sources it
 * follows, its line buffers, the groupers, the environment of children).
 * Those are kept as "key=value" lines, multiline as its JSON text, so two
 * configs compare line by line and the first difference names the key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

enum { CHECK_DEFAULT_MS = 1000, CHECK_MAX_MS = 3600000 };

void ehs_load_reload(ehs_load *load, const cJSON *root)
{
    const cJSON *reload = ehs_member(load, root, "reload", cJSON_Object, true,
                                     "an object such as { \"check_ms\": 1000 } or null");
    if (reload == NULL)
        return;
    static const char *const keys[] = { "check_ms", NULL };
    ehs_check_keys(load, reload, keys, "'reload'");
    uint64_t check = CHECK_DEFAULT_MS;
    if (cJSON_GetObjectItemCaseSensitive(reload, "check_ms") != NULL &&
        !ehs_read_uint(load, reload, "check_ms", 1, CHECK_MAX_MS, &check))
        return;
    load->config->reload_check_ms = (uint32_t)check;
}

void ehs_load_restart_keys(ehs_load *load, const cJSON *root)
{
    const ehs_config *config = load->config;
    const cJSON *multiline = cJSON_GetObjectItemCaseSensitive(root, "multiline");
    char *multiline_text =
        multiline != NULL && !cJSON_IsNull(multiline) ? cJSON_PrintUnformatted(multiline) : NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (out == NULL) {
        free(multiline_text);
        ehs_load_nomem(load);
        return;
    }
    fprintf(out,
            "provider=%s\ngroup=%s\ncapture.syslog=%d\ncapture.stderr=%d\ncapture.journal=%d\n"
            "capture.stdout=%d\nmax_message_bytes=%zu\ninherit=%d\nmultiline=%s\n",
            config->provider != NULL ? config->provider : "",
            config->group != NULL ? config->group : "",
            config->capture_syslog, config->capture_stderr, config->capture_journal,
            config->capture_stdout, config->max_message_bytes, config->inherit,
            multiline_text != NULL ? multiline_text : "null");
    bool failed = ferror(out);
    fclose(out);
    free(multiline_text);
    if (failed || text == NULL) {
        free(text);
        ehs_load_nomem(load);
        return;
    }
    load->config->restart_keys = text;
}

EHS_API const char *ehs_config_restart_key_changed(const ehs_config *running,
                                                   const ehs_config *next, char *key,
                                                   size_t key_size)
{
    if (running == NULL || next == NULL)
        return NULL;
    const char *a = running->restart_keys != NULL ? running->restart_keys : "";
    const char *b = next->restart_keys != NULL ? next->restart_keys : "";
    while (*a != '\0' || *b != '\0') {
        const char *a_end = strchr(a, '\n'), *b_end = strchr(b, '\n');
        size_t a_len = a_end != NULL ? (size_t)(a_end - a) : strlen(a);
        size_t b_len = b_end != NULL ? (size_t)(b_end - b) : strlen(b);
        if (a_len != b_len || memcmp(a, b, a_len) != 0) {
            const char *equals = memchr(a, '=', a_len);
            size_t name_len = equals != NULL ? (size_t)(equals - a) : a_len;
            if (key_size == 0)
                return "";
            if (name_len >= key_size)
                name_len = key_size - 1;
            memcpy(key, a, name_len);
            key[name_len] = '\0';
            return key;
        }
        a += a_len + (a[a_len] == '\n');
        b += b_len + (b[b_len] == '\n');
    }
    return NULL;
}
