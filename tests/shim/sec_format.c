/* sec_format: message text full of printf directives ("%s%n%x", "%n" runs,
 * huge widths, positional arguments, %m), passed the safe way through every
 * kind of call the shim interposes: as data to fputs, fwrite, write,
 * fprintf/dprintf("%s"), syslog("%s"), warnx/error("%s"), and as the plain
 * string argument of perror and psignal; then as the openlog ident. Run it
 * with a directive-laden argv[0] too (the program name becomes the ident
 * and the prefix of warnx/error). If anything in the shim used the text as
 * a format, %n would write through a garbage pointer and the run would
 * crash, or the events would show formatted text. */
#undef _FORTIFY_SOURCE
#include <err.h>
#include <errno.h>
#include <error.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

static const char *const texts[] = {
    "%s%n%x",
    "%n%n%n%n%n%n%n%n",
    "%999999999s|%-99999d",
    "%1$s %2$n %3$p",
    "%.*s%*d %ls %lc",
    "%m and %%m",
};
enum { COUNT = sizeof(texts) / sizeof(texts[0]) };

int main(void)
{
    char line[256];
    for (int i = 0; i < COUNT; i++) {
        const char *t = texts[i];
        fputs(t, stderr);
        fputs(" (fputs)\n", stderr);
        fwrite(t, 1, strlen(t), stderr);
        fwrite(" (fwrite)\n", 1, 10, stderr);
        int n = snprintf(line, sizeof line, "%s (write)\n", t);
        if (write(2, line, (size_t)n) != n)
            return 1;
        fprintf(stderr, "%s (fprintf)\n", t);
        dprintf(2, "%s (dprintf)\n", t);
        errno = EACCES;
        perror(t);
        psignal(SIGTERM, t);
        warnx("%s (warnx)", t);
        error(0, 0, "%s (error)", t);
        syslog(LOG_ERR, "%s (syslog)", t);
    }
    openlog("%s%n%x ident", 0, LOG_DAEMON);
    syslog(LOG_INFO, "%s", "after openlog");
    closelog();
    printf("sec_format: %d texts\n", COUNT);
    return 0;
}
