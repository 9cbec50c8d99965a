/*
 * The rules engine: per-thread state, and one message to one event.
 *
 * Cheap tests first: the rule index (rule_index.h) gives the rules that
 * could match a message, in config order, and each one's source, ident and
 * literal text are checked before its pattern runs. Everything a build writes to lives in the thread's state
 * or on the stack, so threads share nothing but the read-only config, and
 * once the builder's and PCRE2's buffers have grown to the sizes the
 * config's lines need, a build allocates nothing.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "ehs/ehs_engine.h"
#include "engine_emit.h"
#include "engine_match.h"
#include "engine_record.h"
#include "json_message.h"
#include "kv.h"
#include "level.h"
#include "rate_limit.h"
#include "rule_index.h"
#include "same_bytes.h"
#include "sources.h"

/* Scratch buffers are at least this big, so short max_message_bytes still
 * leave room for JSON arrays and unescaped values. */
enum { SCRATCH_MIN = 8192 };
/* The thread's own JIT stack: PCRE2's default uses 32 KiB of the calling
 * thread's stack, which a host program's small thread stacks may not have. */
enum { JIT_STACK_START = 32 * 1024, JIT_STACK_MAX = 512 * 1024 };
/* Longest ident carried in the `ident` field. */
enum { IDENT_MAX = 255 };
/* Event bytes left unbudgeted: the few bytes a forced struct member may
 * take past an exhausted budget (see json_message.c). */
enum { EVENT_SLACK = 512 };
/* When an event would pass its backend's limit the message field is cut
 * first, but it keeps at least this much: it is what people read. */
enum { MESSAGE_KEEP = 1024 };
/* Largest default-event metadata a thread state keeps a copy of. */
enum { DEFAULT_META_MAX = 96 };

struct ehs_thread_state {
    const ehs_config *config;         /* the config this state was made for */
    ehs_rule_index *own_index;        /* `config` has none (built by hand): ours */
    bool linear;                      /* every rule in order, no index, no literals
                                         (ehs_engine_set_linear: tests) */
    uint64_t rules_tried;             /* rules whose matcher ran, over all builds */
    bool every_rule_names_idents;     /* each rule of `config` has an "ident" list */
    const char *listed_at;            /* where the last ident some rule lists was, */
    size_t listed_len;                /* and its length (listed_at NULL: none yet) */
    bool unlisted_known;              /* unlisted holds an ident: */
    uint8_t unlisted_len;
    char unlisted[64];                /* the last ident no rule lists */
    pcre2_match_data *match_data;     /* room for every group of every rule */
    pcre2_match_context *match_context; /* copy of the config's, with jit_stack */
    pcre2_jit_stack *jit_stack;       /* NULL when no rule is JIT-compiled */
    uint8_t *value_scratch;           /* converted values */
    char *text_scratch;               /* unescaped strings */
    size_t scratch_size;              /* of each scratch buffer */
    ehs_name_set names;               /* kv/JSON names seen in the current event */
    ehs_json_scratch json;            /* string array elements */
    size_t event_max;                 /* largest event a build may make */
    ehs_frame *frames;                /* a grouped record's frames, EHS_FRAMES_MAX */
    uint64_t (*clock_ms)(void *);     /* rate limits' clock
                                         (ehs_thread_state_set_clock); NULL:
                                         ehs_rate_clock_ms */
    void *clock_context;
    bool report_made;                 /* the last build returned EHS_REPORT: the
                                         caller builds the same message again,
                                         at report_now */
    uint64_t report_now;
    /* The metadata of the last plain default event of each source (see
     * put_default_meta), copied from the builder after a build: for this
     * state's `config` only. */
    struct default_meta {
        uint8_t size;                 /* 0: none kept */
        uint8_t name_len;             /* of the event name, its first bytes */
        uint8_t bytes[DEFAULT_META_MAX];
    } default_meta[EHS_SOURCE_COUNT];
};

ehs_thread_state *ehs_thread_state_new(const ehs_config *config)
{
    if (config == NULL)
        return NULL;
    ehs_thread_state *state = calloc(1, sizeof *state);
    if (state == NULL)
        return NULL;
    state->config = config;
    state->event_max = EHD_EVENT_MAX;

    uint32_t groups = config->max_capture_count;
    bool any_jit = false;
    state->every_rule_names_idents = true;
    for (size_t i = 0; i < config->rule_count; i++) {
        const ehs_rule *rule = &config->rules[i];
        if (rule->capture_count > groups)
            groups = rule->capture_count;
        any_jit |= rule->code != NULL && rule->jit;
        state->every_rule_names_idents &= rule->ident.count != 0;
    }
    state->match_data = pcre2_match_data_create(groups + 1, NULL);

    /* Without one of its own the state's index only makes builds faster:
     * out of memory, rules are tried one by one. */
    if (config->rule_index == NULL)
        state->own_index = ehs_rule_index_new(config->rules, config->rule_count);

    state->match_context = config->match_context != NULL
                               ? pcre2_match_context_copy(config->match_context)
                               : pcre2_match_context_create(NULL);
    if (any_jit && state->match_context != NULL) {
        state->jit_stack = pcre2_jit_stack_create(JIT_STACK_START, JIT_STACK_MAX, NULL);
        /* Without its own stack PCRE2 falls back to 32 KiB of the machine
         * stack: worse, but still bounded. */
        if (state->jit_stack != NULL)
            pcre2_jit_stack_assign(state->match_context, NULL, state->jit_stack);
    }

    size_t scratch = config->max_message_bytes;
    if (scratch < SCRATCH_MIN)
        scratch = SCRATCH_MIN;
    if (scratch > EHD_EVENT_MAX)
        scratch = EHD_EVENT_MAX;
    state->scratch_size = scratch;
    state->value_scratch = malloc(scratch);
    state->text_scratch = malloc(scratch);
    state->names.bytes = malloc(EHS_NAME_SET_BYTES);
    state->names.ends = malloc(EHS_NAME_SET_ENTRIES * sizeof *state->names.ends);
    state->json.strings = malloc(EHS_JSON_STRING_ARRAY_MAX * sizeof *state->json.strings);
    state->json.lengths = malloc(EHS_JSON_STRING_ARRAY_MAX * sizeof *state->json.lengths);
    state->frames = malloc(EHS_FRAMES_MAX * sizeof *state->frames);

    if (state->match_data == NULL || state->match_context == NULL ||
        state->value_scratch == NULL || state->text_scratch == NULL ||
        state->names.bytes == NULL || state->names.ends == NULL ||
        state->json.strings == NULL || state->json.lengths == NULL || state->frames == NULL) {
        ehs_thread_state_free(state);
        return NULL;
    }
    return state;
}

void ehs_thread_state_set_event_max(ehs_thread_state *state, size_t bytes)
{
    if (state == NULL)
        return;
    if (bytes == 0 || bytes > EHD_EVENT_MAX)
        bytes = EHD_EVENT_MAX;
    state->event_max = bytes < EHS_EVENT_MAX_MIN ? EHS_EVENT_MAX_MIN : bytes;
}

size_t ehs_thread_state_event_max(const ehs_thread_state *state)
{
    return state != NULL ? state->event_max : 0;
}

void ehs_thread_state_free(ehs_thread_state *state)
{
    if (state == NULL)
        return;
    pcre2_match_data_free(state->match_data);
    pcre2_match_context_free(state->match_context);
    pcre2_jit_stack_free(state->jit_stack);
    ehs_rule_index_free(state->own_index);
    free(state->value_scratch);
    free(state->text_scratch);
    free(state->names.bytes);
    free(state->names.ends);
    free((void *)state->json.strings);
    free(state->json.lengths);
    free(state->frames);
    free(state);
}

/* ---- building ---- */

/* What every path of one build shares. */
typedef struct build {
    const ehs_config *config;
    ehs_thread_state *state;
    const ehs_message *message;
    ehd_builder *builder;
    ehs_outcome *outcome;
    const char *text;        /* the message text, "<N>" prefix removed */
    size_t len;
    size_t first_len;        /* of its first line: what rules match in a record
                                unless "match_text" is "record" */
    size_t match_len;        /* what the rule being tried matches: len or first_len */
    size_t message_len;      /* of it in the message field: cut to max_message_bytes
                                (and by add_fixed_fields to the event's room) */
    bool prioritized;        /* syslog or journal: the priority gives the level */
    bool has_facility;       /* the event carries a facility field */
    uint8_t message_level;   /* from the priority or prefix */
    bool level_from_prefix;  /* stderr, stdout: a "<N>" prefix gave message_level */
    const ehs_source_info *source; /* the message's (EHS_SOURCE_ANY's when out of
                                      range): keyword and default event name */
} build;

static size_t max_string(const ehs_config *config)
{
    size_t max = config->max_message_bytes;
    return max == 0 || max > 0xFFFF ? 0xFFFF : max;
}

static void start_event(build *b, const char *name, size_t name_len, const ehs_rule *rule)
{
    ehd_builder_reset_n(b->builder, name, name_len, rule != NULL ? rule->tag : 0);
    if (rule != NULL && (rule->id != 0 || rule->version != 0))
        ehd_builder_id_version(b->builder, rule->id, rule->version);
}

/* Event bytes of the fields after the message: truncated, ident, and
 * facility when the event has one. */
static size_t tail_bytes(bool facility, size_t ident_len)
{
    size_t bytes = ehs_field_overhead(9) + 1 + ehs_field_overhead(5) + ident_len;
    return facility ? bytes + ehs_field_overhead(8) + 1 : bytes;
}

/* A grouped record's fields, in what room the event has left after keeping
 * the message's first MESSAGE_KEEP bytes and the fields after it. */
static bool add_record_fields(build *b, size_t ident_len)
{
    const ehs_config *config = b->config;
    size_t used = ehd__builder_fields_size(b->builder) + EHD_HEADERS_MAX + 16 +
                  tail_bytes(b->has_facility, ident_len);
    if (config->message_field != NULL)
        used += ehs_field_overhead(config->message_field_len) +
                (b->message_len < MESSAGE_KEEP ? b->message_len : MESSAGE_KEEP);
    size_t room = b->state->event_max > used ? b->state->event_max - used : 0;
    return ehs_add_record_fields(b->builder, b->message, b->text, b->len, b->outcome->rule,
                                 b->state->frames, EHS_FRAMES_MAX, room, max_string(config));
}

/* The fields every event ends with: message, truncated, ident, facility.
 * `fields_cut`: a field before them was cut short or left out. The message
 * gets what room the state's event_max leaves after the fields before it. */
static void add_fixed_fields(build *b, bool fields_cut)
{
    const ehs_config *config = b->config;
    ehd_builder *builder = b->builder;
    const char *ident = b->message->ident != NULL ? b->message->ident : "";
    size_t ident_len = b->message->ident != NULL ? b->message->ident_len : 0;
    ident_len = ehs_utf8_cut(ident, ident_len, IDENT_MAX);
    if (b->message->record_lines > 1 || b->message->record_detector != 0)
        fields_cut |= add_record_fields(b, ident_len);
    bool message_cut = false;
    if (config->message_field != NULL) {
        /* The builder keeps EHD_HEADERS_MAX + 16 bytes for what precedes
         * the metadata, whatever an event has there: so does this. */
        size_t used = ehd__builder_fields_size(builder) + EHD_HEADERS_MAX + 16 +
                      ehs_field_overhead(config->message_field_len) +
                      tail_bytes(b->has_facility, ident_len);
        size_t room = b->state->event_max > used ? b->state->event_max - used : 0;
        size_t len = b->message_len <= room ? b->message_len : ehs_utf8_cut(b->text, b->len, room);
        ehd_builder_fast_add_string_n(builder, config->message_field, config->message_field_len,
                                      b->text, 1, len, EHD_FMT_DEFAULT, 0);
        message_cut = len < b->len;
    }
    if (message_cut || fields_cut || b->message->record_cut) {
        static const uint8_t yes = 1;
        ehd_builder_fast_add_value_n(builder, "truncated", 9, &yes, 1, EHD_FMT_BOOLEAN, 0);
        b->outcome->truncated = true;
    }
    ehd_builder_fast_add_string_n(builder, "ident", 5, ident, 1, ident_len, EHD_FMT_DEFAULT, 0);
    if (b->has_facility) {
        /* LOG_FACMASK is 0x3F8: the facility code is at most 127. */
        uint8_t facility = (uint8_t)((b->message->priority & 0x3F8) >> 3);
        ehd_builder_fast_add_value_n(builder, "facility", 8, &facility, 1, EHD_FMT_UNSIGNED_INT, 0);
    }
}

size_t ehs_config_message_room(const ehs_config *config, size_t event_max)
{
    if (config == NULL)
        return 0;
    if (config->message_field == NULL)
        return SIZE_MAX;
    const char *name = config->default_event.name;
    size_t name_len = name != NULL ? strlen(name) : 0;
    for (int s = EHS_SOURCE_ANY + 1; name == NULL && s < EHS_SOURCE_COUNT; s++) {
        size_t len = ehs_sources[s].event_name_len;
        if (ehs_config_captures(config, (ehs_source)s) && len > name_len)
            name_len = len;
    }
    size_t fixed = EHD_HEADERS_MAX + 16 + name_len + 1 +
                   ehs_field_overhead(config->message_field_len) + tail_bytes(true, IDENT_MAX);
    return event_max > fixed ? event_max - fixed : 0;
}

/* Event bytes the fields of an event named `name_len` bytes may take: the
 * state's event_max less the headers, the event name, the fixed fields at
 * their largest and the part of the message it keeps whatever the fields
 * take (MESSAGE_KEEP): beyond that, fields win and the message is cut
 * (add_fixed_fields). */
static size_t field_bytes(const build *b, size_t name_len)
{
    const ehs_config *config = b->config;
    size_t fixed = EHD_HEADERS_MAX + name_len + 1 + EVENT_SLACK;
    if (config->message_field != NULL) {
        size_t keep = b->message_len < MESSAGE_KEEP ? b->message_len : MESSAGE_KEEP;
        fixed += ehs_field_overhead(config->message_field_len) + keep;
    }
    fixed += tail_bytes(true, IDENT_MAX);
    size_t event_max = b->state->event_max;
    return event_max > fixed ? event_max - fixed : 0;
}

static void add_entry_fields(build *b, ehs_emit *emit)
{
    if (b->message->entry_field_count != 0)
        ehs_emit_entry_fields(emit, b->message->entry_fields, b->message->entry_field_count);
}

/* `rule` NULL: the default event, named `name_len` bytes. Always inlined:
 * every event starts here, and as a call its stores of the emit state
 * were as dear as the call. */
static inline __attribute__((always_inline)) void
init_emit(build *b, ehs_emit *emit, const ehs_rule *rule, size_t name_len)
{
    ehs_thread_state *state = b->state;
    state->names.count = 0;
    state->names.level_start = 0;
    *emit = (ehs_emit){
        .builder = b->builder,
        .rule = rule,
        .value_scratch = state->value_scratch,
        .value_scratch_size = state->scratch_size,
        .text_scratch = state->text_scratch,
        .text_scratch_size = state->scratch_size,
        .max_string = max_string(b->config),
        .message_field = b->config->message_field,
        .message_field_len = b->config->message_field_len,
        .names = &state->names,
        .items_left = EHS_EMIT_ITEMS,
        .top_fields_left = EHS_EMIT_TOP_FIELDS,
        .bytes_left = field_bytes(b, rule != NULL ? rule->name_len : name_len),
    };
}

/* Level and keyword of an event of `rule` (before any level_field). */
static void rule_outcome(build *b, const ehs_rule *rule)
{
    b->outcome->rule = rule;
    b->outcome->level = rule->level != 0 ? rule->level : b->message_level;
    b->outcome->keyword = rule->has_keyword ? rule->keyword : b->source->keyword;
}

static bool is_limit_error(int rc)
{
    return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
           rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

static int run_pattern(build *b, const ehs_rule *rule)
{
    ehs_thread_state *state = b->state;
    PCRE2_SPTR subject = (PCRE2_SPTR)(b->text != NULL ? b->text : "");
    if (rule->jit)
        return pcre2_jit_match(rule->code, subject, b->match_len, 0, 0, state->match_data,
                               state->match_context);
    return pcre2_match(rule->code, subject, b->match_len, 0, 0, state->match_data,
                       state->match_context);
}

/* The event of a regex/grok rule whose pattern matched; `rc` is what the
 * match returned (groups set + 1, or 0 when the ovector was full). */
static void build_pattern_event(build *b, const ehs_rule *rule, int rc)
{
    ehs_emit emit;
    init_emit(b, &emit, rule, 0);
    start_event(b, rule->name, rule->name_len, rule);

    pcre2_match_data *md = b->state->match_data;
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    uint32_t pairs = rc > 0 ? (uint32_t)rc : pcre2_get_ovector_count(md);
    /* Names that kv pairs or entry fields after the captures must not
     * repeat; read once, as the loop's stores may alias them. */
    bool seed_names = rule->kv_after || b->message->entry_field_count != 0;
    for (size_t i = 0; i < rule->field_count; i++) {
        const ehs_field *f = &rule->fields[i];
        if (f->group == 0)
            break; /* kv member types follow the groups */
        if (emit.top_fields_left == 0) {
            emit.cut = true;
            break;
        }
        uint32_t g = f->group;
        if (g < pairs && ov[2 * g] != PCRE2_UNSET && ov[2 * g + 1] >= ov[2 * g])
            ehs_emit_typed(&emit, f->name, f->name_len, f->type, b->text + ov[2 * g],
                           ov[2 * g + 1] - ov[2 * g]);
        else
            ehs_emit_null(&emit, f->name, f->name_len, f->type); /* did not take part */
        emit.top_fields_left--;
        if (seed_names)
            ehs_names_add(emit.names, f->name, f->name_len);
    }

    if (rule->level_field != NULL && rule->level_field_group != 0) {
        uint32_t g = rule->level_field_group;
        if (g < pairs && ov[2 * g] != PCRE2_UNSET && ov[2 * g + 1] >= ov[2 * g]) {
            uint8_t level = ehs_level_map_find(rule, b->text + ov[2 * g],
                                               ov[2 * g + 1] - ov[2 * g]);
            if (level != 0)
                b->outcome->level = level;
        }
    }
    if (rule->kv_after) {
        size_t end = ov[1] <= b->match_len ? ov[1] : b->match_len;
        ehs_emit_kv(&emit, b->text + end, b->match_len - end);
    }
    add_entry_fields(b, &emit);
    if (emit.level_found)
        b->outcome->level = emit.level;
    b->outcome->conversion_failures = emit.failures;
    add_fixed_fields(b, emit.cut);
}

/* The event of a kv rule; false (nothing usable in the builder) when the
 * line has no key=value pair. */
static bool build_kv_event(build *b, const ehs_rule *rule)
{
    ehs_emit emit;
    init_emit(b, &emit, rule, 0);
    start_event(b, rule->name, rule->name_len, rule);
    if (ehs_emit_kv(&emit, b->text, b->match_len) == 0)
        return false;
    add_entry_fields(b, &emit);
    if (emit.level_found)
        b->outcome->level = emit.level;
    b->outcome->conversion_failures = emit.failures;
    add_fixed_fields(b, emit.cut);
    return true;
}

/* The event of a journal rule without a matcher: the entry's fields. */
static void build_entry_event(build *b, const ehs_rule *rule)
{
    ehs_emit emit;
    init_emit(b, &emit, rule, 0);
    start_event(b, rule->name, rule->name_len, rule);
    add_entry_fields(b, &emit);
    if (emit.level_found)
        b->outcome->level = emit.level;
    b->outcome->conversion_failures = emit.failures;
    add_fixed_fields(b, emit.cut);
}

static void build_json_event(build *b, const ehs_rule *rule)
{
    ehs_emit emit;
    init_emit(b, &emit, rule, 0);
    start_event(b, rule->name, rule->name_len, rule);
    ehs_json_emit(&emit, &b->state->json, b->text, b->match_len);
    add_entry_fields(b, &emit);
    if (emit.level_found)
        b->outcome->level = emit.level;
    b->outcome->conversion_failures = emit.failures;
    add_fixed_fields(b, emit.cut);
}

/*
 * A plain default event (no record, no entry fields, no facility, nothing
 * cut) has the same metadata every time for one config and source: the
 * event name, the message field's definition and the ident's. The first
 * one is built field by field and its metadata kept (keep_default_meta);
 * the next ones copy it and append only their values. The copy is the
 * builder's own output, so the bytes are the same by construction; it is
 * used only for the config the state was made for, which never changes.
 */
static bool plain_default(const build *b)
{
    const ehs_message *m = b->message;
    return b->state->config == b->config && b->config->message_field != NULL &&
           !b->has_facility && m->record_lines <= 1 && m->record_detector == 0 &&
           !m->record_cut && m->entry_field_count == 0 &&
           (unsigned)m->source < EHS_SOURCE_COUNT;
}

/* The event of a plain default event from the kept metadata; false (the
 * builder untouched) when none is kept or the message would be cut or
 * the builder lacks room. */
static bool put_default_meta(build *b)
{
    const struct default_meta *kept = &b->state->default_meta[b->message->source];
    if (kept->size == 0)
        return false;
    const char *ident = b->message->ident != NULL ? b->message->ident : "";
    size_t ident_len = b->message->ident != NULL ? b->message->ident_len : 0;
    if (ident_len > IDENT_MAX)
        ident_len = ehs_utf8_cut(ident, ident_len, IDENT_MAX);
    /* add_fixed_fields' room, with the metadata holding only the name. */
    size_t used = (size_t)kept->name_len + 1 + EHD_HEADERS_MAX + 16 +
                  ehs_field_overhead(b->config->message_field_len) +
                  tail_bytes(false, ident_len);
    size_t room = b->state->event_max > used ? b->state->event_max - used : 0;
    if (b->message_len > room || b->message_len < b->len)
        return false;
    ehd_builder *builder = b->builder;
    size_t data_size = 2 + b->message_len + 2 + ident_len;
    if (builder->meta.capacity < DEFAULT_META_MAX || builder->data.capacity < data_size)
        return false;
    /* What ehd_builder_reset_n sets, then the name and the fields'
     * definitions: all DEFAULT_META_MAX kept bytes in a few moves of fixed
     * size, of which the first kept->size are the event's. */
    ehd__reset_headers(builder, 0);
    memcpy(builder->meta.bytes, kept->bytes, DEFAULT_META_MAX);
    builder->meta.size = kept->size;
    /* The values: each a 16-bit length and its bytes. */
    uint8_t *p = builder->data.bytes;
    uint16_t count = (uint16_t)b->message_len;
    memcpy(p, &count, sizeof count);
    memcpy(p + 2, b->text, b->message_len);
    p += 2 + b->message_len;
    count = (uint16_t)ident_len;
    memcpy(p, &count, sizeof count);
    ehd__copy_bytes(p + 2, ident, ident_len);
    builder->data.size = data_size;
    return true;
}

/* Keeps the metadata of the plain default event just built, named
 * `name_len` bytes, when it is whole. */
static void keep_default_meta(build *b, size_t name_len)
{
    const ehd_builder *builder = b->builder;
    struct default_meta *kept = &b->state->default_meta[b->message->source];
    if (b->outcome->truncated || builder->error != 0 || builder->meta.size > DEFAULT_META_MAX)
        return;
    memcpy(kept->bytes, builder->meta.bytes, builder->meta.size);
    kept->name_len = (uint8_t)name_len;
    kept->size = (uint8_t)builder->meta.size;
}

static int build_default_event(build *b)
{
    const ehs_default_event *d = &b->config->default_event;
    ehs_outcome *outcome = b->outcome;
    outcome->rule = NULL;
    outcome->level = d->level != 0 ? d->level : b->message_level;
    uint8_t worded;
    if (d->level == 0 && d->level_words && !b->prioritized && !b->level_from_prefix &&
        ehs_level_from_words(b->text, b->len, &worded))
        outcome->level = worded;
    outcome->keyword = d->has_keyword ? d->keyword : b->source->keyword;
    if (d->drop)
        return EHS_DROPPED;
    bool plain = plain_default(b);
    if (plain && put_default_meta(b))
        return EHS_BUILT;
    const char *name = d->name != NULL ? d->name : b->source->event_name;
    size_t name_len = d->name != NULL ? strlen(d->name) : b->source->event_name_len;
    start_event(b, name, name_len, NULL);
    bool fields_cut = false;
    if (b->message->entry_field_count != 0) {
        ehs_emit emit;
        init_emit(b, &emit, NULL, name_len);
        add_entry_fields(b, &emit);
        outcome->conversion_failures = emit.failures;
        fields_cut = emit.cut;
    }
    add_fixed_fields(b, fields_cut);
    if (plain)
        keep_default_meta(b, name_len);
    return EHS_BUILT;
}

static inline bool rule_applies(const ehs_rule *rule, const ehs_message *message)
{
    if (rule->source != EHS_SOURCE_ANY && rule->source != message->source)
        return false;
    if (rule->ident.count != 0 &&
        !ehs_names_match(&rule->ident, message->ident != NULL ? message->ident : "",
                         message->ident != NULL ? message->ident_len : 0))
        return false;
    return rule->exe.count == 0 ||
           (message->exe != NULL && ehs_names_match(&rule->exe, message->exe, message->exe_len));
}

static bool ident_listed_slow(ehs_thread_state *state, const ehs_config *config,
                              const char *ident, size_t len);

/*
 * False only when no rule of the state's config lists `ident` (every rule
 * has an "ident" list): then no rule applies to the message, whatever its
 * source and text, and the index need not be asked. A program's messages
 * nearly all carry one ident (its name, on stderr), so the last answers
 * are kept: "listed" by where the ident was, since a wrong "listed" only
 * asks the index (which is always right); "unlisted" by its bytes. Always
 * inlined: asked of every line, and the call cost more than the answer.
 */
static inline __attribute__((always_inline)) bool
ident_listed(ehs_thread_state *state, const ehs_config *config, const char *ident, size_t len)
{
    if (!state->every_rule_names_idents || (ident == state->listed_at && len == state->listed_len))
        return true;
    if (state->unlisted_known && len == state->unlisted_len &&
        ehs_same_bytes(ident, state->unlisted, len))
        return false;
    return ident_listed_slow(state, config, ident, len);
}

/* ident_listed for an ident other than the last ones: asks every rule. */
static bool ident_listed_slow(ehs_thread_state *state, const ehs_config *config,
                              const char *ident, size_t len)
{
    bool listed = false;
    for (size_t i = 0; i < config->rule_count && !listed; i++)
        listed = ehs_names_match(&config->rules[i].ident, ident, len);
    if (listed) {
        state->listed_at = ident;
        state->listed_len = len;
    } else if (len <= sizeof state->unlisted) {
        memcpy(state->unlisted, ident, len);
        state->unlisted_len = (uint8_t)len;
        state->unlisted_known = true;
    }
    return listed;
}

/* try_rule's result when the rule does not take the message. */
enum { TRY_NEXT = -1 };

/* Tries `rule` on the message: EHS_BUILT or EHS_DROPPED when it takes it
 * (or a match limit sends it to the default event), else TRY_NEXT.
 * `literals`: what its pattern requires of the text, checked first; NULL:
 * nothing is checked before the pattern runs. `placed`: the index found
 * it for the message's source and ident, which need no comparing. */
static int try_rule(build *b, const ehs_rule *rule, const ehs_literals *literals, bool placed)
{
    if (!placed && !rule_applies(rule, b->message))
        return TRY_NEXT;
    b->match_len = rule->match_record ? b->len : b->first_len;
    switch (rule->matcher) {
    case EHS_MATCH_REGEX:
    case EHS_MATCH_GROK: {
        if (rule->code == NULL)
            return TRY_NEXT;
        if (literals != NULL && !ehs_literals_allow(literals, b->text, b->match_len))
            return TRY_NEXT;
        b->state->rules_tried++;
        int rc = run_pattern(b, rule);
        if (rc < 0) {
            if (is_limit_error(rc)) {
                b->outcome->match_limit_hit = true;
                return build_default_event(b);
            }
            return TRY_NEXT; /* no match (or an error that is no better) */
        }
        rule_outcome(b, rule);
        if (rule->drop)
            return EHS_DROPPED;
        build_pattern_event(b, rule, rc);
        return EHS_BUILT;
    }
    case EHS_MATCH_KV:
        b->state->rules_tried++;
        if (rule->drop) {
            if (!ehs_kv_has_pair(b->text, b->match_len))
                return TRY_NEXT;
            rule_outcome(b, rule);
            return EHS_DROPPED;
        }
        rule_outcome(b, rule);
        if (build_kv_event(b, rule))
            return EHS_BUILT;
        return TRY_NEXT;
    case EHS_MATCH_ALL:
        b->state->rules_tried++;
        rule_outcome(b, rule);
        if (rule->drop)
            return EHS_DROPPED;
        build_entry_event(b, rule);
        return EHS_BUILT;
    case EHS_MATCH_JSON:
        b->state->rules_tried++;
        if (!ehs_json_is_object(b->text, b->match_len))
            return TRY_NEXT;
        rule_outcome(b, rule);
        if (rule->drop)
            return EHS_DROPPED;
        build_json_event(b, rule);
        return EHS_BUILT;
    default:
        return TRY_NEXT;
    }
}

/* The event of `message` by the rules, rate limits aside. */
static inline __attribute__((always_inline)) int
build_message(const ehs_config *config, ehs_thread_state *state, const ehs_message *message,
              ehd_builder *builder, ehs_outcome *outcome)
{
    *outcome = (ehs_outcome){ 0 };
    build b = {
        .config = config,
        .state = state,
        .message = message,
        .builder = builder,
        .outcome = outcome,
        .text = message->text != NULL ? message->text : "",
        .len = message->text != NULL ? message->len : 0,
        .prioritized =
            message->source == EHS_SOURCE_SYSLOG || message->source == EHS_SOURCE_JOURNAL,
    };
    /* A source outside the table is treated as the default event of none
     * (name "Event", keyword 0), never read past it. */
    b.source = &ehs_sources[(unsigned)message->source < EHS_SOURCE_COUNT ? message->source
                                                                       : EHS_SOURCE_ANY];
    if (b.prioritized) {
        b.message_level = ehs_level_of_severity(message->priority & 7);
        b.has_facility = !(message->source == EHS_SOURCE_JOURNAL && message->facility_unknown);
    } else {
        /* OpenSSH's -e lines and programs written for terminals end in
         * "\r\n": the '\r' is no part of what they said. */
        if (config->strip_cr && !message->record_cr_removed && b.len > 0 &&
            b.text[b.len - 1] == '\r')
            b.len--;
        int severity;
        size_t prefix = ehs_stderr_prefix(b.text, b.len, &severity);
        b.message_level = prefix != 0 ? ehs_level_of_severity(severity) : EHD_LEVEL_INFO;
        b.level_from_prefix = prefix != 0;
        b.text += prefix;
        b.len -= prefix;
    }
    b.message_len = ehs_utf8_cut(b.text, b.len, max_string(config));
    b.first_len = b.len;
    if (message->record_lines > 1) {
        const char *newline = memchr(b.text, '\n', b.len);
        if (newline != NULL)
            b.first_len = (size_t)(newline - b.text);
    }

    const ehs_rule_index *index = config->rule_index;
    if (index == NULL && state->config == config)
        index = state->own_index;
    if (state->linear || index == NULL) {
        for (size_t i = 0; i < config->rule_count; i++) {
            int result = try_rule(&b, &config->rules[i], NULL, false);
            if (result != TRY_NEXT)
                return result;
        }
        return build_default_event(&b);
    }
    if (state->config == config &&
        !ident_listed(state, config, message->ident != NULL ? message->ident : "",
                      message->ident != NULL ? message->ident_len : 0))
        return build_default_event(&b);
    ehs_candidates candidates;
    ehs_rule_index_candidates(index, message->source, message->ident,
                              message->ident != NULL ? message->ident_len : 0, b.text,
                              b.first_len, &candidates);
    for (size_t i; (i = ehs_candidates_next(&candidates)) != SIZE_MAX;) {
        int result = try_rule(&b, &config->rules[i], ehs_rule_index_literals(index, i),
                              ehs_rule_index_placed(index, i));
        if (result != TRY_NEXT)
            return result;
    }
    return build_default_event(&b);
}

/* build_message under the config's rate limits (ehs_engine.h). */
static int __attribute__((noinline))
build_limited(const ehs_config *config, ehs_thread_state *state, const ehs_message *message,
              ehd_builder *builder, ehs_outcome *outcome)
{
    ehs_rate_windows *windows = config->rate_windows;
    /* One clock read per message: a call after a report is the same
     * message again. */
    uint64_t now = state->report_made                ? state->report_now
                   : state->clock_ms != NULL ? state->clock_ms(state->clock_context)
                                             : ehs_rate_clock_ms();
    ehs_rate_report report;
    state->report_made = ehs_rate_take_report(windows, now, false, &report);
    if (state->report_made) {
        state->report_now = now;
        return ehs_build_rate_report(config, &report, builder, outcome);
    }
    int result = build_message(config, state, message, builder, outcome);
    if (result != EHS_BUILT)
        return result;
    size_t slot = outcome->rule != NULL ? (size_t)(outcome->rule - config->rules)
                                        : config->rule_count + (size_t)message->source;
    if (!ehs_rate_admit(windows, slot, outcome->level, outcome->keyword, now))
        return EHS_SUPPRESSED;
    return EHS_BUILT;
}

int ehs_engine_build(const ehs_config *config, ehs_thread_state *state,
                     const ehs_message *message, ehd_builder *builder, ehs_outcome *outcome)
{
    if (__builtin_expect(config->rate_windows != NULL, 0))
        return build_limited(config, state, message, builder, outcome);
    return build_message(config, state, message, builder, outcome);
}

int ehs_engine_build_final_report(const ehs_config *config, ehs_thread_state *state,
                                  ehd_builder *builder, ehs_outcome *outcome)
{
    (void)state;
    ehs_rate_report report;
    if (config == NULL || !ehs_rate_take_report(config->rate_windows, 0, true, &report))
        return EHS_DROPPED;
    return ehs_build_rate_report(config, &report, builder, outcome);
}

void ehs_config_forget_suppressed(const ehs_config *config)
{
    if (config != NULL)
        ehs_rate_windows_forget(config->rate_windows);
}

uint64_t ehs_config_suppressed(const ehs_config *config)
{
    return config != NULL ? ehs_rate_suppressed_total(config->rate_windows) : 0;
}

void ehs_thread_state_set_clock(ehs_thread_state *state, uint64_t (*clock_ms)(void *),
                                void *context)
{
    if (state == NULL)
        return;
    state->clock_ms = clock_ms;
    state->clock_context = context;
}

uint64_t ehs_thread_state_rules_tried(const ehs_thread_state *state)
{
    return state != NULL ? state->rules_tried : 0;
}

void ehs_engine_set_linear(ehs_thread_state *state, bool linear)
{
    state->linear = linear;
}

bool ehs_engine_pattern_matches(ehs_thread_state *state, const void *code, const char *text,
                                size_t len)
{
    return pcre2_match(code, (PCRE2_SPTR)(text != NULL ? text : ""), len, 0, 0, state->match_data,
                       state->match_context) >= 0;
}
