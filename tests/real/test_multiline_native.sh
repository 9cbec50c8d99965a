#!/usr/bin/env bash
# Multi-line grouping of what native runtimes print when a program dies,
# under the shim, config tests/real/multiline/native.json ("multiline":
# {"stderr": {"detectors": ["cxx", "rust"], ...}}):
#
# - C++ (g++, libstdc++'s verbose terminate handler; it writes each piece
#   with its own write(2)): tests/real/multiline/terminate.cc throwing a
#   std::runtime_error out of main ("terminate called after throwing an
#   instance of 'std::runtime_error'" / "  what():  ..."), an int (no what()
#   line) and a std::system_error out of a std::thread; SIGABRT each time
#   (exit status 134).
# - Rust (Debian 12's rustc 1.63 at /usr/bin/rustc, whatever else is on
#   PATH): tests/real/multiline/panic.rs panicking in main ("thread 'main'
#   panicked at '...', panic.rs:18:9" and the RUST_BACKTRACE note; exit 101),
#   on Result::unwrap(), in the thread "worker" (the program goes on: exit
#   3), and in main with RUST_BACKTRACE=1 ("stack backtrace:" and frames).
#   Rust 1.73 and later print another layout (tests/real/multiline/README.md).
#
# Each program runs once without and once with the shim: the same output;
# the events, normalized (ml_events.py normalize), must equal
# tests/real/multiline/<run>.expect.jsonl. A missing toolchain (g++, or
# rustc that cannot be installed) leaves its part out and the script ends in
# SKIP with the reason, never PASS.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/multiline/ml_lib.sh"

real_need_root
real_need_build
CONFIG=$ML_DIR/native.json
ml_need_multiline "$CONFIG"
RUSTC=/usr/bin/rustc
missing=()
# real_install ends the script with a SKIP when it cannot install: each
# toolchain is tried in a subshell, so that one missing leaves the other.
# (No work dir exists yet: nothing of the subshell's to clean up.)
(real_install g++ >/dev/null) || true
command -v g++ >/dev/null || missing+=("g++ (package g++) missing")
(real_install rustc >/dev/null) || true
[ -x "$RUSTC" ] || missing+=("$RUSTC (package rustc) missing")
real_tmpdir
T=$REAL_TMP
ML_WORK=$T/app
mkdir -p "$ML_WORK"

# native NAME STATUS PROG ARGS...: one run of ./PROG ARGS plain and
# shimmed, the same output, exit status STATUS, events as in
# NAME.expect.jsonl
native() {
    local name=$1 status=$2 prog=$3
    shift 3
    ml_run "$name-plain" plain "$CONFIG" "./$prog" "$@"
    ml_run "$name-shim" shim "$CONFIG" "./$prog" "$@"
    ml_same_stderr "$name-plain" "$name-shim"
    [ "$(tail -n 1 "$T/$name-plain/stdout.txt")" = "exit=$status" ] ||
        real_fail "$name: not exit status $status: $(tail -n 1 "$T/$name-plain/stdout.txt")"
    echo "== check $name"
    ml_compare "$name-shim" "$ML_DIR/$name.expect.jsonl"
}

if command -v g++ >/dev/null; then
    g++ --version | head -n 1
    cp "$ML_DIR/terminate.cc" "$ML_WORK/"
    if (cd "$ML_WORK" && g++ -O0 -o terminate terminate.cc -pthread); then
        native cxx_runtime_error 134 terminate runtime_error
        grep -q "^terminate called after throwing an instance of 'std::runtime_error'$" \
            "$T/cxx_runtime_error-plain/stderr.txt" || real_fail "cxx_runtime_error: no terminate line"
        native cxx_int 134 terminate int
        native cxx_thread 134 terminate thread
    else
        real_fail "g++ terminate.cc failed"
    fi
fi

if [ -x "$RUSTC" ]; then
    "$RUSTC" --version
    cp "$ML_DIR/panic.rs" "$ML_WORK/"
    # the relative source name: the panic message names panic.rs, not a path
    if (cd "$ML_WORK" && "$RUSTC" -g -o panic panic.rs); then
        native rust_main 101 panic main
        grep -q "^thread 'main' panicked at 'stock of item 7 went negative: -3 (order=42)', panic.rs:18:9$" \
            "$T/rust_main-plain/stderr.txt" || real_fail "rust_main: not the panic line of rustc 1.63"
        native rust_unwrap 101 panic unwrap
        native rust_thread 3 panic thread
        # shellcheck disable=SC2034  # read by ml_run (ml_lib.sh)
        ML_ENV=(RUST_BACKTRACE=1)
        native rust_main_backtrace 101 panic main
        # shellcheck disable=SC2034  # read by ml_run (ml_lib.sh)
        ML_ENV=()
        grep -q '^stack backtrace:$' "$T/rust_main_backtrace-plain/stderr.txt" ||
            real_fail "rust_main_backtrace: no backtrace"
    else
        real_fail "rustc panic.rs failed"
    fi
fi

if [ "$REAL_FAILURES" -eq 0 ] && [ ${#missing[@]} -gt 0 ]; then
    real_skip "$(IFS=';'; echo "${missing[*]}") (the rest passed)"
fi
ml_finish
