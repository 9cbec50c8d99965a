/* Filling ehd_decode_error: one place formats every decoder message. */
#include <stdarg.h>
#include <stdio.h>

#include "decode_internal.h"

int ehd__vfail(ehd_decode_error *error, int code, size_t offset, const char *format, va_list args)
{
    if (error != NULL) {
        error->offset = offset;
        vsnprintf(error->message, sizeof error->message, format, args);
    }
    return code;
}

int ehd__fail(ehd_decode_error *error, int code, size_t offset, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    ehd__vfail(error, code, offset, format, args);
    va_end(args);
    return code;
}
