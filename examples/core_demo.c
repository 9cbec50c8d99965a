/*
 * A program that uses the ehd core directly: opens a provider on the
 * capture backend (or user_events when no path is given) and writes a few
 * events of the kinds the shim produces. `make demo` decodes the result.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ehd/ehd.h"

static void login_failed(ehd_builder *b, ehd_event_set *set, const char *user, uint32_t ip,
                         uint16_t port)
{
    char msg[160];
    struct in_addr addr = { .s_addr = ip };
    int len = snprintf(msg, sizeof msg, "Failed password for %s from %s port %u ssh2", user,
                       inet_ntoa(addr), ntohs(port));
    int32_t pid = (int32_t)getpid();

    ehd_builder_reset(b, "LoginFailed", 0);
    ehd_builder_add_string(b, "user", user, 1, strlen(user), EHD_FMT_DEFAULT, 0);
    ehd_builder_add_value(b, "ip", &ip, sizeof ip, EHD_FMT_IPV4, 0);
    ehd_builder_add_value(b, "port", &port, sizeof port, EHD_FMT_PORT, 0);
    ehd_builder_add_value(b, "pid", &pid, sizeof pid, EHD_FMT_PID, 0);
    ehd_builder_add_string(b, "msg", msg, 1, (size_t)len, EHD_FMT_DEFAULT, 0);
    int err = ehd_builder_write(b, set, NULL, NULL);
    if (err != 0)
        fprintf(stderr, "core_demo: write: %s\n", strerror(err));
}

int main(int argc, char **argv)
{
    ehd_provider_options options = EHD_PROVIDER_OPTIONS(.capture_path = argc > 1 ? argv[1] : NULL);
    ehd_provider provider = EHD_PROVIDER_INIT;
    int err = ehd_provider_open(&provider, "MyService", NULL, &options);
    if (err != 0)
        fprintf(stderr, "core_demo: provider: %s (events stay disabled)\n", strerror(err));

    ehd_event_set *warnings = ehd_provider_register_set(&provider, EHD_LEVEL_WARNING, 0x10);
    ehd_event_set *info = ehd_provider_register_set(&provider, EHD_LEVEL_INFO, 0x2);
    printf("core_demo: %s %s, %s %s\n", ehd_event_set_name(warnings),
           ehd_event_set_enabled(warnings) ? "enabled" : "disabled", ehd_event_set_name(info),
           ehd_event_set_enabled(info) ? "enabled" : "disabled");

    ehd_builder *b = ehd_builder_new(NULL);
    login_failed(b, warnings, "admin", htonl(0xCB00712D), htons(52144));
    login_failed(b, warnings, "root", htonl(0xC6336407), htons(40022));

    static const char line[] = "GET /index.html 200 3.25ms";
    uint16_t status = 200;
    double ms = 3.25;
    ehd_builder_reset(b, "Request", 0);
    ehd_builder_add_string(b, "method", "GET", 1, 3, EHD_FMT_DEFAULT, 0);
    ehd_builder_add_string(b, "path", "/index.html", 1, 11, EHD_FMT_DEFAULT, 0);
    ehd_builder_add_value(b, "status", &status, sizeof status, EHD_FMT_DEFAULT, 0);
    ehd_builder_add_value(b, "ms", &ms, sizeof ms, EHD_FMT_FLOAT, 0);
    ehd_builder_add_string(b, "msg", line, 1, sizeof line - 1, EHD_FMT_DEFAULT, 0);
    err = ehd_builder_write(b, info, NULL, NULL);
    if (err != 0)
        fprintf(stderr, "core_demo: write: %s\n", strerror(err));

    ehd_builder_free(b);
    ehd_provider_close(&provider);
    return 0;
}
