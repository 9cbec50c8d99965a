/* A dup of fd 2 is stderr too. */
#include <string.h>
#include <unistd.h>

int main(void)
{
    static const char line[] = "dup works\n";
    int copy = dup(STDERR_FILENO);
    if (copy < 0)
        return 1;
    return write(copy, line, strlen(line)) == (ssize_t)strlen(line) ? 0 : 1;
}
