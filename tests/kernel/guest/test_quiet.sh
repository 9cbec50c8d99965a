# With nobody listening the shim writes nothing to user_events_data: its
# counters (EHSHIM_DEBUG=1, printed at exit) show no event written and no
# failed write (a write to a disabled tracepoint would fail with EBADF).
# Lines it skipped for want of a listener need not even be counted: the
# point of the enable bit is that they cost nothing.
. /opt/ehshim/guest/lib.sh
ktest_begin nobody-listening
[ -f "$E/libehshim.so" ] || ktest_skip "libehshim.so is not built"
[ -x "$E/examples/demo_service" ] || ktest_skip "examples/demo_service is not built"

EHSHIM_DEBUG=1 timeout 20 "$EHSHIM" run -c "$E/examples/demo.json" "$E/examples/demo_service" \
    >/dev/null 2>"$T/err"
rc=$?
[ $rc -eq 0 ] || note_failure "demo under ehshim run exited with $rc"
grep '^ehshim: ' "$T/err" | sed 's/^/    /'
for source in syslog stderr; do
    counters=$(grep "^ehshim: $source: " "$T/err")
    if [ -z "$counters" ]; then
        note_failure "no $source counters in the shim's report"
        continue
    fi
    written=$(echo "$counters" | sed -n 's/.* \([0-9][0-9]*\) events written.*/\1/p')
    errors=$(echo "$counters" | sed -n 's/.* \([0-9][0-9]*\) write errors.*/\1/p')
    expect "$source: events written with nobody listening" [ "${written:-x}" = 0 ]
    expect "$source: writes attempted with nobody listening" [ "${errors:-x}" = 0 ]
done
ktest_end
