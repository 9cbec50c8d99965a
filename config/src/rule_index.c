/*
 * Building and reading the rule index (rule_index.h). Everything lives in
 * a few arrays (rule numbers, trie nodes, branches, buckets), so a config of a
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
#include "same_bytes.h"

/*
 * A trie node: the rules whose key ends here, and the way on. Node 0 is
 * never used, so 0 can mean "none" for a root or a child.
 */
typedef struct node {
    uint32_t first;          /* into numbers: rules whose key ends here */
    uint32_t count;
    uint32_t child;          /* kids 1: the end of the chain of single children
                                and no rules that starts below (path compression);
                                KIDS_SOME: where its children start in kid_ids */
    uint8_t byte;            /* the byte that leads to it */
    uint8_t kids;            /* 0, 1, KIDS_SOME or KIDS_MANY (`child` numbers its
                                fan-out table) */
    uint8_t chain_len;       /* kids 1: how many bytes lead down to `child` */
    union {
        const char *label;   /* the key bytes from this node on (in the key of
                                the rule that made it); kids 1: the chain's */
        uint64_t kid_bytes;  /* KIDS_SOME, once built: byte k (bits 8k up) leads
                                to kid_ids[child + k]; the unused bytes repeat
                                byte 0, so a byte's lowest match is its child */
    };
} node;

enum {
    KIDS_SOME = 2,
    KIDS_MANY = 3,
    MERGED_COPIES_MAX = 4096, /* most rules for any ident copied into ident
                                buckets (each copy's key gets trie nodes of its
                                own): beyond, each bucket keeps its own */
    FAN_OUT_MIN = 6,         /* children that earn a node a table of 256: the
                                roots, mostly, which every line looks in; fewer
                                fit the 8 bytes of kid_bytes */
};

_Static_assert(FAN_OUT_MIN - 1 <= 8, "KIDS_SOME children fit kid_bytes");

/* Rules with no key but a text every match contains, the same for all:
 * one look for the text settles them all. */
typedef struct needle_group {
    const ehs_literals *lit;  /* the first rule's: its needle, and no prefix */
    uint32_t first;           /* into numbers */
    uint32_t count;
} needle_group;

typedef struct bucket {
    uint32_t always_first;    /* into numbers: rules tried whatever the text */
    uint32_t always_count;
    uint32_t group_first;     /* into groups */
    uint32_t group_count;
    uint32_t byte_groups;     /* how many of them, first, have a needle of one
                                 byte: looked for at once (one memchr: a line
                                 lacking it spares the merge a run to scan past
                                 at every step), the others when the merge
                                 reaches their first rule */
    uint32_t members_first;   /* into numbers: all its rules, for when a message */
    uint32_t members_count;   /* gathers more runs than ehs_candidates holds */
    uint32_t roots[EHS_SKIP_KINDS]; /* a trie of the keys of each skip kind; 0: none */
    uint32_t plain[EHS_STARTS_MAX]; /* the same keys by where they start in a line
                                       that starts with no white byte: the line's
                                       first, second and third word */
    uint8_t later_firsts[256];       /* bit at - 1 set for each first byte of the keys
                                       of plain[at], at 1 and 2: a line whose second
                                       or third word starts with none of them skips
                                       that walk (few of a config's keys start past
                                       the first word, so most lines do); one load
                                       a word, whose first byte is never a blank */
} bucket;

/* One exact ident some rule names. */
typedef struct ident_slot {
    const char *name;         /* the rule's own text; NULL: empty slot */
    size_t len;
    uint32_t id;
} ident_slot;

struct ehs_rule_index {
    size_t rule_count;
    ehs_literals *literals;   /* one per rule, and a spare (same_bytes) */
    bool *placed;             /* one per rule: its buckets decide its source and
                                 ident (no glob), and it has no exe */
    uint32_t *numbers;        /* rule numbers, in runs sorted by config order */
    size_t number_count, number_capacity;
    node *nodes;
    size_t node_count, node_capacity;
    uint32_t *parents;        /* while building: each node's parent (0 for a root) */
    size_t parent_capacity;
    uint32_t *kid_ids;        /* the children of nodes with KIDS_SOME, each node's
                                 together */
    uint32_t *fan_outs;       /* 256 children (0: none) per node with KIDS_MANY */
    needle_group *groups;
    size_t group_count, group_capacity;
    bucket generic[EHS_SOURCE_COUNT]; /* rules for any ident */
    bucket *by_ident;         /* [id * EHS_SOURCE_COUNT + source] */
    ident_slot *idents;       /* hash table of the exact idents */
    size_t ident_mask;        /* table size - 1 */
    size_t ident_count;
    bool merged;              /* each ident bucket holds the generic bucket's rules
                                 too: a message looks in one bucket, not two */
};

static uint64_t hash_bytes(const char *p, size_t len)
{
    /* FNV-1a: idents are short, and this is all a look-up hashes. */
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)p[i]) * 0x100000001b3u;
    return h;
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

/* A new node; 0 when out of memory (or out of 32-bit ids). */
static uint32_t new_node(ehs_rule_index *index)
{
    if (index->node_count >= UINT32_MAX)
        return 0;
    if (index->node_count == index->node_capacity) {
        node *grown = ehd__grow_array(index->nodes, &index->node_capacity, index->node_count + 1,
                                      sizeof *grown, 64);
        if (grown == NULL)
            return 0;
        index->nodes = grown;
    }
    if (index->node_count == index->parent_capacity) {
        uint32_t *grown = ehd__grow_array(index->parents, &index->parent_capacity,
                                          index->node_count + 1, sizeof *grown, 64);
        if (grown == NULL)
            return 0;
        index->parents = grown;
    }
    index->nodes[index->node_count] = (node){ 0 };
    index->parents[index->node_count] = 0;
    return (uint32_t)index->node_count++;
}

static inline bool rule_for_source(const ehs_rule *rule, int source)
{
    return rule->source == EHS_SOURCE_ANY || (int)rule->source == source;
}

/* Whether rule `i` is filed by its key rather than always tried. Rules
 * matched against a whole record are left out: the look-up reads the first
 * line. */
static bool is_keyed(const ehs_rule_index *index, const ehs_rule *rules, uint32_t i)
{
    const ehs_rule *rule = &rules[i];
    return (rule->matcher == EHS_MATCH_REGEX || rule->matcher == EHS_MATCH_GROK) &&
           rule->code != NULL && !rule->match_record && index->literals[i].key_len != 0;
}

typedef struct keyed_rule {
    const ehs_literals *lit;
    uint32_t rule;
} keyed_rule;

/* By key (a key before the keys it starts), then config order: a trie is
 * then built in one pass, and the rules of one key are one sorted run. */
static int compare_keyed(const void *a, const void *b)
{
    const keyed_rule *x = a, *y = b;
    size_t n = x->lit->key_len < y->lit->key_len ? x->lit->key_len : y->lit->key_len;
    int c = memcmp(x->lit->key, y->lit->key, n);
    if (c != 0)
        return c;
    if (x->lit->key_len != y->lit->key_len)
        return x->lit->key_len < y->lit->key_len ? -1 : 1;
    return (x->rule > y->rule) - (x->rule < y->rule);
}

/* Whether rule `i`, not keyed, is left out of a line that lacks its
 * needle: it must be matched against the first line (what the index sees),
 * and have no prefix (ehs_literals_allow then looks for the needle only). */
static bool is_needled(const ehs_rule_index *index, const ehs_rule *rules, uint32_t i)
{
    const ehs_rule *rule = &rules[i];
    const ehs_literals *lit = &index->literals[i];
    return (rule->matcher == EHS_MATCH_REGEX || rule->matcher == EHS_MATCH_GROK) &&
           rule->code != NULL && !rule->match_record && lit->prefix_len == 0 &&
           lit->needle_len != 0;
}

/* Needles of one byte first, then by needle, then config order: the rules
 * of one needle are one run. */
static int compare_needled(const void *a, const void *b)
{
    const keyed_rule *x = a, *y = b;
    if ((x->lit->needle_len == 1) != (y->lit->needle_len == 1))
        return x->lit->needle_len == 1 ? -1 : 1;
    size_t n = x->lit->needle_len < y->lit->needle_len ? x->lit->needle_len : y->lit->needle_len;
    int c = memcmp(x->lit->needle, y->lit->needle, n);
    if (c != 0)
        return c;
    if (x->lit->needle_len != y->lit->needle_len)
        return x->lit->needle_len < y->lit->needle_len ? -1 : 1;
    return (x->rule > y->rule) - (x->rule < y->rule);
}

static bool same_needle(const ehs_literals *a, const ehs_literals *b)
{
    return a->needle_len == b->needle_len && memcmp(a->needle, b->needle, a->needle_len) == 0;
}

/* Files the needled rules of `scratch` (`count`) in groups of one needle. */
static bool build_groups(ehs_rule_index *index, keyed_rule *scratch, size_t count, bucket *b)
{
    qsort(scratch, count, sizeof *scratch, compare_needled);
    b->group_first = (uint32_t)index->group_count;
    for (size_t k = 0; k < count; k++) {
        if (k == 0 || !same_needle(scratch[k - 1].lit, scratch[k].lit)) {
            if (index->group_count == index->group_capacity) {
                needle_group *grown =
                    ehd__grow_array(index->groups, &index->group_capacity,
                                    index->group_count + 1, sizeof *grown, 16);
                if (grown == NULL)
                    return false;
                index->groups = grown;
            }
            index->groups[index->group_count++] =
                (needle_group){ scratch[k].lit, (uint32_t)index->number_count, 0 };
            b->group_count++;
            b->byte_groups += scratch[k].lit->needle_len == 1;
        }
        index->groups[index->group_count - 1].count++;
        if (!push_number(index, scratch[k].rule))
            return false;
    }
    return true;
}

/* Adds `key` under `root` (a path of new nodes where the previous key,
 * `path` from the root, stops sharing it: the keys come sorted) and files
 * `rule` at its end. */
static bool add_key(ehs_rule_index *index, uint32_t path[EHS_LITERAL_MAX + 1],
                    const ehs_literals *prev, const ehs_literals *lit, uint32_t rule)
{
    size_t shared = 0;
    if (prev != NULL)
        while (shared < prev->key_len && shared < lit->key_len &&
               prev->key[shared] == lit->key[shared])
            shared++;
    for (size_t d = shared; d < lit->key_len; d++) {
        uint32_t child = new_node(index);
        if (child == 0)
            return false;
        node *parent = &index->nodes[path[d]];
        if (parent->kids == 0) {
            parent->kids = 1;
            parent->child = child;
        } else {
            parent->kids = KIDS_SOME;
        }
        index->nodes[child].byte = (uint8_t)lit->key[d];
        index->nodes[child].label = lit->key + d;
        index->parents[child] = path[d];
        path[d + 1] = child;
    }
    node *end = &index->nodes[path[lit->key_len]];
    if (end->count == 0)
        end->first = (uint32_t)index->number_count;
    end->count++;
    return push_number(index, rule);
}

/* The skip kinds (bits) whose prefix may start at the first, second and
 * third word of a line that starts with no white byte (ehs_skip_starts):
 * the first for all but EHS_SKIP_WORD, whose word cannot be empty there. */
static const unsigned plain_kinds[EHS_STARTS_MAX] = {
    1u << EHS_SKIP_NONE | 1u << EHS_SKIP_BLANKS | 1u << EHS_SKIP_SPACES |
        1u << EHS_SKIP_WHITE | 1u << EHS_SKIP_WORDS,
    1u << EHS_SKIP_WORD | 1u << EHS_SKIP_WORDS,
    1u << EHS_SKIP_WORDS,
};

/* Builds in *root (0: none) the trie of the keyed rules among `members`
 * whose skip kind is in `kinds` (bits), and sets `bit` in `firsts` (NULL:
 * none wanted) at the first byte of each key. `scratch` has room for
 * `count`. */
static bool build_trie(ehs_rule_index *index, const ehs_rule *rules, const uint32_t *members,
                       size_t count, keyed_rule *scratch, unsigned kinds, uint32_t *root,
                       uint8_t firsts[256], uint8_t bit)
{
    *root = 0;
    size_t keyed = 0;
    for (size_t m = 0; m < count; m++) {
        uint32_t i = members[m];
        if (is_keyed(index, rules, i) && (kinds & 1u << index->literals[i].skip))
            scratch[keyed++] = (keyed_rule){ &index->literals[i], i };
    }
    if (keyed == 0)
        return true;
    qsort(scratch, keyed, sizeof *scratch, compare_keyed);
    for (size_t k = 0; firsts != NULL && k < keyed; k++)
        firsts[(unsigned char)scratch[k].lit->key[0]] |= bit;
    uint32_t path[EHS_LITERAL_MAX + 1];
    if ((path[0] = *root = new_node(index)) == 0)
        return false;
    for (size_t k = 0; k < keyed; k++)
        if (!add_key(index, path, k ? scratch[k - 1].lit : NULL, scratch[k].lit, scratch[k].rule))
            return false;
    return true;
}

/* Fills `b` with rules `members` (`count`, config order). `scratch` has
 * room for `count` entries. */
static bool build_bucket(ehs_rule_index *index, const ehs_rule *rules, const uint32_t *members,
                         size_t count, keyed_rule *scratch, bucket *b)
{
    *b = (bucket){ .members_first = (uint32_t)index->number_count,
                   .members_count = (uint32_t)count };
    for (size_t m = 0; m < count; m++)
        if (!push_number(index, members[m]))
            return false;
    b->always_first = (uint32_t)index->number_count;
    size_t needled = 0;
    for (size_t m = 0; m < count; m++) {
        uint32_t i = members[m];
        if (is_keyed(index, rules, i))
            continue;
        if (is_needled(index, rules, i)) {
            scratch[needled++] = (keyed_rule){ &index->literals[i], i };
            continue;
        }
        if (!push_number(index, i))
            return false;
        b->always_count++;
    }
    if (!build_groups(index, scratch, needled, b))
        return false;
    for (unsigned skip = 0; skip < EHS_SKIP_KINDS; skip++)
        if (!build_trie(index, rules, members, count, scratch, 1u << skip, &b->roots[skip],
                        NULL, 0))
            return false;
    for (unsigned at = 0; at < EHS_STARTS_MAX; at++)
        if (!build_trie(index, rules, members, count, scratch, plain_kinds[at], &b->plain[at],
                        at != 0 ? b->later_firsts : NULL, (uint8_t)(1u << at >> 1)))
            return false;
    return true;
}

/* Points every node of one child at the end of its chain: the first node
 * down that has rules or not exactly one child. The chain's bytes are the
 * label of its first node: the rule that made that node made the whole
 * chain (keys come sorted, and a key ending inside gives that node rules). */
static void compress_chains(ehs_rule_index *index)
{
    /* A node is made after its parent: going up the numbers, each chain is
     * read before any node on it has been pointed further. */
    for (size_t n = 1; n < index->node_count; n++) {
        node *top = &index->nodes[n];
        if (top->kids != 1)
            continue;
        uint32_t first = top->child, end = first;
        size_t len = 1;
        while (index->nodes[end].count == 0 && index->nodes[end].kids == 1 &&
               len < UINT8_MAX) {
            end = index->nodes[end].child;
            len++;
        }
        top->label = index->nodes[first].label;
        top->chain_len = (uint8_t)len;
        top->child = end;
    }
}

/* Where the children of nodes with more than one are found: a fan-out
 * table for those with many, else kid_bytes and kid_ids. After
 * compress_chains, which reads the labels that kid_bytes overwrite. */
static bool build_branches(ehs_rule_index *index)
{
    size_t count = index->node_count;
    uint32_t *kids = calloc(count, sizeof *kids);
    if (kids == NULL)
        return false;
    for (size_t n = 1; n < count; n++)
        kids[index->parents[n]]++;
    size_t branches = 0, tables = 0;
    for (size_t n = 1; n < count; n++) {
        node *p = &index->nodes[n];
        if (kids[n] >= FAN_OUT_MIN) {
            p->kids = KIDS_MANY;
            p->child = (uint32_t)tables++;
        } else if (kids[n] > 1) {
            p->child = (uint32_t)branches;
            p->kid_bytes = 0;
            branches += kids[n];
        }
        kids[n] = 0; /* from here: the children placed so far */
    }
    index->kid_ids = malloc((branches ? branches : 1) * sizeof *index->kid_ids);
    index->fan_outs = calloc(tables ? tables * 256 : 1, sizeof *index->fan_outs);
    bool ok = index->kid_ids != NULL && index->fan_outs != NULL;
    for (size_t n = 1; ok && n < count; n++) {
        uint32_t parent = index->parents[n];
        node *p = &index->nodes[parent];
        if (parent == 0 || p->kids < KIDS_SOME)
            continue;
        uint8_t byte = index->nodes[n].byte;
        if (p->kids == KIDS_MANY) {
            index->fan_outs[(size_t)p->child * 256 + byte] = (uint32_t)n;
            continue;
        }
        uint32_t k = kids[parent]++;
        index->kid_ids[p->child + k] = (uint32_t)n;
        p->kid_bytes |= (uint64_t)byte << (8 * k);
    }
    for (size_t n = 1; ok && n < count; n++) {
        node *p = &index->nodes[n];
        if (p->kids == KIDS_SOME)
            for (uint32_t k = kids[n]; k < 8; k++)
                p->kid_bytes |= (p->kid_bytes & 0xff) << (8 * k);
    }
    free(kids);
    return ok;
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
        if (x->len == len && ehs_same_bytes(x->name, name, len))
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
    /* A message of a named ident would walk two buckets' tries over the
     * same bytes: its ident's and the one for any ident. Copying the latter
     * into every ident bucket makes that one walk, as long as the copies
     * stay few (one trie per ident and source holds them). */
    size_t any_ident = 0;
    for (int s = 0; s < EHS_SOURCE_COUNT; s++)
        any_ident += index->generic[s].members_count;
    index->merged = ids != 0 && any_ident <= MERGED_COPIES_MAX / ids;
    for (size_t id = 0; ok && id < ids; id++) {
        for (int s = 0; ok && s < EHS_SOURCE_COUNT; s++) {
            const bucket *any = &index->generic[s];
            size_t n = 0, a = index->merged ? 0 : any->members_count;
            for (size_t g = start[id]; g < start[id + 1]; g++) {
                uint32_t i = grouped[g];
                if (!rule_for_source(&rules[i], s))
                    continue;
                /* Config order; a rule for any ident never names one. */
                for (; a < any->members_count && index->numbers[any->members_first + a] < i; a++)
                    members[n++] = index->numbers[any->members_first + a];
                /* A rule naming the same ident twice is one candidate. */
                if (n == 0 || members[n - 1] != i)
                    members[n++] = i;
            }
            for (; a < any->members_count; a++)
                members[n++] = index->numbers[any->members_first + a];
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
        /* One more than the rules: chain labels, which point into the keys,
         * are read 8 bytes at a time, up to 7 past a key's end. */
        index->literals = calloc(count + 1, sizeof *index->literals);
        index->placed = calloc(count ? count : 1, sizeof *index->placed);
        ok = index->literals != NULL && index->placed != NULL;
    }
    for (size_t i = 0; ok && i < count; i++)
        index->placed[i] = rules[i].exe.count == 0 && !has_glob(&rules[i].ident);
    if (ok)
        find_literals(index, rules, count);
    ok = ok && new_node(index) == 0 && index->node_count == 1; /* node 0: "none" */
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
    if (ok)
        compress_chains(index);
    ok = ok && build_branches(index);
    free(scratch);
    free(members);
    if (index != NULL) {
        free(index->parents);
        index->parents = NULL;
    }
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
    free(index->nodes);
    free(index->parents);
    free(index->kid_ids);
    free(index->fan_outs);
    free(index->groups);
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
    out->at[out->runs] = base + first;
    out->end[out->runs] = base + first + count;
    out->check[out->runs] = NULL;
    out->runs++;
}

/* Where the prefixes of each skip kind may start in one line: found when
 * first needed, once for both buckets of a message and both word kinds. */
typedef struct line_starts {
    bool plain;                    /* the line starts with no white byte */
    uint8_t count[EHS_SKIP_KINDS]; /* 0: not looked for yet */
    bool have_words;
    size_t words[EHS_STARTS_MAX];
    size_t at[EHS_SKIP_KINDS][EHS_STARTS_MAX];
} line_starts;

/* Inline in the one walk of most lines: the quick look is a few
 * instructions, less than a call. */
static inline __attribute__((always_inline)) const size_t *
words_of(line_starts *starts, const char *text, size_t len)
{
    if (!starts->have_words) {
        if (!ehs_line_words_quick(text, len, starts->words))
            ehs_line_words(text, len, starts->words);
        starts->have_words = true;
    }
    return starts->words;
}

static const size_t *starts_of(line_starts *starts, unsigned skip, const char *text, size_t len)
{
    if (starts->count[skip] != 0)
        return starts->at[skip];
    if (skip == EHS_SKIP_WORD || skip == EHS_SKIP_WORDS) {
        starts->count[skip] = (uint8_t)ehs_word_starts((uint8_t)skip,
                                                       words_of(starts, text, len),
                                                       starts->at[skip]);
    } else {
        starts->count[skip] = (uint8_t)ehs_skip_starts((uint8_t)skip, text, len, starts->at[skip]);
    }
    return starts->at[skip];
}

/* The child for byte `c` of node `n`, one of several; or 0. KIDS_SOME:
 * the bytes of kid_bytes equal to `c` found at once, 8 in a word (only
 * bytes above a match can be flagged falsely, so the lowest is exact). */
static inline uint32_t child_of(const ehs_rule_index *index, const node *n, unsigned char c)
{
    if (n->kids == KIDS_MANY)
        return index->fan_outs[(size_t)n->child * 256 + c];
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t x = n->kid_bytes ^ (ones * c);
    uint64_t zero = (x - ones) & ~x & highs;
    return zero != 0 ? index->kid_ids[n->child + (uint32_t)__builtin_ctzll(zero) / 8] : 0;
}

/* Past the blanks at `at`. */
static inline size_t past_blanks(const char *text, size_t len, size_t at)
{
    while (at < len && ehs_fold_blank((unsigned char)text[at]))
        at++;
    return at;
}

/* Whether `n` bytes (1 to EHS_LITERAL_MAX) of `text` (`room` >= n readable)
 * are those of `label`, which may be read up to 7 bytes past `n`. Inline
 * words, not a call to memcmp: most labels are a few bytes. */
static inline bool same_bytes(const char *text, size_t room, const char *label, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    size_t i = 0;
    uint64_t x, y;
    for (; n - i >= 8; i += 8) {
        memcpy(&x, text + i, 8);
        memcpy(&y, label + i, 8);
        if (x != y)
            return false;
    }
    if (i == n)
        return true;
    if (room - i < 8)
        return memcmp(text + i, label + i, n - i) == 0;
    memcpy(&x, text + i, 8);
    memcpy(&y, label + i, 8);
    /* The first n - i bytes in memory are the low ones. */
    return ((x ^ y) & (~(uint64_t)0 >> (8 * (8 - (n - i))))) == 0;
#else
    (void)room;
    return memcmp(text, label, n) == 0;
#endif
}

/* Whether the line folded from *at starts with `label` (`n` bytes, folded);
 * if so, moves *at past it. Most lines hold single spaces, where folding
 * changes nothing: one memcmp. */
static bool follows(const char *text, size_t len, size_t *at, const char *label, size_t n)
{
    size_t p = *at;
    /* Most chains a line meets part from it at once. */
    unsigned char c0 = (unsigned char)text[p];
    if (c0 != (unsigned char)label[0] && !(label[0] == ' ' && ehs_fold_blank(c0)))
        return false;
    if (len - p >= n && same_bytes(text + p, len - p, label, n)) {
        p += n;
    } else {
        for (size_t i = 0; i < n; i++) {
            if (p == len)
                return false;
            unsigned char c = (unsigned char)text[p++];
            if (ehs_fold_blank(c)) {
                if (label[i] != ' ')
                    return false;
                p = past_blanks(text, len, p);
            } else if (c != (unsigned char)label[i]) {
                return false;
            }
        }
    }
    /* A label ending in a blank took the whole run of blanks. */
    *at = label[n - 1] == ' ' ? past_blanks(text, len, p) : p;
    return true;
}

/* Follows the line folded from `at` down the trie at `root`, adding the
 * rules of every key it passes the end of. False when more than `room`
 * runs would be needed. */
static bool walk(const ehs_rule_index *index, uint32_t root, const char *text, size_t at,
                 size_t len, ehs_candidates *out, unsigned room)
{
    uint32_t id = root;
    for (;;) {
        const node *n = &index->nodes[id];
        if (n->count != 0) {
            if (out->runs == room)
                return false;
            add_run(out, index->numbers, n->first, n->count);
        }
        if (n->kids == 0 || at == len)
            return true;
        if (n->kids == 1) {
            if (!follows(text, len, &at, n->label, n->chain_len))
                return true;
            id = n->child;
            continue;
        }
        unsigned char c = (unsigned char)text[at++];
        if (ehs_fold_blank(c)) {
            c = ' ';
            at = past_blanks(text, len, at);
        }
        if ((id = child_of(index, n, c)) == 0)
            return true;
    }
}

/* Adds the candidates of bucket `b`, using no more than `room` runs in all:
 * past that, every rule of the bucket, in one run. */
static void bucket_candidates(const ehs_rule_index *index, const bucket *b, const char *text,
                              size_t len, line_starts *starts, ehs_candidates *out, unsigned room)
{
    if (b->members_count == 0)
        return;
    unsigned first = out->runs;
    if (b->always_count != 0)
        add_run(out, index->numbers, b->always_first, b->always_count);
    uint32_t g = b->group_first;
    for (; g < b->group_first + b->byte_groups; g++) {
        const needle_group *group = &index->groups[g];
        if (len == 0 || memchr(text, (unsigned char)group->lit->needle[0], len) == NULL)
            continue;
        if (out->runs == room)
            goto all;
        add_run(out, index->numbers, group->first, group->count);
    }
    for (; g < b->group_first + b->group_count; g++) {
        const needle_group *group = &index->groups[g];
        if (out->runs == room)
            goto all;
        add_run(out, index->numbers, group->first, group->count);
        out->check[out->runs - 1] = group->lit;
    }
    if (starts->plain) {
        /* Every kind starts at one of the first three words: a walk each. */
        if (b->plain[0] != 0 && !walk(index, b->plain[0], text, 0, len, out, room))
            goto all;
        if (b->plain[1] == 0 && b->plain[2] == 0)
            return;
        const size_t *words = words_of(starts, text, len);
        for (unsigned at = 1; at < EHS_STARTS_MAX; at++) {
            /* The first step of a walk from there, taken without one; a
             * line of fewer words has none (no key is empty). */
            if (words[at] == len)
                break;
            unsigned char c = (unsigned char)text[words[at]];
            if ((b->later_firsts[c] >> (at - 1) & 1) != 0 &&
                !walk(index, b->plain[at], text, words[at], len, out, room))
                goto all;
        }
        return;
    }
    for (unsigned skip = 0; skip < EHS_SKIP_KINDS; skip++) {
        if (b->roots[skip] == 0)
            continue;
        const size_t *at = starts_of(starts, skip, text, len);
        for (unsigned k = 0; k < starts->count[skip]; k++) {
            if (!walk(index, b->roots[skip], text, at[k], len, out, room))
                goto all;
        }
    }
    return;
all:
    out->runs = first;
    add_run(out, index->numbers, b->members_first, b->members_count);
}

void ehs_rule_index_candidates(const ehs_rule_index *index, ehs_source source, const char *ident,
                               size_t ident_len, const char *text, size_t len,
                               ehs_candidates *out)
{
    out->runs = 0;
    out->last = SIZE_MAX;
    out->text = text;
    out->len = len;
    line_starts starts;
    memset(starts.count, 0, sizeof starts.count);
    starts.have_words = false;
    /* \s without UCP, as EHS_SKIP_WHITE: space and \t to \r. */
    unsigned char c0 = len != 0 ? (unsigned char)text[0] : 'x';
    starts.plain = c0 != ' ' && (c0 < '\t' || c0 > '\r');
    /* A source outside the table meets only the rules for any source. */
    int s = (unsigned)source < EHS_SOURCE_COUNT ? (int)source : EHS_SOURCE_ANY;
    size_t id = index->ident_count != 0
                    ? find_ident(index, ident != NULL ? ident : "", ident_len)
                    : SIZE_MAX;
    if (id != SIZE_MAX && index->merged) {
        bucket_candidates(index, &index->by_ident[id * EHS_SOURCE_COUNT + (size_t)s], text, len,
                          &starts, out, EHS_CANDIDATE_RUNS);
        return;
    }
    /* The generic bucket leaves a run for the ident's bucket to fall back on. */
    bucket_candidates(index, &index->generic[s], text, len, &starts, out,
                      id != SIZE_MAX ? EHS_CANDIDATE_RUNS - 1 : EHS_CANDIDATE_RUNS);
    if (id != SIZE_MAX)
        bucket_candidates(index, &index->by_ident[id * EHS_SOURCE_COUNT + (size_t)s], text, len,
                          &starts, out, EHS_CANDIDATE_RUNS);
}
