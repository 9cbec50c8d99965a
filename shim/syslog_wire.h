/*
 * What programs send to the local syslog socket themselves (logger,
 * Python's SysLogHandler, dnsmasq, busybox), read back into what syslog()
 * would have been given: priority, ident and message. Pure functions over
 * the caller's bytes: no allocation, no system calls, safe in the send path
 * and in signal handlers, testable on their own.
 */
#ifndef SHIM_SYSLOG_WIRE_H
#define SHIM_SYSLOG_WIRE_H

#include <stdbool.h>
#include <stddef.h>

/* Priority of a message without "<PRI>": user.notice, as syslog daemons
 * read it. */
#define SHIM_SYSLOG_DEFAULT_PRIORITY (1 << 3 | 5)

/* One message, pointing into the bytes it was parsed from. */
typedef struct shim_syslog_record {
    int priority;      /* facility | severity, 0..1023 */
    const char *ident; /* the TAG or APP-NAME; NULL when the message names none */
    size_t ident_len;
    const char *text;  /* the message after the header */
    size_t len;
} shim_syslog_record;

/*
 * Parses one message: a datagram, or one frame of a stream. Understands
 * "<PRI>" (optional), then one of
 *   RFC 5424:          "1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]"
 *                      (nil values "-", structured data skipped, a UTF-8
 *                      BOM before MSG dropped);
 *   RFC 3164, local:   "Mmm dd hh:mm:ss " then an optional HOSTNAME only
 *                      when a TAG follows it, then "TAG[PID]: " or "TAG: ";
 *   bare:              "TAG: MSG" or just "MSG" (Python's SysLogHandler).
 * A TAG is 1 to 48 bytes of printable ASCII other than space, ':', '['
 * and ']'. Trailing NULs and one final newline are not part of the message.
 * A datagram may carry an RFC 6587 octet count first ("LEN <PRI>...", as
 * logger --octet-count sends). Never fails: what is not a header is
 * message.
 */
void shim_syslog_parse(const char *bytes, size_t len, shim_syslog_record *out);

/*
 * An RFC 6587 octet count at the start of `bytes` ("LEN SP", LEN of 1 to 9
 * digits without a leading zero): returns the length of "LEN SP" and puts
 * LEN in *count; 0 when `bytes` does not start with one, or ends before its
 * space.
 */
size_t shim_syslog_octet_count(const char *bytes, size_t len, size_t *count);

/*
 * Stream framing: how many bytes of `bytes` (`len`, at least 1) the next
 * frame starts after (*skip) and spans (*frame_len), without its
 * delimiter; returns the bytes consumed through its end, or 0 when the
 * frame is not complete in `bytes`. Frames are RFC 6587 octet-counted
 * ("LEN SP MSG", LEN without leading zero) when they start with a digit
 * 1..9 and a valid count; otherwise they end at '\n' or NUL, or only at
 * NUL when `nul_framed`: senders that end messages with NUL (glibc,
 * Python, Perl) keep newlines inside them.
 */
size_t shim_syslog_next_frame(const char *bytes, size_t len, bool nul_framed, size_t *skip,
                              size_t *frame_len);

#endif /* SHIM_SYSLOG_WIRE_H */
