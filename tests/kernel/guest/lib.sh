# Helpers of the guest tests; sourced by each test_NAME.sh, never run alone.
#
# A test calls ktest_begin NAME, checks with `expect` / `note_failure`
# (every failure is kept, the test goes on), and ends with ktest_end, which
# prints the one result line the host counts: "KTEST PASS NAME", or
# "KTEST FAIL NAME: first failure"; ktest_skip prints "KTEST SKIP NAME: why".
# Everything else a test prints is for the log.

E=/opt/ehshim
EHSHIM=$E/ehshim
TRACEFS=/sys/kernel/tracing
T=$(mktemp -d /tmp/ktest.XXXXXX)
ktest_failure=""
listener_pid=""

ktest_begin() {
    ktest_name=$1
    echo "--- $ktest_name"
}

note_failure() {
    echo "    failed: $*"
    [ -n "$ktest_failure" ] || ktest_failure=$*
}

# expect "what" command...: runs the command, notes a failure when it fails.
expect() {
    what=$1
    shift
    "$@" || note_failure "$what"
}

ktest_skip() {
    echo "KTEST SKIP $ktest_name: $*"
    exit 0
}

ktest_end() {
    if [ -n "$listener_pid" ]; then
        kill -KILL "$listener_pid" 2>/dev/null
    fi
    if [ -z "$ktest_failure" ]; then
        echo "KTEST PASS $ktest_name"
    else
        echo "KTEST FAIL $ktest_name: $ktest_failure"
    fi
    exit 0
}

# Waits up to $2 tenths of a second for file $1 to exist and hold "$3"
# (any content when $3 is empty).
wait_for_file() {
    n=0
    while [ $n -lt "$2" ]; do
        if [ -f "$1" ] && { [ -z "$3" ] || grep -q "$3" "$1"; }; then
            return 0
        fi
        sleep 0.1
        n=$((n + 1))
    done
    return 1
}

# start_listener OUT ERR ARGS...: ehshim listen ARGS in the background,
# stdout to OUT and stderr to ERR; returns once it says it is ready.
# Its pid is in $listener_pid.
start_listener() {
    out=$1 err=$2
    shift 2
    "$EHSHIM" listen "$@" >"$out" 2>"$err" &
    listener_pid=$!
    if ! wait_for_file "$err" 600 "ready:"; then
        echo "    listener did not get ready; its stderr:"
        sed 's/^/      /' "$err"
        return 1
    fi
}

# stop_listener PID SIGNAL: ends a listener; fails unless it exits 0.
stop_listener() {
    kill "-$2" "$1"
    wait "$1"
    rc=$?
    [ "$1" = "$listener_pid" ] && listener_pid=""
    [ $rc -eq 0 ] || echo "    listener $1 exited with $rc"
    [ $rc -eq 0 ]
}

# The JSON lines of a listener without what the collector adds to "meta"
# (time, cpu, pid, tid): then they must equal `ehshim decode` of a capture.
# The last "meta" of a line is the event's own (a field may be called meta).
strip_sample_meta() {
    sed -r 's/^(.*"meta": \{ )"time": "[^"]*", "cpu": [0-9]+, "pid": [0-9]+, "tid": [0-9]+, /\1/' "$1"
}

# same_lines WHAT EXPECTED ACTUAL: notes a failure with a diff when the
# files differ.
same_lines() {
    if ! cmp -s "$2" "$3"; then
        note_failure "$1: $(wc -l <"$3") lines differ from the $(wc -l <"$2") expected"
        diff "$2" "$3" | head -n 10 | sed 's/^/      /'
        return 1
    fi
}
