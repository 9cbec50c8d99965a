/* perror with errno ENOENT: "perror works: No such file or directory". */
#include <errno.h>
#include <stdio.h>

int main(void)
{
    errno = ENOENT;
    perror("perror works");
    return 0;
}
