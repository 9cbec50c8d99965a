/* What dash does for `echo x >&2`: dup2(2, 1), then write fd 1. */
#include <string.h>
#include <unistd.h>

int main(void)
{
    static const char line[] = "dup2 onto stdout works\n";
    if (dup2(STDERR_FILENO, STDOUT_FILENO) != STDOUT_FILENO)
        return 1;
    return write(STDOUT_FILENO, line, strlen(line)) == (ssize_t)strlen(line) ? 0 : 1;
}
