#!/usr/bin/env bash
# A SIGALRM handler writes "tick" to fd 2 every 100 microseconds while the
# main thread logs 100,000 lines: the program finishes (a shim lock taken
# again inside the handler would hang it), every main-thread line comes out
# intact and in order, on stderr and as an event; ticks are whole lines.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

lines=100000
out=$shim_tmp/signal
RUN_TIMEOUT=120

run_plain "$out.plain" stress_signal "$SHIM_PROGRAMS/stress_signal" "$lines"
run_shim "$out.shim" stress_signal "$SHIM_PROGRAMS/stress_signal" "$lines"
expect_status "stress_signal (without the shim)" 0 "$out.plain"
expect_status "stress_signal (with the shim; 124 is a timeout)" 0 "$out.shim"
echo "ticks without the shim: $(cat "$out.plain.out"), with: $(cat "$out.shim.out")"

seq -f 'main line %.0f' 0 $((lines - 1)) >"$out.expected"
for run in plain shim; do
    grep -v -x 'tick' "$out.$run.err" >"$out.$run.main"
    expect_file stress_signal "main-thread stderr lines ($run)" "$out.expected" "$out.$run.main"
done

decode_events "$out.shim"
msg_values "$out.shim.jsonl" >"$out.msgs"
grep -v -x 'tick' "$out.msgs" >"$out.main-msgs"
expect_file stress_signal "main-thread event messages" "$out.expected" "$out.main-msgs"
echo "tick events: $(grep -c -x 'tick' "$out.msgs")"

shim_finish
