#!/usr/bin/env bash
# ehshim listen where it cannot run: bad command lines and configs are
# refused (exit 2) before anything is opened, and a machine without tracefs
# or user_events gets a clear message and exit 1. The VM suite covers the
# machine where it runs.
set -u
BUILD=${BUILD:-build}
EHSHIM=${EHSHIM:-$BUILD/ehshim}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-listen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_exit STATUS PATTERN ARGS...: runs ehshim listen ARGS and checks its
# exit status and that stderr matches PATTERN (grep -E).
expect_exit() {
    local want=$1 pattern=$2
    shift 2
    timeout 10 "$EHSHIM" listen "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    local rc=$?
    [ $rc -eq "$want" ] || fail "listen $*: exit $rc, expected $want; stderr: $(cat "$tmp/err")"
    grep -qE "$pattern" "$tmp/err" || fail "listen $*: stderr lacks /$pattern/: $(cat "$tmp/err")"
    [ -s "$tmp/out" ] && fail "listen $*: printed on stdout: $(cat "$tmp/out")"
}

expect_exit 2 'name a PROVIDER or a config'
expect_exit 2 'not a provider name' 'bad name'
expect_exit 2 'not a provider name' 'a:b'
expect_exit 2 'unknown option' --bogus Provider
expect_exit 2 'unknown option or missing value' -c
echo '{ "provider": "X", "nonsense": 1 }' >"$tmp/bad.json"
expect_exit 2 "bad.json:[0-9]+:[0-9]+: " -c "$tmp/bad.json"
"$EHSHIM" listen --help | grep -q '^usage: ehshim listen' || fail "--help shows no usage"

tracing=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
if [ -z "$tracing" ]; then
    expect_exit 1 'tracefs is not mounted \(ehshim status tells more\)' SomeProvider
    expect_exit 1 'tracefs is not mounted' -o "$tmp/out.dat" SomeProvider
fi

[ $failures -eq 0 ] && echo PASS
[ $failures -eq 0 ]
