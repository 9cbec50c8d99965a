# ehshim status in the guest: every piece is there, exit status 0.
. /opt/ehshim/guest/lib.sh
ktest_begin status

"$EHSHIM" status >"$T/status" 2>&1
rc=$?
sed 's/^/    /' "$T/status"
[ $rc -eq 0 ] || note_failure "ehshim status exited with $rc"
expect "kernel user_events not present" grep -q '^kernel user_events:  present (Linux ' "$T/status"
expect "tracefs not at /sys/kernel/tracing" \
    grep -qx 'tracefs:             mounted at /sys/kernel/tracing' "$T/status"
expect "user_events_data not writable" \
    grep -qx 'user_events_data:    writable by this user (uid 0)' "$T/status"
expect "perf not allowed" grep -q '^perf_event_paranoid: -\{0,1\}[0-9]* (ehshim listen allowed' "$T/status"
expect "no remedy expected" sh -c "! grep -q remedy '$T/status'"
expect "not ready" grep -q '^ready: ' "$T/status"
ktest_end
