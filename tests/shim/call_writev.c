/* One line to stderr through writev, in three pieces: the shim must see
 * one message, not three. */
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
    struct iovec pieces[] = {
        { .iov_base = "writev ", .iov_len = 7 },
        { .iov_base = "works", .iov_len = 5 },
        { .iov_base = "\n", .iov_len = 1 },
    };
    return writev(STDERR_FILENO, pieces, 3) == 13 ? 0 : 1;
}
