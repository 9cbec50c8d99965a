/* One line to stderr through fputs_unlocked. */
#include <stdio.h>

int main(void)
{
    return fputs_unlocked("fputs_unlocked works\n", stderr) >= 0 ? 0 : 1;
}
