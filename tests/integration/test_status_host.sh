#!/usr/bin/env bash
# ehshim status on a machine without user_events (the CI machine: Debian's
# and Ubuntu's kernels lack it) names the missing kernel feature with its
# remedy, and exits non-zero. The VM suite checks the machine that has it.
set -u
BUILD=${BUILD:-build}
EHSHIM=${EHSHIM:-$BUILD/ehshim}
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

tracing=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
if [ -n "$tracing" ] && [ -e "$tracing/user_events_data" ]; then
    echo "SKIP: this machine has user_events; tests/kernel covers that case"
    exit 77
fi

out=$("$EHSHIM" status 2>&1)
rc=$?
echo "$out"
[ $rc -eq 1 ] || fail "exit status $rc, expected 1"

release=$(uname -r)
line() { echo "$out" | sed -n "${1}p"; }
case "$(line 1)" in
    "kernel user_events:  missing: Linux $release was built without CONFIG_USER_EVENTS ("*")") ;;
    *) fail "line 1 does not name the missing kernel feature: $(line 1)" ;;
esac
expected_remedy="  remedy:            boot a kernel built with CONFIG_USER_EVENTS=y (Linux 6.4 or later; Debian's and Ubuntu's stock kernels lack it)"
[ "$(line 2)" = "$expected_remedy" ] || fail "line 2 is not the kernel remedy: $(line 2)"

if [ -z "$tracing" ]; then
    [ "$(line 3)" = "tracefs:             not mounted" ] || fail "line 3: $(line 3)"
    [ "$(line 4)" = "  remedy:            mount -t tracefs nodev /sys/kernel/tracing   (as root)" ] ||
        fail "line 4 is not the tracefs remedy: $(line 4)"
    [ "$(line 5)" = "user_events_data:    unknown until tracefs is mounted" ] || fail "line 5: $(line 5)"
else
    [ "$(line 3)" = "tracefs:             mounted at $tracing" ] || fail "line 3: $(line 3)"
    [ "$(line 4)" = "user_events_data:    missing (the kernel has no user_events)" ] ||
        fail "line 4: $(line 4)"
fi
echo "$out" | grep -q '^perf_event_paranoid: ' || fail "no perf_event_paranoid line"
echo "$out" | tail -n 1 | grep -q '^not ready: [1-4] of 4 pieces missing or unknown$' ||
    fail "last line: $(echo "$out" | tail -n 1)"

[ $failures -eq 0 ] && echo PASS
[ $failures -eq 0 ]
