#!/usr/bin/env bash
# ehshim run [-c CONFIG] [-o FILE.dat] [--] PROGRAM [ARGS]: the exit status
# is PROGRAM's, -o and -c reach the shim as absolute paths, LD_PRELOAD gets
# the library in front of what was there, an invalid config stops it before
# anything runs, a static PROGRAM gets a warning and runs anyway, and bad
# usage exits 2.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

EHSHIM=$(cd "$(dirname "$EHSHIM")" && pwd)/$(basename "$EHSHIM")
work=$shim_tmp/work
mkdir "$work"

# A sanitized library must come after its runtime in LD_PRELOAD, and
# ehshim run puts the library first: in that build the runtime goes in
# LD_PRELOAD beforehand and the order check is relaxed.
base_preload=""
base_asan=${ASAN_OPTIONS:-}
if [ -n "$SHIM_SANITIZER_RUNTIME" ]; then
    base_preload=$SHIM_SANITIZER_RUNTIME
    base_asan="$SHIM_ASAN_OPTIONS:verify_asan_link_order=0"
fi

# ehshim_run LABEL [ARGS for ehshim run]: runs in $work; output in
# $shim_tmp/LABEL.{out,err,status}.
ehshim_run() {
    local label=$1
    shift
    (
        cd "$work" || exit 99
        if [ -n "$base_preload" ]; then
            export LD_PRELOAD=$base_preload ASAN_OPTIONS=$base_asan
        fi
        exec "$EHSHIM" run "$@"
    ) >"$shim_tmp/$label.out" 2>"$shim_tmp/$label.err" </dev/null
    echo $? >"$shim_tmp/$label.status"
}

# expect_text LABEL PART EXPECTED: the whole stdout/stderr ("out"/"err").
expect_text() {
    printf '%s' "$3" >"$shim_tmp/$1.expected-$2"
    [ -z "$3" ] || echo >>"$shim_tmp/$1.expected-$2"
    expect_file "$1" "$2" "$shim_tmp/$1.expected-$2" "$shim_tmp/$1.$2"
}

# --help: usage on stdout, exit 0.
ehshim_run help --help
expect_status "run --help" 0 "$shim_tmp/help"
grep -q '^usage: ehshim run \[-c CONFIG\] \[-o FILE.dat\] \[--\] PROGRAM \[ARGS\]$' "$shim_tmp/help.out" ||
    fail "run --help: no usage line on stdout: $(head -n 3 "$shim_tmp/help.out")"
[ -s "$shim_tmp/help.err" ] && fail "run --help: wrote to stderr: $(head -n 3 "$shim_tmp/help.err")"

# Bad usage: exit 2, usage on stderr, nothing run.
ehshim_run unknown-flag -x sh -c 'echo ran'
expect_status "run -x" 2 "$shim_tmp/unknown-flag"
grep -q "unknown option '-x'" "$shim_tmp/unknown-flag.err" ||
    fail "run -x: no 'unknown option' message: $(head -n 3 "$shim_tmp/unknown-flag.err")"
grep -q '^usage: ehshim run' "$shim_tmp/unknown-flag.err" || fail "run -x: no usage on stderr"
[ -s "$shim_tmp/unknown-flag.out" ] && fail "run -x: ran something: $(cat "$shim_tmp/unknown-flag.out")"
ehshim_run no-program -o x.dat
expect_status "run without PROGRAM" 2 "$shim_tmp/no-program"
ehshim_run no-value sh -c 'true' -o
expect_status "run sh -c true -o (options after PROGRAM are PROGRAM's)" 0 "$shim_tmp/no-value"
ehshim_run missing-value -o
expect_status "run -o without a value" 2 "$shim_tmp/missing-value"

# The exit status is PROGRAM's, a death by signal included.
ehshim_run exit3 sh -c 'exit 3'
expect_status "run sh -c 'exit 3'" 3 "$shim_tmp/exit3"
# (bash reports the signal death on its own stderr: silenced.)
ehshim_run killed sh -c 'kill -TERM $$' 2>/dev/null
expect_status "run sh -c 'kill -TERM \$\$' (128 + SIGTERM)" 143 "$shim_tmp/killed"
# PROGRAM's own options are not ehshim's.
ehshim_run ls-flags ls -l /nonexistent/missing-file
run_plain "$shim_tmp/ls-plain" ls ls -l /nonexistent/missing-file
expect_status "run ls -l /nonexistent/missing-file" 2 "$shim_tmp/ls-flags"
expect_file "run ls -l /nonexistent/missing-file" "stderr" "$shim_tmp/ls-plain.err" "$shim_tmp/ls-flags.err"

# PROGRAM not found / not executable: the shell's 127 / 126.
ehshim_run not-found no-such-program-ehshim-test
expect_status "run of a missing program" 127 "$shim_tmp/not-found"
expect_text not-found err "ehshim: no-such-program-ehshim-test: No such file or directory"
ehshim_run dash-program -- -no-such-program
expect_status "run -- -no-such-program" 127 "$shim_tmp/dash-program"
expect_text dash-program err "ehshim: -no-such-program: No such file or directory"
printf '#!/bin/sh\necho should not run\n' >"$work/not-executable"
chmod 644 "$work/not-executable"
ehshim_run not-executable ./not-executable
expect_status "run of a non-executable file" 126 "$shim_tmp/not-executable"
expect_text not-executable err "ehshim: ./not-executable: Permission denied"

# -o (relative) becomes an absolute EHSHIM_CAPTURE, LD_PRELOAD gets the
# library first, and the events land in the file.
ehshim_run env-capture -o rel.dat sh -c 'printf "%s\n" "$EHSHIM_CAPTURE"; printf "%s\n" "$LD_PRELOAD"'
expect_status "run -o rel.dat" 0 "$shim_tmp/env-capture"
expect_text env-capture out "$work/rel.dat
$SHIM_LIBRARY${base_preload:+:$base_preload}"

rm -f "$work/events.dat"
ehshim_run capture -o events.dat "$SHIM_PROGRAMS/call_fprintf"
expect_status "run -o events.dat call_fprintf" 0 "$shim_tmp/capture"
expect_text capture err "fprintf works 42"
if [ -e "$work/events.dat" ]; then
    "$EHSHIM" decode --no-stamp "$work/events.dat" >"$shim_tmp/capture.jsonl" 2>&1
    stderr_event call_fprintf 'fprintf works 42' >"$shim_tmp/capture.expected"
    expect_file "run -o events.dat call_fprintf" "events" "$shim_tmp/capture.expected" \
        "$shim_tmp/capture.jsonl"
else
    fail "run -o events.dat: no capture file was written"
fi

# Existing LD_PRELOAD entries stay, after the library.
(
    cd "$work" || exit 99
    export LD_PRELOAD=${base_preload:+$base_preload:}libm.so.6
    [ -n "$base_preload" ] && export ASAN_OPTIONS=$base_asan
    exec "$EHSHIM" run sh -c 'printf "%s\n" "$LD_PRELOAD"'
) >"$shim_tmp/keep-preload.out" 2>"$shim_tmp/keep-preload.err" </dev/null
expect_text keep-preload out "$SHIM_LIBRARY:${base_preload:+$base_preload:}libm.so.6"

# -c (relative): validated, passed on absolute, and used.
printf '{ "provider": "RunTest" }\n' >"$work/run.json"
rm -f "$work/configured.dat"
ehshim_run config -c run.json -o configured.dat sh -c 'printf "%s\n" "$EHSHIM_CONFIG"; echo "configured line" >&2'
expect_status "run -c run.json" 0 "$shim_tmp/config"
expect_text config out "$work/run.json"
if [ -e "$work/configured.dat" ]; then
    "$EHSHIM" decode "$work/configured.dat" | grep -o '^{ "n": "[^"]*", "msg": "[^"]*"' \
        >"$shim_tmp/config.events"
    expect_text config events '{ "n": "RunTest:Stderr", "msg": "configured line"'
else
    fail "run -c run.json -o configured.dat: no capture file was written"
fi

# An invalid config: FILE:LINE:COL messages, exit 2, nothing run.
printf '{\n  "provider": "RunTest",\n  "no_such_key": 1\n}\n' >"$work/invalid.json"
ehshim_run invalid-config -c invalid.json sh -c 'echo ran'
expect_status "run -c invalid.json" 2 "$shim_tmp/invalid-config"
[ -s "$shim_tmp/invalid-config.out" ] && fail "run -c invalid.json: the program ran"
grep -q '^invalid.json:3:[0-9]*: ' "$shim_tmp/invalid-config.err" ||
    fail "run -c invalid.json: no 'invalid.json:3:COL: ' message; stderr: $(cat "$shim_tmp/invalid-config.err")"
ehshim_run missing-config -c missing.json sh -c 'echo ran'
expect_status "run -c missing.json" 2 "$shim_tmp/missing-config"
[ -s "$shim_tmp/missing-config.out" ] && fail "run -c missing.json: the program ran"
grep -q 'missing.json' "$shim_tmp/missing-config.err" ||
    fail "run -c missing.json: the message does not name the file: $(cat "$shim_tmp/missing-config.err")"

# No warning for a dynamic program.
ehshim_run dynamic "$SHIM_PROGRAMS/call_write"
expect_text dynamic err "write works"

# The library not found next to the binary: 125, and what was searched.
mkdir -p "$shim_tmp/lonely/bin"
cp "$EHSHIM" "$shim_tmp/lonely/bin/ehshim"
"$shim_tmp/lonely/bin/ehshim" run sh -c 'echo ran' >"$shim_tmp/lonely.out" 2>"$shim_tmp/lonely.err"
echo $? >"$shim_tmp/lonely.status"
expect_status "run without libehshim.so beside it" 125 "$shim_tmp/lonely"
grep -q "cannot find libehshim.so" "$shim_tmp/lonely.err" ||
    fail "run without the library: unclear message: $(cat "$shim_tmp/lonely.err")"
[ -s "$shim_tmp/lonely.out" ] && fail "run without the library: the program ran"

# A statically linked PROGRAM: warning, runs anyway, found through PATH too.
cc=${CC:-cc}
if "$cc" -static -O2 -o "$work/static_write" "$(dirname "$0")/../shim/call_write.c" \
    >"$shim_tmp/static-cc.log" 2>&1; then
    rm -f "$work/static.dat"
    ehshim_run static -o static.dat ./static_write
    expect_status "run of a static program" 0 "$shim_tmp/static"
    expect_text static err "ehshim: warning: ./static_write is statically linked; no preload can reach it
write works"
    [ -s "$work/static.dat" ] && fail "run of a static program: events appeared, from where?"
    (
        cd "$work" || exit 99
        PATH=$work:$PATH exec "$EHSHIM" run static_write
    ) >"$shim_tmp/static-path.out" 2>"$shim_tmp/static-path.err" </dev/null
    expect_text static-path err "ehshim: warning: static_write is statically linked; no preload can reach it
write works"
else
    echo "skipped case: static program ($cc -static failed: $(head -n 1 "$shim_tmp/static-cc.log"))"
fi

shim_finish
