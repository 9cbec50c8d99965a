/*
 * Descriptor 0 made free for a test, to check that what opens next does
 * not land there, then given back.
 */
#ifndef TESTS_LIB_STDIN_SLOT_H
#define TESTS_LIB_STDIN_SLOT_H

/* Closes descriptor 0 so that the next open would take it; returns a
 * close-on-exec copy of what was there (or -1) for stdin_slot_restore. */
int stdin_slot_vacate(void);

/* Puts the descriptor stdin_slot_vacate saved back at 0 (-1: nothing). */
void stdin_slot_restore(int saved);

#endif
