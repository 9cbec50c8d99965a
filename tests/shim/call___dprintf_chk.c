/* One line to fd 2 through dprintf in a fortified build (__dprintf_chk). */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    return dprintf(STDERR_FILENO, "__dprintf_chk works %d\n", 42) > 0 ? 0 : 1;
}
