/*
 * Ways a process ends without exit(): an unfinished stderr line before
 * _exit, _Exit, abort() or daemon() (whose parent leaves through glibc's
 * internal _exit), and a failed assert(), whose message glibc prints
 * through internal calls. What stderr shows must be in the events.
 * argv[1] picks the ending.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "";
    fprintf(stderr, "unfinished before %s", how);
    if (strcmp(how, "_exit") == 0)
        _exit(4);
    if (strcmp(how, "_Exit") == 0)
        _Exit(5);
    if (strcmp(how, "abort") == 0)
        abort();
    if (strcmp(how, "daemon") == 0) {
        if (daemon(1, 1) != 0)
            return 1;
        _exit(0); /* the daemon itself, with nothing to say */
    }
    if (strcmp(how, "assert") == 0) {
        fputc('\n', stderr);
        assert(argc == 1);
    }
    return 1;
}
