/* One line to stderr through fwrite_unlocked. */
#include <stdio.h>

int main(void)
{
    static const char line[] = "fwrite_unlocked works\n";
    return fwrite_unlocked(line, 1, sizeof line - 1, stderr) == sizeof line - 1 ? 0 : 1;
}
