/*
 * Building and reading the rule index (rule_index.h). Everything lives in
 * a few arrays (rule numbers, hash slots, buckets), so a config of a
 * thousand rules makes a handful of allocations: under the shim each one
 * is a mapping of its own.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "grow_array.h"
#include "rule_index.h"

/* First bytes of a prefix a rule is filed under. */
enum { KEY_BYTES_MAX = 4 };

/* One key of a bucket's table and the rules filed under it. key 0: empty. */
typedef struct slot {
    uint64_t key;
    uint32_t first;  /* into numbers */
    uint32_t count;
} slot;

typedef struct bucket {
    uint32_t always_first;    /* into numbers: rules tried whatever the text */
    uint32_t always_count;
    uint32_t slot_first;      /* into slots; slot_mask + 1 of them (none when 0 keys) */
    uint32_t slot_mask;
    uint32_t probes;          /* bit skip * 4 + length - 1: a key of that kind exists */
} bucket;

/* One exact ident some rule names. */
typedef struct ident_slot {
    const char *name;         /* the rule's own text; NULL: empty slot */
    size_t len;
    uint32_t id;
} ident_slot;

struct ehs_rule_index {
    size_t rule_count;
    ehs_literals *literals;   /* one per rule */
    bool *placed;             /* one per rule: its buckets decide its source and
                                 ident (no glob), and it has no exe */
    uint32_t *numbers;        /* rule numbers, in runs sorted by config order */
    size_t number_count, number_capacity;
    slot *slots;
    size_t slot_count, slot_capacity;
    bucket generic[EHS_SOURCE_COUNT]; /* rules for any ident */
    bucket *by_ident;         /* [id * EHS_SOURCE_COUNT + source] */
    ident_slot *idents;       /* hash table of the exact idents */
    size_t ident_mask;        /* table size - 1 */
    size_t ident_count;
};

static uint64_t hash_bytes(const char *p, size_t len)
{
    /* FNV-1a: idents are short, and this is all a look-up hashes. */
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)p[i]) * 0x100000001b3u;
    return h;
}

static inline uint64_t make_key(unsigned skip, size_t len, const char *bytes)
{
    uint64_t key = (uint64_t)1 << 63 | (uint64_t)skip << 40 | (uint64_t)len << 32;
    for (size_t i = 0; i < len; i++)
        key |= (uint64_t)(unsigned char)bytes[i] << (8 * i);
    return key;
}

static inline size_t slot_of(uint64_t key, uint32_t mask)
{
    return (size_t)((key * 0x9E3779B97F4A7C15u) >> 40) & mask;
}

static bool push_number(ehs_rule_index *index, uint32_t n)
{
    if (index->number_count == index->number_capacity) {
        uint32_t *grown = ehd__grow_array(index->numbers, &index->number_capacity,
                                          index->number_count + 1, sizeof *grown, 256);
        if (grown == NULL)
            return false;
        index->numbers = grown;
    }
    index->numbers[index->number_count++] = n;
    return true;
}

static inline bool rule_for_source(const ehs_rule *rule, int source)
{
    return rule->source == EHS_SOURCE_ANY || (int)rule->source == source;
}

/* Whether rule `i` is filed by its prefix rather than always tried. Rules
 * matched against a whole record are left out: the look-up reads the first
 * line. */
static bool is_keyed(const ehs_rule_index *index, const ehs_rule *rules, uint32_t i)
{
    const ehs_rule *rule = &rules[i];
    return (rule->matcher == EHS_MATCH_REGEX || rule->matcher == EHS_MATCH_GROK) &&
           rule->code != NULL && !rule->match_record && index->literals[i].prefix_len != 0;
}

typedef struct keyed_rule {
    uint64_t key;
    uint32_t rule;
} keyed_rule;

static int compare_keyed(const void *a, const void *b)
{
    const keyed_rule *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->rule > y->rule) - (x->rule < y->rule);
}

/* Fills `b` with rules `members` (`count`, config order). `scratch` has
 * room for `count` entries. */
static bool build_bucket(ehs_rule_index *index, const ehs_rule *rules, const uint32_t *members,
                         size_t count, keyed_rule *scratch, bucket *b)
{
    *b = (bucket){ .always_first = (uint32_t)index->number_count };
    size_t keyed = 0;
    for (size_t m = 0; m < count; m++) {
        uint32_t i = members[m];
        if (!is_keyed(index, rules, i)) {
            if (!push_number(index, i))
                return false;
            b->always_count++;
            continue;
        }
        const ehs_literals *lit = &index->literals[i];
        size_t len = lit->prefix_len < KEY_BYTES_MAX ? lit->prefix_len : KEY_BYTES_MAX;
        scratch[keyed++] = (keyed_rule){ make_key(lit->skip, len, lit->prefix), i };
        b->probes |= 1u << (lit->skip * KEY_BYTES_MAX + len - 1);
    }
    if (keyed == 0)
        return true;
    qsort(scratch, keyed, sizeof *scratch, compare_keyed);
    size_t size = 8;
    while (size < keyed * 2)
        size *= 2;
    slot *grown = ehd__grow_array(index->slots, &index->slot_capacity, index->slot_count + size,
                                  sizeof *grown, 64);
    if (grown == NULL)
        return false;
    index->slots = grown;
    b->slot_first = (uint32_t)index->slot_count;
    b->slot_mask = (uint32_t)size - 1;
    slot *table = index->slots + index->slot_count;
    memset(table, 0, size * sizeof *table);
    index->slot_count += size;
    for (size_t k = 0; k < keyed;) {
        size_t end = k;
        uint32_t first = (uint32_t)index->number_count;
        for (; end < keyed && scratch[end].key == scratch[k].key; end++)
            if (!push_number(index, scratch[end].rule))
                return false;
        size_t s = slot_of(scratch[k].key, b->slot_mask);
        while (table[s].key != 0)
            s = (s + 1) & b->slot_mask;
        table[s] = (slot){ scratch[k].key, first, (uint32_t)(end - k) };
        k = end;
    }
    return true;
}

static bool has_glob(const ehs_names *names)
{
    for (size_t n = 0; n < names->count; n++)
        if (names->items[n].glob)
            return true;
    return false;
}

/* The id of exact ident `name`; SIZE_MAX when no rule names it. */
static size_t find_ident(const ehs_rule_index *index, const char *name, size_t len)
{
    size_t s = (size_t)hash_bytes(name, len) & index->ident_mask;
    for (; index->idents[s].name != NULL; s = (s + 1) & index->ident_mask) {
        const ident_slot *x = &index->idents[s];
        if (x->len == len && memcmp(x->name, name, len) == 0)
            return x->id;
    }
    return SIZE_MAX;
}

/* Gives exact ident `name` an id unless it has one; the table has room. */
static void add_ident(ehs_rule_index *index, const char *name, size_t len)
{
    if (find_ident(index, name, len) != SIZE_MAX)
        return;
    size_t s = (size_t)hash_bytes(name, len) & index->ident_mask;
    while (index->idents[s].name != NULL)
        s = (s + 1) & index->ident_mask;
    index->idents[s] = (ident_slot){ name, len, (uint32_t)index->ident_count++ };
}

/* Assigns ids to the exact idents; *names_total counts rule-name pairs. */
static bool collect_idents(ehs_rule_index *index, const ehs_rule *rules, size_t count,
                           size_t *names_total)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++)
        if (!has_glob(&rules[i].ident))
            total += rules[i].ident.count;
    size_t size = 8;
    while (size < total * 2)
        size *= 2;
    index->idents = calloc(size, sizeof *index->idents);
    if (index->idents == NULL)
        return false;
    index->ident_mask = size - 1;
    for (size_t i = 0; i < count; i++) {
        if (has_glob(&rules[i].ident))
            continue;
        for (size_t n = 0; n < rules[i].ident.count; n++)
            add_ident(index, rules[i].ident.items[n].text, rules[i].ident.items[n].len);
    }
    *names_total = total;
    return true;
}

/* The ident buckets: each ident's rules, by source. */
static bool build_ident_buckets(ehs_rule_index *index, const ehs_rule *rules, size_t count,
                                size_t names_total, keyed_rule *scratch)
{
    size_t ids = index->ident_count;
    index->by_ident = calloc(ids ? ids * EHS_SOURCE_COUNT : 1, sizeof *index->by_ident);
    /* Rules of each ident, grouped by id with a counting sort. */
    size_t *start = calloc(ids + 1, sizeof *start);
    uint32_t *grouped = malloc((names_total ? names_total : 1) * sizeof *grouped);
    uint32_t *members = malloc((count ? count : 1) * sizeof *members);
    bool ok = index->by_ident != NULL && start != NULL && grouped != NULL && members != NULL;
    for (int pass = 0; ok && pass < 2; pass++) {
        for (size_t i = 0; i < count; i++) {
            const ehs_names *names = &rules[i].ident;
            if (has_glob(names))
                continue;
            for (size_t n = 0; n < names->count; n++) {
                size_t id = find_ident(index, names->items[n].text, names->items[n].len);
                if (pass == 0)
                    start[id + 1]++;
                else
                    grouped[start[id]++] = (uint32_t)i;
            }
        }
        if (pass == 0)
            for (size_t id = 0; id < ids; id++)
                start[id + 1] += start[id];
        else
            for (size_t id = ids; id > 0; id--)
                start[id] = start[id - 1];
        if (pass == 1)
            start[0] = 0;
    }
    for (size_t id = 0; ok && id < ids; id++) {
        for (int s = 0; ok && s < EHS_SOURCE_COUNT; s++) {
            size_t n = 0;
            for (size_t g = start[id]; g < start[id + 1]; g++) {
                uint32_t i = grouped[g];
                /* A rule naming the same ident twice is one candidate. */
                if (rule_for_source(&rules[i], s) && (n == 0 || members[n - 1] != i))
                    members[n++] = i;
            }
            ok = build_bucket(index, rules, members, n, scratch,
                              &index->by_ident[id * EHS_SOURCE_COUNT + (size_t)s]);
        }
    }
    free(start);
    free(grouped);
    free(members);
    return ok;
}

static void find_literals(ehs_rule_index *index, const ehs_rule *rules, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const ehs_rule *rule = &rules[i];
        uint32_t options = 0;
        if (rule->code == NULL || rule->pattern == NULL ||
            pcre2_pattern_info(rule->code, PCRE2_INFO_ARGOPTIONS, &options) != 0)
            continue;
        ehs_pattern_literals(rule->pattern, options, &index->literals[i]);
    }
}

ehs_rule_index *ehs_rule_index_new(const ehs_rule *rules, size_t count)
{
    if (count >= UINT32_MAX)
        return NULL;
    ehs_rule_index *index = calloc(1, sizeof *index);
    keyed_rule *scratch = malloc((count ? count : 1) * sizeof *scratch);
    uint32_t *members = malloc((count ? count : 1) * sizeof *members);
    bool ok = index != NULL && scratch != NULL && members != NULL;
    if (ok) {
        index->rule_count = count;
        index->literals = calloc(count ? count : 1, sizeof *index->literals);
        index->placed = calloc(count ? count : 1, sizeof *index->placed);
        ok = index->literals != NULL && index->placed != NULL;
    }
    for (size_t i = 0; ok && i < count; i++)
        index->placed[i] = rules[i].exe.count == 0 && !has_glob(&rules[i].ident);
    if (ok)
        find_literals(index, rules, count);
    size_t names_total = 0;
    ok = ok && collect_idents(index, rules, count, &names_total);
    for (int s = 0; ok && s < EHS_SOURCE_COUNT; s++) {
        size_t n = 0;
        for (size_t i = 0; i < count; i++)
            if (rule_for_source(&rules[i], s) &&
                (rules[i].ident.count == 0 || has_glob(&rules[i].ident)))
                members[n++] = (uint32_t)i;
        ok = build_bucket(index, rules, members, n, scratch, &index->generic[s]);
    }
    ok = ok && build_ident_buckets(index, rules, count, names_total, scratch);
    free(scratch);
    free(members);
    if (!ok) {
        ehs_rule_index_free(index);
        return NULL;
    }
    return index;
}

void ehs_rule_index_free(ehs_rule_index *index)
{
    if (index == NULL)
        return;
    free(index->literals);
    free(index->placed);
    free(index->numbers);
    free(index->slots);
    free(index->by_ident);
    free(index->idents);
    free(index);
}

const ehs_literals *ehs_rule_index_literals(const ehs_rule_index *index, size_t i)
{
    return &index->literals[i];
}

bool ehs_rule_index_placed(const ehs_rule_index *index, size_t i)
{
    return index->placed[i];
}

/* Rule numbers base[first .. first + count) as one more run. `base` is NULL
 * in an index of no rules, so nothing is added to it before `count` says
 * there is something. */
static inline void add_run(ehs_candidates *out, const uint32_t *base, uint32_t first,
                           uint32_t count)
{
    if (count == 0)
        return;
    out->at[out->runs] = base + first;
    out->end[out->runs] = base + first + count;
    out->runs++;
}

static void bucket_candidates(const ehs_rule_index *index, const bucket *b, const char *text,
                              size_t len, ehs_candidates *out)
{
    add_run(out, index->numbers, b->always_first, b->always_count);
    if (b->probes == 0)
        return;
    const slot *table = index->slots + b->slot_first;
    for (unsigned skip = 0; skip < EHS_SKIP_KINDS; skip++) {
        unsigned lengths = (b->probes >> (skip * KEY_BYTES_MAX)) & 0xF;
        if (lengths == 0)
            continue;
        size_t starts[EHS_STARTS_MAX];
        size_t count = ehs_skip_starts((uint8_t)skip, text, len, starts);
        for (size_t k = 0; k < count; k++) {
            size_t at = starts[k];
            for (size_t key_len = 1; key_len <= KEY_BYTES_MAX && at + key_len <= len; key_len++) {
                if (!(lengths & (1u << (key_len - 1))))
                    continue;
                uint64_t key = make_key(skip, key_len, text + at);
                for (size_t s = slot_of(key, b->slot_mask); table[s].key != 0;
                     s = (s + 1) & b->slot_mask) {
                    if (table[s].key == key) {
                        add_run(out, index->numbers, table[s].first, table[s].count);
                        break;
                    }
                }
            }
        }
    }
}

void ehs_rule_index_candidates(const ehs_rule_index *index, ehs_source source, const char *ident,
                               size_t ident_len, const char *text, size_t len,
                               ehs_candidates *out)
{
    out->runs = 0;
    out->last = SIZE_MAX;
    /* A source outside the table meets only the rules for any source. */
    int s = (unsigned)source < EHS_SOURCE_COUNT ? (int)source : EHS_SOURCE_ANY;
    bucket_candidates(index, &index->generic[s], text, len, out);
    if (index->ident_count == 0)
        return;
    size_t id = find_ident(index, ident != NULL ? ident : "", ident_len);
    if (id != SIZE_MAX)
        bucket_candidates(index, &index->by_ident[id * EHS_SOURCE_COUNT + (size_t)s], text, len,
                          out);
}
