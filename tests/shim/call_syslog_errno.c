/* %m in a syslog format is strerror of the caller's errno (ENOENT). */
#include <errno.h>
#include <syslog.h>

int main(void)
{
    errno = ENOENT;
    syslog(LOG_ERR, "open of /etc/missing.conf failed: %m");
    return 0;
}
