/* dup2(2, 7): fd 7 is stderr. */
#include <string.h>
#include <unistd.h>

int main(void)
{
    static const char line[] = "dup2 works\n";
    if (dup2(STDERR_FILENO, 7) != 7)
        return 1;
    return write(7, line, strlen(line)) == (ssize_t)strlen(line) ? 0 : 1;
}
