/*
 * Conversions of captured text to the typed field values of DESIGN.md.
 *
 * Captures point into the message and are not NUL-terminated, so every
 * parser takes (text, len) and none reads past len. Parsers are strict: the
 * whole text must be the value (no surrounding spaces, no trailing garbage),
 * and a value outside the type's range does not convert. Nothing here
 * allocates; nothing takes a lock.
 */
#ifndef EHS_CONVERT_H
#define EHS_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ehs/ehs_config.h"
#include "hex_digits.h"

/* Largest value of a fixed-size type (IPv6, UUID). */
enum { EHS_VALUE_MAX = 16 };

/*
 * The EHD_FMT_* format a value of `type` is written with. Every type but
 * string is written as a counted 8-bit field (ehd_builder_add_binary_n)
 * holding the value's bytes, so that a value that does not convert can be
 * the same field with zero bytes, which decoders show as null.
 */
uint8_t ehs_type_format(ehs_type type);

/*
 * Converts `text` (`len` bytes) to `type` (not EHS_TYPE_STRING): writes the
 * value's bytes, in the byte order its format expects, to `out` (room for
 * `out_capacity` bytes, at least EHS_VALUE_MAX) and returns true with the
 * byte count in *out_size; returns false when the text does not convert
 * (hexbytes longer than out_capacity included). `time_format` is the rule's
 * strptime format for EHS_TYPE_TIME, NULL for epoch seconds.
 */
bool ehs_convert(ehs_type type, const char *text, size_t len, const char *time_format,
                 uint8_t *out, size_t out_capacity, size_t *out_size);

/* ---- the parsers behind ehs_convert, for tests and the JSON scanner ---- */

/* [+-]digits, or [+-]0x hexdigits when `allow_hex`, into a sign and a
 * magnitude; false on anything else or a magnitude over UINT64_MAX. */
bool ehs_parse_magnitude(const char *text, size_t len, bool allow_hex, bool *negative,
                         uint64_t *magnitude);

/* A signed integer in the range of `bits` (8..64) bits, decimal or 0x hex
 * (ehs_parse_magnitude's forms); false outside the range. */
bool ehs_parse_signed(const char *text, size_t len, unsigned bits, int64_t *out);

/* An unsigned integer in the range of `bits` (8..64) bits, decimal or 0x
 * hex; "-0" is 0, other negatives fail. */
bool ehs_parse_unsigned(const char *text, size_t len, unsigned bits, uint64_t *out);

/* [+-] digits [. digits] [e [+-] digits], or inf, infinity, nan (any case).
 * Decimal point is '.', whatever the process locale. Overflow fails;
 * underflow gives the nearest denormal or zero. */
bool ehs_parse_f64(const char *text, size_t len, double *out);
bool ehs_parse_f32(const char *text, size_t len, float *out);

/* true/false, yes/no, on/off, 1/0, in any case. */
bool ehs_parse_bool(const char *text, size_t len, bool *out);

/* Dotted quad, each part 0-255 without leading zeros; network byte order. */
bool ehs_parse_ipv4(const char *text, size_t len, uint8_t out[4]);

/* RFC 4291 text: hex groups, one "::", optional dotted-quad tail; no zone. */
bool ehs_parse_ipv6(const char *text, size_t len, uint8_t out[16]);

/* 8-4-4-4-12 hex digits, optionally in braces, or 32 hex digits; bytes in
 * text order. */
bool ehs_parse_uuid(const char *text, size_t len, uint8_t out[16]);

/* Pairs of hex digits, optionally after "0x" and separated by single ' ',
 * ':', '-' or '.'; stores up to `capacity` bytes and fails beyond. */
bool ehs_parse_hexbytes(const char *text, size_t len, uint8_t *out, size_t capacity,
                        size_t *out_size);

/* An errno value: a number, or a Linux name such as ENOENT; a leading '-'
 * (kernel style, "-2" or "-ENOENT") is ignored. */
bool ehs_parse_errno(const char *text, size_t len, int32_t *out);

/* The Linux errno value of `name` (ENOENT -> 2), or -1. */
int ehs_errno_from_name(const char *name, size_t len);

/*
 * Seconds since 1970 UTC. With `time_format` NULL: [+-]digits[.digits]
 * epoch seconds, the fraction dropped (rounded toward minus infinity).
 * Otherwise strptime(3) with `time_format` must consume the whole text; a
 * %z offset is applied, a time without one is taken as UTC, and a format
 * without a year (syslog's "%b %d %H:%M:%S") gets the current year, or the
 * previous one when that would put the time more than a day ahead of now.
 */
bool ehs_parse_time(const char *text, size_t len, const char *time_format, int64_t *out);

struct tm;
/*
 * strptime(3) in the C locale for %Y %y %m %d %e %H %M %S %b %B %h %a %A %z
 * %T %F %n %t %% (glibc's rules for each), fast. Returns the end of what it
 * read, or NULL when the text does not match or the format uses anything
 * else; sets *has_year when the format set the year.
 */
const char *ehs_strptime_c(const char *text, const char *format, struct tm *tm, bool *has_year);

/*
 * Decodes the backslash escapes of a quoted JSON or logfmt string body
 * (without its quotes) into `out`: \" \\ \/ \b \f \n \r \t, \uXXXX with
 * surrogate pairs (a lone surrogate becomes U+FFFD), and logfmt's \xHH.
 * Any other backslash is kept as it is. Writes at most `capacity` bytes,
 * never part of a character; returns the length and sets *complete to
 * whether everything fit.
 */
size_t ehs_unescape(const char *text, size_t len, char *out, size_t capacity, bool *complete);

#endif /* EHS_CONVERT_H */
