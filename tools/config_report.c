/* Loading a config and printing its problems; see config_report.h. */
#include "config_report.h"

#include <stdio.h>
#include <string.h>

ehs_config *config_load_reporting(const char *path)
{
    ehs_config *config = NULL;
    ehs_errors errors = { 0 };
    int err = ehs_config_load_file(path, &config, &errors);
    for (size_t i = 0; i < errors.count; i++) {
        fputs(errors.lines[i], stderr);
        fputc('\n', stderr);
    }
    if (err != 0 && errors.count == 0)
        fprintf(stderr, "%s: cannot load: %s\n", path, strerror(err));
    ehs_errors_free(&errors);
    if (err != 0) {
        ehs_config_free(config);
        return NULL;
    }
    return config;
}
