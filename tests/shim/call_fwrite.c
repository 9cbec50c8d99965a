/* One line to stderr through fwrite. */
#include <stdio.h>

int main(void)
{
    static const char line[] = "fwrite works\n";
    return fwrite(line, 1, sizeof line - 1, stderr) == sizeof line - 1 ? 0 : 1;
}
