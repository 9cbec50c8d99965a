#!/usr/bin/env bash
# Runs every test given on the command line: unit test binaries and
# integration scripts (*.sh, run with bash). `--build DIR` before a group of
# tests says which build they belong to: scripts then get EHSHIM=DIR/ehshim
# and BUILD=DIR, and the test's label gets the prefix DIR/.
# Exit status 77 means SKIP (the test prints "SKIP: reason"), and so does a
# cmocka binary that skipped any of its tests.
# Prints one line per test and closes with "N passed, N failed, N skipped".
#
# Tests run EHSHIM_TEST_JOBS at a time (default: the number of CPUs, nproc);
# EHSHIM_TEST_JOBS=1 runs them one after another in the order given. Each
# test writes into its own log (BUILD/test-logs/LABEL.log, stdin /dev/null);
# its line, and a failure's last 40 log lines, are printed whole when it
# ends, so lines come in the order the tests end. The failures and skips are
# listed again just before the summary line. BUILD/test-logs/times.txt
# gets each test's wall time in seconds, the slowest first.
#
# The tests under a directory named real (tests/real: real daemons on fixed
# 127.0.0.1 ports, apt-get, mount namespaces) run one at a time. With more
# than one job they run beside the EHSHIM_TEST_JOBS others, from the start:
# they spend most of their time waiting for their daemons and timers, and
# one after another they are the run's longest chain. Every other test
# keeps its files in a mktemp directory of its own and uses no fixed port
# or path, so any of them may run together, the same script of two builds
# too.
#
# A script whose first 30 lines hold "# run.sh: plain build only" is not run
# for a sanitized build (DIR/ehshim linked with the ASan or UBSan runtime):
# it checks text the plain build's run checks as well. The runner says once
# per build which scripts it left out; they are not counted.
set -u
passed=0 failed=0 skipped=0
build="${BUILD:-build}"
logdir="${BUILD:-build}/test-logs"
mkdir -p "$logdir"

jobs=${EHSHIM_TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $jobs in
    '' | *[!0-9]* | 0)
        echo "tests/run.sh: EHSHIM_TEST_JOBS must be a number of tests at a time (1 or more), not '$jobs'" >&2
        exit 2 ;;
esac

# ---- the tests, in the order given
paths=() builds=() labels=() logs=() lanes=()
declare -A sanitized=() left_out=() log_taken=()
while [ $# -gt 0 ]; do
    t=$1
    shift
    if [ "$t" = "--build" ]; then
        build=$1
        shift
        continue
    fi
    if [ -z "${sanitized[$build]:-}" ]; then
        sanitized[$build]=no
        ldd "$build/ehshim" 2>/dev/null | grep -q 'lib\(asan\|ubsan\)\.so' && sanitized[$build]=yes
    fi
    if [ "${sanitized[$build]}" = yes ] && [[ "$t" == *.sh ]] &&
        head -n 30 "$t" 2>/dev/null | grep -q '^# run\.sh: plain build only'; then
        left_out[$build]+=" $(basename "$t")"
        continue
    fi
    label="$build/$(basename "$t")"
    log="$logdir/$(echo "$label" | tr '/' '_').log"
    # The same test given twice runs twice; each run keeps a log of its own.
    n=1
    while [ -n "${log_taken[$log]:-}" ]; do
        n=$((n + 1))
        log="$logdir/$(echo "$label" | tr '/' '_').$n.log"
    done
    log_taken[$log]=1
    lane=""
    case "/$t" in */real/*) lane=real ;; esac
    paths+=("$t") builds+=("$build") labels+=("$label") logs+=("$log") lanes+=("$lane")
done
total=${#paths[@]}
for b in "${!left_out[@]}"; do
    echo "not run for the sanitized build $b (text checks, which the plain build runs):${left_out[$b]}"
done

# ---- running them
state=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-run.XXXXXX")
trap 'rm -rf "$state"' EXIT
declare -A lane_busy=()
pids=() started=() failures=() skips=() began=() times=()
running=0 in_pool=0 finished=0 first_pending=0

# Starts test I in the background; its exit status lands in $state/I.rc.
start_test() {
    local i=$1 t=${paths[$1]} b=${builds[$1]}
    (
        trap - INT QUIT TERM
        if [[ "$t" == *.sh ]]; then
            BUILD="$b" EHSHIM="$b/ehshim" bash "$t"
        else
            "$t"
        fi >"${logs[$i]}" 2>&1 </dev/null
        echo $? >"$state/$i.rc"
    ) &
    pids[i]=$!
    started[i]=1
    began[i]=${EPOCHREALTIME/,/.}
    running=$((running + 1))
    if [ -n "${lanes[i]}" ]; then
        lane_busy[${lanes[i]}]=1
    else
        in_pool=$((in_pool + 1))
    fi
}

# Sets next to the test to start now, or -1: with one job the next in the
# order given once nothing runs; with more, the first pending test of a
# free lane, else the first pending test outside the lanes while fewer than
# EHSHIM_TEST_JOBS of those run.
pick_next() {
    local i
    next=-1
    while [ "$first_pending" -lt "$total" ] && [ -n "${started[first_pending]:-}" ]; do
        first_pending=$((first_pending + 1))
    done
    if [ "$jobs" -eq 1 ]; then
        [ "$running" -eq 0 ] && [ "$first_pending" -lt "$total" ] && next=$first_pending
        return
    fi
    for ((i = first_pending; i < total; i++)); do
        [ -z "${started[i]:-}" ] && [ -n "${lanes[i]}" ] && [ -z "${lane_busy[${lanes[i]}]:-}" ] &&
            { next=$i; return; }
    done
    [ "$in_pool" -lt "$jobs" ] || return
    for ((i = first_pending; i < total; i++)); do
        [ -z "${started[i]:-}" ] && [ -z "${lanes[i]}" ] && { next=$i; return; }
    done
}

# Reports test I, which has ended: one block, printed at once.
finish_test() {
    local i=$1 label=${labels[$1]} log=${logs[$1]} rc reason out
    wait "${pids[i]}" 2>/dev/null
    rc=$(cat "$state/$i.rc")
    times+=("$(echo "${EPOCHREALTIME/,/.} ${began[i]}" | awk '{ printf "%.1f", $1 - $2 }') $label")
    # A cmocka binary that skipped some of its tests exits 0 all the same:
    # it is not a pass then. Its reason is the "SKIP: ..." line it printed.
    if [ "$rc" -eq 0 ] && grep -q '^\[  SKIPPED \]' "$log"; then
        rc=77
        grep -q '^SKIP' "$log" ||
            echo "SKIP: cmocka skipped $(grep -c '^\[  SKIPPED \] [a-z]' "$log") test(s)" >>"$log"
    fi
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        out="PASS $label"
    elif [ "$rc" -eq 77 ]; then
        skipped=$((skipped + 1))
        reason=$(grep -m1 '^SKIP' "$log" | sed 's/^SKIP:* *//')
        skips+=("$label: $reason")
        out="SKIP $label: $reason"
    else
        failed=$((failed + 1))
        failures+=("$label (exit $rc; log $log)")
        out="FAIL $label (exit $rc)"$'\n'"$(tail -n 40 "$log" | sed 's/^/    /')"
    fi
    printf '%s\n' "$out"
    running=$((running - 1))
    finished=$((finished + 1))
    if [ -n "${lanes[i]}" ]; then
        unset "lane_busy[${lanes[i]}]"
    else
        in_pool=$((in_pool - 1))
    fi
    unset "pids[i]"
}

# Interrupted or terminated: end the tests still running (their scripts'
# own traps then stop what they started) and say so.
stop_all() {
    trap '' INT TERM HUP
    local i
    for i in "${!pids[@]}"; do
        command -v pkill >/dev/null && pkill -TERM -P "${pids[i]}" 2>/dev/null
        kill -TERM "${pids[i]}" 2>/dev/null
    done
    wait
    rm -rf "$state"
    echo "tests/run.sh: interrupted; ${passed} passed, ${failed} failed, ${skipped} skipped before that"
    exit 130
}
trap stop_all INT TERM HUP

if [ "$jobs" -gt 1 ]; then
    n_lane=0
    for lane in "${lanes[@]}"; do [ -n "$lane" ] && n_lane=$((n_lane + 1)); done
    if [ "$n_lane" -gt 0 ]; then
        echo "$total tests: $((total - n_lane)) of them $jobs at a time (EHSHIM_TEST_JOBS), and beside them the $n_lane under real/ one at a time"
    else
        echo "$total tests, $jobs at a time (EHSHIM_TEST_JOBS)"
    fi
fi
while [ "$finished" -lt "$total" ]; do
    while pick_next; [ "$next" -ge 0 ]; do
        start_test "$next"
    done
    wait -n
    for i in "${!pids[@]}"; do
        [ -f "$state/$i.rc" ] && finish_test "$i"
    done
done
rm -rf "$state"
[ ${#times[@]} -gt 0 ] && printf '%s\n' "${times[@]}" | sort -rn >"$logdir/times.txt"

if [ ${#skips[@]} -gt 0 ] || [ ${#failures[@]} -gt 0 ]; then
    [ ${#skips[@]} -gt 0 ] && printf 'skipped: %s\n' "${skips[@]}"
    [ ${#failures[@]} -gt 0 ] && printf 'failed:  %s\n' "${failures[@]}"
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ $failed -eq 0 ]
