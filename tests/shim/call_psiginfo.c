/* psiginfo, psignal's sibling for a siginfo_t: glibc prints
 * "psiginfo works: Terminated (Signal sent by kill() PID UID)". */
#include <signal.h>
#include <string.h>

int main(void)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    info.si_signo = SIGTERM;
    info.si_code = SI_USER;
    info.si_pid = 4242;
    info.si_uid = 1000;
    psiginfo(&info, "psiginfo works");
    return 0;
}
