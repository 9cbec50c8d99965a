/*
 * ehshim rules engine: one message in, one event (or nothing) out.
 *
 * Thread-safe without a global lock: every thread keeps its own
 * ehs_thread_state (PCRE2 match data, JIT stack and scratch space). After
 * warm-up, matching and building allocate nothing.
 *
 * The event of a message, field by field, in this order:
 *   captures    regex/grok: named groups in group order; kv: pairs in message
 *               order (after the groups with kv_after); json: members in
 *               message order (see config/src/json_message.h)
 *   record      a grouped record (ehs_message.record_*; ehs_group.h) from a
 *               built-in detector: exception_type and exception_message
 *               (strings), frames (variable array of structs: file string,
 *               line counted u32 or null, function string; at most
 *               EHS_FRAMES_MAX); then, for 2+ lines, lines (counted u32). A
 *               name a rule's capture uses is left to the capture
 *   message     config->message_field (unless NULL): the text, a stderr
 *               line's final '\r' removed (config->strip_cr), "<N>" prefix
 *               removed, cut to max_message_bytes on a UTF-8 boundary
 *   truncated   bool true, only when something was cut: the message field
 *               (max_message_bytes), a field value, or fields and array
 *               elements left out by the event's budgets
 *   entry fields  journal only, after the captures: the entry's fields in the
 *               order it sent them (ehs_message.entry_fields), each typed as
 *               the rule's "fields" say, else as journald defines it (CODE_LINE
 *               u32, ERRNO errno, SYSLOG_PID and TID pid, MESSAGE_ID uuid), else
 *               string; a name already used by a capture is left out
 *   ident       string, the message's ident (at most 255 bytes)
 *   facility    syslog and journal: (priority & LOG_FACMASK) >> 3 as u8 (4 =
 *               LOG_AUTH); not for a journal entry without SYSLOG_FACILITY
 * Field encodings (what the reference formatter shows):
 *   string      counted UTF-8 string                            "text"
 *   i8..i64     counted 1/2/4/8 bytes, format signed_int        -5
 *   u8..u64     counted 1/2/4/8 bytes, format unsigned_int      5
 *   hex         counted 8 bytes, format hex_int                 "0x1F"
 *   f32, f64    counted 4/8 bytes, format float                 1.5
 *   bool        counted 1 byte, format boolean                  true
 *   ip, ipv4, ipv6  counted 4 or 16 bytes, format 17 (ip)       "10.0.0.1", "::1"
 *   port        counted 2 bytes big-endian, format port         22
 *   pid         counted 4 bytes, format pid                     1234
 *   errno       counted 4 bytes, format errno                   "ENOENT(2)"
 *   time        counted 8 bytes (seconds since 1970), format time
 *                                                               "2024-01-02T03:04:05"
 *   uuid        counted 16 bytes, format uuid                   "123e4567-..."
 *   hexbytes    counted n bytes, format hex_bytes               "de ad be ef"
 *   null        the same counted field with zero bytes (format unsigned_int for
 *               string and hexbytes, whose own formats would show "")  null
 * "Counted" is ehd_builder_add_binary_n; strings use ehd_builder_add_string_n.
 * Strings are cut to max_message_bytes; fields stop being added (kv pairs,
 * JSON members, array elements) before the event would pass the state's
 * event_max (64 KiB unless set: ehs_thread_state_set_event_max) or the
 * decoder's item limits, and the message field is cut to what room the
 * fields before it leave (keeping at least its first 1 KiB).
 */
#ifndef EHS_ENGINE_H
#define EHS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ehd/ehd.h"
#include "ehs/ehs_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One field of a journal entry besides MESSAGE, PRIORITY,
 * SYSLOG_IDENTIFIER and SYSLOG_FACILITY (which make the message, level,
 * ident and facility), pointing into the caller's bytes. */
typedef struct ehs_entry_field {
    const char *name;        /* as the program sent it: "CODE_LINE", "USER_ID" */
    size_t name_len;
    const char *value;       /* any bytes, newlines and NULs included */
    size_t value_len;
} ehs_entry_field;

/* One message as the shim saw it. */
typedef struct ehs_message {
    ehs_source source;       /* where it came from; not EHS_SOURCE_ANY */
    const char *ident;       /* openlog ident or the program's short name */
    size_t ident_len;
    const char *exe;         /* file name of the process's executable (no directory),
                                for rules with `exe`; NULL: unknown, such rules never
                                match */
    size_t exe_len;
    int priority;            /* syslog, journal: facility | severity as syslog() applies
                                it (with openlog's default facility filled in: the
                                engine reports the facility bits it is given);
                                stderr, stdout: ignored */
    const char *text;        /* the message without its final newline */
    size_t len;
    bool facility_unknown;   /* journal: the entry named no SYSLOG_FACILITY, so the
                                event has no facility field */
    const ehs_entry_field *entry_fields; /* journal: the entry's other fields, in the
                                order it sent them; NULL for other sources */
    size_t entry_field_count;
    uint32_t record_lines;   /* lines of a grouped record (ehs_group.h); 0 or 1: one
                                line. Records of 2+ lines get a `lines` field, and rules
                                match their first line unless "match_text" is "record" */
    uint8_t record_detector; /* 0: none; else 1 + the index of the built-in detector
                                that grouped it, whose exception fields the event gets */
    bool record_cut;         /* bytes of the record were left out before the engine
                                (multiline max_bytes): the event is flagged truncated */
    bool record_cr_removed;  /* the grouper removed each line's final '\r' already
                                (ehs_record.cr_removed): strip_cr removes no other */
} ehs_message;

/* What ehs_engine_build decided, for the caller to pick the event set and
 * keep its counters. For a dropped line `rule`, `level` and `keyword` say
 * what the event would have been. */
typedef struct ehs_outcome {
    const ehs_rule *rule;        /* the matching rule, NULL for the default event */
    uint8_t level;               /* level of the event set to write to: the rule's,
                                    else level_map's for the level_field value,
                                    else the message's (priority, "<N>", or 4) */
    uint64_t keyword;            /* keyword of the event set to write to: the rule's
                                    (default's), else the source's (ehs_source_keyword) */
    unsigned conversion_failures;/* captures that did not convert and became null */
    bool truncated;              /* the message or a field was cut (see above) */
    bool match_limit_hit;        /* a PCRE2 match, depth, heap or JIT stack limit
                                    was hit: the line became the default event */
} ehs_outcome;

/*
 * The longest "<N>" priority prefix the engine strips from a stderr line
 * ("<007>"), in bytes. It is stripped before the message is measured
 * against max_message_bytes, so whoever cuts lines before the engine sees
 * them (the shim's line buffer, ehshim parse) keeps max_message_bytes +
 * EHS_STDERR_PREFIX_MAX + 1 bytes of a stderr line: the prefix, the whole
 * message, and one byte more that tells the engine the line was longer.
 */
#define EHS_STDERR_PREFIX_MAX 5

/* Per-thread state; opaque. */
typedef struct ehs_thread_state ehs_thread_state;

/* Returns new per-thread state for `config` (owned by the caller), or NULL
 * when out of memory or `config` is NULL. The state keeps a pointer to
 * `config`, which must outlive its builds. Use it with that config only
 * (with another it still works, but slower and with at most the first
 * config's group count). */
ehs_thread_state *ehs_thread_state_new(const ehs_config *config);

/* Frees what ehs_thread_state_new made; NULL is fine. No build may be using
 * `state`. Does not touch the config, which may be freed before or after. */
void ehs_thread_state_free(ehs_thread_state *state);

/*
 * How many rules' matchers `state` has run, over all its builds: patterns
 * called, kv and JSON checks made. Rules the index rules out for a message
 * (another source or ident, or literal text its pattern requires that the
 * line lacks) are not counted: divided by the lines built, it tells how
 * well a config's rules are told apart before PCRE2 runs. 0 for NULL.
 * Read it from the thread that builds with `state`.
 */
uint64_t ehs_thread_state_rules_tried(const ehs_thread_state *state);

/*
 * Rate limits of builds with `state` read the time as `clock_ms(context)`,
 * in milliseconds of CLOCK_MONOTONIC (never going back), instead of reading
 * CLOCK_MONOTONIC_COARSE themselves: for a caller that read the clock for
 * the message already, and for tests that step time. NULL restores the
 * default. Not thread-safe with builds on `state`; NULL state is ignored.
 */
void ehs_thread_state_set_clock(ehs_thread_state *state, uint64_t (*clock_ms)(void *context),
                                void *context);

/* The smallest event_max a state takes (below it an event could not hold
 * its fixed fields with a useful message). */
#define EHS_EVENT_MAX_MIN 4096u

/*
 * Sets the largest event, in bytes as ehd_provider_event_max counts them,
 * that builds with `state` make (default, and for 0 or anything larger:
 * EHD_EVENT_MAX, 64 KiB; anything under EHS_EVENT_MAX_MIN is raised to it).
 * A message whose event would be larger is cut to fit: the message field
 * first, down to its first 1 KiB, then the other fields (string values cut,
 * kv pairs, JSON members and array elements left out), and the event says
 * truncated. Not thread-safe with builds using the same state (states are
 * per thread anyway). NULL is ignored.
 */
void ehs_thread_state_set_event_max(ehs_thread_state *state, size_t bytes);

/* The state's event_max (see above); 0 for NULL. */
size_t ehs_thread_state_event_max(const ehs_thread_state *state);

/*
 * The longest message the default event of `config` carries whole in an
 * event of at most `event_max` bytes (EHD_USER_EVENTS_EVENT_MAX, say),
 * counting an ident of 255 bytes and the longest default event name of the
 * sources it captures: events of rules that capture fields may
 * keep less. SIZE_MAX when the config leaves the message out; 0 for NULL.
 * Thread-safe.
 */
size_t ehs_config_message_room(const ehs_config *config, size_t event_max);

/* ehs_engine_build results */
enum {
    EHS_DROPPED = 0,    /* a drop rule (or a dropping default) took the message */
    EHS_BUILT = 1,      /* `builder` holds the event; see `outcome` */
    EHS_SUPPRESSED = 2, /* its rule's rate limit held the event back: nothing to
                           write; counted, and reported later (EHS_REPORT) */
    EHS_REPORT = 3,     /* `builder` holds a "Suppressed" event (below) about
                           events held back earlier, not this message's: write
                           it, then build the same message again */
};

/*
 * Matches `message` against the rules in order (the first match wins) and,
 * unless the line is dropped, builds its event into `builder` (reset first).
 * Returns EHS_BUILT or EHS_DROPPED; fills `outcome` in both cases. Never
 * fails: a value that does not convert becomes null, a line that hits a
 * match limit becomes the default event.
 *
 * With rate limits in the config (config->rate_windows), also:
 * EHS_SUPPRESSED when the matching rule's (or source's default event's)
 * window has let its burst through (`outcome` says what the event would
 * have been), and EHS_REPORT when a window holding suppressed events has
 * ended: the report comes before the message that found it due, so call
 * again with the same message until the result is not EHS_REPORT (each
 * report is made once, so this ends). The clock (CLOCK_MONOTONIC_COARSE)
 * is read once per message (a call after EHS_REPORT reuses the reading:
 * give it the same message), and only with rate limits. Levels 1 and 2 pass
 * uncounted unless the limit has "errors". Thread-safe: the windows are
 * shared atomics; a signal handler may build on another state meanwhile.
 *
 * A "Suppressed" event: name "Suppressed", level 3 (warning), the keyword
 * the first suppressed event had; fields `rule` (string: the rule's name,
 * or the default event's), `count` (u64: events held back since the last
 * report), `burst` and `interval_ms` (u32: the limit), then the message
 * field (unless the config has none): "Suppressed COUNT events of RULE
 * (rate_limit: BURST per INTERVAL_MS ms)". `outcome->rule` is the rule (NULL
 * for the default event).
 */
int ehs_engine_build(const ehs_config *config, ehs_thread_state *state,
                     const ehs_message *message, ehd_builder *builder, ehs_outcome *outcome);

/*
 * At the end (process exit, end of input): builds a "Suppressed" event for
 * one window still holding suppressed events, whether its window ended or
 * not. Returns EHS_REPORT (write it and call again) or EHS_DROPPED when none
 * is left. Thread-safe, as ehs_engine_build.
 */
int ehs_engine_build_final_report(const ehs_config *config, ehs_thread_state *state,
                                  ehd_builder *builder, ehs_outcome *outcome);

/* In a fork child: forgets the events rate limits held back before the
 * fork (the parent reports them), so each is reported once. Windows keep
 * their counts: the child's events are its own from now on. Call while no
 * other thread builds (a fork child has one thread); NULL is fine. */
void ehs_config_forget_suppressed(const ehs_config *config);

/* Events held back by rate limits over the config's life, reported or not;
 * 0 for NULL or a config without limits. Thread-safe. */
uint64_t ehs_config_suppressed(const ehs_config *config);

/* The keyword of the shim's own events about its config: "ConfigReloaded"
 * (level 4) and "ConfigRefused" (level 2), written by a config with
 * "reload" (see the shim's reload.c). */
#define EHS_KEYWORD_SHIM UINT64_C(0x10000)

/* One (level, keyword) pair an event of a config can have. */
typedef struct ehs_set_key {
    uint8_t level;
    uint64_t keyword;
} ehs_set_key;

/*
 * Lists every (level, keyword) an event of `config` can be written with,
 * without duplicates, into `keys` (up to `max`). Returns how many there are
 * (may exceed `max`: call again with more room). Order: keywords as rules
 * (then the default event) first name them, each with its levels ascending.
 * Drop rules and a dropping default add nothing; sources the config does
 * not capture add nothing; a level taken from the message adds 1..5; a rate
 * limit adds 3 (its "Suppressed" events); "reload" adds levels 2 and 4 of
 * EHS_KEYWORD_SHIM, last.
 */
size_t ehs_config_set_keys(const ehs_config *config, ehs_set_key *keys, size_t max);

#ifdef __cplusplus
}
#endif

#endif /* EHS_ENGINE_H */
