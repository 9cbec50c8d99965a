#!/usr/bin/env bash
# The demo (make demo): examples/demo_service under `ehshim run -c
# examples/demo.json` gives exactly the events of
# tests/shim/demo_events.expected (typed ip/port, u16 status, f64 ms, a
# kv bool, the heartbeats dropped), its output is the same as without the
# shim, and examples/demo.sh runs and prints them.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

here=$(cd "$(dirname "$0")" && pwd)
examples=$here/../../examples
service=$BUILD/examples/demo_service
expected=$here/../shim/demo_events.expected
[ -x "$service" ] || { echo "FAIL: $service not built"; exit 1; }

# A sanitized library needs its runtime first in LD_PRELOAD; ehshim run
# puts the library first, so the runtime goes in beforehand.
run_env=()
if [ -n "$SHIM_SANITIZER_RUNTIME" ]; then
    run_env=("LD_PRELOAD=$SHIM_SANITIZER_RUNTIME" "ASAN_OPTIONS=$SHIM_ASAN_OPTIONS:verify_asan_link_order=0")
fi

out=$shim_tmp/demo
run_plain "$out.plain" demo_service "$service"
env "${run_env[@]}" "$EHSHIM" run -c "$examples/demo.json" -o "$out.dat" "$service" \
    >"$out.shim.out" 2>"$out.shim.err"
echo $? >"$out.shim.status"
expect_status "demo_service" 0 "$out.plain"
expect_same_output "demo_service" "$out.plain" "$out.shim"
decode_events "$out"
expect_file "demo" "events" "$expected" "$out.jsonl"

env "${run_env[@]}" BUILD="$BUILD" bash "$examples/demo.sh" >"$out.script" 2>&1
status=$?
[ "$status" -eq 0 ] || fail "examples/demo.sh exited with $status"
# The demo shows each event's capture stamp (time, pid, tid); the events
# themselves are compared without it, after checking it is there.
grep '^{' "$out.script" >"$out.script-stamped"
stamp='"meta": { "time": "[0-9T:.-]*Z", "pid": [0-9]*, "tid": [0-9]*, '
n_stamped=$(grep -c "$stamp" "$out.script-stamped")
[ "$n_stamped" = "$(wc -l <"$expected")" ] ||
    fail "examples/demo.sh: $n_stamped of its events show a stamp, not all $(wc -l <"$expected")"
sed "s/$stamp/\"meta\": { /" "$out.script-stamped" >"$out.script-events"
expect_file "examples/demo.sh" "printed events" "$expected" "$out.script-events"
[ "$status" -eq 0 ] && [ "$shim_failures" -ne 0 ] && cat "$out.script"

shim_finish
