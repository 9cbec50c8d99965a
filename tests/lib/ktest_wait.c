#include "ktest_wait.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

ehd_event_set *ktest_open_and_wait(ehd_provider *provider, const char *name,
                                   const char *ready_path, const char *go_path,
                                   const char *program)
{
    int err = ehd_provider_open(provider, name, NULL, NULL);
    ehd_event_set *set = ehd_provider_register_set(provider, 4, 1);
    if (err != 0 || set == NULL || ehd_event_set_errno(set) != 0) {
        fprintf(stderr, "%s: cannot register: %s\n", program,
                strerror(err ? err : set ? ehd_event_set_errno(set) : ENOMEM));
        return NULL;
    }
    close(open(ready_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    struct timespec pause = { 0, 10 * 1000000 };
    for (int i = 0; i < 6000 && (!ehd_event_set_enabled(set) || access(go_path, F_OK) != 0); i++)
        nanosleep(&pause, NULL);
    if (!ehd_event_set_enabled(set)) {
        fprintf(stderr, "%s: nobody enabled %s\n", program, ehd_event_set_name(set));
        return NULL;
    }
    return set;
}
