/*
 * EventHeader wire format: the byte layout of an EventHeader event as it
 * follows the user_events write index, and the rules for tracepoint names.
 *
 * These are facts of an external format shared with the reference C/C++ and
 * Rust implementations; every value here must stay byte-compatible with them.
 * Multi-byte fields are in the byte order that eventheader.flags announces
 * (this library always writes little-endian, 64-bit pointer events on x86_64).
 */
#ifndef EHD_EVENTHEADER_H
#define EHD_EVENTHEADER_H

#include <stdint.h>

/* The fixed 8-byte header that starts every event. */
typedef struct ehd_eventheader {
    uint8_t  flags;   /* EHD_FLAG_* bits */
    uint8_t  version; /* bumped when the layout of a nonzero id changes */
    uint16_t id;      /* stable event id, or 0 when the event is known by name */
    uint16_t tag;     /* provider-defined event tag, 0 when unused */
    uint8_t  opcode;  /* EHD_OPCODE_* */
    uint8_t  level;   /* EHD_LEVEL_*; equals the level in the tracepoint name */
} ehd_eventheader;

/* Header extension block; `size` bytes of extension data follow it. */
typedef struct ehd_extension {
    uint16_t size;
    uint16_t kind; /* EHD_EXT_* value, optionally | EHD_EXT_CHAIN */
} ehd_extension;

/* C++ (these headers are extern "C" ready) spells it static_assert. */
#ifdef __cplusplus
static_assert(sizeof(ehd_eventheader) == 8, "eventheader is 8 bytes");
static_assert(sizeof(ehd_extension) == 4, "extension header is 4 bytes");
#else
_Static_assert(sizeof(ehd_eventheader) == 8, "eventheader is 8 bytes");
_Static_assert(sizeof(ehd_extension) == 4, "extension header is 4 bytes");
#endif

/* eventheader.flags */
enum {
    EHD_FLAG_POINTER64     = 0x01,
    EHD_FLAG_LITTLE_ENDIAN = 0x02,
    EHD_FLAG_EXTENSION     = 0x04,
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    EHD_FLAG_DEFAULT = EHD_FLAG_LITTLE_ENDIAN | (sizeof(void *) == 8 ? EHD_FLAG_POINTER64 : 0),
#else
    EHD_FLAG_DEFAULT = (sizeof(void *) == 8 ? EHD_FLAG_POINTER64 : 0),
#endif
    EHD_FLAG_DEFAULT_WITH_EXTENSION = EHD_FLAG_DEFAULT | EHD_FLAG_EXTENSION,
};

/* eventheader.opcode */
enum {
    EHD_OPCODE_INFO = 0,
    EHD_OPCODE_ACTIVITY_START = 1,
    EHD_OPCODE_ACTIVITY_STOP = 2,
    EHD_OPCODE_COLLECTION_START = 3,
    EHD_OPCODE_COLLECTION_STOP = 4,
    EHD_OPCODE_EXTENSION = 5,
    EHD_OPCODE_REPLY = 6,
    EHD_OPCODE_RESUME = 7,
    EHD_OPCODE_SUSPEND = 8,
    EHD_OPCODE_SEND = 9,
    EHD_OPCODE_RECEIVE = 0xF0,
};

/* eventheader.level; 0 is invalid, values above 5 are allowed but undefined. */
enum {
    EHD_LEVEL_INVALID = 0,
    EHD_LEVEL_CRITICAL = 1,
    EHD_LEVEL_ERROR = 2,
    EHD_LEVEL_WARNING = 3,
    EHD_LEVEL_INFO = 4,
    EHD_LEVEL_VERBOSE = 5,
};

/* ehd_extension.kind */
enum {
    EHD_EXT_KIND_MASK = 0x7FFF,
    EHD_EXT_CHAIN = 0x8000, /* another extension block follows this one */
    EHD_EXT_INVALID = 0,
    /* Event name (NUL-terminated, ";attr=value" suffixes allowed) followed by
     * field definitions: name NUL, encoding byte, [format byte if encoding has
     * EHD_ENC_CHAIN], [uint16 tag if format has EHD_FMT_CHAIN], [uint16 count
     * if encoding has EHD_ENC_CARRAY]. */
    EHD_EXT_METADATA = 1,
    /* 16 bytes of activity id, optionally followed by 16 bytes of related id. */
    EHD_EXT_ACTIVITY_ID = 2,
};

/* Field encoding byte: low 5 bits the encoding, top 3 bits flags. */
enum {
    EHD_ENC_VALUE_MASK = 0x1F,
    EHD_ENC_FLAG_MASK = 0xE0,
    EHD_ENC_CARRAY = 0x20, /* constant-length array, count in metadata */
    EHD_ENC_VARRAY = 0x40, /* variable-length array, uint16 count in payload */
    EHD_ENC_CHAIN = 0x80,  /* a format byte follows */

    EHD_ENC_INVALID = 0,
    EHD_ENC_STRUCT = 1,  /* no payload; format low 7 bits = member count (1..127) */
    EHD_ENC_VALUE8 = 2,
    EHD_ENC_VALUE16 = 3,
    EHD_ENC_VALUE32 = 4,
    EHD_ENC_VALUE64 = 5,
    EHD_ENC_VALUE128 = 6,
    EHD_ENC_ZSTRING_CHAR8 = 7,
    EHD_ENC_ZSTRING_CHAR16 = 8,
    EHD_ENC_ZSTRING_CHAR32 = 9,
    EHD_ENC_STRING_LENGTH16_CHAR8 = 10,
    EHD_ENC_STRING_LENGTH16_CHAR16 = 11,
    EHD_ENC_STRING_LENGTH16_CHAR32 = 12,
    EHD_ENC_BINARY_LENGTH16_CHAR8 = 13, /* uint16 length + bytes, default hex */
    EHD_ENC_MAX = 14,
};

/* Field format byte: low 7 bits the format, top bit says a uint16 tag follows. */
enum {
    EHD_FMT_VALUE_MASK = 0x7F,
    EHD_FMT_CHAIN = 0x80,

    EHD_FMT_DEFAULT = 0,
    EHD_FMT_UNSIGNED_INT = 1,
    EHD_FMT_SIGNED_INT = 2,
    EHD_FMT_HEX_INT = 3,
    EHD_FMT_ERRNO = 4,
    EHD_FMT_PID = 5,
    EHD_FMT_TIME = 6,
    EHD_FMT_BOOLEAN = 7,
    EHD_FMT_FLOAT = 8,
    EHD_FMT_HEX_BYTES = 9,
    EHD_FMT_STRING8 = 10,
    EHD_FMT_STRING_UTF = 11,
    EHD_FMT_STRING_UTF_BOM = 12,
    EHD_FMT_STRING_XML = 13,
    EHD_FMT_STRING_JSON = 14,
    EHD_FMT_UUID = 15,
    EHD_FMT_PORT = 16,       /* network byte order, Value16 */
    /* IP address in network byte order: 4 bytes show as IPv4, 16 as IPv6.
     * Older headers called 17 "ipv4" and 18 "ipv6"; decoders treat both
     * by size today, and 18 is kept only for old events. */
    EHD_FMT_IP_ADDRESS = 17,
    EHD_FMT_IP_ADDRESS_OBSOLETE = 18,
    EHD_FMT_IPV4 = EHD_FMT_IP_ADDRESS,
    EHD_FMT_IPV6 = EHD_FMT_IP_ADDRESS_OBSOLETE,
};

/* Names and sizes. */
enum {
    /* A tracepoint name "Provider_L<level>K<keyword>[options]" including its NUL. */
    EHD_NAME_MAX = 256,
    /* Room left for provider name + group: EHD_NAME_MAX minus "_LffKffffffffffffffffG". */
    EHD_PROVIDER_NAMES_MAX = EHD_NAME_MAX - 22,
    /* Largest event the reference builder lets through (headers + metadata + data). */
    EHD_EVENT_MAX = 65535,
    /* Header plus both extension headers and a 32-byte activity block. */
    EHD_HEADERS_MAX = 52,
    /* Struct member count limit. */
    EHD_STRUCT_FIELDS_MAX = 127,
};

/* Field types of the kernel's view of every EventHeader tracepoint, used in
 * the DIAG_IOCSREG command "name types". */
#define EHD_COMMAND_TYPES "u8 eventheader_flags;u8 version;u16 id;u16 tag;u8 opcode;u8 level"

#endif /* EHD_EVENTHEADER_H */
