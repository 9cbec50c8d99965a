/* Wide-character stdio on stderr: plain fwprintf (fortification off). */
#undef _FORTIFY_SOURCE
#include <stdio.h>
#include <wchar.h>

int main(void)
{
    return fwprintf(stderr, L"fwprintf works %d\n", 42) > 0 ? 0 : 1;
}
