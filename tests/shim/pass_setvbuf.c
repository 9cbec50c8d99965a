/* stderr made fully buffered with a caller-owned buffer, lines written
 * with several functions and interleaved with stdout; the last part is
 * flushed only by exit(). Every line must reach stderr unchanged and be
 * an event. */
#include <stdio.h>

static char buffer[4096];

int main(void)
{
    if (setvbuf(stderr, buffer, _IOFBF, sizeof buffer) != 0)
        return 1;
    for (int i = 0; i < 300; i++) {
        switch (i % 3) {
        case 0:
            fprintf(stderr, "buffered line %d\n", i);
            break;
        case 1:
            fputs("buffered line ", stderr);
            fprintf(stderr, "%d", i);
            fputc('\n', stderr);
            break;
        default:
            fprintf(stderr, "buffered line %d", i);
            fwrite("\n", 1, 1, stderr);
            break;
        }
        printf("stdout line %d\n", i);
    }
    return 0;
}
