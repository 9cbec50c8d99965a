#!/usr/bin/env bash
# The capture file on a full file system (a 64 KiB tmpfs). The program goes
# on logging long after the file system is full and must behave exactly as
# without the shim (stdout, stderr, exit status); the shim never crashes,
# and the capture file stays a clean sequence of whole records: `ehshim
# decode` reads it with exit status 0, every event is one of the program's
# lines, in order, so no torn record was left behind by a short write (the
# capture backend truncates a cut record away again). When space comes back
# (the test deletes a filler file while the program waits), the shim
# recovers: every later line is an event. Under EHSHIM_DEBUG=1 the counters
# report the failed writes.
#
# Needs root (mount); says SKIP when tmpfs cannot be mounted.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

mnt=$shim_tmp/full
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=64k,mode=0755 ehshim-test "$mnt" 2>"$shim_tmp/mount.err"; then
    echo "SKIP: cannot mount a tmpfs ($(head -n1 "$shim_tmp/mount.err")); needs root"
    exit 77
fi
trap 'umount "$mnt" 2>/dev/null; rm -rf "$shim_tmp"' EXIT

lines=1000
lines2=100
capture=$mnt/capture.dat

# run_case LABEL [debug]: one run with the shim capturing into $capture on
# the small tmpfs; the program waits, after 1000 lines (about 125 KiB of
# records), for the test to free 48 KiB, then logs 100 more (about 13 KiB).
run_case() {
    local label=$1 debug=${2:-}
    local out=$shim_tmp/$label
    rm -f "$capture" "$mnt/filler" "$out.ready" "$out.go"
    # 48 KiB of the 64 are taken by something else; the capture file fills
    # the rest within the first phase.
    head -c 49152 /dev/zero >"$mnt/filler"
    RUN_ENV=("EHSHIM_CAPTURE=$capture")
    [ -n "$debug" ] && RUN_ENV+=(EHSHIM_DEBUG=1)
    RUN_TIMEOUT=30
    # run_shim sets EHSHIM_CAPTURE=$out.dat first; RUN_ENV comes later and wins.
    run_shim "$out" fault_handshake "$SHIM_PROGRAMS/fault_handshake" "$out.ready" "$out.go" \
        "$lines" "$lines2" &
    local pid=$! n=0
    while [ ! -e "$out.ready" ] && [ $n -lt 200 ] && kill -0 "$pid" 2>/dev/null; do
        sleep 0.1
        n=$((n + 1))
    done
    [ -e "$out.ready" ] || fail "$label: the program never finished phase 1"
    # Full: not even one more record fits.
    local avail
    avail=$(df -k --output=avail "$mnt" | tail -n 1 | tr -d ' ')
    [ "$avail" -le 4 ] || fail "$label: the file system is not full after phase 1 ($avail KiB free)"
    cp "$capture" "$out.phase1.dat" 2>/dev/null
    rm -f "$mnt/filler"
    touch "$out.go"
    wait "$pid"
    RUN_ENV=()
    RUN_TIMEOUT=""
    cp "$capture" "$out.dat" 2>/dev/null || : >"$out.dat"
}

plain=$shim_tmp/plain
touch "$plain.go"
run_plain "$plain" fault_handshake "$SHIM_PROGRAMS/fault_handshake" "$plain.ready" "$plain.go" \
    "$lines" "$lines2"
expect_status "without the shim" 0 "$plain"

run_case quiet
out=$shim_tmp/quiet
expect_same_output "full file system" "$plain" "$out"

# The capture file: whole records only, decodable to the end.
for dat in "$out.phase1.dat" "$out.dat"; do
    if ! "$EHSHIM" decode "$dat" >"$dat.jsonl" 2>"$dat.err"; then
        fail "$(basename "$dat"): ehshim decode failed (a torn record?):"
        head -n 5 "$dat.err"
    fi
done
phase1_events=$(grep -c '"msg": "phase 1 line' "$out.dat.jsonl")
phase2_events=$(grep -c '"msg": "phase 2 line' "$out.dat.jsonl")
echo "capture file: $(stat -c %s "$out.dat") bytes, $phase1_events phase 1 events, $phase2_events phase 2 events"
[ "$phase1_events" -gt 0 ] || fail "no event of phase 1 at all"
[ "$phase1_events" -lt "$lines" ] || fail "all $lines phase 1 lines fit: the file system was never full"
# Every event is one of the program's lines, each at most once, in order.
msg_values "$out.dat.jsonl" | grep -v '^phase 2 syslog$' >"$out.msgs"
if ! awk 'NR == FNR { want[++n] = $0; next }
          { while (i < n && want[++i] != $0) {}
            if (want[i] != $0) { print "not in order or not a line: " $0; bad = 1; exit } }
             END { exit bad }' "$plain.err" "$out.msgs"; then
    fail "events are not an ordered subset of the program's stderr lines"
fi
# Recovered: with room again, every phase 2 line and the syslog message.
[ "$phase2_events" -eq "$lines2" ] ||
    fail "after space came back: $phase2_events of $lines2 phase 2 lines are events"
grep -q '"msg": "phase 2 syslog"' "$out.dat.jsonl" || fail "the phase 2 syslog message is no event"

# EHSHIM_DEBUG=1: the program's stdout and exit status are unchanged, its
# stderr too apart from "ehshim: " lines, and the counters show the failed
# writes.
run_case debug debug
out=$shim_tmp/debug
expect_status "EHSHIM_DEBUG=1" 0 "$out"
expect_file "EHSHIM_DEBUG=1" stdout "$plain.out" "$out.out"
grep -v '^ehshim: ' "$out.err" >"$out.program-err"
expect_file "EHSHIM_DEBUG=1" "stderr besides 'ehshim: ' lines" "$plain.err" "$out.program-err"
grep '^ehshim: ' "$out.err"
errors=$(sed -n 's/^ehshim: stderr: .* \([0-9][0-9]*\) write errors.*/\1/p' "$out.err")
[ "${errors:-0}" -gt 0 ] || fail "EHSHIM_DEBUG=1: no stderr write errors counted on a full file system"
"$EHSHIM" decode "$out.dat" >/dev/null 2>"$out.decode-err" ||
    fail "EHSHIM_DEBUG=1: ehshim decode failed: $(head -n 3 "$out.decode-err")"

shim_finish
