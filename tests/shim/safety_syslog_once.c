/*
 * syslog with the program's own printf conversion: the conversion runs
 * once per call with the shim too. With LOG_PERROR glibc copies each
 * message to stderr ("TAG[PID]: message"), so a config that captures stderr
 * only still sees them. Prints how often the conversion ran.
 */
#include <stdio.h>
#include <syslog.h>

#include "widget_conversion.h"

/* %W is the conversion registered below, unknown to the compiler. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

int main(void)
{
    register_widget();
    openlog("widgets", LOG_PERROR, LOG_LOCAL0);
    syslog(LOG_WARNING, "made %W", 1);
    syslog(LOG_ERR, "made %W\n", 2);
    printf("conversion ran %d times\n", widget_calls);
    return 0;
}
