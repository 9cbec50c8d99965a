/* Reading capture file records; see capture_reader.h. */
#include "capture_reader.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ehd/ehd_capture.h"
#include "ehd/eventheader.h"

_Static_assert(CAPTURE_SNIFF_BYTES == 4 + EHD_NAME_MAX, "a size word and the longest name");
#include "grow_array.h"

#define READ_CHUNK ((size_t)64 << 10)

/* Makes at least `need` unread bytes available unless the input ends first.
 * Returns 0 (check reader_available) or an errno. */
static int reader_fill(capture_reader *r, size_t need)
{
    if (r->end - r->start >= need || r->eof)
        return 0;
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    /* Room for what is needed and for a read of half a chunk at least. */
    size_t room = r->end + READ_CHUNK / 2 > need ? r->end + READ_CHUNK / 2 : need;
    uint8_t *grown = ehd__grow_array(r->buf, &r->capacity, room, 1, READ_CHUNK);
    if (grown == NULL)
        return ENOMEM;
    r->buf = grown;
    while (r->end < need) {
        ssize_t n = read(r->fd, r->buf + r->end, r->capacity - r->end);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (n == 0) {
            r->eof = true;
            break;
        }
        r->end += (size_t)n;
    }
    return 0;
}

static size_t reader_available(const capture_reader *r)
{
    return r->end - r->start;
}

static uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Is `size` more than a regular file `fd` still holds after `unread`
 * buffered bytes? False when unknown (a pipe). */
static bool past_end_of_file(int fd, size_t unread, size_t size)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    off_t at = lseek(fd, 0, SEEK_CUR);
    if (at < 0 || at > st.st_size)
        return false;
    return (uintmax_t)size > (uintmax_t)(st.st_size - at) + unread;
}

int capture_reader_next(capture_reader *r, size_t *at, size_t *size, const char **why)
{
    int err = reader_fill(r, 4);
    if (err != 0)
        return err;
    size_t available = reader_available(r);
    if (available == 0)
        return ENODATA;
    if (available < 4) {
        *why = "truncated record size";
        return EBADMSG;
    }
    size_t record_size = load_le32(r->buf + r->start);
    if (record_size < EHD_CAPTURE_RECORD_MIN) {
        *why = "record size smaller than a record can be";
        return EBADMSG;
    }
    if (record_size > CAPTURE_RECORD_MAX) {
        *why = past_end_of_file(r->fd, available, record_size)
                   ? "record size runs past the end of the file"
                   : "record size over 16 MiB, more than any event can take";
        return EBADMSG;
    }
    err = reader_fill(r, record_size);
    if (err != 0)
        return err;
    if (reader_available(r) < record_size) {
        *why = "record size runs past the end of the file";
        return EBADMSG;
    }
    *at = r->start;
    *size = record_size;
    r->start += record_size;
    return 0;
}

void capture_reader_free(capture_reader *r)
{
    free(r->buf);
    r->buf = NULL;
    r->capacity = r->start = r->end = 0;
}

/* Lowercase hex digits at *p (at least one), moving *p past them. */
static bool skip_hex(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *q = *p;
    while (q < end && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f')))
        q++;
    bool any = q != *p;
    *p = q;
    return any;
}

/* "Provider_L<level>K<keyword>[Options]", as the decoder takes it: options
 * are an uppercase letter followed by lowercase letters and digits. */
static bool is_tracepoint_name(const uint8_t *name, size_t len)
{
    const uint8_t *end = name + len, *underscore = NULL;
    for (const uint8_t *p = name; p < end; p++) {
        if (*p < 0x21 || *p > 0x7e)
            return false;
        if (*p == '_')
            underscore = p;
    }
    if (underscore == NULL || underscore == name)
        return false;
    const uint8_t *p = underscore + 1;
    if (p == end || *p++ != 'L' || !skip_hex(&p, end) || p == end || *p++ != 'K' ||
        !skip_hex(&p, end))
        return false;
    while (p < end) {
        if (*p < 'A' || *p > 'Z')
            return false;
        for (p++; p < end && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z')); p++)
            ;
    }
    return true;
}

/* The first record frame of `head` (`len` bytes of a file of `file_size`
 * bytes, SIZE_MAX unknown) is sound and holds a tracepoint name. */
static bool starts_capture(const uint8_t *head, size_t len, size_t file_size)
{
    if (len < EHD_CAPTURE_RECORD_MIN)
        return false;
    size_t record_size = load_le32(head);
    if (record_size < EHD_CAPTURE_RECORD_MIN || record_size > CAPTURE_RECORD_MAX ||
        record_size > file_size)
        return false;
    size_t room = record_size < len ? record_size : len;
    const uint8_t *nul = memchr(head + 4, '\0', room - 4);
    return nul != NULL && is_tracepoint_name(head + 4, (size_t)(nul - (head + 4)));
}

bool capture_reader_looks(const uint8_t *head, size_t len)
{
    return starts_capture(head, len, SIZE_MAX);
}

bool capture_reader_sniff(int fd)
{
    uint8_t head[CAPTURE_SNIFF_BYTES];
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    ssize_t n;
    do
        n = pread(fd, head, sizeof head, 0);
    while (n < 0 && errno == EINTR);
    /* No record is larger than CAPTURE_RECORD_MAX: a larger file size
     * says no more, and a 32-bit size_t holds that one. */
    size_t file_size = st.st_size > (off_t)CAPTURE_RECORD_MAX ? CAPTURE_RECORD_MAX
                                                              : (size_t)st.st_size;
    return n > 0 && starts_capture(head, (size_t)n, file_size);
}
