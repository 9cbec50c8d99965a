/*
 * ehshim parse [-c CONFIG] [--source stderr|stdout|syslog|journal]
 *              [--ident NAME] [--exe NAME] [--priority N]
 *              [--backend capture|user_events] [FILE|-]: shows, for each
 * input line (journal: each entry), the JSON line of the event the shim
 * would emit for it.
 *
 * The point is to try a config on sample lines without running anything
 * under the shim, so every step is the shim's own: the same rules engine
 * builds the event, the same builder lays it out, the same decoder prints
 * it. Lines are split by the shim's own line assembler (shim/lines.h), so
 * where the shim makes a choice about a line, parse makes the same one:
 *   - a line ends at '\n', which is not part of the message; a stderr
 *     line's '\r' before it goes too, unless the config says strip_cr:
 *     false (the shim does the same);
 *   - an empty line is a message (an empty one), and a last line without
 *     '\n' is one too (the shim passes it on at exit);
 *   - at most LINE_KEEP(max_message_bytes, source) bytes of a line are
 *     kept and the rest up to its '\n' is discarded: one byte past the
 *     maximum, plus room for a stderr "<N>" prefix, which the engine strips
 *     before it measures. So the engine still sees that a longer line was
 *     longer and flags its event truncated, and the memory a line costs
 *     stays bounded however long it is. The shim's line buffer keeps as
 *     much: both take the prefix room from the engine (EHS_STDERR_PREFIX_MAX);
 *   - a source the config does not capture produces no events at all.
 * Defaults: source stderr (what people pipe); ident "ehshim", the name the
 * shim would give lines that this very process wrote; exe the ident (most
 * programs' short name is their executable's file name); priority
 * LOG_USER|LOG_INFO. A priority without facility bits gets LOG_USER, as
 * syslog() does when openlog() chose none.
 *
 * Exit status: 0; 1 when the config is invalid, the input cannot be read,
 * an event could not be built or decoded, or the output could not be
 * written; 2 for a bad command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "../shim/journal_wire.h"
#include "../shim/lines.h"
#include "commands.h"
#include "decode_internal.h" /* ehd__text_putc, ehd__text_truncate */
#include "config_report.h"
#include "ehd/ehd.h"
#include "ehd/ehd_decode.h"
#include "ehs/ehs_config.h"
#include "ehs/ehs_engine.h"
#include "ehs/ehs_group.h"
#include "grow_array.h"
#include "journal_export.h"

#define DEFAULT_IDENT "ehshim"
#define DEFAULT_PRIORITY (LOG_USER | LOG_INFO)
/* Bytes of a line kept: one past the maximum so the engine still sees that
 * a longer line was longer, after it has removed a stderr "<N>" prefix. */
#define LINE_KEEP(max_message_bytes, source)                                             \
    ((max_message_bytes) + 1 +                                                           \
     ((source) == EHS_SOURCE_STDERR || (source) == EHS_SOURCE_STDOUT ? EHS_STDERR_PREFIX_MAX \
                                                                     : 0))
/* Fields of one journal entry passed to the engine: more than an event
 * keeps (248), so that an entry with more is seen to be cut. */
#define ENTRY_FIELDS_MAX 1024
/* Bytes asked of read(2) at a time. */
#define READ_CHUNK (64 * 1024)

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ehshim parse [-c CONFIG] [--source stderr|stdout|syslog|journal]\n"
            "                    [--ident NAME] [--exe NAME] [--priority N]\n"
            "                    [--backend capture|user_events] [FILE|-]\n"
            "\n"
            "Prints, for each line of FILE (standard input when FILE is missing or\n"
            "'-'), the JSON line of the event the shim would emit for it, built and\n"
            "decoded by the shim's own engine, builder and decoder. A line the\n"
            "config drops prints nothing. With --source journal, FILE holds journal\n"
            "entries in export format (journalctl -o export; or just NAME=value\n"
            "lines, entries separated by an empty line), one event per entry.\n"
            "When the config groups the source's lines (\"multiline\"), consecutive\n"
            "lines group into records as the shim groups them, one event per record\n"
            "(a file has no threads or writes: \"write\" and \"hold_ms\" do not apply).\n"
            "\n"
            "options:\n"
            "  -c, --config CONFIG  rules config (JSON); default: the built-in defaults\n"
            "                       (every line an event, no parsing)\n"
            "  --source SOURCE      'stderr' (default): lines a program wrote to stderr;\n"
            "                       'stdout': lines it wrote to stdout; 'syslog':\n"
            "                       messages it passed to syslog() or sent the syslog\n"
            "                       socket; 'journal': entries it sent the journal\n"
            "                       (MESSAGE, PRIORITY, SYSLOG_IDENTIFIER and\n"
            "                       SYSLOG_FACILITY make the message, level, ident and\n"
            "                       facility; fields whose names start with '_', which\n"
            "                       journald adds, are left out, as the shim never\n"
            "                       sees them)\n"
            "  --ident NAME         the ident rules compare with their \"ident\" (the\n"
            "                       openlog ident or the program's short name; a\n"
            "                       journal entry's SYSLOG_IDENTIFIER comes first);\n"
            "                       default: " DEFAULT_IDENT "\n"
            "  --exe NAME           the executable's file name rules compare with their\n"
            "                       \"exe\" (python3.11 for python3); default: the ident\n"
            "  --priority N         syslog only: the priority passed to syslog(),\n"
            "                       facility included, 0..1023 (38 = LOG_AUTH|LOG_INFO);\n"
            "                       default 14 (LOG_USER|LOG_INFO). Without facility\n"
            "                       bits (0..7) LOG_USER is added, as syslog() does.\n"
            "                       It does not change the source: add --source syslog\n"
            "  --backend BACKEND    whose event size limit applies: 'capture' (default,\n"
            "                       64 KiB) or 'user_events' (8184 bytes, what reaches a\n"
            "                       perf reader); a longer message is cut to fit, as\n"
            "                       the shim cuts it there, and says \"truncated\": true\n"
            "  -h, --help           show this help\n"
            "\n"
            "Lines end at '\\n'; a stderr line's '\\r' before it is dropped, as the\n"
            "shim drops it (unless the config says \"strip_cr\": false). A\n"
            "line longer than the config's max_message_bytes is cut as the shim cuts\n"
            "it, and its event says \"truncated\": true. When the config does not\n"
            "capture the chosen source, nothing is printed (the shim would emit\n"
            "nothing) and a note says so on stderr.\n"
            "\n"
            "exit status: 0; 1 invalid config, unreadable input or failed output;\n"
            "2 bad usage.\n");
}

/* What the command line asked for. */
typedef struct parse_options {
    const char *config_path;     /* NULL: built-in defaults */
    ehs_source source;
    const char *ident;
    const char *exe;             /* NULL: the ident */
    int priority;
    bool priority_given;
    size_t event_max;            /* --backend's ehd_provider_event_max */
    const char *input_path;      /* NULL or "-": standard input */
} parse_options;

/* Everything one line needs on its way to a JSON line. */
/* Tracepoint names already formatted: an event's name depends only on its
 * level and keyword, and a config uses a few of those, so the name of
 * each pair is formatted once, not once per line. A pair has two slots
 * it may be in (by a hash of it), so a look-up is two compares. */
enum { NAME_CACHE_SLOTS = 32 };
typedef struct tracepoint_name_cache {
    struct {
        uint64_t keyword;
        uint8_t level;
        bool valid;
        size_t len;
        char name[EHD_NAME_MAX];
        /* The name's parse, once an event under it has been parsed
         * (ehd_builder_copy_event_view takes its name members from it). */
        bool parsed;
        ehd_event_view parse;
    } slot[NAME_CACHE_SLOTS];
    bool evict_second; /* which of its two slots a new pair takes when both are used */
} tracepoint_name_cache;

typedef struct parse_context {
    const ehs_config *config;
    ehs_thread_state *state;
    const parse_options *options;
    const char *input_name;      /* for messages */
    char tracepoint_options[EHD_NAME_MAX]; /* "G<group>" or "" */
    ehd_builder *builder;
    uint8_t *event;              /* EHD_EVENT_MAX bytes */
    ehd_text json;               /* JSON lines, each with its newline, not yet given to stdout */
    size_t ident_len;            /* of options->ident */
    const char *exe;             /* options->exe, or the ident */
    size_t exe_len;
    unsigned long line_number;
    bool captured;               /* the config captures options->source */
    bool failed;                 /* some line could not be shown */
    ehs_grouper *grouper;        /* the source's "multiline" grouping, or NULL */
    tracepoint_name_cache names;
    ehs_message line_message;    /* a record's message but its text and record facts,
                                    the same for every line: set once */
} parse_context;

/* JSON lines are gathered until they pass this many bytes and given to
 * stdout together: one stdio call a line cost more than making the line's
 * event. The decoder writes each line straight after the ones before. */
enum { OUTPUT_BYTES = 64 * 1024 };

/* Gives the gathered lines to stdout: before anything else is written (a
 * message on stderr comes after the lines before it), and whenever the
 * input may pause. */
static void flush_output(parse_context *context)
{
    if (context->json.len != 0)
        fwrite(context->json.chars, 1, context->json.len, stdout);
    ehd_text_clear(&context->json);
}

/* parse_command_line's "no reason to stop": every exit status is >= 0. */
#define GO_ON (-1)

/* Reports a bad command line; returns its exit status. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "ehshim parse: %s '%s'\n", what, arg);
    usage(stderr);
    return 2;
}

/* The value of option `name` at argv[*i]: after '=' in "--name=VALUE", else
 * the next argument. NULL when there is none. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    const char *arg = argv[*i];
    size_t name_len = strlen(name);
    if (strncmp(arg, name, name_len) == 0 && arg[name_len] == '=')
        return arg + name_len + 1;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

/* Whether `arg` is option `name`, alone or as "name=VALUE". */
static bool is_option(const char *arg, const char *name)
{
    size_t name_len = strlen(name);
    return strncmp(arg, name, name_len) == 0 && (arg[name_len] == '\0' || arg[name_len] == '=');
}

static bool parse_priority(const char *text, int *out)
{
    if (text[0] < '0' || text[0] > '9')
        return false;
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || value < 0 || value > (LOG_FACMASK | LOG_PRIMASK))
        return false;
    *out = (int)value;
    return true;
}

static bool source_from_name(const char *name, ehs_source *out)
{
    for (int s = EHS_SOURCE_ANY + 1; s < EHS_SOURCE_COUNT; s++) {
        if (strcmp(name, ehs_source_name((ehs_source)s)) == 0) {
            *out = (ehs_source)s;
            return true;
        }
    }
    return false;
}

/* Fills `options` from the command line. Returns GO_ON, or the exit status
 * to stop with (0 after --help, 2 after a usage error). */
static int parse_command_line(int argc, char **argv, parse_options *options)
{
    *options = (parse_options){
        .source = EHS_SOURCE_STDERR,
        .ident = DEFAULT_IDENT,
        .priority = DEFAULT_PRIORITY,
        .event_max = EHD_CAPTURE_EVENT_MAX,
    };
    bool options_ended = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value;
        if (options_ended || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (options->input_path != NULL)
                return usage_error("only one input file may be given; extra", arg);
            options->input_path = arg;
        } else if (strcmp(arg, "--") == 0) {
            options_ended = true;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(arg, "-c") == 0 || is_option(arg, "--config")) {
            if ((value = option_value(argc, argv, &i, "--config")) == NULL)
                return usage_error("missing value after", arg);
            options->config_path = value;
        } else if (is_option(arg, "--source")) {
            if ((value = option_value(argc, argv, &i, "--source")) == NULL)
                return usage_error("missing value after", arg);
            if (!source_from_name(value, &options->source))
                return usage_error("--source is stderr, stdout, syslog or journal, not", value);
        } else if (is_option(arg, "--ident")) {
            if ((value = option_value(argc, argv, &i, "--ident")) == NULL)
                return usage_error("missing value after", arg);
            options->ident = value;
        } else if (is_option(arg, "--exe")) {
            if ((value = option_value(argc, argv, &i, "--exe")) == NULL)
                return usage_error("missing value after", arg);
            options->exe = value;
        } else if (is_option(arg, "--priority")) {
            if ((value = option_value(argc, argv, &i, "--priority")) == NULL)
                return usage_error("missing value after", arg);
            if (!parse_priority(value, &options->priority))
                return usage_error("--priority is a number 0..1023, not", value);
            options->priority_given = true;
        } else if (is_option(arg, "--backend")) {
            if ((value = option_value(argc, argv, &i, "--backend")) == NULL)
                return usage_error("missing value after", arg);
            if (strcmp(value, "capture") == 0)
                options->event_max = EHD_CAPTURE_EVENT_MAX;
            else if (strcmp(value, "user_events") == 0)
                options->event_max = EHD_USER_EVENTS_EVENT_MAX;
            else
                return usage_error("--backend is capture or user_events, not", value);
        } else {
            return usage_error("unknown option", arg);
        }
    }
    /* As glibc's syslog() without openlog(): no facility means LOG_USER. */
    if ((options->priority & LOG_FACMASK) == 0)
        options->priority |= LOG_USER;
    return GO_ON;
}

/* The config at `path` (NULL: the built-in defaults) with its problems
 * printed; NULL when there is none to use. */
static ehs_config *load_config(const char *path)
{
    if (path != NULL)
        return config_load_reporting(path);
    ehs_config *config = ehs_config_new_default();
    if (config == NULL)
        fprintf(stderr, "ehshim parse: out of memory\n");
    return config;
}

/* The slot of context->names holding the tracepoint name of the config's
 * events at `level` and `keyword`, in *slot. Returns 0 or the error of
 * ehd_format_tracepoint_name. */
static int tracepoint_name(parse_context *context, uint8_t level, uint64_t keyword,
                           size_t *slot)
{
    tracepoint_name_cache *cache = &context->names;
    uint64_t mixed = (keyword ^ (uint64_t)level << 56) * 0x9E3779B97F4A7C15u;
    size_t first = (size_t)(mixed >> 59) & (NAME_CACHE_SLOTS - 2), places[2] = { first, first + 1 };
    for (int k = 0; k < 2; k++) {
        size_t i = places[k];
        if (cache->slot[i].valid && cache->slot[i].level == level &&
            cache->slot[i].keyword == keyword) {
            *slot = i;
            return 0;
        }
    }
    size_t i = !cache->slot[first].valid       ? first
               : !cache->slot[first + 1].valid ? first + 1
                                               : first + (cache->evict_second = !cache->evict_second);
    cache->slot[i].parsed = false;
    int err = ehd_format_tracepoint_name(cache->slot[i].name, context->config->provider, level,
                                         keyword, context->tracepoint_options);
    cache->slot[i].valid = err == 0;
    if (err != 0)
        return err;
    cache->slot[i].level = level;
    cache->slot[i].keyword = keyword;
    cache->slot[i].len = strlen(cache->slot[i].name);
    *slot = i;
    return 0;
}

/* Copies the event in context->builder to context->event and parses it
 * into `view` under the tracepoint name of `slot`: the first event of a
 * name the whole way, the others with the name's parse kept from the
 * first (the same view, less the work). Returns 0, or the errno of a
 * copy (*parse_failed false) or a parse (true, `problem` filled). */
static int copy_and_parse(parse_context *context, size_t slot, ehd_event_view *view,
                          bool *parse_failed, ehd_decode_error *problem)
{
    __typeof__(context->names.slot[0]) *name = &context->names.slot[slot];
    size_t event_size = 0;
    *parse_failed = false;
    if (name->parsed)
        return ehd_builder_copy_event_view(context->builder, &name->parse, context->event,
                                           EHD_EVENT_MAX, &event_size, view);
    int err = ehd_builder_copy_event(context->builder, name->level, NULL, NULL, context->event,
                                     EHD_EVENT_MAX, &event_size);
    if (err != 0)
        return err;
    err = ehd_event_parse(view, name->name, name->len, context->event, event_size, problem);
    if (err != 0) {
        *parse_failed = true;
        return err;
    }
    name->parse = *view;
    name->parsed = true;
    return 0;
}

/* Decodes and prints the event in context->builder (for input record
 * context->line_number, for messages). */
static void print_event(parse_context *context, const ehs_outcome *outcome_arg)
{
    ehs_outcome outcome = *outcome_arg;
    size_t slot = 0;
    int err = tracepoint_name(context, outcome.level, outcome.keyword, &slot);
    ehd_event_view view;
    ehd_decode_error problem;
    bool parse_failed = false;
    if (err == 0) {
        err = copy_and_parse(context, slot, &view, &parse_failed, &problem);
    } else {
        /* A failed copy is what the message names first. */
        size_t event_size;
        int copy_err = ehd_builder_copy_event(context->builder, outcome.level, NULL, NULL,
                                              context->event, EHD_EVENT_MAX, &event_size);
        if (copy_err != 0)
            err = copy_err;
    }
    if (err != 0 && !parse_failed) {
        flush_output(context);
        fprintf(stderr, "ehshim parse: %s:%lu: cannot build the event: %s\n",
                context->input_name, context->line_number, strerror(err));
        context->failed = true;
        return;
    }
    /* The line goes after the lines gathered before it, its newline too. */
    size_t line_start = context->json.len;
    if (err == 0)
        err = ehd_decode_json_view(&context->json, &view, NULL, &problem);
    if (err == 0) {
        ehd__text_putc(&context->json, '\n');
        if ((err = context->json.error) != 0) {
            /* Take the line back: nothing of it is shown. */
            ehd__text_truncate(&context->json, line_start);
            problem.message[0] = '\0';
        }
    }
    if (err != 0) {
        flush_output(context);
        fprintf(stderr, "ehshim parse: %s:%lu: cannot decode the event: %s\n",
                context->input_name, context->line_number,
                problem.message[0] != '\0' ? problem.message : strerror(err));
        context->failed = true;
        return;
    }
    if (context->json.len >= OUTPUT_BYTES)
        flush_output(context);
}

/* Builds and prints the event of `message`, after any rate-limit report it
 * finds due, as the shim writes them. */
static void show_event(parse_context *context, const ehs_message *message)
{
    ehs_outcome outcome;
    int result;
    while ((result = ehs_engine_build(context->config, context->state, message,
                                      context->builder, &outcome)) == EHS_REPORT)
        print_event(context, &outcome);
    if (result == EHS_BUILT)
        print_event(context, &outcome);
}

/* At the end of the input, as at the shim's exit: the events rate limits
 * held back and no report has counted yet. */
static void show_final_reports(parse_context *context)
{
    ehs_outcome outcome;
    while (ehs_engine_build_final_report(context->config, context->state, context->builder,
                                         &outcome) == EHS_REPORT)
        print_event(context, &outcome);
}

/* The event of one record (or line); an ehs_record_sink whose context is
 * the parse_context. */
static void parse_record(void *context_arg, const ehs_record *record)
{
    parse_context *context = context_arg;
    ehs_message *message = &context->line_message;
    message->text = record->text;
    message->len = record->len;
    message->record_lines = record->lines;
    message->record_detector = record->detector;
    message->record_cut = record->cut;
    message->record_cr_removed = record->cr_removed;
    show_event(context, message);
}

/* One line (`len` bytes of `text`, without its '\n'): an event, or part of
 * a record when the config groups the source's lines. A shim_line_sink
 * whose context is the parse_context. Without threads or write() calls in
 * a file, lines group as consecutive lines, by their text alone. */
static void parse_line(void *context_arg, const char *text, size_t len)
{
    parse_context *context = context_arg;
    context->line_number++;
    if (!context->captured)
        return;
    if (context->grouper != NULL) {
        ehs_grouper_line(context->grouper, context->state, text, len, 0, parse_record, context);
        return;
    }
    ehs_record line = { .text = text, .len = len, .lines = 1 };
    parse_record(context, &line);
}

/* The event of one journal entry (`len` bytes of `entry`); `fields` has
 * room for ENTRY_FIELDS_MAX. */
static void parse_entry(parse_context *context, const char *entry, size_t len,
                        ehs_entry_field *fields)
{
    context->line_number++;
    if (!context->captured)
        return;
    /* journald's own fields ("_PID", "__CURSOR") are left out by the
     * reader, as the shim never gets them from a program. */
    shim_journal_summary summary;
    size_t count = shim_journal_split(entry, len, &summary, fields, ENTRY_FIELDS_MAX);
    if (count > ENTRY_FIELDS_MAX)
        count = ENTRY_FIELDS_MAX;
    const parse_options *options = context->options;
    ehs_message message;
    shim_journal_message(&summary, options->ident, strlen(options->ident), fields, count,
                         &message);
    message.exe = options->exe != NULL ? options->exe : options->ident;
    message.exe_len = strlen(message.exe);
    show_event(context, &message);
}

/*
 * Passes the journal entries of `fd` (export format) to parse_entry.
 * Returns 0, ENOMEM, or the errno of read; a malformed entry is reported,
 * skipped, and makes the run fail.
 */
static int read_entries(int fd, parse_context *context)
{
    size_t capacity = READ_CHUNK * 2, len = 0;
    char *buffer = malloc(capacity);
    ehs_entry_field *fields = malloc(ENTRY_FIELDS_MAX * sizeof *fields);
    int err = buffer == NULL || fields == NULL ? ENOMEM : 0;
    bool eof = false;
    /* After a malformed entry: the rest of it, up to the empty line that
     * ends it, however many reads away that is, is skipped. */
    bool skipping = false;
    while (err == 0) {
        size_t start = 0;
        while (start < len || eof) {
            if (skipping) {
                const char *end = memmem(buffer + start, len - start, "\n\n", 2);
                if (end != NULL) {
                    start = (size_t)(end - buffer) + 2;
                    skipping = false;
                    continue;
                }
                /* Keep a last '\n': the next read may bring the other. */
                start = len > start && !eof && buffer[len - 1] == '\n' ? len - 1 : len;
                break;
            }
            size_t entry_len, consumed;
            int rc = journal_export_scan(buffer + start, len - start, eof, &entry_len, &consumed);
            if (rc == JOURNAL_EXPORT_NEED_MORE)
                break;
            if (rc == JOURNAL_EXPORT_MALFORMED) {
                context->line_number++;
                flush_output(context);
                fprintf(stderr,
                        "ehshim parse: %s: entry %lu: not journal export format at its byte "
                        "%zu; skipped\n",
                        context->input_name, context->line_number, entry_len);
                context->failed = true;
                /* From the bad field on, whatever `consumed` saw of it. */
                start += entry_len;
                skipping = true;
                continue;
            }
            if (entry_len != 0)
                parse_entry(context, buffer + start, entry_len, fields);
            start += consumed;
        }
        memmove(buffer, buffer + start, len - start);
        len -= start;
        /* The next read may wait on a live pipe: show what came first. */
        flush_output(context);
        fflush(stdout);
        if (eof)
            break;
        if (capacity - len < READ_CHUNK) {
            char *grown = ehd__grow_array(buffer, &capacity, len + READ_CHUNK, 1, 0);
            if (grown == NULL) {
                err = ENOMEM;
                break;
            }
            buffer = grown;
        }
        ssize_t n = read(fd, buffer + len, capacity - len);
        if (n < 0) {
            if (errno != EINTR)
                err = errno;
            continue;
        }
        if (n == 0)
            eof = true;
        len += (size_t)n;
    }
    free(buffer);
    free(fields);
    return err;
}

/*
 * Passes the lines of `fd` to parse_line through the shim's line assembler
 * over `keep` bytes of storage: at most `keep` bytes of each line reach it
 * (the rest of a longer line is read and discarded), and a last line
 * without '\n' is passed at the end. Returns 0, ENOMEM, or the errno of
 * read (lines read before the failure have been parsed).
 */
static int read_lines(int fd, size_t keep, parse_context *context)
{
    char *chunk = malloc(READ_CHUNK);
    char *storage = malloc(keep);
    if (chunk == NULL || storage == NULL) {
        free(chunk);
        free(storage);
        return ENOMEM;
    }
    shim_line line;
    shim_line_init(&line, storage, keep);
    int err = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, READ_CHUNK);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            break;
        }
        if (n == 0)
            break;
        shim_line_feed(&line, chunk, (size_t)n, parse_line, context);
        /* The next read may wait on a live pipe (tail -f | ehshim parse):
         * show what this chunk gave first. */
        flush_output(context);
        fflush(stdout);
    }
    if (err == 0)
        shim_line_flush(&line, parse_line, context);
    if (err == 0 && context->grouper != NULL)
        ehs_grouper_flush(context->grouper, parse_record, context);
    flush_output(context);
    free(chunk);
    free(storage);
    return err;
}

int cmd_parse(int argc, char **argv)
{
    parse_options options;
    int status = parse_command_line(argc, argv, &options);
    if (status != GO_ON)
        return status;

    ehs_config *config = load_config(options.config_path);
    if (config == NULL)
        return 1;

    if (options.priority_given && options.source != EHS_SOURCE_SYSLOG)
        fprintf(stderr, "ehshim parse: note: --priority applies to --source syslog only; "
                        "these are %s %s\n",
                ehs_source_name(options.source),
                options.source == EHS_SOURCE_JOURNAL ? "entries" : "lines");
    bool captured = ehs_config_captures(config, options.source);
    if (!captured)
        fprintf(stderr, "ehshim parse: note: %s does not capture %s: the shim emits no "
                        "events for these %s\n",
                config->path, ehs_source_name(options.source),
                options.source == EHS_SOURCE_JOURNAL ? "entries" : "lines");

    bool from_stdin = options.input_path == NULL || strcmp(options.input_path, "-") == 0;
    int fd = STDIN_FILENO;
    if (!from_stdin) {
        fd = open(options.input_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            fprintf(stderr, "ehshim parse: %s: %s\n", options.input_path, strerror(errno));
            ehs_config_free(config);
            return 1;
        }
    }

    parse_context context = {
        .config = config,
        .options = &options,
        .input_name = from_stdin ? "<stdin>" : options.input_path,
        .captured = captured,
        .builder = ehd_builder_new(NULL),
        .json = EHD_TEXT_INIT,
        .ident_len = strlen(options.ident),
        .exe = options.exe != NULL ? options.exe : options.ident,
    };
    context.exe_len = strlen(context.exe);
    context.line_message = (ehs_message){
        .source = options.source,
        .ident = options.ident,
        .ident_len = context.ident_len,
        .exe = context.exe,
        .exe_len = context.exe_len,
        .priority = options.priority,
    };
    if (config->group != NULL)
        snprintf(context.tracepoint_options, sizeof context.tracepoint_options, "G%s",
                 config->group);
    context.state = ehs_thread_state_new(config);
    ehs_thread_state_set_event_max(context.state, options.event_max);
    context.event = malloc(EHD_EVENT_MAX);
    const ehs_multiline *grouping =
        options.source != EHS_SOURCE_JOURNAL ? config->multiline[options.source] : NULL;
    ehs_grouper grouper;
    char *record_storage = grouping != NULL ? malloc(ehs_grouper_storage_size(grouping)) : NULL;
    if (record_storage != NULL) {
        ehs_grouper_init(&grouper, grouping, record_storage, ehs_grouper_storage_size(grouping),
                         NULL);
        context.grouper = &grouper;
    }
    int err = ENOMEM;
    if (context.state != NULL && context.event != NULL && context.builder != NULL &&
        (grouping == NULL || record_storage != NULL)) {
        size_t keep = LINE_KEEP(config->max_message_bytes, options.source);
        /* Read even when nothing is captured: a writer piping into parse
         * should not die of SIGPIPE. */
        err = options.source == EHS_SOURCE_JOURNAL ? read_entries(fd, &context)
                                                   : read_lines(fd, keep, &context);
        show_final_reports(&context);
    }
    flush_output(&context);
    bool failed = context.failed;
    if (err != 0) {
        fprintf(stderr, "ehshim parse: %s: %s\n", context.input_name, strerror(err));
        failed = true;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "ehshim parse: writing the output: %s\n", strerror(errno));
        failed = true;
    }

    if (!from_stdin)
        close(fd);
    ehd_text_free(&context.json);
    ehd_builder_free(context.builder);
    free(context.event);
    free(record_storage);
    ehs_thread_state_free(context.state);
    ehs_config_free(config);
    return failed ? 1 : 0;
}
