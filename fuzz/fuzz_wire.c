/*
 * What programs send the syslog and journal sockets, and journal export
 * files, read back: every byte here comes from a program the shim is loaded
 * into (or a file an operator feeds `ehshim parse`), so no reader may step
 * outside it, loop, or make an event the decoder refuses.
 *
 * Byte 0 picks the reader, the rest is its input:
 *   0  a syslog datagram (shim_syslog_parse): priority 0..1023, ident and
 *      text inside the input, an ident of at most 48 bytes;
 *   1  a syslog stream (shim_syslog_next_frame), NUL framing or not by
 *      byte 1: every frame inside what it consumed, progress every time;
 *   2  a journal entry (shim_journal_split): every field inside the entry,
 *      the summary's parts too, the count of others agreeing with the
 *      fields read; then the entry through the engine as the shim builds
 *      it, with a config whose journal rules type, match and level on
 *      entry fields, and with the built-in one;
 *   3  a journal export stream (journal_export_scan), as `ehshim parse`
 *      reads it: entries inside the input, progress every time, the same
 *      entries whether the bytes came at once or in two pieces.
 * Each input is copied into a heap block of exactly its size so that
 * AddressSanitizer sees a read past it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "journal_export.h"
#include "journal_wire.h"
#include "syslog_wire.h"

enum { FIELDS_MAX = 256 };

static bool inside(const char *base, size_t len, const char *p, size_t n)
{
    return p >= base && (size_t)(p - base) <= len && n <= len - (size_t)(p - base);
}

static void syslog_datagram(const char *bytes, size_t len)
{
    shim_syslog_record r;
    shim_syslog_parse(bytes, len, &r);
    FUZZ_CHECK(r.priority >= 0 && r.priority <= 1023, "priority %d", r.priority);
    FUZZ_CHECK(len == 0 || inside(bytes, len, r.text, r.len), "text outside the datagram");
    if (r.ident != NULL) {
        FUZZ_CHECK(inside(bytes, len, r.ident, r.ident_len), "ident outside the datagram");
        FUZZ_CHECK(r.ident_len >= 1 && r.ident_len <= 48, "ident of %zu bytes", r.ident_len);
    }
}

static void syslog_stream(const char *bytes, size_t len, bool nul_framed)
{
    size_t at = 0;
    while (at < len) {
        size_t skip = 0, frame_len = 0;
        size_t used = shim_syslog_next_frame(bytes + at, len - at, nul_framed, &skip, &frame_len);
        if (used == 0)
            break;
        FUZZ_CHECK(used <= len - at, "consumed %zu of %zu", used, len - at);
        FUZZ_CHECK(skip + frame_len <= used, "frame %zu+%zu past %zu", skip, frame_len, used);
        syslog_datagram(bytes + at + skip, frame_len);
        at += used;
    }
}

static fuzz_config journal_rules, defaults;

static void journal_entry(const char *bytes, size_t len)
{
    static shim_journal_field fields[FIELDS_MAX];
    shim_journal_summary s;
    size_t count = shim_journal_split(bytes, len, &s, fields, FIELDS_MAX);
    size_t kept = count < FIELDS_MAX ? count : FIELDS_MAX;
    for (size_t i = 0; i < kept; i++) {
        FUZZ_CHECK(inside(bytes, len, fields[i].name, fields[i].name_len), "name outside");
        FUZZ_CHECK(inside(bytes, len, fields[i].value, fields[i].value_len), "value outside");
        FUZZ_CHECK(fields[i].name_len >= 1 && fields[i].name_len <= SHIM_JOURNAL_NAME_MAX,
                   "name of %zu bytes", fields[i].name_len);
    }
    FUZZ_CHECK(s.message == NULL || inside(bytes, len, s.message, s.message_len), "message");
    FUZZ_CHECK(s.ident == NULL || inside(bytes, len, s.ident, s.ident_len), "ident");
    FUZZ_CHECK(s.priority >= 0 && s.priority <= 7, "priority %d", s.priority);
    FUZZ_CHECK(s.facility >= -1 && s.facility <= 23, "facility %d", s.facility);
    FUZZ_CHECK(count <= s.fields, "%zu others of %zu fields", count, s.fields);

    fuzz_config *configs[] = { &journal_rules, &defaults };
    for (size_t c = 0; c < 2; c++) {
        ehs_message message;
        shim_journal_message(&s, "fuzz", 4, fields, kept, &message);
        message.exe = "fuzz";
        message.exe_len = 4;
        fuzz_build_message(configs[c], &message, NULL);
    }
}

/* The entries of an export stream read as `ehshim parse` reads it, with
 * the bytes arriving in two pieces split at `split`; their (offset,
 * length) pairs go to `out`. */
static size_t export_entries(const char *bytes, size_t len, size_t split, size_t out[][2],
                             size_t max)
{
    size_t n = 0, start = 0, available = split;
    bool eof = false;
    for (;;) {
        size_t entry_len, consumed;
        int rc = journal_export_scan(bytes + start, available - start, eof, &entry_len,
                                     &consumed);
        if (rc == JOURNAL_EXPORT_NEED_MORE) {
            if (eof)
                break;
            if (available < len) {
                available = len;
            } else {
                eof = true;
            }
            continue;
        }
        FUZZ_CHECK(consumed >= 1 && consumed <= available - start, "consumed %zu of %zu",
                   consumed, available - start);
        FUZZ_CHECK(entry_len <= consumed, "entry of %zu past %zu", entry_len, consumed);
        if (rc == JOURNAL_EXPORT_ENTRY && entry_len != 0 && n < max) {
            out[n][0] = start;
            out[n][1] = entry_len;
            n++;
        }
        if (rc == JOURNAL_EXPORT_MALFORMED && n < max) {
            out[n][0] = start;
            out[n][1] = SIZE_MAX;
            n++;
        }
        start += consumed;
        if (start == available && eof)
            break;
    }
    return n;
}

static void journal_export(const char *bytes, size_t len)
{
    static size_t whole[4096][2], pieces[4096][2];
    size_t n = export_entries(bytes, len, len, whole, 4096);
    for (size_t i = 0; i < n && i < 64; i++) {
        if (whole[i][1] != SIZE_MAX)
            journal_entry(bytes + whole[i][0], whole[i][1]);
    }
    /* Entries that end before the split are the same; a malformed one may
     * be skipped differently when its end was not there yet. */
    size_t split = len / 2;
    size_t m = export_entries(bytes, len, split, pieces, 4096);
    for (size_t i = 0; i < n && i < m; i++) {
        if (whole[i][1] == SIZE_MAX || pieces[i][1] == SIZE_MAX)
            break;
        FUZZ_CHECK(whole[i][0] == pieces[i][0] && whole[i][1] == pieces[i][1],
                   "entry %zu differs when read in pieces", i);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        static const char rules[] =
            "{ \"provider\": \"Fuzz\", \"rules\": ["
            "  { \"name\": \"Drop\", \"source\": \"journal\", \"ident\": \"drop\", \"drop\": true },"
            "  { \"name\": \"Typed\", \"source\": \"journal\", \"regex\": \"^(?<word>\\\\w+) \","
            "    \"fields\": { \"A\": \"u16\", \"B\": \"ip\", \"C\": \"time\", \"word\": \"string\" },"
            "    \"level_field\": \"LEVEL\", \"level_map\": { \"bad\": \"error\", \"x\": 200 } },"
            "  { \"name\": \"Any\", \"source\": \"journal\", \"fields\": { \"CODE_LINE\": \"string\" },"
            "    \"keyword\": \"0x10\" } ] }";
        fuzz_config_load_text(&journal_rules, "journal rules", rules, sizeof rules - 1);
        fuzz_config_prepare(&defaults, "built-in", ehs_config_new_default());
        ready = true;
    }
    if (size == 0)
        return 0;
    size_t len = size - 1;
    char *bytes = malloc(len != 0 ? len : 1);
    FUZZ_CHECK(bytes != NULL, "out of memory");
    memcpy(bytes, data + 1, len);
    switch (data[0] % 4) {
    case 0:
        syslog_datagram(bytes, len);
        break;
    case 1:
        if (len > 0)
            syslog_stream(bytes + 1, len - 1, bytes[0] & 1);
        break;
    case 2:
        journal_entry(bytes, len);
        break;
    default:
        journal_export(bytes, len);
        break;
    }
    free(bytes);
    return 0;
}
