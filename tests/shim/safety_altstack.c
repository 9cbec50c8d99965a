/*
 * A handler on the alternate signal stack writes one line with write(2).
 * Crash reporters give such a handler a few KiB, most of which the
 * kernel's signal frame takes: the shim may add little to what the write
 * needs of it. The handler fills the stack below itself with a pattern,
 * writes, and then finds how deep the write went; the program prints that
 * depth, which the test compares with and without the shim.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { STACK_BYTES = 64 * 1024, PATTERN = 0xa5, SPARE = 1536, QUIET_RUN = 1024 };
static unsigned char alternate[STACK_BYTES] __attribute__((aligned(64)));
static size_t depth;

static void on_usr1(int sig)
{
    (void)sig;
    static const char line[] = "handled on the alternate stack\n";
    unsigned char here;
    /* Below this frame, with room left for memset's own use. */
    size_t below = (size_t)((uintptr_t)&here - (uintptr_t)alternate) - SPARE;
    memset(alternate, PATTERN, below);
    (void)!write(2, line, sizeof(line) - 1);
    /* Down from the handler to the first long untouched run: frames leave
     * holes (buffers not written in full). */
    size_t at = below, run = 0;
    while (at > 0 && run < QUIET_RUN) {
        at--;
        run = alternate[at] == PATTERN ? run + 1 : 0;
    }
    depth = below - at - run;
}

int main(void)
{
    stack_t ss = { .ss_sp = alternate, .ss_size = sizeof(alternate) };
    struct sigaction action = { .sa_handler = on_usr1, .sa_flags = SA_ONSTACK };
    sigemptyset(&action.sa_mask);
    if (sigaltstack(&ss, NULL) != 0 || sigaction(SIGUSR1, &action, NULL) != 0)
        return 1;
    /* Bind write now: the dynamic linker's lazy binding saves the whole
     * register file on the stack, kilobytes, on a function's first call. */
    (void)!write(2, "", 0);
    raise(SIGUSR1);
    printf("the write used %zu bytes of the alternate stack below the handler\n", depth + SPARE);
    return 0;
}
