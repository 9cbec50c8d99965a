# user_events writes failing under a program that runs under the shim.
#
# 1. The tracepoint deleted under the running program, both ways the kernel
#    offers (`!u:NAME` to dynamic_events, the DIAG_IOCSDEL ioctl). While the
#    program holds its registration the kernel refuses (EBUSY) and nothing
#    changes; if a kernel did delete it, the shim's writes would fail and
#    it must go quiet. Either way: the program's stdout, stderr and exit
#    status are unchanged, the shim's counters account for every line
#    (written + disabled + write errors = seen), and with the deletion
#    refused every line is an event for the listener.
# 2. The tracepoint disabled and enabled again through tracefs, up to 40
#    times, while the program writes 20,000 lines: writes racing a disable
#    fail with EBADF and count as "disabled" (written + disabled = seen, no
#    write error); that is no lost descriptor, so the shim never gives its
#    descriptor up, and once the tracepoint stays enabled every line is
#    written again. The program's output is unchanged throughout.
. /opt/ehshim/guest/lib.sh
ktest_begin writes-fail
[ -f "$E/libehshim.so" ] || ktest_skip "libehshim.so is not built"
phases=$E/tests/kernel/ktest_phases
[ -x "$phases" ] || ktest_skip "tests/kernel/ktest_phases is not built"
echo '{ "provider": "KtestGone" }' >"$T/gone.json"
name=KtestGone_L4K2

# The shim's exit report of stderr in FILE: "ehshim: stderr: N lines seen,
# N events written, N dropped (N disabled, N by rule, N write errors), ...".
seen_in() { sed -n 's/^ehshim: stderr: \([0-9]*\) lines seen.*/\1/p' "$1"; }
written_in() { sed -n 's/^ehshim: stderr: .*, \([0-9]*\) events written.*/\1/p' "$1"; }
disabled_in() { sed -n 's/^ehshim: stderr: .*(\([0-9]*\) disabled.*/\1/p' "$1"; }
errors_in() { sed -n 's/^ehshim: stderr: .*, \([0-9]*\) write errors).*/\1/p' "$1"; }
# expect_stderr FILE STEP COUNT...: FILE (stderr, "ehshim: " lines left
# out) holds "step S line I" for each (S, COUNT) pair, in order.
expect_stderr() {
    file=$1
    shift
    : >"$T/want.err"
    while [ $# -gt 0 ]; do
        i=0
        while [ $i -lt "$2" ]; do echo "step $1 line $i"; i=$((i + 1)); done >>"$T/want.err"
        shift 2
    done
    grep -v '^ehshim: ' "$file" >"$T/got.err"
    same_lines "the program's stderr" "$T/want.err" "$T/got.err"
}

# ---- 1. delete under the running program ----------------------------------
start_listener "$T/live.json" "$T/live.err" -c "$T/gone.json" || note_failure "listener did not start"
EHSHIM_DEBUG=1 timeout 60 "$EHSHIM" run -c "$T/gone.json" "$phases" log:100 "ready:$T/r1" \
    "wait:$T/g1" log:100 >"$T/del.out" 2>"$T/del.err" &
program=$!
wait_for_file "$T/r1" 300 "" || note_failure "the program did not finish its first 100 lines"
grep "$name" "$TRACEFS/user_events_status" | sed 's/^/    status: /'
echo "!u:$name" >>"$TRACEFS/dynamic_events" 2>"$T/dyn.err"
dyn_rc=$?
echo "    dynamic_events '!u:$name': exit $dyn_rc $(cat "$T/dyn.err")"
"$phases" --delete "$name" >"$T/ioctl.out" 2>&1
sed 's/^/    /' "$T/ioctl.out"
deleted=0
[ $dyn_rc -eq 0 ] && deleted=1
grep -q ": ok$" "$T/ioctl.out" && deleted=1
touch "$T/g1"
wait $program
rc=$?
expect "the program exited with $rc" [ $rc -eq 0 ]
expect_stderr "$T/del.err" 1 100 4 100
printf 'step 1 done\nstep 2 done\nstep 3 done\nstep 4 done\n' >"$T/want.out"
same_lines "the program's stdout" "$T/want.out" "$T/del.out"
grep '^ehshim: ' "$T/del.err" | sed 's/^/    /'
seen=$(seen_in "$T/del.err")
written=$(written_in "$T/del.err")
disabled=$(disabled_in "$T/del.err")
errors=$(errors_in "$T/del.err")
expect "no counters in the shim's exit report" [ -n "$seen" -a -n "$written" ]
expect "lines seen $seen, expected 200" [ "${seen:-0}" -eq 200 ]
expect "written $written + disabled $disabled + errors $errors != seen $seen" \
    [ $(( ${written:-0} + ${disabled:-0} + ${errors:-0} )) -eq "${seen:-0}" ]
expect "listener did not end cleanly" stop_listener "$listener_pid" INT
got=$(grep -c "\"n\": \"KtestGone:Stderr\", \"msg\": \"step [14] line" "$T/live.json")
if [ $deleted -eq 0 ]; then
    echo "    the kernel refused both deletions while the program was registered"
    expect "with the deletion refused, $got of 200 lines reached the listener" [ "$got" -eq 200 ]
    expect "with the deletion refused, written $written of 200" [ "${written:-0}" -eq 200 ]
else
    echo "    the kernel deleted the tracepoint under the program"
    expect "no events before the deletion" [ "$got" -ge 100 ]
fi

# ---- 2. enabled and disabled while the program writes ---------------------
enable=$TRACEFS/events/user_events/$name/enable
EHSHIM_DEBUG=1 timeout 100 "$EHSHIM" run -c "$T/gone.json" "$phases" "ready:$T/r2" "wait:$T/g2" \
    log:20000 "ready:$T/r3" "wait:$T/g3" log:100 >"$T/flip.out" 2>"$T/flip.err" &
program=$!
wait_for_file "$T/r2" 300 "" || note_failure "the program did not start"
if [ -f "$enable" ]; then
    echo 1 >"$enable"
    touch "$T/g2"
    n=0
    while [ $n -lt 40 ] && [ ! -e "$T/r3" ]; do
        echo 0 >"$enable"
        echo 1 >"$enable"
        n=$((n + 1))
    done
    echo "    flipped the tracepoint $n times while the program wrote"
    wait_for_file "$T/r3" 600 "" || note_failure "the program did not finish its 20,000 lines"
    echo 1 >"$enable"
    touch "$T/g3"
else
    note_failure "no $enable while the program runs"
    touch "$T/g2" "$T/g3"
fi
wait $program
rc=$?
[ -f "$enable" ] && echo 0 >"$enable" 2>/dev/null
expect "the flipped program exited with $rc" [ $rc -eq 0 ]
expect_stderr "$T/flip.err" 3 20000 6 100
grep '^ehshim: ' "$T/flip.err" | sed 's/^/    /'
seen=$(seen_in "$T/flip.err")
written=$(written_in "$T/flip.err")
disabled=$(disabled_in "$T/flip.err")
errors=$(errors_in "$T/flip.err")
# Lines logged while disabled are not even seen (that is the point of the
# enable bit); the last 100, logged enabled, are.
expect "flipped: lines seen $seen, expected 100 to 20100" [ "${seen:-0}" -ge 100 -a "${seen:-0}" -le 20100 ]
expect "flipped: $errors write errors (a disabled write is no error)" [ "${errors:-1}" -eq 0 ]
expect "flipped: written $written + disabled $disabled != seen $seen" \
    [ $(( ${written:-0} + ${disabled:-0} )) -eq "${seen:-0}" ]
expect "flipped: only $written written; the last 100 lines (tracepoint enabled) must be" \
    [ "${written:-0}" -ge 100 ]
if grep -q "not capturing any more" "$T/flip.err"; then
    note_failure "flipped: the shim gave its descriptor up over EBADF from a disabled tracepoint"
fi
ktest_end
