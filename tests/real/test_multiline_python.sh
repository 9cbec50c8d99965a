#!/usr/bin/env bash
# Multi-line grouping of real Python 3.11 output (Debian's python3) under the
# shim, config tests/real/multiline/python.json ("multiline": {"stderr":
# {"detectors": ["python"], "write": true, ...}}):
#
# 1. tests/real/multiline_py.py all: logging.exception, a "During handling"
#    chain through logging, a "raise ... from" chain from
#    traceback.print_exc() (one write per line), an ExceptionGroup through
#    logging and through sys.excepthook, an uncaught exception in a thread,
#    warnings.warn (two lines, one write; the Warning rule matches the whole
#    record: "match_text": "record"), and an uncaught exception in main
#    (exit 1), with ordinary log lines around each. Run as python3
#    (line-buffered stderr) and python3 -u (unbuffered: the interpreter's own
#    traceback printer writes a line in up to three pieces and empty writes).
#    Plain and shim runs write the same; the events, normalized
#    (ml_events.py normalize: times, the tmp dir), must equal
#    tests/real/multiline/python_all.expect.jsonl (both runs: the same
#    events).
# 2. multiline_py.py threads 8 50: 8 threads each logging 50 tracebacks at
#    once; exactly 400 events carry exception_type and their msg values are
#    exactly the 400 records the program wrote (its side file), every other
#    event is one line, and the events hold exactly the lines of stderr
#    (ml_events.py threads). Run as python3 and python3 -u.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/multiline/ml_lib.sh"

real_need_root
real_need_build
real_install python3
PY311=/usr/bin/python3.11
[ -x "$PY311" ] || real_skip "$PY311 missing (this test is for Debian's Python 3.11)"
CONFIG=$ML_DIR/python.json
ml_need_multiline "$CONFIG"
real_tmpdir
T=$REAL_TMP
ML_WORK=$T/app
mkdir -p "$ML_WORK"
cp "$REAL_DIR/multiline_py.py" "$ML_WORK/"
APP=$ML_WORK/multiline_py.py
EXPECT=$ML_DIR/python_all.expect.jsonl
THREADS=8 ITER=50
"$PY311" --version

for v in "python3|$PY311" "python3-u|$PY311 -u"; do
    IFS='|' read -r name interp <<<"$v"
    read -r -a interp <<<"$interp"

    ml_run "all-$name-plain" plain "$CONFIG" "${interp[@]}" "$APP" all
    ml_run "all-$name-shim" shim "$CONFIG" "${interp[@]}" "$APP" all
    ml_same_stderr "all-$name-plain" "all-$name-shim"
    p=$T/all-$name-plain
    [ "$(tail -n 1 "$p/stdout.txt")" = "exit=1" ] || real_fail "all-$name: not exit status 1"
    [ "$(grep -c '^Traceback (most recent call last):$' "$p/stderr.txt")" = 7 ] ||
        real_fail "all-$name: not the 7 tracebacks the program prints"
    [ "$(grep -c '^  + Exception Group Traceback (most recent call last):$' "$p/stderr.txt")" = 2 ] ||
        real_fail "all-$name: not the 2 exception groups"
    echo "== check all-$name"
    ml_compare "all-$name-shim" "$EXPECT"

    ml_run "threads-$name-plain" plain "$CONFIG" "${interp[@]}" "$APP" threads $THREADS $ITER "$T/side-$name-plain.jsonl"
    ml_run "threads-$name-shim" shim "$CONFIG" "${interp[@]}" "$APP" threads $THREADS $ITER "$T/side-$name-shim.jsonl"
    ML_SORT=1 ml_same_stderr "threads-$name-plain" "threads-$name-shim"
    s=$T/threads-$name-shim
    [ "$(cat "$s/stdout.txt")" = "threads=$THREADS records=$((THREADS * ITER))
exit=0" ] || real_fail "threads-$name: stdout/exit status not what the program does: $(cat "$s/stdout.txt")"
    echo "== check threads-$name"
    "$REAL_PY" "$ML_DIR/ml_events.py" threads "$s/events.jsonl" "$T/side-$name-shim.jsonl" \
        $THREADS $ITER "$s/stderr.txt" || real_fail "threads-$name: records not one whole event each"
done

ml_finish
