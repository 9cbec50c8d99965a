/*
 * The config loader on any text: JSON with positions, validation, grok
 * expansion, PCRE2 compilation. A config that loads must be usable: thread
 * state, set keys, and a few messages through the engine whose events
 * decode. One that does not load must say why, with the file's name.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"

static const char *const messages[] = {
    "Failed password for invalid user admin from 203.0.113.45 port 52144 ssh2",
    "GET /index.html 200 1.5ms",
    "kv: a=1 b=\"two words\" ok",
    "{\"level\":\"error\",\"n\":1,\"s\":\"x\",\"o\":{\"a\":[1,2]},\"t\":true}",
    "<3>error: something failed",
    "",
};

static void use_config(ehs_config *config)
{
    fuzz_config fc;
    fuzz_config_prepare(&fc, "fuzz.json", config);
    for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++)
        fuzz_build_all(&fc, messages[i], strlen(messages[i]), 38);
    ehs_thread_state_free(fc.state);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ehs_config *config = NULL;
    ehs_errors errors = { 0 };
    int rc = ehs_config_load_text("fuzz.json", (const char *)data, size, &config, &errors);
    if (rc == 0) {
        FUZZ_CHECK(config != NULL, "loaded without a config");
        FUZZ_CHECK(errors.count == 0, "loaded with %zu errors", errors.count);
        FUZZ_CHECK(config->provider != NULL && config->provider[0] != '\0', "no provider");
        FUZZ_CHECK(config->max_message_bytes >= EHS_MAX_MESSAGE_BYTES_MIN &&
                       config->max_message_bytes <= EHS_MAX_MESSAGE_BYTES_MAX,
                   "max_message_bytes %zu", config->max_message_bytes);
        use_config(config);
        ehs_config_free(config);
    } else {
        FUZZ_CHECK(rc == EINVAL || rc == ENOMEM || rc == EFBIG || rc == E2BIG,
                   "unexpected errno %d", rc);
        if (rc == EINVAL)
            FUZZ_CHECK(errors.count > 0, "refused without saying why");
        for (size_t i = 0; i < errors.count; i++)
            FUZZ_CHECK(strncmp(errors.lines[i], "fuzz.json:", 10) == 0 &&
                           strchr(errors.lines[i], '\n') == NULL,
                       "bad message line: %s", errors.lines[i]);
    }
    ehs_errors_free(&errors);
    return 0;
}
