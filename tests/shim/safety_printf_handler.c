/*
 * A program's own printf conversion (register_printf_specifier) counts its
 * calls: three fprintf calls to stderr must run it three times, with the
 * shim too (formatting the text a second time for the event would run it
 * again, and whatever the handler does, it does twice).
 */
#include <printf.h>
#include <stdio.h>

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
    for (int i = 1; i <= 3; i++)
        fprintf(stderr, "made %W\n", i);
    printf("handler ran %d times\n", calls);
    return 0;
}
