/*
 * Names that configs use for field types and levels.
 */
#include <string.h>

#include "config_internal.h"

/* Indexed by ehs_type: the canonical spelling, the one messages show. */
static const char *const type_names[EHS_TYPE_COUNT] = {
    [EHS_TYPE_STRING] = "string", [EHS_TYPE_I8] = "i8",       [EHS_TYPE_I16] = "i16",
    [EHS_TYPE_I32] = "i32",       [EHS_TYPE_I64] = "i64",     [EHS_TYPE_U8] = "u8",
    [EHS_TYPE_U16] = "u16",       [EHS_TYPE_U32] = "u32",     [EHS_TYPE_U64] = "u64",
    [EHS_TYPE_HEX] = "hex",       [EHS_TYPE_F32] = "f32",     [EHS_TYPE_F64] = "f64",
    [EHS_TYPE_BOOL] = "bool",     [EHS_TYPE_IP] = "ip",       [EHS_TYPE_IPV4] = "ipv4",
    [EHS_TYPE_IPV6] = "ipv6",     [EHS_TYPE_PORT] = "port",   [EHS_TYPE_PID] = "pid",
    [EHS_TYPE_ERRNO] = "errno",   [EHS_TYPE_TIME] = "time",   [EHS_TYPE_UUID] = "uuid",
    [EHS_TYPE_HEXBYTES] = "hexbytes",
};

static const struct {
    const char *name;
    ehs_type type;
} type_aliases[] = {
    { "int", EHS_TYPE_I64 },
    { "uint", EHS_TYPE_U64 },
    { "float", EHS_TYPE_F64 },
};

const char ehs_type_list[] = "string, i8, i16, i32, i64, u8, u16, u32, u64, int, uint, hex, "
                             "f32, f64, float, bool, ip, ipv4, ipv6, port, pid, errno, time, "
                             "uuid, hexbytes";

EHS_API const char *ehs_type_name(ehs_type type)
{
    if ((unsigned)type >= EHS_TYPE_COUNT)
        return "?";
    return type_names[type];
}

bool ehs_type_from_name(const char *name, ehs_type *out)
{
    for (unsigned t = 0; t < EHS_TYPE_COUNT; t++) {
        if (strcmp(name, type_names[t]) == 0) {
            *out = (ehs_type)t;
            return true;
        }
    }
    for (size_t i = 0; i < sizeof type_aliases / sizeof type_aliases[0]; i++) {
        if (strcmp(name, type_aliases[i].name) == 0) {
            *out = type_aliases[i].type;
            return true;
        }
    }
    return false;
}

uint8_t ehs_level_from_word(const char *word)
{
    /* EventHeader levels; "debug" is the name syslog users reach for. */
    static const struct {
        const char *word;
        uint8_t level;
    } words[] = {
        { "critical", 1 }, { "error", 2 }, { "warning", 3 },
        { "info", 4 },     { "verbose", 5 }, { "debug", 5 },
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strcmp(word, words[i].word) == 0)
            return words[i].level;
    }
    return 0;
}
