/* Writes lines longer than a small max_message_bytes, one of them with a
 * "<N>" level prefix, for the truncation test. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    char long_text[101];
    memset(long_text, 'a', 100);
    long_text[100] = '\0';
    fprintf(stderr, "<3>%s\n", long_text);
    fprintf(stderr, "%s\n", long_text);
    fprintf(stderr, "<6>short\n");
    return 0;
}
