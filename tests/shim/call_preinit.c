/* Writes to stderr from the executable's .preinit_array, which runs before
 * every shared library's constructor, the shim's included: its interposers
 * must work (pass through, and set up on the spot) before its constructor
 * has run. Then writes once more from main. */
#include <stdio.h>

static void log_early(void)
{
    fprintf(stderr, "from preinit_array %d\n", 1);
}

__attribute__((section(".preinit_array"), used)) static void (*const early_hook)(void) = log_early;

int main(void)
{
    fprintf(stderr, "from main %d\n", 2);
    return 0;
}
