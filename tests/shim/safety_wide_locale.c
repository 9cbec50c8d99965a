/*
 * stderr becomes wide-oriented under a UTF-8 locale, and keeps converting
 * with it after setlocale goes back to "C" (glibc fixes a wide stream's
 * conversion when it is oriented). The events must hold the bytes the
 * stream wrote, accents included.
 */
#include <locale.h>
#include <stdio.h>
#include <wchar.h>

int main(void)
{
    if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
        printf("SKIP: no C.UTF-8 locale\n");
        return 77;
    }
    fwprintf(stderr, L"caf\u00e9 one\n");
    setlocale(LC_ALL, "C");
    fwprintf(stderr, L"caf\u00e9 two\n");
    fputws(L"caf\u00e9 three\n", stderr);
    printf("done\n");
    return 0;
}
