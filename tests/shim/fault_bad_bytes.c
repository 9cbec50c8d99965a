/* fault_bad_bytes STDERR_COPY SYSLOG_COPY: messages holding invalid UTF-8
 * (lone continuation bytes, overlong forms, surrogates, a sequence cut at
 * the end, 0xFE/0xFF, five-byte forms, code points past U+10FFFF), NUL
 * bytes, control characters and escape sequences: first every message to
 * stderr (write and fprintf), then through syslog. The exact bytes of the
 * stderr lines and of the syslog messages are also written, one per line,
 * to STDERR_COPY and SYSLOG_COPY, for `ehshim parse` to say what events they
 * must become. */
#undef _FORTIFY_SOURCE
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#define MSG(s) { s, sizeof(s) - 1 }
static const struct {
    const char *bytes;
    size_t len;
} messages[] = {
    MSG("lone continuation \x80\x81 end"),
    MSG("overlong slash \xc0\xaf and \xe0\x80\xaf"),
    MSG("surrogate \xed\xa0\x80 half"),
    MSG("cut at the end \xe2\x82"),
    MSG("ff fe \xff\xfe bytes"),
    MSG("five byte \xf8\x88\x80\x80\x80 form"),
    MSG("past max \xf4\x90\x80\x80 code point"),
    MSG("valid euro \xe2\x82\xac and smile \xf0\x9f\x98\x80"),
    MSG("nul \0 inside \0\0 twice"),
    MSG("\0leading nul"),
    MSG("kv: user=\xff\xfe ip=\xc0 name=\"a\0b\""),
    MSG("{\"json\": \"\xff\xfe\", \"n\": 1, \"s\": \"\xed\xa0\x80\"}"),
    MSG("\x1b[31mANSI\x1b[0m and \r carriage \x01\x02\x7f"),
    MSG("word \xc3\x28 \xa0\xa1 \xe2\x28\xa1"),
    MSG("%s%n%x %p %% not a format"),
};
enum { COUNT = sizeof(messages) / sizeof(messages[0]) };

static void copy_line(FILE *copy, const char *bytes, size_t len)
{
    fwrite(bytes, 1, len, copy);
    fputc('\n', copy);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    FILE *stderr_copy = fopen(argv[1], "w"), *syslog_copy = fopen(argv[2], "w");
    if (stderr_copy == NULL || syslog_copy == NULL)
        return 1;
    int status = 0;
    for (int i = 0; i < COUNT; i++) {
        if ((size_t)write(2, messages[i].bytes, messages[i].len) != messages[i].len ||
            write(2, "\n", 1) != 1)
            status = 1;
        copy_line(stderr_copy, messages[i].bytes, messages[i].len);
        /* fprintf("%s") stops at a NUL, as it would in any program. */
        if (fprintf(stderr, "fprintf %s\n", messages[i].bytes) < 0)
            status = 1;
        fputs("fprintf ", stderr_copy);
        copy_line(stderr_copy, messages[i].bytes, strlen(messages[i].bytes));
    }
    for (int i = 0; i < COUNT; i++) {
        syslog(LOG_NOTICE, "%s", messages[i].bytes);
        copy_line(syslog_copy, messages[i].bytes, strlen(messages[i].bytes));
    }
    /* A NUL from the format itself does reach the message. */
    syslog(LOG_NOTICE, "nul %c from the format", 0);
    static const char from_format[] = "nul \0 from the format";
    copy_line(syslog_copy, from_format, sizeof(from_format) - 1);
    fclose(stderr_copy);
    fclose(syslog_copy);
    printf("fault_bad_bytes: %d messages\n", COUNT);
    return status;
}
