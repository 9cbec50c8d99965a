/*
 * ehshim config: the JSON config file of DESIGN.md, loaded, validated and
 * compiled into rules. Loading is the only part that allocates freely; the
 * result is immutable and shared by every thread.
 *
 * Error convention: calls return 0 or a positive errno. Problems in a config
 * are reported as "FILE:LINE:COL: message" lines in an ehs_errors list.
 */
#ifndef EHS_CONFIG_H
#define EHS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bounds of max_message_bytes: an event carries the message and the fields
 * cut from it and must stay under EventHeader's 64 KiB. */
#define EHS_MAX_MESSAGE_BYTES_MIN 64
#define EHS_MAX_MESSAGE_BYTES_MAX 65000
#define EHS_MAX_MESSAGE_BYTES_DEFAULT 3072

/* PCRE2 limits in ehs_config.match_context: a hostile line that hits one
 * becomes the default event instead of taking seconds (PITFALLS.md). The
 * match limit bounds backtracking work (JIT included); the depth and heap
 * limits bound the interpreter's backtracking memory. */
#define EHS_PCRE2_MATCH_LIMIT 1000000u
#define EHS_PCRE2_DEPTH_LIMIT 10000u
#define EHS_PCRE2_HEAP_LIMIT_KIB 4096u

/* Where a message came from. */
typedef enum ehs_source {
    EHS_SOURCE_ANY = 0,
    EHS_SOURCE_SYSLOG = 1,  /* syslog(), or what the program sends the syslog socket */
    EHS_SOURCE_STDERR = 2,  /* lines on stderr */
    EHS_SOURCE_JOURNAL = 3, /* entries the program sends the journal (sd_journal_print...) */
    EHS_SOURCE_STDOUT = 4,  /* lines on stdout */
    EHS_SOURCE_COUNT
} ehs_source;

/* Field types of DESIGN.md; aliases (int, uint, float) map onto these. */
typedef enum ehs_type {
    EHS_TYPE_STRING = 0,
    EHS_TYPE_I8, EHS_TYPE_I16, EHS_TYPE_I32, EHS_TYPE_I64,
    EHS_TYPE_U8, EHS_TYPE_U16, EHS_TYPE_U32, EHS_TYPE_U64,
    EHS_TYPE_HEX,      /* u64 shown as hex */
    EHS_TYPE_F32, EHS_TYPE_F64,
    EHS_TYPE_BOOL,
    EHS_TYPE_IP,       /* IPv4 or IPv6 */
    EHS_TYPE_IPV4, EHS_TYPE_IPV6,
    EHS_TYPE_PORT,
    EHS_TYPE_PID,
    EHS_TYPE_ERRNO,    /* number or name such as ENOENT */
    EHS_TYPE_TIME,     /* strptime with the rule's time_format, or epoch seconds */
    EHS_TYPE_UUID,
    EHS_TYPE_HEXBYTES,
    EHS_TYPE_COUNT
} ehs_type;

/* How a rule recognises its messages. */
typedef enum ehs_matcher {
    EHS_MATCH_REGEX = 1, /* PCRE2 pattern with named groups */
    EHS_MATCH_GROK = 2,  /* grok expression, compiled to one PCRE2 pattern */
    EHS_MATCH_JSON = 3,  /* the message is a JSON object */
    EHS_MATCH_KV = 4,    /* the message is key=value pairs */
    EHS_MATCH_ALL = 5,   /* a journal rule without a matcher: every entry its ident
                            and exe accept (its fields come from the entry) */
} ehs_matcher;

/* A position in the config file, 1-based; 0 when unknown. Columns count
 * bytes from the start of the line: a tab is one column, a UTF-8 character
 * as many as its bytes. */
typedef struct ehs_position {
    unsigned line;
    unsigned column;
} ehs_position;

/*
 * One field a rule produces from a capture (regex/grok) or a member (kv/json).
 * A rule's list holds first every named group of its pattern, in group-number
 * order (group > 0), then the members "fields" types for kv/json, or for the
 * kv part of a regex/grok rule with kv_after (group 0). A kv/json member not
 * in the list is a string (json: its JSON type).
 */
typedef struct ehs_field {
    char *name;        /* field name, owned */
    size_t name_len;
    ehs_type type;     /* from "fields", a grok ":type" suffix, or string */
    uint32_t group;    /* PCRE2 group number for regex/grok; 0 for kv/json members */
} ehs_field;

/* One entry of a rule's level_map: capture text -> level. */
typedef struct ehs_level_entry {
    char *value;       /* owned */
    size_t value_len;
    uint8_t level;
} ehs_level_entry;

/* One name of a rule's `ident` or `exe`: exact, or a glob (`*`, `?`,
 * `[...]` as in fnmatch without flags). */
typedef struct ehs_name {
    char *text;                 /* owned */
    size_t len;
    bool glob;                  /* text holds a glob character */
} ehs_name;

/* The names a rule's `ident` or `exe` accepts. count == 0: any name. */
typedef struct ehs_names {
    ehs_name *items;            /* `count` of them, owned */
    size_t count;
} ehs_names;

/* "rate_limit": at most `burst` events in each `interval_ms` window, the
 * rest suppressed and counted (journald's RateLimitBurst and
 * RateLimitIntervalSec). burst 0: no limit. */
typedef struct ehs_rate_limit {
    uint32_t burst;             /* events let through per window; 0: unlimited */
    uint32_t interval_ms;       /* window length */
    bool errors;                /* levels 1 and 2 (critical, error) are limited too;
                                   false: they always pass, uncounted */
} ehs_rate_limit;

/* A compiled rule. */
typedef struct ehs_rule {
    char *name;                 /* event name, owned */
    size_t name_len;
    ehs_position position;      /* of the rule object in the file */
    ehs_source source;
    ehs_names ident;            /* the message's ident must be one of these */
    ehs_names exe;              /* the file name of the process's executable must be
                                   one of these (ehs_message.exe) */
    ehs_matcher matcher;
    bool kv_after;              /* regex/grok followed by kv on the rest of the line */
    char *pattern;              /* final PCRE2 pattern (grok expanded); NULL for kv/json */
    void *code;                 /* pcre2_code_8 *, owned; NULL for kv/json. Compiled
                                   without PCRE2_UTF: lines are bytes and may be
                                   invalid UTF-8 */
    bool jit;                   /* `code` is JIT-compiled (pcre2_jit_compile took it) */
    uint32_t capture_count;     /* highest group number of `code` */
    ehs_field *fields;          /* regex/grok: named groups in group order;
                                   kv/json: the typed members named in "fields" */
    size_t field_count;
    char *time_format;          /* NULL: epoch seconds */
    uint8_t level;              /* 0: from the message (priority or <N> prefix) */
    char *level_field;          /* NULL, or the capture whose value picks the level
                                   through level_map (set together); a value not in
                                   the map leaves the level to `level` */
    uint32_t level_field_group; /* its group number for a named group of `code`; 0
                                   when it names a kv/json member */
    ehs_level_entry *level_map;
    size_t level_map_count;
    bool has_keyword;
    uint64_t keyword;           /* when has_keyword; else the source's
                                   (ehs_source_keyword) */
    uint16_t id;
    uint8_t version;
    uint16_t tag;
    bool drop;                  /* matching lines produce no event */
    bool match_record;          /* "match_text": "record": the pattern runs on a grouped
                                   record's whole text; false ("first_line", the
                                   default): on its first line only */
    ehs_rate_limit rate_limit;  /* its own "rate_limit", else the top-level one
                                   (burst 0: none) */
} ehs_rule;

/* The event for lines no rule matched. */
typedef struct ehs_default_event {
    char *name;                 /* NULL: by source, "Syslog", "Stderr", "Journal" or
                                   "Stdout" (ehs_source_event_name) */
    uint8_t level;              /* 0: from the message */
    bool has_keyword;
    uint64_t keyword;
    bool drop;
    bool level_words;           /* default true: with no level set, a stderr line's
                                   level comes from a severity word it starts with
                                   (ehs_level_from_words) */
    ehs_rate_limit rate_limit;  /* its own "rate_limit", else the top-level one;
                                   each source's default event has a window of its
                                   own */
} ehs_default_event;

/* Most built-in detectors one source may name. */
#define EHS_MULTILINE_DETECTORS_MAX 8

/* How the lines of one source group into messages ("multiline.SOURCE"). */
typedef struct ehs_multiline {
    uint8_t detectors[EHS_MULTILINE_DETECTORS_MAX]; /* built-in detectors, as indexes
                                   of the detector table, in the order named */
    uint8_t detector_count;
    void *start;                /* pcre2_code_8 *, owned, or NULL: "start" */
    void *more;                 /* the same for "continue" */
    void *end;                  /* the same for "end" */
    bool write;                 /* "write": the complete lines of one write() or stdio
                                   call are one message */
    uint32_t hold_ms;           /* "hold_ms", default 1000 */
    uint32_t max_lines;         /* "max_lines", default 1000 */
    size_t max_bytes;           /* "max_bytes", default 65536: bytes of a record kept
                                   (the rest of its lines still belong to it, cut) */
    bool strip_cr;              /* the config's strip_cr: each line's final '\r' is
                                   left out of a record */
    ehs_position position;      /* of its object in the file */
    bool write_bounds;          /* grouping needs to know where writes end: "write",
                                   or a detector whose runtime writes whole records */
} ehs_multiline;

/* A loaded config. Immutable after loading but for rate_windows (atomics); free
 * with ehs_config_free. */
typedef struct ehs_config {
    char *path;                 /* file it came from, or "<built-in>" */
    char *provider;             /* default "ehshim" */
    char *group;                /* NULL: none */
    bool capture_syslog;        /* default true */
    bool capture_stderr;        /* default true */
    bool capture_journal;       /* default true */
    bool capture_stdout;        /* default false */
    char *message_field;        /* default "msg"; NULL: omitted */
    size_t message_field_len;
    size_t max_message_bytes;   /* default 3072 */
    ehs_position max_message_bytes_at; /* of its value in the file; 0:0 when not given */
    bool inherit;               /* default true */
    bool strip_cr;              /* default true: a stderr line's final '\r' (of a
                                   "\r\n" ending) is not part of the message */
    ehs_rule *rules;
    size_t rule_count;
    ehs_default_event default_event;
    uint32_t max_capture_count; /* largest capture_count of any rule */
    void *match_context;        /* pcre2_match_context_8 *, owned, never NULL: the
                                   EHS_PCRE2_* limits. Read-only: pass it to every
                                   pcre2_match; a thread that needs its own JIT stack
                                   assigned copies it (pcre2_match_context_copy) */
    ehs_multiline *multiline[EHS_SOURCE_COUNT]; /* owned; NULL: every line of the
                                   source is a message of its own (only stderr and
                                   stdout can have one) */
    void *rule_index;           /* owned, opaque: the rules indexed by source, ident
                                   and literal text, so a message is tried against
                                   the rules that could match it only, first match in
                                   config order still winning. Made by the loader;
                                   NULL (a config built by hand): each thread state
                                   makes its own. Last member: added in place, so
                                   code built against the older layout still works */
    void *rate_windows;         /* owned, opaque; NULL when no rule or default has a
                                   rate limit. The one part of a loaded config that
                                   changes: each limited rule's window and count of
                                   suppressed messages, shared by every thread that
                                   builds with the config (lock-free atomics) */
    uint32_t reload_check_ms;   /* "reload": how often the shim looks at the file
                                   for a change while the program logs; 0 (no
                                   "reload"): never */
    char *restart_keys;         /* owned; the keys a reload cannot change, as
                                   "key=value" lines (ehs_config_restart_key_changed);
                                   NULL for a config not loaded from text */
} ehs_config;

/* A list of "FILE:LINE:COL: message" lines (sorted by position), or
 * "FILE: message" for a problem with the file itself (unreadable, too large,
 * out of memory). FILE is the path as given. Zero-initialise; free with
 * ehs_errors_free. */
typedef struct ehs_errors {
    char **lines;   /* owned strings */
    size_t count;
    size_t capacity;
} ehs_errors;

/*
 * Loads and compiles the config at `path`. On success stores a new config in
 * *out (owned by the caller) and returns 0. On a problem with the file's
 * content returns EINVAL and appends every problem found to `errors` (which
 * may be NULL); on a read failure returns its errno with one line naming the
 * file. Never crashes on any input.
 */
int ehs_config_load_file(const char *path, ehs_config **out, ehs_errors *errors);

/*
 * Like ehs_config_load_file for `text` (`len` bytes, need not be
 * NUL-terminated); `path` names it in messages.
 */
int ehs_config_load_text(const char *path, const char *text, size_t len, ehs_config **out,
                         ehs_errors *errors);

/* Returns a new config with the built-in defaults (no rules: every line is an
 * event, no parsing), or NULL when out of memory. */
ehs_config *ehs_config_new_default(void);

/*
 * Can `next` replace `running` in a running program? NULL when it can: they
 * agree on every key that takes a restart (provider, group, capture.*,
 * max_message_bytes, inherit, multiline). Otherwise the first key that
 * differs, written into `key` (`key_size` bytes, NUL-terminated, cut to
 * fit) and returned. Thread-safe; allocates nothing.
 */
const char *ehs_config_restart_key_changed(const ehs_config *running, const ehs_config *next,
                                           char *key, size_t key_size);

/* Frees a config from the calls above; NULL is fine. */
void ehs_config_free(ehs_config *config);

/* Frees the lines of `errors` and zeroes it, ready for the next load; NULL
 * is fine. */
void ehs_errors_free(ehs_errors *errors);

/* Does `name` (`len` bytes, need not be NUL-terminated) satisfy `names`?
 * True when names->count is 0. Thread-safe; allocates nothing. */
bool ehs_names_match(const ehs_names *names, const char *name, size_t len);

/* Does the whole of `text` match the glob `pattern` (`*`, `?`, `[...]`,
 * `[!...]`, `\` quoting the next character)? Both are counted, not
 * NUL-terminated. Allocates nothing. */
bool ehs_glob_match(const char *pattern, size_t pattern_len, const char *text, size_t text_len);

/* The name of a source as configs write it ("syslog", "stderr", "journal",
 * "stdout", "any"); "?" outside ehs_source. Static string. */
const char *ehs_source_name(ehs_source source);

/* The event name of the default event of a source ("Syslog", "Stderr",
 * "Journal", "Stdout"); "Event" for EHS_SOURCE_ANY or anything else. Static
 * string. */
const char *ehs_source_event_name(ehs_source source);

/* The keyword an event of `source` has when its rule sets none: 0x1
 * syslog, 0x2 stderr, 0x4 journal, 0x8 stdout; 0 for anything else. */
uint64_t ehs_source_keyword(ehs_source source);

/* Does `config` capture `source` (its capture.* switch)? False for NULL,
 * EHS_SOURCE_ANY and anything else. Thread-safe. */
bool ehs_config_captures(const ehs_config *config, ehs_source source);

/* Name of a type as written in configs ("u16", "ipv4", ...), never an alias;
 * "?" for a value outside ehs_type. Static string. */
const char *ehs_type_name(ehs_type type);

#ifdef __cplusplus
}
#endif

#endif /* EHS_CONFIG_H */
