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

# The rules engine on the sshd example: a deterministic 200,000-line mix of
# internet-facing sshd traffic (bench/authlog.c), matched and built (no
# write) until at least 3,000,000 lines have gone through. The target is
# 3,000,000 lines/s on one core.
"$BUILD/bench/authlog" 200000 >"$BUILD/bench/auth.log"
rules=("$BUILD/bench/rules" --source syslog --ident sshd --priority 38)
"${rules[@]}" --min-lines 3000000 examples/sshd/config.json "$BUILD/bench/auth.log"
if command -v valgrind >/dev/null; then
    # One pass (200,000 lines) against two: the difference is one pass alone,
    # without loading, compiling and the warm-up pass.
    one=$(instructions "${rules[@]}" --min-lines 200000 examples/sshd/config.json "$BUILD/bench/auth.log")
    two=$(instructions "${rules[@]}" --min-lines 400000 examples/sshd/config.json "$BUILD/bench/auth.log")
    echo "rules: $(( (two - one) / 200000 )) instructions per line (callgrind, (I(2 passes) - I(1 pass)) / 200000)"
else
    echo "rules: SKIP instruction count: valgrind is not installed"
fi
