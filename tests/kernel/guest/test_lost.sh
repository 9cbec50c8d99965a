# A listener that falls behind loses samples when its ring is full; it must
# say so, and count them: written plus lost is what was sent.
. /opt/ehshim/guest/lib.sh
ktest_begin lost-samples
events=3000

"$E/tests/kernel/ktest_flood" --ready "$T/ready" --go "$T/go" --events $events \
    >"$T/flood.out" 2>&1 &
flood=$!
wait_for_file "$T/ready" 300 "" || note_failure "ktest_flood did not register"
start_listener "$T/live.json" "$T/live.err" KtestFlood || note_failure "listener did not start"
# Stopped, the listener cannot drain: 3000 events of 1 KB overflow its ring.
kill -STOP "$listener_pid"
touch "$T/go"
wait $flood || note_failure "ktest_flood failed: $(cat "$T/flood.out")"
kill -CONT "$listener_pid"
expect "listener did not end cleanly" stop_listener "$listener_pid" INT
sed 's/^/    /' "$T/flood.out" "$T/live.err"

summary=$(sed -n 's/^ehshim listen: \([0-9]*\) events, \([0-9]*\) lost$/\1 \2/p' "$T/live.err")
got=${summary% *}
lost=${summary#* }
if [ -z "$summary" ]; then
    note_failure "no summary line"
else
    expect "nothing was lost, so nothing was tested" [ "$lost" -gt 0 ]
    expect "$got events + $lost lost != $events sent" [ $((got + lost)) -eq $events ]
    expect "$got events reported, $(wc -l <"$T/live.json") printed" [ "$(wc -l <"$T/live.json")" -eq "$got" ]
    expect "the loss was not reported as it happened" grep -q 'events lost: a ring buffer was full' "$T/live.err"
fi
ktest_end
