/*
 * Writes to stdout in every way test_shim_stdout.sh checks, with stderr
 * lines between them: write and writev on fd 1, the stdio calls on the
 * stdout FILE (buffered, as stdout is on a file or a pipe), copies of fd 1
 * (dup, fcntl, open of /dev/stdout and /proc/self/fd/1, fopen of
 * /dev/fd/1), halves of a stdout and a stderr line written alternately,
 * fork and vfork children, a thread that ends with an unfinished line, the
 * program's own dup2(2, 1), error() (which flushes stdout first), and
 * unfinished lines of both at exit.
 * Every stdio text is flushed before the next raw write, so the bytes
 * leave in the order of the source, and the events come in that order.
 */
#include <error.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(int fd, const char *text)
{
    if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        exit(3);
}

static void *thread_main(void *unused)
{
    (void)unused;
    say(1, "thread line\nthread unfinished");
    return NULL;
}

/* The child writes a whole line and an unfinished one while the parent's
 * stdout line is unfinished. */
static int child_case(const char *parent_begins, const char *how)
{
    say(1, parent_begins);
    pid_t child = strcmp(how, "vfork") == 0 ? vfork() : fork();
    if (child < 0)
        return 1;
    if (child == 0) {
        say(1, "child line\n");
        say(1, "child unfinished");
        _exit(0);
    }
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 1;
    say(1, " ends\n");
    return 0;
}

/* argv[1] "long": one stdout line of 100 bytes after a "<3>" prefix, and
 * one of 64 without. */
static int long_lines(void)
{
    char line[128];
    memset(line, 'a', sizeof(line));
    printf("<3>%.100s\n", line);
    printf("%.64s\n", line);
    return 0;
}

/* argv[1] "flushall": a fully buffered stderr and stdout both holding
 * text (stdout 2,000 bytes of it, more than the copy of stderr's takes),
 * written by one fflush(NULL). */
static int flush_all(void)
{
    static char err_buffer[8192], out_buffer[8192];
    setvbuf(stderr, err_buffer, _IOFBF, sizeof err_buffer);
    setvbuf(stdout, out_buffer, _IOFBF, sizeof out_buffer);
    char big[2001];
    memset(big, 'o', 2000);
    big[2000] = '\0';
    fputs("err waiting\n", stderr);
    printf("%s\n", big);
    return fflush(NULL) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "long") == 0)
        return long_lines();
    if (argc > 1 && strcmp(argv[1], "flushall") == 0)
        return flush_all();
    /* The descriptors opened by name have offsets of their own: with fd 1
     * appending too, nobody writes over another's lines in a file. */
    int flags = fcntl(1, F_GETFL);
    if (flags < 0 || fcntl(1, F_SETFL, flags | O_APPEND) != 0)
        return 1;
    say(1, "write works\n");
    struct iovec pieces[2] = { { "writev ", 7 }, { "works\n", 6 } };
    if (writev(1, pieces, 2) != 13)
        return 1;

    printf("printf works %d\n", 42);
    puts("puts works");
    fwrite("fwrite works\n", 1, 13, stdout);
    fputs("fputs works\n", stdout);
    for (const char *c = "putchar works\n"; *c != '\0'; c++)
        putchar(*c);
    fprintf(stdout, "fprintf works %d\n", 7);
    fflush(stdout);
    dprintf(1, "dprintf works %d\n", 8);

    /* Halves, alternately: neither source's line joins the other's. */
    say(1, "stdout half, ");
    say(2, "stderr half, ");
    say(1, "stdout rest\n");
    say(2, "stderr rest\n");
    /* stdio text waits in stdout's buffer while a stderr line is written. */
    printf("buffered stdout, ");
    fputs("stderr while stdout waits\n", stderr);
    printf("flushed after\n");
    fflush(stdout);

    int copy = dup(1);
    say(copy, "dup works\n");
    int high = fcntl(1, F_DUPFD_CLOEXEC, 10);
    say(high, "fcntl works\n");
    int named = open("/dev/stdout", O_WRONLY | O_APPEND);
    say(named, "open /dev/stdout works\n");
    int by_proc = open("/proc/self/fd/1", O_WRONLY | O_APPEND);
    say(by_proc, "open /proc/self/fd/1 works\n");
    FILE *stream = fopen("/dev/fd/1", "a");
    if (stream == NULL)
        return 1;
    fputs("fopen /dev/fd/1 works\n", stream);
    fclose(stream);
    /* Not stdout: another file on a number that was. */
    close(named);
    if (open("/dev/null", O_WRONLY) != named)
        return 1;
    say(named, "not stdout\n");
    /* A copy of stderr on a number that was stdout is stderr. */
    dup2(2, high);
    say(high, "stderr on a former stdout copy\n");

    if (child_case("fork", "fork") != 0 || child_case("vfork", "vfork") != 0)
        return 1;

    pthread_t thread;
    if (pthread_create(&thread, NULL, thread_main, NULL) != 0 || pthread_join(thread, NULL) != 0)
        return 1;

    /* The program's own dup2(2, 1): fd 1 is stderr, until stdout's copy
     * comes back. */
    fflush(stdout);
    dup2(2, 1);
    puts("puts onto stderr");
    fflush(stdout);
    dup2(copy, 1);
    puts("puts onto stdout again");
    fflush(stdout);

    /* error() flushes stdout before it prints: that text is stdout's. */
    printf("before error(), ");
    error(0, 0, "error() works");
    printf("after\n");
    fflush(stdout);

    fputs("stderr unfinished", stderr);
    printf("stdout unfinished");
    return 0;
}
