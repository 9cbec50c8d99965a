/* Daemons close every descriptor above 2 before they settle: one by one,
 * with closefrom, with close_range. The shim's own descriptor must survive
 * (a line after each is an event) and stay invisible: the number of
 * descriptors the loop closed, printed on stdout, must be the same as
 * without the shim. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    int closed = 0;
    for (int fd = 3; fd < 1024; fd++)
        if (close(fd) == 0)
            closed++;
    printf("close loop closed %d descriptors\n", closed);
    fflush(stdout);
    fprintf(stderr, "after the close loop\n");
    closefrom(3);
    fprintf(stderr, "after closefrom\n");
    errno = 0;
    int result = close_range(3, ~0U, 0);
    printf("close_range returned %d, errno %d\n", result, errno);
    fflush(stdout);
    fprintf(stderr, "after close_range\n");
    return 0;
}
