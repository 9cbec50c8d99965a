# Events fit the backend (README "Event size").
#
# 1. The kernel's limit, measured: ktest_big writes events of many sizes
#    straight to user_events_data while `ehshim listen` (perf) collects and
#    ftrace is enabled too. Exactly the events of up to
#    EHD_USER_EVENTS_EVENT_MAX (8184) bytes reach the listener: 8184 is the
#    largest that arrives, 8185 the smallest that does not. Through the
#    core, 8184 bytes are written and 8185 refused (EMSGSIZE). ftrace's
#    own limit is printed for the README.
# 2. Lines of 1 KB to 64 KB through stderr and syslog(), from a program
#    under the shim with max_message_bytes 65000: every one arrives through
#    `ehshim listen -c`, nothing lost; the long ones are cut to fit and say
#    truncated, and what is kept is the start of the line.
. /opt/ehshim/guest/lib.sh
ktest_begin big-events
[ -f "$E/libehshim.so" ] || ktest_skip "libehshim.so is not built"
LIMIT=8184

# ---- 1. the limit ----
sizes="1000 2000 3000 $(seq 4000 4100 | tr '\n' ' ') 6000 8000 8176 8183 8184 8185 8186 8192 8200 9000 16000 32000 65000"
"$E/tests/kernel/ktest_big" --ready "$T/ready" --go "$T/go" --done "$T/done" $sizes \
    >"$T/big.out" 2>&1 &
big=$!
wait_for_file "$T/ready" 300 "" || note_failure "ktest_big did not register"
start_listener "$T/big.json" "$T/big.err" KtestBig || note_failure "listener did not start"
ftrace=$TRACEFS/events/user_events/KtestBig_L4K1/enable
echo >"$TRACEFS/trace"
echo 1 >"$ftrace" || note_failure "cannot enable KtestBig_L4K1 for ftrace"
touch "$T/go"
wait_for_file "$T/done" 600 "" || note_failure "ktest_big did not finish writing"
echo 0 >"$ftrace"
# While ktest_big still holds the tracepoint, ftrace can name its events.
cp "$TRACEFS/trace" "$T/ftrace"
rm -f "$T/go"
wait $big || note_failure "ktest_big failed: $(grep -v '^wrote' "$T/big.out" | head -n 3)"
expect "listener did not end cleanly" stop_listener "$listener_pid" INT
grep -v '^wrote' "$T/big.out" | sed 's/^/    /'
sed 's/^/    /' "$T/big.err"

sed -n '/"via"/!s/.*"size": \([0-9]*\),.*/\1/p' "$T/big.json" | sort -n >"$T/arrived"
for size in $sizes; do
    [ "$size" -le $LIMIT ] && echo "$size"
done | sort -n >"$T/fit"
if ! cmp -s "$T/fit" "$T/arrived"; then
    note_failure "the events that arrived are not exactly those of at most $LIMIT bytes"
    diff "$T/fit" "$T/arrived" | head -n 10 | sed 's/^/      /'
fi
expect "an event of $LIMIT bytes did not arrive" grep -qx "$LIMIT" "$T/arrived"
expect "an event of $((LIMIT + 1)) bytes arrived" sh -c "! grep -qx $((LIMIT + 1)) '$T/arrived'"
echo "    perf: largest event that arrived $(tail -n 1 "$T/arrived") bytes; every larger one was dropped by the kernel"
expect "the core's $LIMIT-byte event did not arrive" grep -q "\"size\": $LIMIT, \"via\": \"core\"" "$T/big.json"
expect "the core wrote an event past the limit" sh -c "[ \$(grep -c '\"via\": \"core\"' '$T/big.json') -eq 1 ]"
expect "the core did not refuse $((LIMIT + 1)) bytes" grep -qx "core: refused $((LIMIT + 1)) (EMSGSIZE)" "$T/big.out"

# ftrace: the header's id is the size's position in $sizes.
largest=0 smallest_lost=""
i=0
for size in $sizes; do
    i=$((i + 1))
    if grep -q "KtestBig_L4K1: .* id=[0-9a-fx]* ($i) " "$T/ftrace"; then
        [ "$size" -gt "$largest" ] && largest=$size
    elif [ -z "$smallest_lost" ] || [ "$size" -lt "$smallest_lost" ]; then
        smallest_lost=$size
    fi
done
grep -m 2 KtestBig_L4K1 "$T/ftrace" | sed "s/^/    trace: /"
echo "    ftrace: largest event that arrived $largest bytes, smallest that did not ${smallest_lost:-none}"
expect "ftrace took no event at all" [ "$largest" -gt 0 ]

# ---- 2. long lines under the shim ----
line_sizes="1000 2000 4000 7000 8000 8184 8192 16000 32000 64000"
printf '{ "provider": "KtestLong", "max_message_bytes": 65000 }\n' >"$T/long.json"
start_listener "$T/long.live" "$T/long.err" -c "$T/long.json" || note_failure "listener did not start"
EHSHIM_DEBUG=1 timeout 60 "$EHSHIM" run -c "$T/long.json" "$E/tests/kernel/ktest_long_lines" \
    $line_sizes 2>"$T/long.all"
rc=$?
# The shim's own report lines (EHSHIM_DEBUG=1) start with "ehshim: ".
grep -v '^ehshim: ' "$T/long.all" >"$T/long.stderr"
grep '^ehshim: ' "$T/long.all" | sed 's/^/    /'
[ $rc -eq 0 ] || note_failure "ktest_long_lines under the shim exited with $rc"
expect "listener did not end cleanly" stop_listener "$listener_pid" INT
sed 's/^/    /' "$T/long.err"

lines=0
for size in $line_sizes; do
    lines=$((lines + 2))
done
expect "the listener did not report $lines events, 0 lost" \
    grep -qx "ehshim listen: $lines events, 0 lost" "$T/long.err"
for source in stderr syslog; do
    expect "the shim's $source counters are not 10 written, 5 truncated, nothing dropped" \
        grep -qx "ehshim: $source: 10 lines seen, 10 events written, 0 dropped (0 disabled, 0 by rule, 0 write errors), 0 conversion failures, 5 truncated" "$T/long.all"
done
expect "the program's stderr changed under the shim" \
    [ "$(wc -c <"$T/long.stderr")" -eq "$(($(echo $line_sizes | tr ' ' '+') + lines / 2))" ]
for size in $line_sizes; do
    for kind in E S; do
        event=$(grep "\"msg\": \"$kind$size " "$T/long.live")
        count=$(grep -c "\"msg\": \"$kind$size " "$T/long.live")
        if [ "$count" -ne 1 ]; then
            note_failure "$count events for the $size-byte $kind line, want 1"
            continue
        fi
        msg=$(echo "$event" | sed 's/.*"msg": "\([^"]*\)".*/\1/')
        kept=${#msg}
        line=$(grep "^E$size " "$T/long.stderr" | sed "s/^E/$kind/")
        [ "$msg" = "$(echo "$line" | head -c "$kept")" ] ||
            note_failure "the $size-byte $kind line's message is not its start"
        truncated=no
        echo "$event" | grep -q '"truncated": true' && truncated=yes
        if [ "$kept" -lt "$size" ] && [ $truncated = no ]; then
            note_failure "the $size-byte $kind line was cut to $kept bytes without truncated"
        fi
        [ "$kept" -eq "$size" ] && [ $truncated = yes ] &&
            note_failure "the $size-byte $kind line is whole but says truncated"
        [ "$size" -le 7000 ] && [ "$kept" -ne "$size" ] &&
            note_failure "the $size-byte $kind line was cut to $kept bytes; it fits"
        [ "$size" -ge $LIMIT ] && [ $truncated = no ] &&
            note_failure "the $size-byte $kind line was not cut"
        echo "    $kind $size: $kept bytes kept, truncated $truncated"
    done
done
ktest_end
