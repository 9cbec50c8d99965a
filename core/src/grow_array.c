/* Checked growth of heap arrays; see grow_array.h. */
#include "grow_array.h"

#include <errno.h>
#include <stdlib.h>

void *ehd__grow_array(void *array, size_t *capacity, size_t needed, size_t element_size,
                      size_t minimum)
{
    if (needed <= *capacity)
        return array;
    size_t count = needed > minimum ? needed : minimum;
    size_t doubled, bytes;
    /* Doubling is only a preference: when twice the capacity does not fit,
     * what is needed may still. */
    if (!__builtin_mul_overflow(*capacity, (size_t)2, &doubled) && doubled > count &&
        !__builtin_mul_overflow(doubled, element_size, &bytes))
        count = doubled;
    /* Refused here rather than by reallocarray, whose sanitizer interceptor
     * would end the process instead of returning NULL. */
    if (__builtin_mul_overflow(count, element_size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    void *grown = reallocarray(array, count, element_size);
    if (grown == NULL)
        return NULL;
    *capacity = count;
    return grown;
}
