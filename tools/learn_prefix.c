/*
 * The log-line prefixes `ehshim learn` knows (learn_prefix.h). Each format
 * is written as its library prints it by default or in its common
 * configurations; the captures take only what cannot hold the separator
 * after them, so a line splits one way and the learned rule's regex finds
 * the same prefix again. Patterns are compiled as the rules engine compiles
 * rules (no UTF mode: lines are bytes).
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "learn_prefix.h"

/* Pieces of timestamps. */
#define DATE "\\d{4}-\\d\\d-\\d\\d"
#define HMS "\\d\\d:\\d\\d:\\d\\d"
#define FRACTION "(?:[.,]\\d{1,9})?"
#define ZONE "(?:Z|[+-]\\d\\d(?::?\\d\\d)?)"
/* ISO 8601 with a 'T' or a space (Python's asctime, log4j's ISO8601). */
#define ISO_TIME DATE "[T ]" HMS FRACTION ZONE "?"
/* logback's and log4j2's default is the time of day alone. */
#define JAVA_TIME "(?:" DATE "[T ])?" HMS FRACTION ZONE "?"
/* syslog files: RFC 3164's "Dec  2 15:04:05", rsyslog's RFC 3339. */
#define BSD_TIME "[A-Z][a-z]{2} [ \\d]\\d " HMS
#define RFC3339_TIME DATE "T" HMS "(?:\\.\\d{1,9})?" ZONE
/* "host prog[pid]:", the host left out by some writers (logger -s). A host
 * holds no ':', so "prog: text: more" never reads "prog:" as the host. */
#define SYSLOG_TAG                                                                          \
    "(?:(?<host>[^\\s:]+) )?(?<program>[^\\s\\[:]+)(?:\\[(?<pid>\\d+)\\])?:"

/* Level words, longest first where one starts another. */
#define PYTHON_LEVELS "CRITICAL|ERROR|WARNING|INFO|DEBUG"
#define JAVA_LEVELS "TRACE|DEBUG|INFO|NOTICE|WARNING|WARN|ERROR|SEVERE|FATAL|CRITICAL"
#define HADOOP_LEVELS "TRACE|DEBUG|INFO|WARN|ERROR|FATAL"
#define NGINX_LEVELS "debug|info|notice|warn|error|crit|alert|emerg"
#define POSTGRESQL_LEVELS                                                                   \
    "DEBUG[1-5]|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC|DETAIL|HINT|QUERY|CONTEXT|"       \
    "LOCATION|STATEMENT"

static const learn_prefix_format formats[] = {
    /* log_line_prefix '%m [%p] %q%u@%d ' (Debian's), or '%m [%p] '. */
    { "postgresql",
      "^(?<time>" DATE " " HMS "(?:\\.\\d{1,6})?(?: [A-Za-z0-9+-]{1,8})?) \\[(?<pid>\\d+)\\]"
      "(?: (?<user>[^\\s@]*)@(?<database>\\S*))? (?<level>" POSTGRESQL_LEVELS "):",
      POSTGRESQL_LEVELS },
    /* "2024/01/02 03:04:05 [error] 123#0: *1 ": pid#tid, the connection. */
    { "nginx",
      "^(?<time>\\d{4}/\\d\\d/\\d\\d " HMS ") \\[(?<level>" NGINX_LEVELS ")\\] "
      "(?<pid>\\d+)#(?<tid>\\d+):(?: \\*(?<connection>\\d+))?",
      NGINX_LEVELS },
    { "syslog", "^(?:<\\d{1,3}>)?(?<time>" BSD_TIME ") " SYSLOG_TAG, NULL },
    { "syslog-rfc3339", "^(?:<\\d{1,3}>)?(?<time>" RFC3339_TIME ") " SYSLOG_TAG, NULL },
    /* "<PRI>1 TIME HOST APP PROCID MSGID SD": nil values are '-'. */
    { "syslog-rfc5424",
      "^(?:<\\d{1,3}>)?1 (?<time>\\S+) (?<host>\\S+) (?<program>\\S+) (?:-|(?<pid>\\d+)) "
      "(?<msgid>\\S+) (?:-|(?:\\[(?:[^\\]\\\\]|\\\\.)*\\])+)",
      NULL },
    /* "081109 203615 148 INFO dfs.DataNode$PacketResponder:" */
    { "hadoop",
      "^(?<time>\\d{6} \\d{6}) (?<pid>\\d+) (?<level>" HADOOP_LEVELS ") (?<component>[^\\s:]+):",
      HADOOP_LEVELS },
    /* log4j: "%d %p [%t] %c: %m" and "%d %-5p [%t] %c - %m". */
    { "log4j",
      "^(?<time>" JAVA_TIME ") +(?<level>" JAVA_LEVELS ") +\\[(?<thread>[^\\]]*)\\] +"
      "(?<logger>[^\\s:]+)(?::| +-)",
      JAVA_LEVELS },
    /* logback's and log4j2's "%d [%thread] %-5level %logger{36} - %msg". */
    { "logback",
      "^(?<time>" JAVA_TIME ") +\\[(?<thread>[^\\]]*)\\] +(?<level>" JAVA_LEVELS ") +"
      "(?<logger>\\S+) +-",
      JAVA_LEVELS },
    /* The logging cookbook's "%(asctime)s - %(name)s - %(levelname)s - ". */
    { "python-dash",
      "^(?<time>" ISO_TIME ") - (?<logger>\\S+) - (?<level>" PYTHON_LEVELS ") -",
      PYTHON_LEVELS },
    { "python-colon",
      "^(?<time>" ISO_TIME "):(?<level>" PYTHON_LEVELS "):(?<logger>[^\\s:]+):",
      PYTHON_LEVELS },
    /* "%(asctime)s [%(levelname)s] %(name)s: " and "%(asctime)s
     * %(levelname)s %(name)s: ", which log4j's "%d %p %c: " prints too. */
    { "time-level-logger",
      "^(?<time>" ISO_TIME ") +\\[?(?<level>" JAVA_LEVELS ")\\]? +(?<logger>[^\\s:\\[]+):",
      JAVA_LEVELS },
    /* Python's default "%(levelname)s:%(name)s:%(message)s". */
    { "python", "^(?<level>" PYTHON_LEVELS "):(?<logger>[^\\s:]+):", PYTHON_LEVELS },
    /* The last resort: a timestamp and a level word, nothing known after. */
    { "time-level",
      "^\\[?(?<time>" ISO_TIME ")\\]? +\\[?(?<level>" JAVA_LEVELS ")\\]?(?::| |$)",
      JAVA_LEVELS },
};

const learn_prefix_format *learn_prefix_formats(size_t *count)
{
    *count = sizeof formats / sizeof formats[0];
    return formats;
}

struct learn_prefix {
    pcre2_code *code;
    pcre2_match_data *match;
};

learn_prefix *learn_prefix_new(const learn_prefix_format *format)
{
    learn_prefix *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    int error;
    PCRE2_SIZE offset;
    p->code = pcre2_compile((PCRE2_SPTR)format->regex, PCRE2_ZERO_TERMINATED, 0, &error, &offset,
                            NULL);
    p->match = p->code != NULL ? pcre2_match_data_create_from_pattern(p->code, NULL) : NULL;
    if (p->match == NULL) {
        learn_prefix_free(p);
        return NULL;
    }
    return p;
}

void learn_prefix_free(learn_prefix *p)
{
    if (p == NULL)
        return;
    pcre2_match_data_free(p->match);
    pcre2_code_free(p->code);
    free(p);
}

bool learn_prefix_split(learn_prefix *p, const char *line, size_t len, size_t *message)
{
    size_t scan = len < LEARN_PREFIX_SCAN_BYTES ? len : LEARN_PREFIX_SCAN_BYTES;
    if (pcre2_match(p->code, (PCRE2_SPTR)line, scan, 0, 0, p->match, NULL) < 0)
        return false;
    size_t end = pcre2_get_ovector_pointer(p->match)[1];
    size_t at = end;
    while (at < len && (line[at] == ' ' || line[at] == '\t'))
        at++;
    /* An empty message makes no template: such a line is learned whole. */
    if (at == len)
        return false;
    *message = at;
    return true;
}

/* A line that says nothing on the prefix: empty, or continuing a record. */
static bool votes(const char *line, size_t len)
{
    return len > 0 && line[0] != ' ' && line[0] != '\t';
}

const learn_prefix_format *learn_prefix_detect(const char *const *lines, const size_t *lens,
                                               size_t count, size_t *fitting)
{
    if (fitting != NULL)
        *fitting = 0;
    size_t voters = 0;
    for (size_t i = 0; i < count; i++)
        voters += votes(lines[i], lens[i]);
    if (voters == 0)
        return NULL;
    for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
        learn_prefix *p = learn_prefix_new(&formats[f]);
        if (p == NULL)
            return NULL;
        size_t fit = 0;
        size_t message;
        for (size_t i = 0; i < count; i++)
            fit += votes(lines[i], lens[i]) && learn_prefix_split(p, lines[i], lens[i], &message);
        learn_prefix_free(p);
        /* fit / voters >= MAJORITY / 100, without rounding. */
        if (fit * 100 >= voters * (size_t)LEARN_PREFIX_MAJORITY) {
            if (fitting != NULL)
                *fitting = fit;
            return &formats[f];
        }
    }
    return NULL;
}

size_t learn_prefix_capture_names(const learn_prefix_format *format, char (*names)[32],
                                  size_t max)
{
    if (format == NULL)
        return 0;
    size_t n = 0;
    for (const char *p = strstr(format->regex, "(?<"); p != NULL && n < max;
         p = strstr(p + 3, "(?<")) {
        size_t len = strcspn(p + 3, ">");
        snprintf(names[n++], 32, "%.*s", (int)(len < 31 ? len : 31), p + 3);
    }
    return n;
}

/* The type of a capture named `name`; NULL: string. */
static const char *type_of(const char *name)
{
    if (strcmp(name, "pid") == 0 || strcmp(name, "tid") == 0)
        return "u32";
    if (strcmp(name, "connection") == 0)
        return "u64";
    return NULL;
}

bool learn_prefix_add_types(const learn_prefix_format *format, cJSON *fields)
{
    char names[LEARN_PREFIX_CAPTURES_MAX][32];
    size_t n = learn_prefix_capture_names(format, names, LEARN_PREFIX_CAPTURES_MAX);
    for (size_t i = 0; i < n; i++) {
        const char *type = type_of(names[i]);
        if (type != NULL && cJSON_AddStringToObject(fields, names[i], type) == NULL)
            return false;
    }
    return true;
}

/* The config's level name for a level word, as "Levels without rules"
 * reads them (PostgreSQL's LOG is its everyday level); NULL for none. */
static const char *level_name(const char *word)
{
    static const struct {
        const char *word;
        const char *level;
    } words[] = {
        { "EMERG", "critical" }, { "ALERT", "critical" },  { "CRIT", "critical" },
        { "CRITICAL", "critical" }, { "FATAL", "critical" }, { "PANIC", "critical" },
        { "ERR", "error" },      { "ERROR", "error" },     { "SEVERE", "error" },
        { "WARN", "warning" },   { "WARNING", "warning" }, { "NOTICE", "info" },
        { "INFO", "info" },      { "LOG", "info" },        { "DEBUG", "verbose" },
        { "TRACE", "verbose" },
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcasecmp(word, words[i].word) == 0)
            return words[i].level;
    return NULL;
}

/* Adds `word` and, for PostgreSQL's "DEBUG[1-5]", its five words. */
static bool add_word(cJSON *map, const char *word)
{
    if (strcmp(word, "DEBUG[1-5]") == 0) {
        for (char d = '1'; d <= '5'; d++) {
            char w[8] = "DEBUG0";
            w[5] = d;
            if (cJSON_AddStringToObject(map, w, "verbose") == NULL)
                return false;
        }
        return true;
    }
    const char *level = level_name(word);
    return level == NULL || cJSON_AddStringToObject(map, word, level) != NULL;
}

bool learn_prefix_add_level(const learn_prefix_format *format, cJSON *rule)
{
    if (format == NULL || format->levels == NULL)
        return true;
    cJSON *map = cJSON_CreateObject();
    if (map == NULL)
        return false;
    bool ok = true;
    for (const char *p = format->levels; ok && *p != '\0';) {
        size_t len = strcspn(p, "|");
        char word[32];
        snprintf(word, sizeof word, "%.*s", (int)(len < 31 ? len : 31), p);
        ok = add_word(map, word);
        p += len + (p[len] == '|');
    }
    if (!ok || cJSON_AddStringToObject(rule, "level_field", "level") == NULL) {
        cJSON_Delete(map);
        return false;
    }
    cJSON_AddItemToObject(rule, "level_map", map);
    return true;
}
