# A child that logs after fork emits its events under its own pid.
. /opt/ehshim/guest/lib.sh
ktest_begin fork-pid
[ -f "$E/libehshim.so" ] || ktest_skip "libehshim.so is not built"
echo '{ "provider": "KtestFork" }' >"$T/fork.json"

start_listener "$T/live.json" "$T/live.err" -c "$T/fork.json" || note_failure "listener did not start"
timeout 20 "$EHSHIM" run -c "$T/fork.json" "$E/tests/kernel/ktest_fork_logger" 2>"$T/run.err"
rc=$?
[ $rc -eq 0 ] || note_failure "ktest_fork_logger under the shim exited with $rc$( [ $rc -eq 143 ] && echo ' (killed after 20 s: it hung)')"
expect "listener did not end cleanly" stop_listener "$listener_pid" INT
sed 's/^/    /' "$T/run.err" "$T/live.json"

parent=$(sed -n 's/^parent before fork pid=\([0-9]*\)$/\1/p' "$T/run.err")
child=$(sed -n 's/^child after fork pid=\([0-9]*\)$/\1/p' "$T/run.err")
if [ -z "$parent" ] || [ -z "$child" ] || [ "$parent" = "$child" ]; then
    note_failure "the program did not report two pids (parent '$parent', child '$child')"
    ktest_end
fi
# has_event_of_pid TEXT PID: the event whose message holds TEXT was
# recorded for process PID (its only thread).
has_event_of_pid() {
    grep -F "$1" "$T/live.json" | grep -q "\"pid\": $2, \"tid\": $2, "
}
expect "parent's line not under pid $parent" has_event_of_pid "parent before fork pid=$parent" "$parent"
expect "child's stderr line not under pid $child" has_event_of_pid "child after fork pid=$child" "$child"
expect "child's syslog message not under pid $child" has_event_of_pid "child syslog pid=$child" "$child"
expect "parent's line after the fork not under pid $parent" \
    has_event_of_pid "parent after fork pid=$parent" "$parent"
ktest_end
