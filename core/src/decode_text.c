/* ehd_text: the growable buffer the decoder writes JSON into. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_internal.h"
#include "ehd_api.h"
#include "grow_array.h"

EHD_API void ehd_text_init(ehd_text *text)
{
    *text = (ehd_text)EHD_TEXT_INIT;
}

EHD_API void ehd_text_free(ehd_text *text)
{
    if (text == NULL)
        return;
    free(text->chars);
    ehd_text_init(text);
}

EHD_API void ehd_text_clear(ehd_text *text)
{
    ehd__text_truncate(text, 0);
}

void ehd__text_truncate(ehd_text *text, size_t len)
{
    if (len < text->len)
        text->len = len;
    if (text->chars != NULL)
        text->chars[text->len] = '\0';
    text->error = 0;
}

/* Slow path of ehd__text_room: grows the storage until `extra` more bytes
 * and the NUL fit, refusing to pass EHD_TEXT_MAX. */
__attribute__((noinline)) char *ehd__text_grow(ehd_text *text, size_t extra)
{
    if (text->error != 0)
        return NULL;
    size_t needed;
    if (__builtin_add_overflow(text->len, extra, &needed) ||
        __builtin_add_overflow(needed, (size_t)1, &needed) || needed > EHD_TEXT_MAX + 1) {
        text->error = E2BIG;
        return NULL;
    }
    if (text->chars != NULL && text->capacity >= needed)
        return text->chars + text->len;
    size_t capacity = text->capacity;
    char *chars = ehd__grow_array(text->chars, &capacity, needed, 1, 256);
    if (chars == NULL) {
        text->error = ENOMEM;
        return NULL;
    }
    text->chars = chars;
    text->capacity = capacity;
    return chars + text->len;
}

void ehd__text_printf(ehd_text *text, const char *format, ...)
{
    char small[64];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(small, sizeof small, format, args);
    va_end(args);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        ehd__text_put(text, small, (size_t)n);
        return;
    }
    /* Longer than any number or name the decoder prints; format in place. */
    char *room = ehd__text_room(text, (size_t)n);
    if (room == NULL)
        return;
    va_start(args, format);
    vsnprintf(room, (size_t)n + 1, format, args);
    va_end(args);
    text->len += (size_t)n;
}
