/* A stderr line starting with <N> (as journald reads it) takes its level
 * from syslog priority N, and the prefix is stripped: <3> is LOG_ERR,
 * level 2; <6> is LOG_INFO, level 4. */
#include <stdio.h>

int main(void)
{
    fputs("<3>prefix err works\n", stderr);
    fputs("<6>prefix info works\n", stderr);
    return 0;
}
