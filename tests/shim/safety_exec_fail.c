/*
 * An unfinished stderr line, then exec calls that fail (no such program,
 * a file that is not a program, a name on no PATH directory), then the
 * line ends: on stderr it is one line, so it must be one event. Then an
 * exec that works: the line started before it is emitted before the
 * image goes. With argv[1] "enoexec", the case the shim cannot keep whole.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void say(const char *text)
{
    (void)!write(2, text, strlen(text));
}

/* An executable file that is no program: only the kernel can tell
 * (ENOEXEC), after the line was emitted, so it is cut in two (README, "Not
 * covered"). */
static int no_program(void)
{
    char path[] = "/tmp/ehshim-no-program.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, "\x7f" "ELF garbage", 12) != 12 || fchmod(fd, 0700) != 0)
        return 1;
    close(fd);
    say("before a file that is no program, ");
    execl(path, "no-program", (char *)NULL);
    unlink(path);
    say("after it\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "enoexec") == 0)
        return no_program();
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
