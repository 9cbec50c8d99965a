/* A FILE opened on a dup of fd 2 is stderr too, even fully buffered and
 * flushed only by fclose. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    int copy = dup(STDERR_FILENO);
    FILE *log = copy < 0 ? NULL : fdopen(copy, "w");
    if (log == NULL)
        return 1;
    fprintf(log, "fdopen dup works %d\n", 42);
    return fclose(log) == 0 ? 0 : 1;
}
