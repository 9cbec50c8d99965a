#!/usr/bin/env bash
# Messages with invalid UTF-8 (lone continuation bytes, overlong forms,
# surrogates, cut sequences, 0xFE/0xFF, five-byte forms, code points past
# U+10FFFF), NUL bytes (inside, leading, inside a kv value, from a syslog
# format's %c), control characters and escape sequences, and printf
# directives in the text, through stderr (write, fprintf) and syslog, with
# a config whose regex, kv and json rules all see them:
#  - stdout, stderr and exit status byte-identical to a run without the
#    shim (the bytes pass through exactly);
#  - the capture decodes (exit 0), and every event is exactly what `ehshim
#    parse` (the real engine, builder and decoder) makes of the same bytes:
#    nothing lost at a NUL, nothing rejected for bad UTF-8, no directive
#    interpreted.
# Run with the default config too: every line one event, decodable.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

config=$shim_tmp/rules.json
cat >"$config" <<'JSON'
{ "rules": [
  { "name": "Kv", "regex": "^kv: ", "kv": true },
  { "name": "Json", "json": true },
  { "name": "Word", "regex": "^(?<word>[a-z]+) (?<rest>.*)$" }
] }
JSON

for setup in rules default; do
    out=$shim_tmp/$setup
    RUN_ENV=()
    run_plain "$out.plain" fault_bad_bytes "$SHIM_PROGRAMS/fault_bad_bytes" "$out.plain.stderr-lines" \
        "$out.plain.syslog-lines"
    [ "$setup" = rules ] && RUN_ENV=("EHSHIM_CONFIG=$config")
    run_shim "$out.shim" fault_bad_bytes "$SHIM_PROGRAMS/fault_bad_bytes" "$out.stderr-lines" \
        "$out.syslog-lines"
    RUN_ENV=()
    expect_status "$setup (without the shim)" 0 "$out.plain"
    expect_same_output "$setup" "$out.plain" "$out.shim"
    expect_file "$setup" "stderr lines the program noted" "$out.plain.stderr-lines" "$out.stderr-lines"
    decode_events "$out.shim"

    parse=("$EHSHIM" parse --ident fault_bad_bytes)
    [ "$setup" = rules ] && parse+=(-c "$config")
    {
        "${parse[@]}" --source stderr "$out.stderr-lines"
        # LOG_USER | LOG_NOTICE
        "${parse[@]}" --source syslog --priority 13 "$out.syslog-lines"
    } >"$out.expected" 2>"$out.parse-err" || fail "$setup: ehshim parse failed: $(head -n 3 "$out.parse-err")"
    expect_file "$setup" "events (against ehshim parse of the same bytes)" "$out.expected" "$out.shim.jsonl"
    count=$(wc -l <"$out.shim.jsonl")
    [ "$count" -eq 46 ] || fail "$setup: $count events, expected 46 (30 stderr lines, 16 syslog messages)"
done
# The bytes did reach the events: a NUL in the middle of a write(2) line,
# invalid UTF-8 inside a kv value, a directive left alone.
jsonl=$shim_tmp/rules.shim.jsonl
grep -qF '"msg": "nul \u0000 inside \u0000\u0000 twice"' "$jsonl" || fail "NUL bytes of a stderr line lost"
grep -qF '"msg": "nul \u0000 from the format"' "$jsonl" || fail "the NUL of syslog's %c lost"
grep -qF '"name": "a\u0000b"' "$jsonl" || fail "the NUL inside a kv value lost"
grep -qF '"msg": "%s%n%x %p %% not a format"' "$jsonl" || fail "printf directives in the text changed"

shim_finish
