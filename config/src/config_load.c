/*
 * Loading a config: reading the file, the top-level keys of DESIGN.md, and
 * the checks that span rules. The load collects every problem it finds
 * instead of stopping at the first, but checks nothing that depends on a
 * value already found wrong, so one mistake gives one message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_internal.h"
#include "rule_index.h"
#include "ehd/eventheader.h"
#include "grow_array.h"

/* A config larger than this is surely not one; refuse before reading it all. */
#define EHS_CONFIG_FILE_MAX (16u << 20)

static const char *const top_keys[] = {
    "provider", "group",    "capture", "message_field", "max_message_bytes",
    "inherit",  "patterns", "rules",   "default",       "strip_cr", "multiline", "rate_limit",
    "reload",   NULL,
};

/* Names the byte at `offset` of `text` for a message. */
static const char *show_byte(const char *text, size_t offset, char buf[16])
{
    unsigned char c = (unsigned char)text[offset];
    if (c >= ' ' && c < 0x7f)
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02x", c);
    return buf;
}

/* Checks that every byte of string `item` is in `allowed`; reports the first
 * that is not, where it is written. */
static bool check_chars(ehs_load *load, const cJSON *item, const char *allowed, const char *rule)
{
    const char *s = item->valuestring;
    if (s[0] == '\0') {
        ehs_diag_add(&load->diag, ehs_value_position(load, item),
                     "'%s' must not be empty (leave it out for the default)", item->string);
        return false;
    }
    size_t ok = strspn(s, allowed);
    if (s[ok] == '\0')
        return true;
    char buf[16];
    ehs_diag_add(&load->diag, ehs_json_string_position(&load->doc, item, ok),
                 "'%s' may hold only %s, not %s", item->string, rule, show_byte(s, ok, buf));
    return false;
}

static void read_provider_and_group(ehs_load *load, const cJSON *root)
{
    ehs_config *config = load->config;
    const cJSON *provider = ehs_member(load, root, "provider", cJSON_String, false, "a string");
    const cJSON *group = ehs_member(load, root, "group", cJSON_String, true, "a string");
    static const char digits[] = "0123456789", lower[] = "abcdefghijklmnopqrstuvwxyz",
                      upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    char provider_chars[80], group_chars[40];
    snprintf(provider_chars, sizeof provider_chars, "%s%s%s_", lower, upper, digits);
    snprintf(group_chars, sizeof group_chars, "%s%s", lower, digits);
    bool provider_ok = provider != NULL &&
                       check_chars(load, provider, provider_chars, "letters, digits and '_'");
    bool group_ok =
        group != NULL && check_chars(load, group, group_chars, "lowercase letters and digits");
    if (provider_ok) {
        free(config->provider);
        config->provider = ehs_copy_string(load, provider);
    }
    if (group_ok)
        config->group = ehs_copy_string(load, group);
    if ((provider != NULL && !provider_ok) || (group != NULL && !group_ok) ||
        config->provider == NULL)
        return;
    /* The core refuses names that leave no room for "_L<level>K<keyword>G"
     * in a 255-byte tracepoint name. */
    size_t total = strlen(config->provider) + (config->group ? strlen(config->group) : 0);
    if (total < EHD_PROVIDER_NAMES_MAX)
        return;
    ehs_position where = ehs_value_position(load, provider != NULL ? provider : group);
    if (config->group != NULL)
        ehs_diag_add(&load->diag, where,
                     "'provider' and 'group' take %zu bytes together; a tracepoint name leaves "
                     "room for %d",
                     total, EHD_PROVIDER_NAMES_MAX - 1);
    else
        ehs_diag_add(&load->diag, where,
                     "'provider' takes %zu bytes; a tracepoint name leaves room for %d", total,
                     EHD_PROVIDER_NAMES_MAX - 1);
}

static void read_capture(ehs_load *load, const cJSON *root)
{
    const cJSON *capture = ehs_member(load, root, "capture", cJSON_Object, false,
                                      "an object such as { \"syslog\": true, \"stderr\": true }");
    if (capture == NULL)
        return;
    static const char *const keys[] = { "syslog", "stderr", "journal", "stdout", NULL };
    ehs_check_keys(load, capture, keys, "'capture'");
    ehs_read_bool(load, capture, "syslog", &load->config->capture_syslog);
    ehs_read_bool(load, capture, "stderr", &load->config->capture_stderr);
    ehs_read_bool(load, capture, "journal", &load->config->capture_journal);
    ehs_read_bool(load, capture, "stdout", &load->config->capture_stdout);
}

static void read_message_field(ehs_load *load, const cJSON *root)
{
    ehs_config *config = load->config;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, "message_field");
    if (item != NULL && cJSON_IsNull(item)) {
        free(config->message_field);
        config->message_field = NULL;
        config->message_field_len = 0;
        return;
    }
    item = ehs_member(load, root, "message_field", cJSON_String, false, "a string or null");
    if (item == NULL)
        return;
    const char *name = item->valuestring;
    if (name[0] == '\0') {
        ehs_diag_add(&load->diag, ehs_value_position(load, item),
                     "'message_field' must not be empty (null leaves the message out)");
        return;
    }
    if (strcmp(name, "ident") == 0 || strcmp(name, "facility") == 0 ||
        strcmp(name, "truncated") == 0) {
        ehs_diag_add(&load->diag, ehs_value_position(load, item),
                     "'message_field' cannot be '%s', a field events carry anyway", name);
        return;
    }
    char *copy = ehs_copy_string(load, item);
    if (copy == NULL)
        return;
    free(config->message_field);
    config->message_field = copy;
    config->message_field_len = strlen(copy);
}

static void read_max_message_bytes(ehs_load *load, const cJSON *root)
{
    const cJSON *item = ehs_member(load, root, "max_message_bytes", cJSON_Number, false,
                                   "an integer 64..65000");
    if (item == NULL)
        return;
    uint64_t value;
    if (ehs_json_integer(&load->doc, item, &value) != EHS_JSON_INTEGER ||
        value < EHS_MAX_MESSAGE_BYTES_MIN || value > EHS_MAX_MESSAGE_BYTES_MAX) {
        ehs_diag_add(&load->diag, ehs_value_position(load, item),
                     "'max_message_bytes' must be an integer %d..%d: an event with the "
                     "message and its fields must fit in 64 KiB",
                     EHS_MAX_MESSAGE_BYTES_MIN, EHS_MAX_MESSAGE_BYTES_MAX);
        return;
    }
    load->config->max_message_bytes = (size_t)value;
    load->config->max_message_bytes_at = ehs_value_position(load, item);
}

static void read_default(ehs_load *load, const cJSON *root)
{
    const cJSON *object =
        ehs_member(load, root, "default", cJSON_Object, false, "an object");
    if (object == NULL)
        return;
    static const char *const keys[] = { "name",        "level",      "keyword", "drop",
                                        "level_words", "rate_limit", NULL };
    ehs_check_keys(load, object, keys, "'default'");
    ehs_default_event *event = &load->config->default_event;
    const cJSON *name = ehs_member(load, object, "name", cJSON_String, true, "a string or null");
    if (name != NULL && ehs_check_event_name(load, name))
        event->name = ehs_copy_string(load, name);
    ehs_read_level(load, object, "level", &event->level);
    ehs_read_keyword(load, object, "keyword", &event->has_keyword, &event->keyword);
    ehs_read_bool(load, object, "drop", &event->drop);
    ehs_read_bool(load, object, "level_words", &event->level_words);
    ehs_load_rate_limit(load, object, &load->rate_limit, &event->rate_limit);
}

/* A rule's name and where it is written, for finding repeats. */
typedef struct named_rule {
    const char *name;
    const cJSON *object;
    size_t index;
} named_rule;

static int compare_named_rules(const void *a, const void *b)
{
    const named_rule *x = a, *y = b;
    int order = strcmp(x->name, y->name);
    if (order != 0)
        return order;
    return (x->index > y->index) - (x->index < y->index);
}

/* Reports every rule that reuses an earlier rule's name, at its name. */
static void check_duplicate_names(ehs_load *load, const cJSON **objects)
{
    ehs_config *config = load->config;
    named_rule *list = calloc(config->rule_count ? config->rule_count : 1, sizeof *list);
    if (list == NULL) {
        ehs_load_nomem(load);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < config->rule_count; i++) {
        if (config->rules[i].name != NULL)
            list[n++] = (named_rule){ config->rules[i].name, objects[i], i };
    }
    if (n > 1)
        qsort(list, n, sizeof *list, compare_named_rules);
    /* Sorted by name, then file order: each run's head is the original. */
    for (size_t i = 1, first = 0; i < n; i++) {
        if (strcmp(list[first].name, list[i].name) != 0) {
            first = i;
            continue;
        }
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(list[i].object, "name");
        ehs_position original =
            ehs_value_position(load, cJSON_GetObjectItemCaseSensitive(list[first].object, "name"));
        char q[EHS_QUOTE_MAX];
        ehs_diag_add(&load->diag, ehs_value_position(load, name),
                     "duplicate rule name %s (first at %u:%u)",
                     ehs_quote(q, sizeof q, list[i].name, strlen(list[i].name)), original.line,
                     original.column);
    }
    free(list);
}

static void read_rules(ehs_load *load, const cJSON *root)
{
    const cJSON *rules = ehs_member(load, root, "rules", cJSON_Array, false, "an array of rules");
    if (rules == NULL)
        return;
    ehs_config *config = load->config;
    size_t count = 0;
    for (const cJSON *c = rules->child; c != NULL; c = c->next)
        count++;
    if (count == 0)
        return;
    config->rules = calloc(count, sizeof *config->rules);
    const cJSON **objects = calloc(count, sizeof *objects);
    if (config->rules == NULL || objects == NULL) {
        free(objects);
        ehs_load_nomem(load);
        return;
    }
    for (const cJSON *c = rules->child; c != NULL; c = c->next) {
        if (!cJSON_IsObject(c)) {
            ehs_diag_add(&load->diag, ehs_value_position(load, c),
                         "each rule must be an object, not %s", ehs_json_kind(c));
            continue;
        }
        objects[config->rule_count] = c;
        ehs_rule *rule = &config->rules[config->rule_count++];
        ehs_load_rule(load, c, rule);
        if (rule->capture_count > config->max_capture_count)
            config->max_capture_count = rule->capture_count;
    }
    check_duplicate_names(load, objects);
    free(objects);
}

static void read_config(ehs_load *load, const cJSON *root)
{
    if (!cJSON_IsObject(root)) {
        ehs_diag_add(&load->diag, ehs_value_position(load, root),
                     "the config must be a JSON object, not %s", ehs_json_kind(root));
        return;
    }
    ehs_check_keys(load, root, top_keys, "the config");
    read_provider_and_group(load, root);
    read_capture(load, root);
    read_message_field(load, root);
    read_max_message_bytes(load, root);
    ehs_read_bool(load, root, "inherit", &load->config->inherit);
    ehs_read_bool(load, root, "strip_cr", &load->config->strip_cr);
    /* Rules check capture names against the message field and expand grok
     * with the patterns, so both come first. */
    ehs_load_patterns(load, ehs_member(load, root, "patterns", cJSON_Object, true,
                                       "an object of NAME: regex"));
    /* Rules and the default inherit the top-level rate limit. */
    ehs_load_rate_limit(load, root, NULL, &load->rate_limit);
    load->config->default_event.rate_limit = load->rate_limit;
    read_default(load, root);
    read_rules(load, root);
    ehs_load_multiline(load, root);
    ehs_load_rate_windows(load);
    ehs_load_reload(load, root);
    ehs_load_restart_keys(load, root);
}

static void free_load(ehs_load *load)
{
    ehs_json_doc_free(&load->doc);
    ehs_grok_library_free(load->grok);
    for (size_t i = 0; i < load->broken_count; i++)
        free(load->broken_patterns[i]);
    free(load->broken_patterns);
    free(load->repeated_keys);
}

/* Best effort: out of memory may keep even this line out. */
static void report_file_problem(ehs_errors *errors, const char *path, const char *what)
{
    char *line = NULL;
    if (errors != NULL && asprintf(&line, "%s: %s", path, what) >= 0)
        ehs_errors_append(errors, line);
}

EHS_API int ehs_config_load_text(const char *path, const char *text, size_t len, ehs_config **out,
                                 ehs_errors *errors)
{
    if (out == NULL)
        return EINVAL;
    *out = NULL;
    if (path == NULL)
        path = "<config>";
    if (text == NULL)
        len = 0, text = "";
    ehs_load load = { 0 };
    load.diag.path = path;
    load.config = ehs_config_defaults(path);
    if (load.config == NULL) {
        report_file_problem(errors, path, "out of memory");
        return ENOMEM;
    }
    int err = ehs_json_parse(&load.doc, text, len, &load.diag);
    if (err == 0)
        read_config(&load, load.doc.root);
    free_load(&load);
    bool problems = load.diag.count > 0;
    bool out_of_memory = err == ENOMEM || load.diag.out_of_memory;
    if (ehs_diag_finish(&load.diag, errors) != 0)
        out_of_memory = true;
    if (out_of_memory) {
        ehs_config_free(load.config);
        report_file_problem(errors, path, "out of memory");
        return ENOMEM;
    }
    if (problems) {
        ehs_config_free(load.config);
        return EINVAL;
    }
    /* Out of memory here costs speed only: thread states index for themselves. */
    load.config->rule_index = ehs_rule_index_new(load.config->rules, load.config->rule_count);
    *out = load.config;
    return 0;
}

/* Reads all of `fd` (a file, a pipe, /dev/stdin) up to the size limit. */
static int read_all(int fd, char **text, size_t *len)
{
    size_t capacity = 0, used = 0;
    char *buf = NULL;
    for (;;) {
        if (used == capacity) {
            if (capacity >= EHS_CONFIG_FILE_MAX) {
                free(buf);
                return EFBIG;
            }
            char *grown = ehd__grow_array(buf, &capacity, used + 1, 1, 4096);
            if (grown == NULL) {
                free(buf);
                return ENOMEM;
            }
            buf = grown;
        }
        ssize_t n = read(fd, buf + used, capacity - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            free(buf);
            return err;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    *text = buf;
    *len = used;
    return 0;
}

EHS_API int ehs_config_load_file(const char *path, ehs_config **out, ehs_errors *errors)
{
    if (out == NULL || path == NULL)
        return EINVAL;
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int err = fd < 0 ? errno : 0;
    char *text = NULL;
    size_t len = 0;
    if (fd >= 0) {
        err = read_all(fd, &text, &len);
        close(fd);
    }
    if (err == EFBIG) {
        report_file_problem(errors, path, "larger than 16 MiB, too large for a config");
        return err;
    }
    if (err != 0) {
        char what[256];
        snprintf(what, sizeof what, "cannot read: %s", strerror(err));
        report_file_problem(errors, path, what);
        return err;
    }
    err = ehs_config_load_text(path, text, len, out, errors);
    free(text);
    return err;
}
