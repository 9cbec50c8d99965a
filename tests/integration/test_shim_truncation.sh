#!/usr/bin/env bash
# Lines longer than max_message_bytes are cut, flagged "truncated" and never
# dropped, with and without a "<N>" level prefix (which the engine strips
# before it measures the message).
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

config=$shim_tmp/small.json
printf '{ "max_message_bytes": 64 }\n' >"$config"
out=$shim_tmp/long_lines
a64=$(printf 'a%.0s' $(seq 64))
RUN_ENV=("EHSHIM_CONFIG=$config")
run_shim "$out" long_lines "$SHIM_PROGRAMS/long_lines"
decode_events "$out"
cat >"$out.expected" <<JSON
{ "n": "ehshim:Stderr", "msg": "$a64", "truncated": true, "ident": "long_lines", "meta": { "level": 2, "keyword": "0x2" } }
{ "n": "ehshim:Stderr", "msg": "$a64", "truncated": true, "ident": "long_lines", "meta": { "level": 4, "keyword": "0x2" } }
{ "n": "ehshim:Stderr", "msg": "short", "ident": "long_lines", "meta": { "level": 4, "keyword": "0x2" } }
JSON
expect_file long_lines events "$out.expected" "$out.jsonl"

# Every cut is counted: the exit report (EHSHIM_DEBUG=1) says how many events
# were truncated, whether the message was cut or fields were left out (300
# kv pairs, of which an event takes 248).
# expect_grep NAME FIXED_TEXT FILE: FILE holds FIXED_TEXT.
expect_grep() {
    grep -qF -- "$2" "$3" || fail "$1: $(basename "$3") lacks: $2"
}
RUN_ENV=("EHSHIM_CONFIG=$config" "EHSHIM_DEBUG=1")
run_shim "$out.debug" long_lines "$SHIM_PROGRAMS/long_lines"
expect_grep "message cuts counted" \
    'ehshim: stderr: 3 lines seen, 3 events written, 0 dropped (0 disabled, 0 by rule, 0 write errors), 0 conversion failures, 2 truncated' \
    "$out.debug.err"
printf '{ "max_message_bytes": 4000, "rules": [ { "name": "Kv", "kv": true } ] }\n' >"$shim_tmp/kv.json"
RUN_ENV=("EHSHIM_CONFIG=$shim_tmp/kv.json" "EHSHIM_DEBUG=1")
run_shim "$out.kv" long_lines "$SHIM_PROGRAMS/long_lines" kv
decode_events "$out.kv"
expect_grep "248 pairs kept" '"k247": "7", "msg": "k0=0 ' "$out.kv.jsonl"
expect_grep "the kv event says truncated" '"truncated": true' "$out.kv.jsonl"
expect_grep "field cuts counted" \
    'ehshim: stderr: 1 lines seen, 1 events written, 0 dropped (0 disabled, 0 by rule, 0 write errors), 0 conversion failures, 1 truncated' \
    "$out.kv.err"
shim_finish
