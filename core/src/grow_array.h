/*
 * The one growth rule for heap arrays and buffers: double, with every size
 * checked for overflow. Internal to the static libraries: the config
 * library and the tool use it too (it is hidden in the shared library).
 */
#ifndef EHD_GROW_ARRAY_H
#define EHD_GROW_ARRAY_H

#include <stddef.h>

/*
 * Makes room in the heap array `array` (NULL for none yet) of *capacity
 * elements of `element_size` bytes for at least `needed` elements (>= 1).
 * When it is too small it is reallocated to the largest of `needed`, twice
 * *capacity (unless that size would not fit a size_t) and `minimum`, and
 * *capacity is updated. Returns the array (moved or not), or NULL with
 * errno ENOMEM when out of memory or when `needed` elements would not fit a
 * size_t: then `array` and *capacity are unchanged and the caller still
 * owns and frees `array`. Thread-safe for different arrays.
 */
void *ehd__grow_array(void *array, size_t *capacity, size_t needed, size_t element_size,
                      size_t minimum);

#endif /* EHD_GROW_ARRAY_H */
