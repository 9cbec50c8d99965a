# shellcheck shell=bash
# Helpers of tests/real/test_multiline_*.sh, sourced after tests/real/lib.sh.
#
#   ml_need_multiline CONFIG   FAIL when `ehshim check CONFIG` finds errors
#   ml_run NAME plain|shim CONFIG CMD...   runs CMD from $ML_WORK in a clean
#                              environment (ML_ENV: extra NAME=VALUE words),
#                              at most 120 s, under the shim for "shim";
#                              leaves $T/NAME/stdout.txt (with "exit=N" last),
#                              stderr.txt and, for shim, events.jsonl
#                              (`ehshim decode --no-stamp`) and norm.jsonl
#                              (ml_events.py normalize)
#   ml_same_stderr A B         plain and shim run wrote the same stderr and
#                              stdout (modulo times); ML_SORT=1: compared
#                              sorted (threads interleave)
#   ml_compare NAME EXPECT     $T/NAME/norm.jsonl equals EXPECT, event by
#                              event (records of threads the program does
#                              not join: as a multiset, ml_events.py)
#   ml_finish                  exit 1 when a check failed; else PASS (with
#                              REAL_KEEP=DIR set, the work dir is kept there)
# Needs T (the work dir, $REAL_TMP) and ML_WORK (the programs' cwd) set.
ML_DIR=$REAL_DIR/multiline
ML_ENV=()

ml_need_multiline() {
    local out
    if ! out=$("$EHSHIM" check "$1" 2>&1); then
        printf '%s\n' "$out"
        echo "FAIL: ehshim check $1"
        exit 1
    fi
}

ml_run() {
    local name=$1 how=$2 config=$3 d=$T/$1
    shift 3
    local cmd=("$@")
    mkdir -p "$d"
    [ "$how" = shim ] && cmd=("$EHSHIM" run -c "$config" -o "$d/events.dat" -- "${cmd[@]}")
    (cd "$ML_WORK" && env -i PATH=/usr/bin:/bin LANG=C.UTF-8 TZ=UTC "${ML_ENV[@]}" timeout 120 "${cmd[@]}" \
        >"$d/stdout.txt" 2>"$d/stderr.txt" </dev/null; echo "exit=$?" >>"$d/stdout.txt") 2>/dev/null
    if [ "$how" = shim ]; then
        if ! "$EHSHIM" decode --no-stamp "$d/events.dat" >"$d/events.jsonl"; then
            real_fail "$name: ehshim decode failed"
            return 1
        fi
        "$REAL_PY" "$ML_DIR/ml_events.py" normalize "$d/events.jsonl" "$T" >"$d/norm.jsonl"
    fi
}

# what may differ between two runs of a program: times (Python's asctime)
_ml_norm() {
    sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8},[0-9]{3}/@TIME@/g' "$1" |
        if [ "${ML_SORT:-0}" = 1 ]; then sort; else cat; fi
}

ml_same_stderr() {
    local a=$T/$1 b=$T/$2 f
    for f in stdout.txt stderr.txt; do
        if ! diff <(_ml_norm "$a/$f") <(_ml_norm "$b/$f") >"$T/diff.txt"; then
            head -n 20 "$T/diff.txt"
            real_fail "$1 and $2 differ in $f"
        fi
    done
}

ml_compare() {
    local name=$1 expect=$2
    if ! "$REAL_PY" "$ML_DIR/ml_events.py" compare "$expect" "$T/$name/norm.jsonl"; then
        real_fail "$name: events differ from $(basename "$expect")"
    fi
}

ml_finish() {
    if [ -n "${REAL_KEEP:-}" ]; then
        rm -rf "$REAL_KEEP"
        cp -a "$REAL_TMP" "$REAL_KEEP"
    fi
    real_finish
}
