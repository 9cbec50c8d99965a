# The core round-trip suite's events, written through user_events and
# collected by `ehshim listen`, decode to the same JSON as the capture
# backend gives for the same events (the collector's time, cpu, pid and tid
# aside).
. /opt/ehshim/guest/lib.sh
ktest_begin roundtrip

echo "    start: $(cut -d' ' -f1 /proc/uptime)"
"$E/tests/kernel/ktest_roundtrip" --capture "$T/rt.dat" --ready "$T/rt.ready" \
    >"$T/emitter.out" 2>&1 &
emitter=$!
if ! wait_for_file "$T/rt.ready" 1200 ""; then
    note_failure "the emitter did not register its tracepoints"
    sed 's/^/    /' "$T/emitter.out"
    ktest_end
fi
echo "    registered: $(cut -d' ' -f1 /proc/uptime)"
start_listener "$T/live.json" "$T/live.err" RoundTrip || note_failure "listener did not start"
echo "    listening: $(cut -d' ' -f1 /proc/uptime)"
wait $emitter
echo "    written: $(cut -d' ' -f1 /proc/uptime)"
rc=$?
sed 's/^/    /' "$T/emitter.out"
[ $rc -eq 0 ] || note_failure "the emitter exited with $rc"
expect "listener did not end cleanly on SIGINT" stop_listener "$listener_pid" INT
sed 's/^/    /' "$T/live.err"
echo "    stopped: $(cut -d' ' -f1 /proc/uptime)"

"$EHSHIM" decode --no-stamp "$T/rt.dat" >"$T/capture.json" || note_failure "ehshim decode failed"
strip_sample_meta "$T/live.json" >"$T/live.stripped"
echo "    compared: $(cut -d' ' -f1 /proc/uptime)"
expect "expected 3000 captured events" [ "$(wc -l <"$T/capture.json")" -eq 3000 ]
same_lines "listened events" "$T/capture.json" "$T/live.stripped"
expect "the listener reports lost events" grep -q '3000 events, 0 lost$' "$T/live.err"
# The collector's own members, in the reference's order and form.
expect "meta lacks time, cpu, pid, tid" grep -qE \
    '"meta": \{ "time": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z", "cpu": [0-9]+, "pid": [0-9]+, "tid": [0-9]+, ' \
    "$T/live.json"
ktest_end
