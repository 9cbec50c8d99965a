# Helpers shared by the test_shim_*.sh scripts; sourced, never run alone.
#
# A script sources this file, calls shim_require, runs its cases with
# run_plain / run_shim, checks with the expect_* helpers (each failure is
# printed and counted, the script goes on), and ends with shim_finish.
#
# Environment: BUILD (build directory, default build), EHSHIM (the tool,
# default $BUILD/ehshim).
set -u

BUILD=${BUILD:-build}
EHSHIM=${EHSHIM:-$BUILD/ehshim}
SHIM_PROGRAMS=$BUILD/tests/shim
SHIM_LIBRARY=$BUILD/libehshim.so

# Settings a developer may have exported would change what the shim does.
unset EHSHIM_CONFIG EHSHIM_CAPTURE EHSHIM_DEBUG
# Messages of system programs must not depend on the machine's language.
export LC_ALL=C

shim_failures=0
shim_tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-test.XXXXXX")
trap 'rm -rf "$shim_tmp"' EXIT

fail() {
    echo "FAIL: $*"
    shim_failures=$((shim_failures + 1))
}

# Exits the script: 1 when anything failed, else 0.
shim_finish() {
    if [ "$shim_failures" -ne 0 ]; then
        echo "$shim_failures check(s) failed"
        exit 1
    fi
    # Part of the script could not run: the whole is a SKIP, with the reason.
    if [ -n "${shim_skipped:-}" ]; then
        echo "SKIP: $shim_skipped (the rest passed)"
        exit 77
    fi
    echo "PASS"
    exit 0
}

# Makes sure the tool, the library and the test programs exist and sets
# SHIM_PRELOAD (LD_PRELOAD value for the shim) and SHIM_ASAN_OPTIONS.
shim_require() {
    local missing=""
    [ -x "$EHSHIM" ] || missing="$missing $EHSHIM"
    [ -f "$SHIM_LIBRARY" ] || missing="$missing $SHIM_LIBRARY"
    [ -d "$SHIM_PROGRAMS" ] || missing="$missing $SHIM_PROGRAMS/"
    if [ -n "$missing" ]; then
        echo "FAIL: not built:$missing (run make BUILD=$BUILD)"
        exit 1
    fi
    SHIM_LIBRARY=$(cd "$(dirname "$SHIM_LIBRARY")" && pwd)/libehshim.so
    SHIM_PROGRAMS=$(cd "$SHIM_PROGRAMS" && pwd)
    SHIM_PRELOAD=$SHIM_LIBRARY
    SHIM_SANITIZER_RUNTIME=""
    SHIM_ASAN_OPTIONS=${ASAN_OPTIONS:-}
    # A sanitized shim (the ASan build) needs its runtime loaded before
    # anything else in the uninstrumented host programs. The hosts' own
    # leaks are not the shim's: leak checking stays off in them.
    local runtime
    runtime=$(ldd "$SHIM_LIBRARY" 2>/dev/null | awk '$1 ~ /^lib(asan|ubsan)\.so/ { print $3; exit }')
    if [ -n "$runtime" ]; then
        SHIM_SANITIZER_RUNTIME=$runtime
        SHIM_PRELOAD=$runtime:$SHIM_LIBRARY
        # check_printf=0: the runtime's own printf interceptor warns about
        # a host program's registered conversions (%W), which is not ours.
        SHIM_ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:check_printf=0
    fi
}

# Extra NAME=VALUE settings for the next run_plain/run_shim calls.
RUN_ENV=()
# 1: the next runs send stderr into OUT.out too (2>&1 made by the parent);
# OUT.err is then empty.
RUN_MERGE=0

# When set for one run (RUN_STDERR=FILE run_plain ...): the program's
# stderr is FILE (/dev/null, /dev/full); OUT.err is then empty.
RUN_STDERR=${RUN_STDERR:-}

# Opens OUT.out and OUT.err on fds 1 and 2 of the calling subshell.
_redirect_outputs() {
    local out=$1
    exec >"$out.out"
    if [ -n "$RUN_STDERR" ]; then
        : >"$out.err"
        exec 2>"$RUN_STDERR"
    elif [ "$RUN_MERGE" = 1 ]; then
        : >"$out.err"
        exec 2>&1
    else
        exec 2>"$out.err"
    fi
}

# Seconds after which run_plain/run_shim kill the program (exit status 124
# then, as timeout(1) reports it); empty: no limit. With a limit, ARGV0 is
# ignored (argv[0] is the program's path), since timeout(1) and env(1) run
# the program: neither runs under the shim, as LD_PRELOAD is set by env.
RUN_TIMEOUT=""

# _run OUT ARGV0 NAME=VALUE... -- PROGRAM [ARGS]: runs PROGRAM with the
# settings and RUN_ENV in its environment only.
_run() {
    local out=$1 argv0=$2
    shift 2
    local settings=()
    while [ "$1" != "--" ]; do
        settings+=("$1")
        shift
    done
    shift
    settings+=("${RUN_ENV[@]}")
    (
        _redirect_outputs "$out"
        if [ -n "$RUN_TIMEOUT" ]; then
            exec timeout -k 5 "$RUN_TIMEOUT" env "${settings[@]}" "$@"
        fi
        for setting in "${settings[@]}"; do export "${setting?}"; done
        exec -a "$argv0" "$@"
    ) </dev/null
    echo $? >"$out.status"
}

# run_plain OUT ARGV0 PROGRAM [ARGS]: runs PROGRAM (argv[0] set to ARGV0)
# without the shim; stdout, stderr and exit status land in OUT.out,
# OUT.err, OUT.status. stdin is /dev/null.
run_plain() {
    local out=$1 argv0=$2
    shift 2
    _run "$out" "$argv0" -- "$@"
}

# run_shim OUT ARGV0 PROGRAM [ARGS]: like run_plain, with the shim preloaded
# and its events captured into OUT.dat (removed first).
run_shim() {
    local out=$1 argv0=$2
    shift 2
    rm -f "$out.dat"
    local settings=("LD_PRELOAD=$SHIM_PRELOAD${LD_PRELOAD:+:$LD_PRELOAD}" "EHSHIM_CAPTURE=$out.dat")
    [ -n "$SHIM_ASAN_OPTIONS" ] && settings+=("ASAN_OPTIONS=$SHIM_ASAN_OPTIONS")
    _run "$out" "$argv0" "${settings[@]}" -- "$@"
}

# decode_events OUT: decodes OUT.dat into OUT.jsonl (empty when the shim
# wrote no file). A decode failure is a test failure.
decode_events() {
    local out=$1
    : >"$out.jsonl"
    [ -e "$out.dat" ] || return 0
    if ! "$EHSHIM" decode --no-stamp "$out.dat" >"$out.jsonl" 2>"$out.decode-err"; then
        fail "$(basename "$out"): ehshim decode failed on the capture file:"
        head -n 5 "$out.decode-err"
    fi
}

# expect_same_output NAME PLAIN SHIM: stdout, stderr and exit status of the
# two runs must be byte-identical.
expect_same_output() {
    local name=$1 plain=$2 shim=$3 part
    for part in out err status; do
        if ! cmp -s "$plain.$part" "$shim.$part"; then
            fail "$name: $part differs with the shim (< without, > with):"
            LC_ALL=C diff -a "$plain.$part" "$shim.$part" | head -n 20
        fi
    done
}

# expect_file NAME WHAT EXPECTED ACTUAL: files must be identical.
expect_file() {
    local name=$1 what=$2 expected=$3 actual=$4
    if ! cmp -s "$expected" "$actual"; then
        fail "$name: $what differ (< expected, > actual):"
        LC_ALL=C diff -a "$expected" "$actual" | head -n 30
    fi
}

# expect_status NAME EXPECTED OUT
expect_status() {
    local name=$1 expected=$2 actual
    actual=$(cat "$3.status")
    [ "$actual" = "$expected" ] || fail "$name: exit status $actual, expected $expected"
}

# json_string TEXT: TEXT as a JSON string literal (quotes and backslashes
# escaped; the test messages hold no control characters).
json_string() {
    local s=${1//\\/\\\\}
    s=${s//\"/\\\"}
    printf '"%s"' "$s"
}

# The JSON lines of the default config's events (no EHSHIM_CONFIG).
# stderr_event IDENT MESSAGE [LEVEL]
stderr_event() {
    printf '{ "n": "ehshim:Stderr", "msg": %s, "ident": %s, "meta": { "level": %s, "keyword": "0x2" } }\n' \
        "$(json_string "$2")" "$(json_string "$1")" "${3:-4}"
}

# syslog_event IDENT FACILITY LEVEL MESSAGE
syslog_event() {
    printf '{ "n": "ehshim:Syslog", "msg": %s, "ident": %s, "facility": %s, "meta": { "level": %s, "keyword": "0x1" } }\n' \
        "$(json_string "$4")" "$(json_string "$1")" "$2" "$3"
}

# msg_values JSONL: the "msg" value of every line, one per line (the
# messages of these tests hold no quotes or backslashes).
msg_values() {
    sed -n 's/^{ "n": "[^"]*", "msg": "\([^"\\]*\)".*/\1/p' "$1"
}
