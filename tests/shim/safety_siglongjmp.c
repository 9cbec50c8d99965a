/*
 * A timer's handler leaves by siglongjmp, mostly out of a write(2) to
 * stderr (the signal is delivered as the system call returns): the program
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
    struct itimerval every = { { 0, 50 }, { 0, 50 } };
    setitimer(ITIMER_REAL, &every, NULL);
    for (volatile long i = 0; i < lines; i++) {
        sigprocmask(SIG_BLOCK, &alarm_only, NULL);
        if (sigsetjmp(back, 1) != 0)
            continue;
        sigprocmask(SIG_UNBLOCK, &alarm_only, NULL);
        char line[64];
        int n = snprintf(line, sizeof(line), "line %ld\n", (long)i);
        (void)!write(2, line, (size_t)n);
    }
    struct itimerval stop = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &stop, NULL);
    printf("jumps %ld\n", (long)jumps);
    return 0;
}
