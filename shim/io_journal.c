/*
 * What a program sends to the journal itself: libsystemd's sd_journal_print,
 * sd_journal_send and sd_journal_sendv send each entry as one sendmsg to
 * /run/systemd/journal/socket (fdsock.c marks it), a field per iovec piece;
 * an entry too large for a datagram goes as a sealed memfd passed with
 * SCM_RIGHTS on an empty datagram. Either way, once the kernel took it, the
 * entry becomes one journal event: MESSAGE its message, PRIORITY its level,
 * SYSLOG_IDENTIFIER its ident, SYSLOG_FACILITY its facility, and every
 * other field an event field (journal_wire.c reads them).
 *
 * The entry is read where it is when it can be: a datagram in one piece,
 * or the sealed memfd mapped read-only. A datagram in several pieces is gathered
 * into this thread's copy space first. No lock, no malloc (the copy space
 * grows through the shim's mmap heap), so this is as safe in a signal
 * handler as the send itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "journal_wire.h"
#include "shim.h"

/* Fields passed to the engine: more than the event's top-level budget
 * (EHS_EMIT_TOP_FIELDS, 248), so that an entry with more is seen to be cut. */
enum { ENTRY_FIELDS_MAX = 256 };

/* The largest passed entry read (journald refuses larger ones), and the
 * most read of one in a file not sealed against shrinking, which is copied
 * rather than mapped. */
#define ENTRY_BYTES_MAX ((size_t)768 << 20)
#define UNSEALED_BYTES_MAX ((size_t)8 << 20)

/* The entries of a datagram (`len` bytes; usually one, empty lines
 * separate more) as journal events; `fields` has room for
 * ENTRY_FIELDS_MAX. */
static void emit_entry(shim_thread *thread, const char *entry, size_t len,
                       ehs_entry_field *fields)
{
    /* journald names an entry without SYSLOG_IDENTIFIER after the
     * process; so do we. */
    const char *program = shim_program_name();
    size_t program_len = strlen(program);
    size_t at = 0;
    while (at < len) {
        shim_journal_summary summary;
        size_t count =
            shim_journal_split(entry + at, len - at, &summary, fields, ENTRY_FIELDS_MAX);
        if (count > ENTRY_FIELDS_MAX)
            count = ENTRY_FIELDS_MAX;
        if (summary.fields != 0) {
            ehs_message message;
            shim_journal_message(&summary, program, program_len, fields, count, &message);
            shim_emit_message(thread, &message);
        }
        at += summary.length + 1;
    }
}

/* The first descriptor an SCM_RIGHTS message of `message` passes, or -1. */
static int passed_descriptor(const struct msghdr *message)
{
    if (message == NULL || message->msg_control == NULL ||
        message->msg_controllen < sizeof(struct cmsghdr))
        return -1;
    struct msghdr *m = (struct msghdr *)message; /* CMSG_NXTHDR only reads it */
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
        /* journald takes exactly one descriptor. */
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len == CMSG_LEN(sizeof(int))) {
            int fd;
            memcpy(&fd, CMSG_DATA(c), sizeof fd);
            return fd;
        }
    }
    return -1;
}

/* The entry in the file `fd` passes: libsystemd's memfd, sealed against
 * shrinking, is mapped (nothing can cut it under the mapping, which would
 * raise SIGBUS in the program); any other file is read, at most
 * UNSEALED_BYTES_MAX of it, after the field list in the copy space. */
static void emit_passed_entry(shim_thread *thread, int fd, ehs_entry_field *fields,
                              size_t fields_bytes)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (size_t)st.st_size > ENTRY_BYTES_MAX)
        return;
    size_t size = (size_t)st.st_size;
    int seals = fcntl(fd, F_GET_SEALS);
    if (seals >= 0 && (seals & F_SEAL_SHRINK)) {
        void *entry = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (entry == MAP_FAILED)
            return;
        emit_entry(thread, entry, size, fields);
        munmap(entry, size);
        return;
    }
    if (size > UNSEALED_BYTES_MAX)
        size = UNSEALED_BYTES_MAX;
    char *space = shim_thread_copy_space(thread, SHIM_COPY_JOURNAL, fields_bytes + size);
    if (space == NULL)
        return;
    fields = (ehs_entry_field *)space; /* the space may have moved */
    char *entry = space + fields_bytes;
    size_t got = 0;
    while (got < size) {
        ssize_t n = pread(fd, entry + got, size - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got > 0)
        emit_entry(thread, entry, got, fields);
}

void shim_journal_sent(const struct msghdr *message, const struct iovec *iov, size_t iovcnt,
                       ssize_t sent)
{
    if (sent < 0)
        return;
    int saved_errno = errno;
    shim_thread *thread = shim_thread_get();
    size_t fields_bytes = ENTRY_FIELDS_MAX * sizeof(ehs_entry_field);
    size_t len = (size_t)sent;
    bool one_piece = iovcnt == 1 || len == 0 || (iovcnt > 0 && iov[0].iov_len >= len);
    /* The copy space holds the field list and, for a datagram in pieces,
     * the gathered entry after it. */
    char *space = thread != NULL ? shim_thread_copy_space(
                                       thread, SHIM_COPY_JOURNAL, fields_bytes + (one_piece ? 0 : len))
                                 : NULL;
    if (space == NULL) {
        shim_count(EHS_SOURCE_JOURNAL, SHIM_COUNT_LINES, 1);
        shim_count(EHS_SOURCE_JOURNAL, SHIM_COUNT_WRITE_ERROR, 1);
        errno = saved_errno;
        return;
    }
    ehs_entry_field *fields = (ehs_entry_field *)space;
    if (len == 0) {
        int fd = passed_descriptor(message);
        if (fd >= 0)
            emit_passed_entry(thread, fd, fields, fields_bytes);
    } else if (one_piece) {
        emit_entry(thread, iov[0].iov_base, len, fields);
    } else {
        char *entry = space + fields_bytes;
        size_t at = 0;
        for (size_t i = 0; i < iovcnt && at < len; i++) {
            size_t piece = iov[i].iov_len < len - at ? iov[i].iov_len : len - at;
            memcpy(entry + at, iov[i].iov_base, piece);
            at += piece;
        }
        emit_entry(thread, entry, at, fields);
    }
    errno = saved_errno;
}
