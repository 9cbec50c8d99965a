/*
 * wire_journal: writes the systemd journal through the real libsystemd, one
 * case per argument, so that tests/real/wire_run.sh can capture the exact
 * bytes (and system calls) of its native protocol.
 *
 *   cc -o wire_journal wire_journal.c $(pkg-config --cflags --libs libsystemd)
 *   wire_journal CASE...
 *
 * Cases:
 *   print        sd_journal_print(LOG_INFO, "hello %d", 1)
 *   print-nl     sd_journal_print(LOG_WARNING, "two\nlines")
 *   send         sd_journal_send("MESSAGE=multi\nline", "PRIORITY=3",
 *                "SYSLOG_IDENTIFIER=myid", "CODE_FILE=x.c", "CODE_LINE=12",
 *                "MY_FIELD=42", NULL)
 *   sendv        sd_journal_sendv: a binary field holding a newline and NUL
 *                bytes, and a field holding NUL bytes but no newline
 *   big[=BYTES]  sd_journal_send of a MESSAGE of BYTES bytes (default 1 MiB:
 *                "BEGIN" + a repeated pattern + "END")
 *   stream       sd_journal_stream_fd("myid", LOG_NOTICE, 1), then two lines
 *                written to it
 *
 * Each call's return value is printed to stdout ("print: 0"); the exit status
 * is 0 unless an argument is unknown.
 *
 * As real programs are built, sd_journal_print and sd_journal_send are the
 * macros of <systemd/sd-journal.h> that add CODE_FILE, CODE_LINE and
 * CODE_FUNC (SD_JOURNAL_SUPPRESS_LOCATION is not defined).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

static void report(const char *what, int r)
{
    if (r < 0)
        printf("%s: %d (%s)\n", what, r, strerror(-r));
    else
        printf("%s: %d\n", what, r);
    fflush(stdout);
}

static int case_sendv(void)
{
    static const char blob[] = "BLOB=line1\nline2\0after-nul\0\nend";
    static const char nulonly[] = "NULONLY=a\0b";
    struct iovec iov[4];

    iov[0].iov_base = (void *)"MESSAGE=binary fields";
    iov[0].iov_len = strlen("MESSAGE=binary fields");
    iov[1].iov_base = (void *)"PRIORITY=6";
    iov[1].iov_len = strlen("PRIORITY=6");
    iov[2].iov_base = (void *)blob;
    iov[2].iov_len = sizeof(blob) - 1;
    iov[3].iov_base = (void *)nulonly;
    iov[3].iov_len = sizeof(nulonly) - 1;
    return sd_journal_sendv(iov, 4);
}

static int case_big(size_t size)
{
    static const char pattern[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    char *msg;
    size_t i;
    int r;

    if (size < 8)
        size = 8;
    msg = malloc(size + 1);
    if (!msg)
        return -ENOMEM;
    memcpy(msg, "BEGIN", 5);
    for (i = 5; i < size - 3; i++)
        msg[i] = pattern[(i - 5) % (sizeof(pattern) - 1)];
    memcpy(msg + size - 3, "END", 3);
    msg[size] = '\0';
    r = sd_journal_send("MESSAGE=%s", msg, "PRIORITY=6", NULL);
    free(msg);
    return r;
}

static int case_stream(void)
{
    static const char text[] = "first line\nsecond line\n";
    int fd = sd_journal_stream_fd("myid", LOG_NOTICE, 1);

    if (fd < 0)
        return fd;
    if (write(fd, text, sizeof(text) - 1) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s print|print-nl|send|sendv|big[=BYTES]|stream...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        const char *c = argv[i];

        if (strcmp(c, "print") == 0) {
            report(c, sd_journal_print(LOG_INFO, "hello %d", 1));
        } else if (strcmp(c, "print-nl") == 0) {
            report(c, sd_journal_print(LOG_WARNING, "two\nlines"));
        } else if (strcmp(c, "send") == 0) {
            report(c, sd_journal_send("MESSAGE=multi\nline", "PRIORITY=3", "SYSLOG_IDENTIFIER=myid",
                                      "CODE_FILE=x.c", "CODE_LINE=12", "MY_FIELD=42", NULL));
        } else if (strcmp(c, "sendv") == 0) {
            report(c, case_sendv());
        } else if (strncmp(c, "big", 3) == 0 && (c[3] == '\0' || c[3] == '=')) {
            size_t size = c[3] == '=' ? strtoul(c + 4, NULL, 10) : 1024 * 1024;
            report(c, case_big(size));
        } else if (strcmp(c, "stream") == 0) {
            report(c, case_stream());
        } else {
            fprintf(stderr, "%s: unknown case %s\n", argv[0], c);
            return 2;
        }
    }
    return 0;
}
