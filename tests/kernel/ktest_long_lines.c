/*
 * ktest_long_lines SIZE...: a plain program that writes, for each SIZE, one
 * stderr line and one syslog() message of exactly SIZE bytes. The stderr
 * line is "E<size> " then "abcdefghij" repeated, the syslog message the
 * same with "S": the test finds each event by its start and checks that
 * its message is a prefix of the line. Under the shim every one must
 * become an event that reaches the listener, the long ones cut to fit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

static void fill(char *line, char kind, size_t size)
{
    int head = snprintf(line, size + 1, "%c%zu ", kind, size);
    for (size_t i = (size_t)head; i < size; i++)
        line[i] = (char)('a' + (i - (size_t)head) % 10);
    line[size] = '\0';
}

int main(int argc, char **argv)
{
    openlog("ktest-long", 0, LOG_USER);
    for (int i = 1; i < argc; i++) {
        size_t size = strtoul(argv[i], NULL, 10);
        if (size < 16)
            return 2;
        char *line = malloc(size + 2);
        if (line == NULL)
            return 1;
        fill(line, 'E', size);
        line[size] = '\n';
        /* One write per line, as a program's fprintf to unbuffered stderr
         * makes it. */
        if (write(STDERR_FILENO, line, size + 1) != (ssize_t)(size + 1))
            return 1;
        fill(line, 'S', size);
        syslog(LOG_NOTICE, "%s", line);
        free(line);
    }
    closelog();
    return 0;
}
