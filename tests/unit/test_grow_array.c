/*
 * The core's growth rule for heap arrays (core/src/grow_array.h): the
 * capacities it picks, that an array already large enough is left alone,
 * and that a size past size_t fails cleanly, leaving the array to its owner.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "grow_array.h"

static void first_growth_takes_the_minimum(void **state)
{
    (void)state;
    size_t capacity = 0;
    int *array = ehd__grow_array(NULL, &capacity, 1, sizeof *array, 16);
    assert_non_null(array);
    assert_int_equal(capacity, 16);
    array[15] = 1; /* all 16 are there (ASan would say otherwise) */
    free(array);
}

static void growth_doubles_or_takes_what_is_needed(void **state)
{
    (void)state;
    size_t capacity = 0;
    char *bytes = ehd__grow_array(NULL, &capacity, 10, 1, 8);
    assert_non_null(bytes);
    assert_int_equal(capacity, 10);
    memset(bytes, 'x', capacity);
    bytes = ehd__grow_array(bytes, &capacity, 11, 1, 8);
    assert_non_null(bytes);
    assert_int_equal(capacity, 20);
    assert_int_equal(bytes[9], 'x'); /* contents kept */
    bytes = ehd__grow_array(bytes, &capacity, 1000, 1, 8);
    assert_non_null(bytes);
    assert_int_equal(capacity, 1000);
    free(bytes);
}

static void enough_room_changes_nothing(void **state)
{
    (void)state;
    size_t capacity = 0;
    long *array = ehd__grow_array(NULL, &capacity, 4, sizeof *array, 4);
    assert_non_null(array);
    long *same = ehd__grow_array(array, &capacity, 4, sizeof *array, 4);
    assert_ptr_equal(same, array);
    assert_int_equal(capacity, 4);
    free(array);
}

static void overflowing_sizes_fail_and_keep_the_array(void **state)
{
    (void)state;
    size_t capacity = 0;
    uint64_t *array = ehd__grow_array(NULL, &capacity, 2, sizeof *array, 2);
    assert_non_null(array);
    array[1] = 42;
    /* More elements than size_t bytes can count: refused before any
     * allocation is tried. */
    errno = 0;
    assert_null(ehd__grow_array(array, &capacity, SIZE_MAX / 4, sizeof *array, 2));
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(capacity, 2);
    assert_int_equal(array[1], 42);
    free(array);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_growth_takes_the_minimum),
        cmocka_unit_test(growth_doubles_or_takes_what_is_needed),
        cmocka_unit_test(enough_room_changes_nothing),
        cmocka_unit_test(overflowing_sizes_fail_and_keep_the_array),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
