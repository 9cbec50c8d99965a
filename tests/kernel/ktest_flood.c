/*
 * ktest_flood --ready FILE --go FILE [--events N] [--bytes B]: registers
 * the tracepoint KtestFlood_L4K1, creates FILE (--ready), waits until the
 * tracepoint is enabled and the --go file exists, then writes N events of
 * a B-byte string as fast as it can. The test stops the listener meanwhile,
 * so its ring overflows and it must report the samples the kernel dropped.
 *
 * Prints how many writes succeeded; exit status 0 when all did.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ehd/ehd.h"
#include "../lib/ktest_wait.h"

int main(int argc, char **argv)
{
    const char *ready_path = NULL, *go_path = NULL;
    unsigned long events = 3000, bytes = 1000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--ready") == 0)
            ready_path = argv[i + 1];
        else if (strcmp(argv[i], "--go") == 0)
            go_path = argv[i + 1];
        else if (strcmp(argv[i], "--events") == 0)
            events = strtoul(argv[i + 1], NULL, 0);
        else if (strcmp(argv[i], "--bytes") == 0)
            bytes = strtoul(argv[i + 1], NULL, 0);
    }
    if (ready_path == NULL || go_path == NULL || bytes > 4000) {
        fprintf(stderr, "usage: ktest_flood --ready FILE --go FILE [--events N] [--bytes B<=4000]\n");
        return 2;
    }

    ehd_provider provider = EHD_PROVIDER_INIT;
    ehd_event_set *set = ktest_open_and_wait(&provider, "KtestFlood", ready_path, go_path, "ktest_flood");
    if (set == NULL)
        return 1;

    static char text[4000];
    memset(text, 'x', sizeof text);
    ehd_builder *builder = ehd_builder_new(NULL);
    unsigned long written = 0;
    for (unsigned long i = 0; i < events; i++) {
        ehd_builder_reset(builder, "Flood", 0);
        uint32_t number = (uint32_t)i;
        ehd_builder_add_value(builder, "number", &number, sizeof number, EHD_FMT_DEFAULT, 0);
        ehd_builder_add_string(builder, "text", text, 1, bytes, EHD_FMT_DEFAULT, 0);
        written += ehd_builder_write(builder, set, NULL, NULL) == 0;
    }
    ehd_builder_free(builder);
    ehd_provider_close(&provider);
    printf("ktest_flood: %lu of %lu events written\n", written, events);
    return written == events ? 0 : 1;
}
