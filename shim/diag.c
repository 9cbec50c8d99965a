/*
 * The shim's own messages. They go to fd 2 through the real write (or a raw
 * syscall), never through an interposer, so they can neither loop back into
 * the shim (AppScope issue 645) nor become events themselves. And only while
 * fd 2 is the file it was when debugging started: a program that closed fd
 * 2 and opened a data file there, or put a socket there, must not find the
 * shim's lines in it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "real.h"
#include "shim.h"

bool shim_debug_enabled;
static dev_t debug_dev;
static ino_t debug_ino;

void shim_debug_enable(void)
{
    struct stat st;
    int saved_errno = errno;
    /* No fd 2 at all: whatever lands there later is not ours to write to. */
    if (fstat(2, &st) == 0) {
        debug_dev = st.st_dev;
        debug_ino = st.st_ino;
        shim_debug_enabled = true;
    }
    errno = saved_errno;
}

static bool fd2_is_debug_stderr(void)
{
    struct stat st;
    return fstat(2, &st) == 0 && st.st_dev == debug_dev && st.st_ino == debug_ino;
}

void shim_debug(const char *format, ...)
{
    if (!shim_debug_enabled)
        return;
    int saved_errno = errno;
    if (!fd2_is_debug_stderr()) {
        errno = saved_errno;
        return;
    }
    char text[1024];
    static const char prefix[] = "ehshim: ";
    memcpy(text, prefix, sizeof(prefix) - 1);
    va_list args;
    va_start(args, format);
    int n = vsnprintf(text + sizeof(prefix) - 1, sizeof(text) - sizeof(prefix), format, args);
    va_end(args);
    if (n < 0)
        n = 0;
    size_t len = sizeof(prefix) - 1 + (size_t)n;
    if (len > sizeof(text) - 2)
        len = sizeof(text) - 2;
    text[len++] = '\n';
    shim_real_write_fn *real_write = SHIM_REAL(write);
    size_t done = 0;
    while (done < len) {
        ssize_t w = real_write != NULL ? real_write(2, text + done, len - done)
                                       : shim_raw_write(2, text + done, len - done);
        if (w <= 0 && !(w < 0 && errno == EINTR))
            break;
        if (w > 0)
            done += (size_t)w;
    }
    errno = saved_errno;
}
