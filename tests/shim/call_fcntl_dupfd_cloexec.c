/* fcntl(2, F_DUPFD_CLOEXEC, 10): the copy is stderr. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    static const char line[] = "fcntl F_DUPFD_CLOEXEC works\n";
    int copy = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 10);
    if (copy < 10)
        return 1;
    return write(copy, line, strlen(line)) == (ssize_t)strlen(line) ? 0 : 1;
}
