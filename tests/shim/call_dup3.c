/* dup3(2, 8, O_CLOEXEC): fd 8 is stderr. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    static const char line[] = "dup3 works\n";
    if (dup3(STDERR_FILENO, 8, O_CLOEXEC) != 8)
        return 1;
    return write(8, line, strlen(line)) == (ssize_t)strlen(line) ? 0 : 1;
}
