/*
 * A buffered stderr (argv[1]: "full" or "line" buffering) with direct
 * write(2) calls in between: stdio text reaches stderr when the stream
 * writes its buffer, so the events must follow the lines as they are on
 * stderr, not as the calls were made. The last text waits in the buffer
 * until exit writes it.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void direct(const char *text)
{
    (void)!write(2, text, strlen(text));
}

int main(int argc, char **argv)
{
    int line = argc > 1 && strcmp(argv[1], "line") == 0;
    static char buffer[4096];
    setvbuf(stderr, buffer, line ? _IOLBF : _IOFBF, sizeof(buffer));
    fputs("buffered one, ", stderr);
    direct("direct line\n");
    fputs("buffered two\n", stderr);
    if (!line)
        fflush(stderr);
    fprintf(stderr, "printf %s, ", "waits");
    putc('x', stderr);
    direct("direct again\n");
    fwrite("end\n", 1, 4, stderr);
    fputs("at exit\n", stderr);
    return 0;
}
