#!/usr/bin/env bash
# ehshim decode on the reference capture must print exactly the reference
# formatter's lines: same bytes, same 374 lines (four of them deliberately
# not valid UTF-8, so compare bytes, never text).
set -u

vectors=${EHSHIM_VECTORS:-}
ehshim=${EHSHIM:-${BUILD:-build}/ehshim}
dat="$vectors/EventHeaderInterceptorLE64.dat"
expected="$vectors/EventHeaderInterceptorLE64.jsonl"

if [ -z "$vectors" ]; then
    echo "SKIP: EHSHIM_VECTORS is not set"
    exit 77
fi
if [ ! -f "$dat" ] || [ ! -f "$expected" ]; then
    echo "SKIP: reference vectors not found in $vectors"
    exit 77
fi
if [ ! -x "$ehshim" ]; then
    echo "FAIL: $ehshim is not an executable (set EHSHIM or BUILD)"
    exit 1
fi

actual=$(mktemp)
trap 'rm -f "$actual"' EXIT

"$ehshim" decode "$dat" >"$actual"
rc=$?
if [ $rc -ne 0 ]; then
    echo "FAIL: ehshim decode exited with $rc"
    exit 1
fi

lines=$(wc -l <"$actual")
if [ "$lines" -ne 374 ]; then
    echo "FAIL: expected 374 lines, got $lines"
    status=1
else
    status=0
fi

if ! cmp -s "$expected" "$actual"; then
    echo "FAIL: output differs from $expected; first differences (< expected, > actual):"
    LC_ALL=C diff -a "$expected" "$actual" | head -n 20
    exit 1
fi
[ $status -eq 0 ] && echo "PASS: 374 lines identical to the reference"
exit $status
