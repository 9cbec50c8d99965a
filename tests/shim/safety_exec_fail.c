/*
 * An unfinished stderr line, then exec calls that fail (no such program,
 * a file that is not a program, a name on no PATH directory), then the
 * line ends: on stderr it is one line, so it must be one event. Then an
 * exec that works: the line started before it is emitted before the
 * image goes.
 */
#include <string.h>
#include <unistd.h>

static void say(const char *text)
{
    (void)!write(2, text, strlen(text));
}

int main(void)
{
    say("one line, ");
    execl("/nonexistent/program", "program", (char *)NULL);
    say("despite ");
    execl("/dev/null", "null", (char *)NULL);
    execlp("ehshim-no-such-program", "ehshim-no-such-program", (char *)NULL);
    say("three failed execs\n");
    say("before true, ");
    execl("/bin/true", "true", (char *)NULL);
    return 1;
}
