/*
 * syslog with the program's own printf conversion: the conversion runs
 * once per call with the shim too. With LOG_PERROR glibc copies each
 * message to stderr ("TAG[PID]: message"), so a config that captures stderr
 * only still sees them. Prints how often the conversion ran.
 */
#include <printf.h>
#include <stdio.h>
#include <syslog.h>

/* %W is the conversion registered below, unknown to the compiler. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

static int calls;

static int print_widget(FILE *stream, const struct printf_info *info, const void *const *args)
{
    (void)info;
    calls++;
    return fprintf(stream, "<widget %d>", *(const int *)args[0]);
}

static int widget_arginfo(const struct printf_info *info, size_t n, int *types, int *size)
{
    (void)info;
    (void)size;
    if (n > 0)
        types[0] = PA_INT;
    return 1;
}

int main(void)
{
    register_printf_specifier('W', print_widget, widget_arginfo);
    openlog("widgets", LOG_PERROR, LOG_LOCAL0);
    syslog(LOG_WARNING, "made %W", 1);
    syslog(LOG_ERR, "made %W\n", 2);
    printf("conversion ran %d times\n", calls);
    return 0;
}
