#!/usr/bin/env bash
# Regenerates tests/real/multiline/raw/*.txt: the exact standard error of
# every program of tests/real/multiline (and tests/real/multiline_py.py) run
# WITHOUT the shim, by the real runtimes of the machine (versions in
# raw/versions.txt), and raw/writes.txt: how many write(2) calls on fd 2 each
# run made (when strace is there). Not a test; run it by hand from anywhere:
#
#   bash tests/real/multiline/capture_raw.sh [RAWDIR]
#
# RUSTC=/path/to/rustc: only the Rust program, built by another compiler
# than Debian's /usr/bin/rustc; its files are then named rust-<version>_*.txt
# (and writes-rust-<version>.txt, versions-rust-<version>.txt).
# PostgreSQL's raw log comes from test_multiline_postgresql.sh
# (REAL_KEEP=DIR, file DIR/plain/stderr.txt), see README.md.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
RAW=${1:-$HERE/raw}
PY=/usr/bin/python3
PYAPP=$(cd "$HERE/.." && pwd)/multiline_py.py
RUSTC=${RUSTC:-/usr/bin/rustc}
sfx=""
[ "$RUSTC" = /usr/bin/rustc ] || sfx=-rust-$("$RUSTC" --version | cut -d' ' -f2)
mkdir -p "$RAW"
T=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-raw.XXXXXX")
trap 'rm -rf "$T"' EXIT
: >"$RAW/writes.txt.new"

# cap NAME CMD...: CMD's stderr into RAW/NAME.txt, from $T, clean environment
cap() {
    local name=$1 rc
    shift
    # (in a subshell of its own: bash says nothing when it aborts)
    # shellcheck disable=SC2086  # CAP_ENV: zero or one NAME=VALUE word
    (cd "$T" && env -i PATH=/usr/bin:/bin LANG=C.UTF-8 TZ=UTC ${CAP_ENV:-} "$@" \
        >/dev/null 2>"$RAW/$name.txt" </dev/null; echo $? >"$T/rc") 2>/dev/null
    rc=$(cat "$T/rc")
    echo "$name: exit $rc"
    if command -v strace >/dev/null; then
        # shellcheck disable=SC2086
        (cd "$T" && env -i PATH=/usr/bin:/bin LANG=C.UTF-8 TZ=UTC ${CAP_ENV:-} \
            strace -f -qq -e trace=write -e signal=none -o "$T/strace.txt" "$@" \
            >/dev/null 2>/dev/null </dev/null; true) 2>/dev/null
        printf '%s: %s write(2) calls on fd 2 for %s lines\n' "$name" \
            "$(grep -c 'write(2, ' "$T/strace.txt")" "$(wc -l <"$RAW/$name.txt")" >>"$RAW/writes.txt.new"
    fi
}

{
    echo "captured $(date -u +%Y-%m-%d) on $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "python: $($PY --version 2>&1)"
    command -v java >/dev/null && echo "java: $(java -version 2>&1 | sed -n 2p)"
    command -v javac >/dev/null && echo "javac: $(javac -version 2>&1)"
    command -v g++ >/dev/null && echo "g++: $(g++ --version | head -n 1)"
    [ -x "$RUSTC" ] && echo "rustc: $("$RUSTC" --version)"
} >"$RAW/versions.txt.new"

if [ -z "$sfx" ] && [ -x "$PY" ]; then
    for c in logging context cause group thread warning uncaught; do
        cap "python_$c" "$PY" "$PYAPP" "$c"
        cap "python-u_$c" "$PY" -u "$PYAPP" "$c"
    done
    cap python_all "$PY" "$PYAPP" all
    cap python_threads_2x2 "$PY" "$PYAPP" threads 2 2 "$T/side.jsonl"
    cp "$T/side.jsonl" "$RAW/python_threads_2x2.side.jsonl"
fi

if [ -z "$sfx" ] && command -v java >/dev/null; then
    cp "$HERE/Thrower.java" "$T/"
    cap java_source java Thrower.java
    if command -v javac >/dev/null && (cd "$T" && javac -d classes Thrower.java); then
        cap java_javac java -cp classes Thrower
    fi
fi

if [ -z "$sfx" ] && command -v g++ >/dev/null; then
    cp "$HERE/terminate.cc" "$T/"
    if (cd "$T" && g++ -O0 -o terminate terminate.cc -pthread); then
        for m in runtime_error int thread; do
            cap "cxx_$m" ./terminate "$m"
        done
    fi
fi

if [ -x "$RUSTC" ]; then
    rust=rust${sfx#-rust}
    cp "$HERE/panic.rs" "$T/"
    if (cd "$T" && "$RUSTC" -g -o panic panic.rs); then
        for m in main unwrap thread; do
            cap "${rust}_$m" ./panic "$m"
            CAP_ENV=RUST_BACKTRACE=1 cap "${rust}_${m}_backtrace" ./panic "$m"
        done
    fi
fi

# the PostgreSQL line is written by hand (see README.md): kept
grep '^postgresql' "$RAW/writes$sfx.txt" >>"$RAW/writes.txt.new" 2>/dev/null
mv "$RAW/writes.txt.new" "$RAW/writes$sfx.txt"
mv "$RAW/versions.txt.new" "$RAW/versions$sfx.txt"
