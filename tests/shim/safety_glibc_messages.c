/*
 * glibc's own messages, printed through its internal calls, which no
 * interposer sees: getopt's "invalid option". The message is on stderr but
 * is not an event (README, "Not covered"); a write after it is.
 */
#include <string.h>
#include <unistd.h>

int main(void)
{
    char *args[] = { "safety_glibc_messages", "-z", NULL };
    while (getopt(2, args, "a") != -1) {
    }
    static const char line[] = "after getopt\n";
    (void)!write(2, line, sizeof(line) - 1);
    return 0;
}
