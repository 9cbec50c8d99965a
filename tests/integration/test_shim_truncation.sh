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
shim_finish
