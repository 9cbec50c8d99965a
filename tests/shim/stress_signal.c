/* A SIGALRM handler writes "tick" to fd 2 every 100 microseconds
 * (setitimer) while the main thread logs LINES lines (default 100000)
 * with fprintf: the program must finish, and every main-thread line must
 * come out intact as output and as an event. Prints the tick count. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t ticks;

static void on_alarm(int signo)
{
    (void)signo;
    static const char tick[] = "tick\n";
    ssize_t ignored = write(STDERR_FILENO, tick, sizeof tick - 1);
    (void)ignored;
    ticks++;
}

int main(int argc, char **argv)
{
    long lines = argc > 1 ? atol(argv[1]) : 100000;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_alarm;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGALRM, &action, NULL) != 0)
        return 1;
    struct itimerval every_100us = { .it_interval = { 0, 100 }, .it_value = { 0, 100 } };
    if (setitimer(ITIMER_REAL, &every_100us, NULL) != 0)
        return 1;
    for (long i = 0; i < lines; i++)
        fprintf(stderr, "main line %ld\n", i);
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    printf("ticks %ld\n", (long)ticks);
    return 0;
}
