/* The online CPUs, one ring each; see perf_ring.h. */
#include "perf_ring.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "grow_array.h"

/* Appends first..last to the array, growing it. Returns 0 or ENOMEM. */
static int add_range(unsigned **cpus, size_t *count, size_t *capacity, unsigned first,
                     unsigned last)
{
    for (unsigned cpu = first; cpu <= last; cpu++) {
        unsigned *grown = ehd__grow_array(*cpus, capacity, *count + 1, sizeof *grown, 16);
        if (grown == NULL)
            return ENOMEM;
        *cpus = grown;
        (*cpus)[(*count)++] = cpu;
    }
    return 0;
}

/* Parses a kernel CPU list such as "0-3,8,10-11". Returns 0, EBADMSG or
 * ENOMEM. */
static int parse_cpu_list(const char *text, unsigned **cpus, size_t *count)
{
    size_t capacity = 0;
    const char *p = text;
    while (*p != '\0' && *p != '\n') {
        char *end;
        unsigned long first = strtoul(p, &end, 10);
        if (end == p)
            return EBADMSG;
        unsigned long last = first;
        p = end;
        if (*p == '-') {
            last = strtoul(p + 1, &end, 10);
            if (end == p + 1 || last < first || last > 65535)
                return EBADMSG;
            p = end;
        }
        int err = add_range(cpus, count, &capacity, (unsigned)first, (unsigned)last);
        if (err != 0)
            return err;
        if (*p == ',')
            p++;
    }
    return *count > 0 ? 0 : EBADMSG;
}

int perf_online_cpus(unsigned **cpus, size_t *count)
{
    *cpus = NULL;
    *count = 0;
    char text[4096];
    FILE *file = fopen("/sys/devices/system/cpu/online", "re");
    if (file != NULL) {
        bool have = fgets(text, sizeof text, file) != NULL;
        fclose(file);
        if (have && parse_cpu_list(text, cpus, count) == 0)
            return 0;
        free(*cpus);
        *cpus = NULL;
        *count = 0;
    }
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online < 1)
        online = 1;
    size_t capacity = 0;
    return add_range(cpus, count, &capacity, 0, (unsigned)online - 1);
}
