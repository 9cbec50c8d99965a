/* fault_long_line MODE SIZE HWM_FILE: writes a SIZE-byte line of 'x' with no
 * newline to stderr, in one of these ways, and exits (the line is never
 * finished):
 *
 *   write     one write(2)
 *   chunks    fwrite in 4 KiB pieces
 *   fprintf   one fprintf("%s")
 *   newline   one write, then "\nnext line\n"
 *
 * The SIZE-byte buffer is allocated and touched in every mode, so the
 * process's peak RSS (VmHWM, written to HWM_FILE in KiB at the end) differs
 * between SIZE values only by what the shim keeps. */
#undef _FORTIFY_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long vm_hwm_kib(void)
{
    FILE *status = fopen("/proc/self/status", "r");
    if (status == NULL)
        return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, status) != NULL)
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    fclose(status);
    return kib;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    const char *mode = argv[1];
    size_t size = (size_t)atol(argv[2]);
    char *text = malloc(size + 1);
    if (text == NULL)
        return 1;
    memset(text, 'x', size);
    text[size] = '\0';
    int status = 0;
    if (strcmp(mode, "write") == 0 || strcmp(mode, "newline") == 0) {
        size_t done = 0;
        while (done < size) {
            ssize_t n = write(2, text + done, size - done);
            if (n <= 0) {
                status = 1;
                break;
            }
            done += (size_t)n;
        }
        if (strcmp(mode, "newline") == 0 && write(2, "\nnext line\n", 11) != 11)
            status = 1;
    } else if (strcmp(mode, "chunks") == 0) {
        for (size_t done = 0; done < size; done += 4096) {
            size_t piece = size - done < 4096 ? size - done : 4096;
            if (fwrite(text + done, 1, piece, stderr) != piece)
                status = 1;
        }
    } else if (strcmp(mode, "fprintf") == 0) {
        if (fprintf(stderr, "%s", text) != (int)size)
            status = 1;
    } else {
        return 2;
    }
    fflush(stderr);
    FILE *hwm = fopen(argv[3], "w");
    if (hwm != NULL) {
        fprintf(hwm, "%ld\n", vm_hwm_kib());
        fclose(hwm);
    }
    free(text);
    return status;
}
