/*
 * For the safety programs: a printf conversion of the program's own, %W,
 * registered with register_printf_specifier, that counts how often glibc
 * runs it. Call register_widget() first; widget_calls says the count.
 */
#ifndef WIDGET_CONVERSION_H
#define WIDGET_CONVERSION_H

#include <printf.h>
#include <stdio.h>

static int widget_calls;

static int print_widget(FILE *stream, const struct printf_info *info, const void *const *args)
{
    (void)info;
    widget_calls++;
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

static void register_widget(void)
{
    register_printf_specifier('W', print_widget, widget_arginfo);
}

#endif
