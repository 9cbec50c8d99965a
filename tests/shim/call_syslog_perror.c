/* LOG_PERROR: libc also copies the message to stderr through an internal
 * path. That is one message, so one (Syslog) event, not two. */
#include <syslog.h>

int main(void)
{
    openlog("perror-ident", LOG_PERROR, LOG_USER);
    syslog(LOG_INFO, "log_perror works %d", 42);
    return 0;
}
