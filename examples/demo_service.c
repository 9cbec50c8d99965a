/*
 * demo_service: a stand-in for a legacy daemon that knows nothing about
 * tracing. It logs the way old services do: syslog with its own ident and
 * facility (sshd-style authentication messages), an access log and
 * key=value lines printed to stderr, perror after a failed open, warnx, and
 * a heartbeat line nobody wants as an event. `make demo` runs it under
 * `ehshim run -c examples/demo.json` to show those lines becoming typed
 * events; the program itself is unchanged and its output is the same with
 * or without the shim. It exits 0.
 *
 * The addresses are documentation addresses (RFC 5737). If a syslog daemon
 * runs, the syslog messages also reach the system's auth log, as any
 * program's would.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

static void serve_request(const char *method, const char *path, int status, double ms)
{
    fprintf(stderr, "%s %s %d %.2fms\n", method, path, status, ms);
}

int main(void)
{
    openlog("demo-sshd", LOG_PID, LOG_AUTH);
    syslog(LOG_INFO, "Server listening on 0.0.0.0 port %d.", 2222);

    /* A host key the demo deliberately does not have. */
    int key = open("/nonexistent/demo-sshd/ssh_host_ed25519_key", O_RDONLY);
    if (key < 0)
        perror("open /nonexistent/demo-sshd/ssh_host_ed25519_key");
    else
        close(key);

    syslog(LOG_INFO, "Failed password for invalid user %s from %s port %d ssh2", "admin",
           "203.0.113.45", 52144);
    syslog(LOG_INFO, "Failed password for %s from %s port %d ssh2", "root", "203.0.113.45",
           52146);
    syslog(LOG_INFO, "Accepted publickey for %s from %s port %d ssh2", "alice", "198.51.100.7",
           40022);

    serve_request("GET", "/index.html", 200, 3.25);
    fprintf(stderr, "DEBUG heartbeat seq=%d\n", 1);
    serve_request("POST", "/login", 401, 12.5);
    fprintf(stderr, "kv: user=%s action=%s ok=%s\n", "bob", "login", "true");
    fprintf(stderr, "DEBUG heartbeat seq=%d\n", 2);

    warnx("reloaded %d rules", 4);
    syslog(LOG_INFO, "Received disconnect from %s port %d:11: disconnected by user",
           "198.51.100.7", 40022);
    closelog();
    return 0;
}
