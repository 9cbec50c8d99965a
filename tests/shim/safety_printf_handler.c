/*
 * A program's own printf conversion (register_printf_specifier) counts its
 * calls: three fprintf calls to stderr must run it three times, with the
 * shim too (formatting the text a second time for the event would run it
 * again, and whatever the handler does, it does twice).
 */
#include <stdio.h>

#include "widget_conversion.h"

int main(void)
{
    register_widget();
    for (int i = 1; i <= 3; i++)
        fprintf(stderr, "made %W\n", i);
    printf("handler ran %d times\n", widget_calls);
    return 0;
}
