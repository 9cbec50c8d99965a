/*
 * Syslog over a stream socket: the program's sends are a byte stream, cut
 * into messages by their framing (syslog_wire.c: octet counting, newline
 * or NUL), whatever the pieces it sends them in. One assembler per
 * descriptor, made when the program connects it, guarded by a spin lock:
 * two threads sending on one socket take turns; a signal handler never
 * waits on its own thread's lock, because the busy guard keeps a nested
 * send out of here. A message longer than the assembler is cut (the engine
 * flags it truncated) and the rest of it is skipped; a partial message left
 * at close is passed on as the last one, as a syslog daemon reads it at the
 * end of the stream.
 */
#include <stdlib.h>
#include <string.h>

#include "shim.h"
#include "syslog_wire.h"

typedef struct sock_stream {
    int lock;              /* 0 free, 1 taken */
    size_t capacity;       /* of bytes[] */
    size_t len;            /* bytes of unfinished messages in bytes[] */
    bool discarding;       /* the current message passed capacity: skip to
                              its delimiter */
    bool nul_framed;       /* a NUL has ended a message: only NUL does */
    size_t skip;           /* bytes of an octet-counted message still to skip */
    char bytes[];
} sock_stream;

static sock_stream *streams[SHIM_SOCK_LIMIT];

/* Room for a header besides the message itself. */
enum { HEADER_ROOM = 1024 };

static void lock(sock_stream *s)
{
    while (__atomic_exchange_n(&s->lock, 1, __ATOMIC_ACQUIRE) != 0) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
}

static void unlock(sock_stream *s)
{
    __atomic_store_n(&s->lock, 0, __ATOMIC_RELEASE);
}

void shim_sock_stream_open(int fd, size_t max_message_bytes)
{
    if (fd < 0 || fd >= SHIM_SOCK_LIMIT)
        return;
    sock_stream *s = __atomic_load_n(&streams[fd], __ATOMIC_ACQUIRE);
    if (s == NULL) {
        size_t capacity = max_message_bytes + HEADER_ROOM;
        s = calloc(1, sizeof *s + capacity);
        if (s == NULL)
            return;
        s->capacity = capacity;
        sock_stream *expected = NULL;
        if (!__atomic_compare_exchange_n(&streams[fd], &expected, s, false, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE)) {
            free(s);
            s = expected;
        }
    }
    lock(s);
    s->len = 0;
    s->discarding = false;
    s->nul_framed = false;
    s->skip = 0;
    unlock(s);
}

/* Emits every complete message at the start of s->bytes; keeps the rest. */
static void emit_frames(sock_stream *s, shim_sock_message_fn *emit)
{
    size_t at = 0;
    while (at < s->len) {
        size_t skip, frame_len;
        size_t used =
            shim_syslog_next_frame(s->bytes + at, s->len - at, s->nul_framed, &skip, &frame_len);
        if (used == 0)
            break;
        if (s->discarding)
            s->discarding = false; /* the end of a message already passed on, cut */
        else if (frame_len != 0) /* Perl's Sys::Syslog ends messages "\n\0" */
            emit(s->bytes + at + skip, frame_len);
        at += used;
    }
    if (at == 0 && s->len == s->capacity) {
        /* One message fills the assembler: pass on what there is, cut. */
        size_t counted = 0;
        /* An octet-counted one is longer than what is here (else it would
         * have been complete): its body is passed on, the rest skipped. */
        size_t skip = shim_syslog_octet_count(s->bytes, s->len, &counted);
        if (!s->discarding)
            emit(s->bytes + skip, s->len - skip);
        if (skip != 0) {
            s->skip = counted - (s->len - skip);
            s->discarding = false;
        } else {
            s->discarding = true;
        }
        at = s->len;
    }
    memmove(s->bytes, s->bytes + at, s->len - at);
    s->len -= at;
}

/* Appends `count` bytes, emitting messages as they complete. */
static void feed(sock_stream *s, const char *bytes, size_t count, shim_sock_message_fn *emit)
{
    while (count > 0) {
        if (s->skip != 0) {
            size_t n = count < s->skip ? count : s->skip;
            s->skip -= n;
            bytes += n;
            count -= n;
            continue;
        }
        size_t n = s->capacity - s->len;
        if (n > count)
            n = count;
        memcpy(s->bytes + s->len, bytes, n);
        if (!s->nul_framed && memchr(bytes, '\0', n) != NULL)
            s->nul_framed = true;
        s->len += n;
        bytes += n;
        count -= n;
        emit_frames(s, emit);
    }
}

/* The assembler of `fd`, locked; NULL when it has none. */
static sock_stream *locked_stream(int fd)
{
    if (fd < 0 || fd >= SHIM_SOCK_LIMIT)
        return NULL;
    sock_stream *s = __atomic_load_n(&streams[fd], __ATOMIC_ACQUIRE);
    if (s != NULL)
        lock(s);
    return s;
}

void shim_sock_stream_sent(int fd, const struct iovec *iov, size_t iovcnt, size_t sent,
                           shim_sock_message_fn *emit)
{
    sock_stream *s = locked_stream(fd);
    if (s == NULL)
        return;
    for (size_t i = 0; i < iovcnt && sent > 0; i++) {
        size_t piece = iov[i].iov_len < sent ? iov[i].iov_len : sent;
        feed(s, iov[i].iov_base, piece, emit);
        sent -= piece;
    }
    unlock(s);
}

void shim_sock_stream_closed(int fd, shim_sock_message_fn *emit)
{
    sock_stream *s = locked_stream(fd);
    if (s == NULL)
        return;
    if (s->len > 0 && !s->discarding && s->skip == 0 && emit != NULL) {
        /* An octet-counted message cut short by the close: its body. */
        size_t counted;
        size_t skip = shim_syslog_octet_count(s->bytes, s->len, &counted);
        emit(s->bytes + skip, s->len - skip);
    }
    s->len = 0;
    s->discarding = false;
    s->skip = 0;
    unlock(s);
}
