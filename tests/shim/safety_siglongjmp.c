/*
 * A timer's handler leaves by siglongjmp out of a write(2) to stderr (the
 * signal is delivered as the system call returns, or in the shim's code
 * around it; the timer is blocked everywhere else): the program
 * writes LINES lines (argv[1], default 20000) while a 50 µs timer keeps
 * jumping back into its loop. Each line is written whole or not at all.
 * Every jump may cost the line in flight its event, no more: the thread
 * must go on making events. Prints how many times the handler jumped.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>

static sigjmp_buf back;
static volatile sig_atomic_t jumps;

static void on_alarm(int sig)
{
    (void)sig;
    jumps++;
    siglongjmp(back, 1);
}

int main(int argc, char **argv)
{
    long lines = argc > 1 ? atol(argv[1]) : 20000;
    struct sigaction action = { .sa_handler = on_alarm };
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGALRM, &action, NULL) != 0)
        return 1;
    /* The timer is blocked while sigsetjmp fills `back`: a jump from a
     * handler that ran in the middle of it would restore half a jump
     * buffer (a crash of the test program, not of what it tests). The mask
     * saved with the buffer has it blocked, so after a jump it stays
     * blocked until the next buffer is whole. */
    sigset_t alarm_only;
    sigemptyset(&alarm_only);
    sigaddset(&alarm_only, SIGALRM);
    /* Blocked before the timer starts: its first signal could otherwise
     * come before the first sigsetjmp and jump to an empty buffer (the
     * test program crashed so now and then, with or without the shim). */
    sigprocmask(SIG_BLOCK, &alarm_only, NULL);
    struct itimerval every = { { 0, 50 }, { 0, 50 } };
    setitimer(ITIMER_REAL, &every, NULL);
    for (volatile long i = 0; i < lines; i++) {
        sigprocmask(SIG_BLOCK, &alarm_only, NULL);
        if (sigsetjmp(back, 1) != 0)
            continue;
        /* Formatted with the timer blocked too: a jump out of snprintf
         * would leave the program itself in undefined behaviour (POSIX
         * allows only async-signal-safe calls after it), and it crashed
         * now and then without the shim. The timer may strike only around
         * write(2), which is what is tested. */
        char line[64];
        int n = snprintf(line, sizeof(line), "line %ld\n", (long)i);
        sigprocmask(SIG_UNBLOCK, &alarm_only, NULL);
        (void)!write(2, line, (size_t)n);
    }
    struct itimerval stop = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &stop, NULL);
    printf("jumps %ld\n", (long)jumps);
    return 0;
}
