/* psignal: "psignal works: Interrupt". */
#include <signal.h>

int main(void)
{
    psignal(SIGINT, "psignal works");
    return 0;
}
