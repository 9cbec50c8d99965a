# End to end: `ehshim listen -c` on the demo config, then `ehshim run` of the
# demo with it; what the listener got equals a capture run of the demo, for
# syslog and stderr messages alike. A second listener appends capture
# records (-o) and is ended with SIGTERM instead of SIGINT.
. /opt/ehshim/guest/lib.sh
ktest_begin end-to-end
[ -f "$E/libehshim.so" ] || ktest_skip "libehshim.so is not built"
[ -x "$E/examples/demo_service" ] || ktest_skip "examples/demo_service is not built"
config=$E/examples/demo.json

start_listener "$T/live.json" "$T/live.err" -c "$config" || note_failure "JSON listener did not start"
json_listener=$listener_pid
start_listener "$T/dat.out" "$T/dat.err" -c "$config" -o "$T/live.dat" ||
    note_failure "capture listener did not start"
dat_listener=$listener_pid

timeout 20 "$EHSHIM" run -c "$config" "$E/examples/demo_service" >"$T/run.out" 2>"$T/run.err"
rc=$?
[ $rc -eq 0 ] || note_failure "demo under ehshim run exited with $rc"
expect "JSON listener did not end cleanly on SIGINT" stop_listener "$json_listener" INT
expect "capture listener did not end cleanly on SIGTERM" stop_listener "$dat_listener" TERM
sed 's/^/    /' "$T/live.err" "$T/dat.err"

timeout 20 "$EHSHIM" run -c "$config" -o "$T/capture.dat" "$E/examples/demo_service" \
    >/dev/null 2>&1 ||
    note_failure "capture run of the demo failed"
"$EHSHIM" decode --no-stamp "$T/capture.dat" >"$T/capture.json"
"$EHSHIM" decode "$T/capture.dat" >"$T/capture.dat.stamped"
strip_sample_meta "$T/live.json" >"$T/live.stripped"
"$EHSHIM" decode --no-stamp "$T/live.dat" >"$T/live-dat.json" || note_failure "decoding the listener's .dat failed"
# listen -o stamps each record with its sample's time, pid and tid: decoded,
# they read as the JSON listener printed them, less the cpu (each listener
# has its own samples, so the times differ in the last digits).
"$EHSHIM" decode "$T/live.dat" | sed -r 's/^(.*"meta": \{ "time": ")[^"]*"/\1T"/' >"$T/live-dat.stamped"
sed -r 's/^(.*"meta": \{ "time": ")[^"]*", "cpu": [0-9]+,/\1T",/' "$T/live.json" >"$T/live.nocpu"
sed 's/^/    /' "$T/live.json"

expect "the capture run gave no event" [ -s "$T/capture.json" ]
same_lines "JSON listener" "$T/capture.json" "$T/live.stripped"
same_lines "capture listener (-o)" "$T/capture.json" "$T/live-dat.json"
same_lines "capture listener (-o) with stamps" "$T/live.nocpu" "$T/live-dat.stamped"
expect "the capture run's records carry no stamp" grep -q '"meta": { "time": "' "$T/capture.dat.stamped"
expect "no syslog event was listened to" grep -q '"facility": ' "$T/live.stripped"
expect "no stderr event was listened to" grep -q '"n": "DemoSshd:Request"' "$T/live.stripped"
ktest_end
