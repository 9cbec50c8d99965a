/* One line to stderr through write(2). */
#include <unistd.h>

int main(void)
{
    static const char line[] = "write works\n";
    return write(STDERR_FILENO, line, sizeof line - 1) == sizeof line - 1 ? 0 : 1;
}
