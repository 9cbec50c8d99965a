/* Writes lines longer than a small max_message_bytes, one of them with a
 * "<N>" level prefix, for the truncation test. With the argument "kv": one
 * line of 300 key=value pairs, more than an event takes as fields. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "kv") == 0) {
        for (int i = 0; i < 300; i++)
            fprintf(stderr, "%sk%d=%d", i ? " " : "", i, i % 10);
        fputc('\n', stderr);
        return 0;
    }
    char long_text[101];
    memset(long_text, 'a', 100);
    long_text[100] = '\0';
    fprintf(stderr, "<3>%s\n", long_text);
    fprintf(stderr, "%s\n", long_text);
    fprintf(stderr, "<6>short\n");
    return 0;
}
