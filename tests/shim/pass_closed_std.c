/* Started with descriptors 0, 1 and 2 closed (`<&- >&- 2>&-`), as some
 * service managers and careless parents do. The files this program opens
 * then become fds 0, 1 and 2: they are data files, not stderr, so nothing
 * written to them may become an event, and the shim's own descriptors must
 * not take those numbers (the program checks it gets 0, 1, 2). Each file
 * records what happened to it; the test compares the files with and
 * without the shim. Exit status 3 when a file did not get the expected
 * descriptor. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    int status = 0;
    for (int expected = 0; expected < 3; expected++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/fd%d", argv[1], expected);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd != expected)
            status = 3;
        char line[128];
        int n = snprintf(line, sizeof line, "data file opened as fd %d, expected %d\n", fd,
                         expected);
        if (fd >= 0 && write(fd, line, (size_t)n) != n)
            status = 1;
    }
    /* stdio's stderr now writes into the fd 2 data file. */
    fprintf(stderr, "stderr FILE line into the fd 2 file\n");
    fflush(stderr);
    return status;
}
