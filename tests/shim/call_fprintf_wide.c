/* fprintf on a stderr that fwprintf made wide: glibc refuses it (-1) and
 * writes nothing, so the shim makes no event of it. */
#undef _FORTIFY_SOURCE
#include <stdio.h>
#include <wchar.h>

int main(void)
{
    if (fwprintf(stderr, L"wide first %d\n", 1) <= 0)
        return 1;
    return fprintf(stderr, "narrow refused %d\n", 2) < 0 ? 0 : 1;
}
