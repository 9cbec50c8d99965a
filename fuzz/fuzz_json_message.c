/*
 * JSON object messages (config/src/json_message.h) on any bytes: the
 * validating scanner against a reference validator written here straight
 * from RFC 8259's grammar (with the scanner's nesting limit), then the
 * emitter through json rules, whose events must decode.
 *
 * A json rule matches exactly the messages the scanner accepts: checked on
 * a config whose only rule is a json rule.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "json_message.h"

/* ---- the reference validator ---- */

typedef struct reader {
    const uint8_t *p, *end;
} reader;

static void ws(reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static bool eat(reader *r, uint8_t c)
{
    if (r->p < r->end && *r->p == c) {
        r->p++;
        return true;
    }
    return false;
}

static bool digit(reader *r)
{
    return r->p < r->end && *r->p >= '0' && *r->p <= '9';
}

static bool hexdigit(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool string(reader *r)
{
    if (!eat(r, '"'))
        return false;
    while (r->p < r->end) {
        uint8_t c = *r->p++;
        if (c == '"')
            return true;
        if (c < 0x20)
            return false;
        if (c != '\\')
            continue;
        if (r->p == r->end)
            return false;
        c = *r->p++;
        if (c == 'u') {
            for (int i = 0; i < 4; i++)
                if (r->p == r->end || !hexdigit(*r->p++))
                    return false;
        } else if (!strchr("\"\\/bfnrt", c) || c == 0) {
            return false;
        }
    }
    return false;
}

static bool number(reader *r)
{
    eat(r, '-');
    if (eat(r, '0')) {
    } else if (digit(r)) {
        while (digit(r))
            r->p++;
    } else {
        return false;
    }
    if (eat(r, '.')) {
        if (!digit(r))
            return false;
        while (digit(r))
            r->p++;
    }
    if (eat(r, 'e') || eat(r, 'E')) {
        if (!eat(r, '+'))
            eat(r, '-');
        if (!digit(r))
            return false;
        while (digit(r))
            r->p++;
    }
    return true;
}

static bool word(reader *r, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
        return false;
    r->p += n;
    return true;
}

/* `levels`: containers this value may still open (the scanner allows 64). */
static bool value(reader *r, int levels)
{
    if (r->p == r->end)
        return false;
    switch (*r->p) {
    case '"': return string(r);
    case 't': return word(r, "true");
    case 'f': return word(r, "false");
    case 'n': return word(r, "null");
    case '{':
    case '[': {
        if (levels == 0)
            return false;
        bool object = *r->p == '{';
        uint8_t close = object ? '}' : ']';
        r->p++;
        ws(r);
        if (eat(r, close))
            return true;
        do {
            ws(r);
            if (object) {
                if (!string(r))
                    return false;
                ws(r);
                if (!eat(r, ':'))
                    return false;
                ws(r);
            }
            if (!value(r, levels - 1))
                return false;
            ws(r);
        } while (eat(r, ','));
        return eat(r, close);
    }
    default: return number(r);
    }
}

static bool reference_is_object(const uint8_t *data, size_t size)
{
    reader r = { data, data + size };
    ws(&r);
    if (r.p == r.end || *r.p != '{' || !value(&r, EHS_JSON_MAX_DEPTH))
        return false;
    ws(&r);
    return r.p == r.end;
}

/* ---- configs ---- */

/* Only a json rule: typed members at every depth, a level_field; the
 * default event drops, so "matched" and "built" are the same. */
static const char typed_config[] =
    "{ \"provider\": \"FuzzJson\", \"max_message_bytes\": 100,\n"
    "  \"rules\": [ { \"name\": \"J\", \"json\": true, \"level_field\": \"level\",\n"
    "    \"level_map\": { \"error\": \"error\", \"info\": \"info\", \"7\": 7 },\n"
    "    \"fields\": { \"i\": \"i32\", \"u\": \"u8\", \"f\": \"f32\", \"b\": \"bool\", \"t\": \"time\",\n"
    "      \"ip\": \"ip\", \"h\": \"hexbytes\", \"x\": \"hex\", \"e\": \"errno\", \"id\": \"uuid\",\n"
    "      \"a.b\": \"u16\", \"a.b.c\": \"port\", \"a.s\": \"ipv6\", \"n.n.n.n\": \"pid\" },\n"
    "    \"time_format\": \"%Y-%m-%dT%H:%M:%S%z\" } ],\n"
    "  \"default\": { \"drop\": true } }\n";

/* Untyped members, no message field, messages up to the largest size. */
static const char plain_config[] =
    "{ \"provider\": \"FuzzJsonBig\", \"max_message_bytes\": 65000, \"message_field\": null,\n"
    "  \"rules\": [ { \"name\": \"J\", \"json\": true } ] }\n";

static fuzz_config typed, plain;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_config_load_text(&typed, "typed", typed_config, sizeof typed_config - 1);
    fuzz_config_load_text(&plain, "plain", plain_config, sizeof plain_config - 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    bool accepted = ehs_json_is_object(text, size);
    FUZZ_CHECK(accepted == reference_is_object(data, size),
               "scanner says %d, the grammar says %d", accepted, !accepted);

    ehs_outcome outcome;
    int result = fuzz_build(&typed, EHS_SOURCE_SYSLOG, "fuzz", 4, 14, text, size, &outcome);
    FUZZ_CHECK((result == EHS_BUILT) == accepted, "json rule %s an %s message",
               result == EHS_BUILT ? "took" : "refused", accepted ? "accepted" : "refused");
    fuzz_build(&typed, EHS_SOURCE_STDERR, "fuzz", 4, 14, text, size, NULL);
    fuzz_build(&plain, EHS_SOURCE_STDERR, "fuzz", 4, 14, text, size, NULL);
    return 0;
}
