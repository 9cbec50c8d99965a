/*
 * bench/encode N: builds N copies of the typical shim event without writing
 * them, so an instruction counter sees the builder's cost alone. The event:
 * name LoginFailed; msg, a 72-byte sshd line; user; ip as IPv4; port; pid as
 * a signed 32-bit value. Prints the wall time per event (noisy on shared
 * machines; compare versions with callgrind, see bench/run.sh).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ehd/ehd.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: encode N\n");
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    static const char msg[] =
        "Failed password for invalid user admin from 203.0.113.45 port 52144 ssh2";
    _Static_assert(sizeof msg - 1 == 72, "the typical message is 72 bytes");
    static const char user[] = "admin";
    uint32_t ip = htonl(0xCB00712Du); /* 203.0.113.45 */
    uint16_t port = htons(52144);
    int32_t pid = 4242;

    ehd_builder *b = ehd_builder_new(NULL);
    size_t checksum = 0;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long i = 0; i < n; i++) {
        ehd_builder_reset(b, "LoginFailed", 0);
        ehd_builder_add_string(b, "msg", msg, 1, sizeof msg - 1, EHD_FMT_DEFAULT, 0);
        ehd_builder_add_string(b, "user", user, 1, sizeof user - 1, EHD_FMT_DEFAULT, 0);
        ehd_builder_add_value(b, "ip", &ip, sizeof ip, EHD_FMT_IPV4, 0);
        ehd_builder_add_value(b, "port", &port, sizeof port, EHD_FMT_PORT, 0);
        ehd_builder_add_value(b, "pid", &pid, sizeof pid, EHD_FMT_SIGNED_INT, 0);
        checksum += ehd_builder_event_size(b);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ns = (double)(end.tv_sec - start.tv_sec) * 1e9 + (double)(end.tv_nsec - start.tv_nsec);
    printf("encode: %ld events, %.1f ns/event, %zu bytes\n", n, n ? ns / (double)n : 0.0,
           n ? checksum / (size_t)n : 0);
    ehd_builder_free(b);
    return 0;
}
