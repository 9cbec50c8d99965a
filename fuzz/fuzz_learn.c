/*
 * `ehshim learn` on any lines: the input, split at newlines as the command
 * reads a file (a final CR cut, NUL bytes as blanks), is learned, and the
 * config of the templates must load, and every line that is not blank
 * must match one of its rules with the real engine, as `ehshim parse`
 * would run them. Every template's mask must count its variable pieces.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz.h"
#include "learn_rules.h"
#include "learn_templates.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next line of `text` from `*at`, as learn_stream gives it. */
static bool next_line(char *text, size_t size, size_t *at, char **line, size_t *len)
{
    if (*at >= size)
        return false;
    char *start = text + *at;
    char *newline = memchr(start, '\n', size - *at);
    size_t n = newline != NULL ? (size_t)(newline - start) : size - *at;
    *at += n + (newline != NULL);
    if (n > 0 && start[n - 1] == '\r')
        n--;
    for (size_t i = 0; i < n; i++)
        if (start[i] == '\0')
            start[i] = ' ';
    *line = start;
    *len = n;
    return true;
}

static bool is_blank_line(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (line[i] != ' ' && line[i] != '\t')
            return false;
    return true;
}

static void check_masks(const learner *l)
{
    for (size_t i = 0; i < l->template_count; i++) {
        const learn_template *tpl = &l->templates[i];
        FUZZ_CHECK(tpl->count >= 1 && tpl->count <= LEARN_TOKENS_MAX, "template %zu: %zu tokens",
                   i, tpl->count);
        for (size_t j = 0; j < tpl->count; j++) {
            size_t vars = 0;
            for (const char *p = tpl->tokens[j].mask; *p != '\0'; p++)
                vars += *p == LEARN_VAR;
            FUZZ_CHECK(vars == tpl->tokens[j].vars, "template %zu token %zu: %zu pieces, says %zu",
                       i, j, vars, tpl->tokens[j].vars);
        }
    }
}

/* The config `ehshim learn` would write for `l`, as text (the caller
 * frees it with cJSON_free). */
static char *config_of(const learner *l)
{
    cJSON *config = cJSON_CreateObject();
    cJSON_AddStringToObject(config, "provider", "FuzzLearned");
    cJSON_AddBoolToObject(cJSON_AddObjectToObject(config, "capture"), "stderr", true);
    cJSON *rules = cJSON_AddArrayToObject(config, "rules");
    const learn_template **order = calloc(l->template_count + 1, sizeof *order);
    learn_names names;
    FUZZ_CHECK(order != NULL && learn_names_init(&names, l->template_count), "out of memory");
    size_t count = 0;
    for (size_t i = 0; i < l->template_count; i++)
        if (!l->templates[i].merged)
            order[count++] = &l->templates[i];
    qsort(order, count, sizeof *order, learn_rule_order);
    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray(rules, learn_rule_of(order[i], NULL, "stderr", NULL, NULL, &names));
    char *text = cJSON_PrintUnformatted(config);
    FUZZ_CHECK(text != NULL, "out of memory");
    learn_names_free(&names);
    free(order);
    cJSON_Delete(config);
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL, "out of memory");
    memcpy(text, data, size);
    learner l = { 0 };
    unsigned long blank = 0;
    char *line;
    size_t len, at = 0;
    while (next_line(text, size, &at, &line, &len)) {
        FUZZ_CHECK(learner_add(&l, line, len), "learner_add failed");
        blank += is_blank_line(line, len);
    }
    FUZZ_CHECK(learner_finish(&l), "learner_finish failed");
    check_masks(&l);

    char *config_text = config_of(&l);
    ehs_config *config = NULL;
    ehs_errors errors = { 0 };
    int rc = ehs_config_load_text("learned", config_text, strlen(config_text), &config, &errors);
    for (size_t i = 0; i < errors.count; i++)
        fprintf(stderr, "%s\n", errors.lines[i]);
    ehs_errors_free(&errors);
    FUZZ_CHECK(rc == 0, "the learned config does not load: %s", config_text);

    /* Past the template cap a line has no rule of its own: not checked. */
    if (l.skipped == blank) {
        ehs_thread_state *state = ehs_thread_state_new(config);
        ehd_builder *builder = ehd_builder_new(NULL);
        FUZZ_CHECK(state != NULL && builder != NULL, "out of memory");
        memcpy(text, data, size);
        at = 0;
        while (next_line(text, size, &at, &line, &len)) {
            if (is_blank_line(line, len))
                continue;
            ehs_message message = {
                .source = EHS_SOURCE_STDERR,
                .ident = "fuzz",
                .ident_len = 4,
                .priority = 14,
                .text = line,
                .len = len,
            };
            ehs_outcome outcome;
            ehs_engine_build(config, state, &message, builder, &outcome);
            FUZZ_CHECK(outcome.rule != NULL, "no learned rule takes the line \"%.*s\"; config %s",
                       (int)len, line, config_text);
        }
        ehd_builder_free(builder);
        ehs_thread_state_free(state);
    }
    ehs_config_free(config);
    cJSON_free(config_text);
    learner_free(&l);
    free(text);
    return 0;
}
