/*
 * The capture backend: events appended as records to a .dat file (layout in
 * ehd_capture.h) so they can be checked without a kernel that has
 * user_events. Every record goes out in one writev on an O_APPEND
 * descriptor: the kernel places each such write at the end of the file as a
 * whole, so threads and processes sharing the file never mix their records.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backend.h"
#include "ehd/ehd_capture.h"

int ehd__capture_open(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    return ehd__fd_above_stdio(fd);
}

int ehd__capture_writev(int data_fd, const ehd_event_set *set, struct iovec *iov, int iovcnt)
{
    size_t event_size = 0;
    for (int i = 2; i < iovcnt; i++) {
        if (__builtin_add_overflow(event_size, iov[i].iov_len, &event_size))
            return ERANGE;
    }
    uint8_t size_word[4];
    if (ehd_capture_size_word(size_word, set->name_len, event_size) != 0)
        return ERANGE;
    /* Cannot overflow: ehd_capture_size_word just checked it fits 32 bits. */
    size_t record_size = sizeof(size_word) + set->name_len + 1 + event_size;

    iov[0] = (struct iovec){ size_word, sizeof(size_word) };
    iov[1] = (struct iovec){ (void *)set->tracepoint_name, set->name_len + 1 };
    ssize_t written;
    do
        written = writev(data_fd, iov, iovcnt);
    while (written < 0 && errno == EINTR);
    if (written < 0)
        return errno;
    /* Writing the rest now could land after another writer's record and
     * corrupt the file for every reader; a partial record is reported. */
    return (size_t)written == record_size ? 0 : EIO;
}
