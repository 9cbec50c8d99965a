/* Output the shim must pass through byte for byte: NUL bytes and every
 * byte value on stderr and stdout, lines split over calls, a line far
 * longer than max_message_bytes, and a last stderr line without its
 * newline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    unsigned char all_bytes[256];
    for (int i = 0; i < 256; i++)
        all_bytes[i] = (unsigned char)i;
    static const char with_nuls[] = "nul\0inside\0\0line\n";

    fwrite(with_nuls, 1, sizeof with_nuls - 1, stderr);
    fwrite(with_nuls, 1, sizeof with_nuls - 1, stdout);
    fflush(stdout);
    if (write(STDERR_FILENO, all_bytes, sizeof all_bytes) != sizeof all_bytes)
        return 1;
    if (write(STDOUT_FILENO, all_bytes, sizeof all_bytes) != sizeof all_bytes)
        return 1;
    fputs("\nsplit ", stderr);
    fputc('\0', stderr);
    fprintf(stderr, " over %d calls\n", 3);
    size_t long_size = 100000;
    char *long_line = malloc(long_size);
    if (long_line == NULL)
        return 1;
    memset(long_line, 'L', long_size - 1);
    long_line[long_size - 1] = '\n';
    if (fwrite(long_line, 1, long_size, stderr) != long_size)
        return 1;
    free(long_line);
    fputs("last line without a newline", stderr);
    return 0;
}
