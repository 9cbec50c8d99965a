/*
 * bench/authlog N: writes N sshd messages (as sshd passes them to syslog(),
 * without the syslog header) to stdout, for bench/rules with
 * examples/sshd/config.json.
 *
 * Deterministic: a fixed-seed generator, so every machine benchmarks the
 * same bytes. The mix is that of an sshd facing the internet, where bots
 * guessing passwords make most of the traffic: the message kinds of
 * examples/sshd/input.log in the shares below, with user names and remote
 * hosts of the kind /work/shared/corpus/Linux_2k.log shows (guessed
 * accounts, residential and hosting names as rhost), a few lines no rule
 * knows (the default event) and the noise the config drops.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../tests/lib/xorshift.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

/* The high half of xorshift64* (tests/lib/xorshift.h), the better half. */
static uint32_t next_random(void)
{
    return (uint32_t)(xorshift_next(&rng_state) >> 32);
}

static uint32_t below(uint32_t n)
{
    return next_random() % n;
}

#define PICK(array) (array[below(sizeof array / sizeof array[0])])

/* Accounts bots guess, and the real ones of this imaginary host. */
static const char *const guessed_users[] = {
    "admin", "test", "guest", "oracle", "ubuntu", "postgres", "user", "git", "ftpuser",
    "pi", "support", "mysql", "nagios", "tomcat", "webadmin", "jenkins", "hadoop", "ansible",
    "user1", "test2", "minecraft", "www-data", "backup", "operator",
};
static const char *const real_users[] = { "alice", "bob", "deploy", "carol", "backup" };
/* Reverse names as pam's rhost shows them when DNS resolves. */
static const char *const remote_hosts[] = {
    "n219076184117.netvigator.com", "h64-187-1-131.gtconnect.net", "zummit.com",
    "p15105218.pureserver.info", "massive.merukuru.org", "csnsu.nsuok.edu",
    "c51471f2c.cable.wanadoo.nl", "220-135-151-1.hinet-ip.hinet.net",
    "adsl-70-242-75-179.dsl.ksc2mo.swbell.net", "biblioteka.wsi.edu.pl",
};
static const char *const key_types[] = { "ED25519", "RSA", "ECDSA" };
/* Messages no rule of the example knows. */
static const char *const unknown_messages[] = {
    "error: kex_exchange_identification: Connection closed by remote host",
    "error: kex_exchange_identification: read: Connection reset by peer",
    "fatal: Timeout before authentication for 203.0.113.77 port 50122",
    "Postponed publickey for deploy from 192.0.2.10 port 51234 ssh2 [preauth]",
    "Starting session: shell on pts/0 for alice from 192.0.2.10 port 51234 id 0",
};

/* A remote address: mostly IPv4 from all over, sometimes IPv6. */
static void remote_ip(char *out, size_t size)
{
    if (below(20) == 0)
        snprintf(out, size, "2001:db8:%x::%x", below(0x10000), 1 + below(0xfffe));
    else
        snprintf(out, size, "%u.%u.%u.%u", 1 + below(223), below(256), below(256),
                 1 + below(254));
}

static unsigned remote_port(void)
{
    return 1024 + below(64512);
}

static void fingerprint(char *out, size_t size)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = 43 < size - 1 ? 43 : size - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[below(64)];
    out[n] = '\0';
}

static void write_message(void)
{
    char ip[64], key[64];
    remote_ip(ip, sizeof ip);
    unsigned port = remote_port();
    const char *guess = PICK(guessed_users);
    const char *real = PICK(real_users);
    uint32_t kind = below(100);

    if (kind < 18)
        printf("Failed password for invalid user %s from %s port %u ssh2\n", guess, ip, port);
    else if (kind < 32)
        printf("Failed password for root from %s port %u ssh2\n", ip, port);
    else if (kind < 44)
        printf("Invalid user %s from %s port %u\n", guess, ip, port);
    else if (kind < 50)
        printf("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
               "ruser= rhost=%s  user=root\n",
               below(2) ? ip : PICK(remote_hosts));
    else if (kind < 56)
        printf("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
               "ruser= rhost=%s \n",
               below(2) ? ip : PICK(remote_hosts));
    else if (kind < 63)
        printf("pam_unix(sshd:auth): check pass; user unknown\n");
    else if (kind < 70)
        printf("Connection closed by %s user %s %s port %u [preauth]\n",
               below(2) ? "invalid" : "authenticating", below(2) ? guess : "root", ip, port);
    else if (kind < 77)
        printf("Received disconnect from %s port %u:11: Bye Bye [preauth]\n", ip, port);
    else if (kind < 83)
        printf("Disconnected from invalid user %s %s port %u [preauth]\n", guess, ip, port);
    else if (kind < 85)
        printf("Accepted password for %s from 192.0.2.%u port %u ssh2\n", real, 2 + below(250),
               port);
    else if (kind < 87) {
        fingerprint(key, sizeof key);
        printf("Accepted publickey for %s from 192.0.2.%u port %u ssh2: %s SHA256:%s\n", real,
               2 + below(250), port, PICK(key_types), key);
    } else if (kind < 90)
        printf("pam_unix(sshd:session): session opened for user %s(uid=%u) by (uid=0)\n", real,
               1000 + below(5));
    else if (kind < 93)
        printf("pam_unix(sshd:session): session closed for user %s\n", real);
    else if (kind < 94)
        printf("Disconnected from user %s 192.0.2.%u port %u\n", real, 2 + below(250), port);
    else if (kind < 96)
        printf("Did not receive identification string from %s port %u\n", ip, port);
    else if (kind < 97)
        printf("error: maximum authentication attempts exceeded for root from %s port %u ssh2 "
               "[preauth]\n",
               ip, port);
    else if (kind < 98)
        printf("Connection reset by %s port %u [preauth]\n", ip, port);
    else
        printf("%s\n", PICK(unknown_messages));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: authlog N > FILE\n");
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    for (long i = 0; i < n; i++)
        write_message();
    return fflush(stdout) == 0 ? 0 : 1;
}
