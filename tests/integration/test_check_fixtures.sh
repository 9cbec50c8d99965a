#!/usr/bin/env bash
# `ehshim check` against the config fixtures: every tests/config/bad/X.json
# must exit 1 with stderr equal, byte for byte, to X.expected and print
# nothing on stdout; every tests/config/good/*.json must exit 0 silently;
# every tests/config/warn/X.json exits 0 with its warnings in X.expected.
# Runs from the repo root (paths in the expected messages are relative).
set -u
cd "$(dirname "$0")/../.."
EHSHIM=${EHSHIM:-${BUILD:-build}/ehshim}
if [ ! -x "$EHSHIM" ]; then
    echo "FAIL: $EHSHIM is not built"
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checked=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# expect_messages CONFIG STATUS: check exits STATUS, prints nothing on
# stdout and on stderr exactly CONFIG's .expected file.
expect_messages() {
    local config=$1 status=$2 expected=${1%.json}.expected
    checked=$((checked + 1))
    if [ ! -f "$expected" ]; then
        fail "$config has no $(basename "$expected")"
        return
    fi
    "$EHSHIM" check "$config" >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    [ $rc -eq "$status" ] || fail "$config: exit status $rc, want $status"
    [ -s "$tmp/stdout" ] && fail "$config: printed on stdout: $(head -c 200 "$tmp/stdout")"
    if ! cmp -s "$expected" "$tmp/stderr"; then
        fail "$config: stderr differs from $expected"
        diff -u "$expected" "$tmp/stderr" | sed 's/^/    /'
    fi
}

for config in tests/config/bad/*.json; do
    expect_messages "$config" 1
done

for config in tests/config/good/*.json; do
    checked=$((checked + 1))
    "$EHSHIM" check "$config" >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    [ $rc -eq 0 ] || fail "$config: exit status $rc, want 0"
    if [ -s "$tmp/stdout" ] || [ -s "$tmp/stderr" ]; then
        fail "$config: a valid config printed something"
        sed 's/^/    /' "$tmp/stdout" "$tmp/stderr"
    fi
done

# Warnings: a valid config that cannot do all it says exits 0 with stderr
# equal to X.expected (FILE:LINE:COL: warning: ...).
for config in tests/config/warn/*.json; do
    expect_messages "$config" 0
done

# Usage: --help succeeds on stdout, wrong usage exits 2, a missing file 1.
"$EHSHIM" check --help >"$tmp/stdout" 2>&1 && grep -q '^usage: ehshim check CONFIG' "$tmp/stdout" ||
    fail "check --help"
"$EHSHIM" check >/dev/null 2>&1
[ $? -eq 2 ] || fail "check without CONFIG must exit 2"
"$EHSHIM" check a.json b.json >/dev/null 2>&1
[ $? -eq 2 ] || fail "check with two configs must exit 2"
"$EHSHIM" check --bogus tests/config/good/minimal.json >/dev/null 2>&1
[ $? -eq 2 ] || fail "check with an unknown option must exit 2"
"$EHSHIM" check tests/config/nonexistent.json 2>"$tmp/stderr"
rc=$?
[ $rc -eq 1 ] || fail "a missing config must exit 1, not $rc"
grep -qx 'tests/config/nonexistent.json: cannot read: No such file or directory' "$tmp/stderr" ||
    fail "missing config message: $(cat "$tmp/stderr")"

echo "$checked fixtures, $failures failures"
[ $failures -eq 0 ]
