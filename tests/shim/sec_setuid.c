/* sec_setuid check|log: the program the setuid test installs set-user-ID.
 *   check  prints "secure=N shim=N": whether the kernel marked the process
 *          secure-execution (AT_SECURE) and whether a libehshim*.so is
 *          mapped, so the test knows the situation it built is the one it
 *          wants to test
 *   log    logs to stderr (fprintf, write, perror) and syslog, prints
 *          "done" */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <syslog.h>
#include <unistd.h>

static int shim_mapped(void)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL)
        return -1;
    char line[4096];
    int found = 0;
    while (fgets(line, sizeof line, maps) != NULL)
        if (strstr(line, "/libehshim") != NULL)
            found = 1;
    fclose(maps);
    return found;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    if (strcmp(argv[1], "check") == 0) {
        printf("secure=%lu shim=%d\n", getauxval(AT_SECURE), shim_mapped());
        return 0;
    }
    fprintf(stderr, "setuid fprintf line\n");
    if (write(2, "setuid write line\n", 18) != 18)
        return 1;
    errno = EPERM;
    perror("setuid perror");
    syslog(LOG_WARNING, "setuid syslog %d", 7);
    printf("done\n");
    return 0;
}
