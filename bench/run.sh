#!/usr/bin/env bash
# Benchmarks. Instruction counts come from callgrind (repeatable on a busy
# machine); wall times are printed for scale only.
set -eu
BUILD=${BUILD:-build}

instructions() {
    local out
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >/dev/null 2>&1
    awk '/^summary:/ { print $2 }' "$out"
    rm -f "$out"
}

"$BUILD/bench/encode" 1000000
if command -v valgrind >/dev/null; then
    small=$(instructions "$BUILD/bench/encode" 10000)
    large=$(instructions "$BUILD/bench/encode" 110000)
    echo "encode: $(( (large - small) / 100000 )) instructions per event (callgrind, (I(110000) - I(10000)) / 100000)"
else
    echo "encode: SKIP instruction count: valgrind is not installed"
fi
