/*
 * The rules engine on any line: a fixed set of configs (the examples, two
 * test configs, and two made here to reach every type, the JSON and kv
 * paths and both ends of max_message_bytes) against fuzzed lines, as
 * syslog and stderr messages with each ident the configs' rules ask for.
 * Every event built must fit, have a level, belong to an event set the
 * config lists, and decode (fuzz.h: fuzz_build).
 *
 * The first byte of the input also picks the syslog priority, so levels,
 * facilities and out-of-range priorities get their share.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"

static const char *const config_files[] = {
    "examples/demo.json",
    "examples/sshd/config.json",
    "examples/nginx/config.json",
    "examples/postgresql/config.json",
    "examples/python/config.json",
    "examples/rsyncd/config.json",
    "examples/cron/config.json",
    "examples/dnsmasq/config.json",
    "tests/config/good/all_keys.json",
    "tests/config/good/design_example.json",
};

/* Every type as a JSON member, a kv key and a capture; the smallest
 * message size, so strings are cut everywhere; no message field. */
static const char small_config[] =
    "{ \"provider\": \"FuzzSmall\", \"max_message_bytes\": 64, \"message_field\": null,\n"
    "  \"rules\": [\n"
    "    { \"name\": \"J\", \"json\": true, \"level_field\": \"lvl\",\n"
    "      \"level_map\": { \"e\": \"error\", \"w\": 3, \"x\": 255 },\n"
    "      \"fields\": { \"a\": \"u8\", \"b\": \"ip\", \"c\": \"time\", \"d\": \"hexbytes\",\n"
    "        \"e\": \"uuid\", \"f\": \"errno\", \"g.h\": \"f32\", \"i\": \"bool\", \"j\": \"port\",\n"
    "        \"k\": \"hex\", \"l\": \"ipv6\", \"m\": \"i16\", \"n\": \"pid\", \"o.p.q\": \"ipv4\" } },\n"
    "    { \"name\": \"R\", \"regex\": \"^(?<x>\\\\S+) (?<y>\\\\S*) ?(?<z>[^ =]*)\", \"kv\": true,\n"
    "      \"fields\": { \"x\": \"time\", \"y\": \"i8\", \"z\": \"uuid\", \"a\": \"u64\", \"b\": \"f64\" },\n"
    "      \"time_format\": \"%d/%b/%Y:%H:%M:%S %z\", \"level_field\": \"y\",\n"
    "      \"level_map\": { \"1\": 1, \"2\": 2 } },\n"
    "    { \"name\": \"K\", \"kv\": true, \"level_field\": \"level\",\n"
    "      \"level_map\": { \"error\": \"error\", \"debug\": \"debug\" },\n"
    "      \"fields\": { \"a\": \"u8\", \"b\": \"ip\", \"c\": \"time\", \"d\": \"hexbytes\",\n"
    "        \"e\": \"uuid\", \"f\": \"errno\", \"g\": \"f32\", \"i\": \"bool\", \"j\": \"port\",\n"
    "        \"k\": \"hex\", \"l\": \"ipv6\", \"m\": \"i16\", \"n\": \"pid\" } },\n"
    "    { \"name\": \"G\", \"grok\": \"%{IP:ip} %{INT:n:int} %{NUMBER:f:float} %{GREEDYDATA:rest}\" }\n"
    "  ],\n"
    "  \"default\": { \"name\": \"Other\", \"keyword\": \"0xffffffffffffffff\" } }\n";

/* The largest message size: events near 64 KiB, budgets at their limits. */
static const char big_config[] =
    "{ \"provider\": \"FuzzBig\", \"group\": \"fuzz1\", \"max_message_bytes\": 65000,\n"
    "  \"message_field\": \"message\",\n"
    "  \"rules\": [\n"
    "    { \"name\": \"J\", \"source\": \"stderr\", \"json\": true,\n"
    "      \"fields\": { \"d\": \"hexbytes\", \"s\": \"string\", \"t\": \"time\" },\n"
    "      \"time_format\": \"%Y-%m-%dT%H:%M:%S\", \"level\": 255 },\n"
    "    { \"name\": \"K\", \"source\": \"syslog\", \"kv\": true, \"fields\": { \"d\": \"hexbytes\" } },\n"
    "    { \"name\": \"R\", \"regex\": \"^(?<head>[^:]*):(?<d>[0-9a-f:]*)\", \"kv\": true,\n"
    "      \"fields\": { \"d\": \"hexbytes\" } }\n"
    "  ] }\n";

#define CONFIG_COUNT (sizeof config_files / sizeof config_files[0] + 3)
static fuzz_config configs[CONFIG_COUNT];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    size_t n = 0;
    for (size_t i = 0; i < sizeof config_files / sizeof config_files[0]; i++)
        fuzz_config_load_file(&configs[n++], config_files[i]);
    fuzz_config_load_text(&configs[n++], "small", small_config, sizeof small_config - 1);
    fuzz_config_load_text(&configs[n++], "big", big_config, sizeof big_config - 1);
    /* The same on user_events: every event within its 8184 bytes. */
    fuzz_config_load_text(&configs[n], "big-user-events", big_config, sizeof big_config - 1);
    ehs_thread_state_set_event_max(configs[n++].state, EHD_USER_EVENTS_EVENT_MAX);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Priorities as programs pass them, and past LOG_FACMASK. */
    int priority = size > 0 ? (int)((unsigned)data[0] << 2 | (unsigned)data[0] >> 6) : 14;
    for (size_t i = 0; i < CONFIG_COUNT; i++)
        fuzz_build_all(&configs[i], (const char *)data, size, priority);
    return 0;
}
