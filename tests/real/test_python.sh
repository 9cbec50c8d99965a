#!/usr/bin/env bash
# Real Python 3.11 `logging` output (Debian's python3) under the shim:
# tests/real/python_app.py, 4 threads logging at once in the cookbook format,
# basicConfig's default format, JSON lines and logfmt; free text full of "=",
# "(" and quotes; tracebacks (chained, with ~~^~~ markers, from a thread's
# excepthook, and an uncaught one at the end: exit status 1); a
# DeprecationWarning; plain lines printed to stderr.
#
# The program runs as `python3` (line-buffered stderr), as `python3.11 -u`
# (unbuffered) and as a venv's `python` (made with /usr/bin/python3 -m venv):
# one rule set (examples/python/config.json, rules matched by "exe") covers
# the three. Each runs once without and once with the shim: the same stdout,
# exit status and stderr lines (modulo times; the threads interleave); then
# every line it wrote became exactly one correct event
# (tests/real/python.expect.json) whose ident is the name it was started as.
. "$(dirname "$0")/lib.sh"

real_need_root
real_need_build
real_install python3 python3-venv
PY311=/usr/bin/python3.11
[ -x "$PY311" ] || real_skip "$PY311 missing (this test is for Debian's Python 3.11)"
real_tmpdir

T=$REAL_TMP
CONFIG=$REAL_ROOT/examples/python/config.json
# The config groups tracebacks and warnings into one event each.
REAL_CHECK_RECORDS=1
EXPECT=$REAL_DIR/python.expect.json
APP=$REAL_DIR/python_app.py
ROUNDS=40
"$REAL_PY" --version
if ! "$REAL_PY" -m venv --without-pip "$T/venv" >"$T/venv.log" 2>&1; then
    cat "$T/venv.log"
    echo "FAIL: /usr/bin/python3 -m venv failed"
    exit 1
fi

# run NAME plain|shim CMD...: the program in a clean environment (no
# PYTHON* variables of the caller), from the tmp dir
run() {
    local name=$1 how=$2 d=$T/$1
    shift 2
    local cmd=("$@")
    mkdir "$d"
    [ "$how" = shim ] && cmd=("$EHSHIM" run -c "$CONFIG" -o "$d/events.dat" -- "${cmd[@]}")
    local start=$SECONDS
    (cd "$T" && env -i PATH=/usr/bin:/bin LANG=C.UTF-8 TZ=UTC timeout 60 "${cmd[@]}" \
        >"$d/stdout.raw" 2>"$d/stderr.raw" </dev/null)
    echo "exit=$?" >>"$d/stdout.raw"
    sed 's/\r$//' "$d/stderr.raw" >"$d/stderr.txt"
    if [ "$how" = shim ]; then
        "$EHSHIM" decode "$d/events.dat" >"$d/events.jsonl" || real_fail "$name: ehshim decode failed"
    fi
    echo "== $name: $((SECONDS - start)) s, $(wc -l <"$d/stderr.txt") stderr lines"
}

# What may differ between two runs: the times; the threads interleave.
normalize() {
    sed -E -e 's/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8},[0-9]{3} - /TIME - /' \
        -e 's/^\{"time": "[0-9T:Z-]+"/{"time": "TIME"/' "$1" | sort
}

# events_ok EVENTS NAME: every event's ident is NAME, and the events come
# from the main thread and the 4 workers (meta tid)
events_ok() {
    "$REAL_PY" - "$1" "$2" <<'EOF'
import json, sys
events = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8') if l.strip()]
bad = [e for e in events if e.get('ident') != sys.argv[2]]
for e in bad[:5]:
    print('ident is not %s: %s' % (sys.argv[2], json.dumps(e)))
tids = {e.get('meta', {}).get('tid') for e in events}
if len(tids) != 5:
    print('events of %d threads, not 5: %s' % (len(tids), sorted(tids, key=str)))
sys.exit(1 if bad or len(tids) != 5 else 0)
EOF
}

variants=(
    "python3|python3|/usr/bin/python3"
    "python3.11-u|python3.11|$PY311 -u"
    "venv|python|$T/venv/bin/python"
)
for v in "${variants[@]}"; do
    IFS='|' read -r name ident interp <<<"$v"
    read -r -a interp <<<"$interp"
    run "$name-plain" plain "${interp[@]}" "$APP" "$ROUNDS"
    run "$name-shim" shim "${interp[@]}" "$APP" "$ROUNDS"
    p=$T/$name-plain s=$T/$name-shim
    for f in stdout.raw stderr.txt; do
        if ! diff <(normalize "$p/$f") <(normalize "$s/$f"); then
            real_fail "$name: plain and shim runs differ in $f"
        fi
    done
    [ "$(cat "$p/stdout.raw")" = "rounds=$ROUNDS,$ROUNDS,$ROUNDS,$ROUNDS
exit=1" ] || real_fail "$name: stdout/exit status not what the program does: $(cat "$p/stdout.raw")"
    [ "$(grep -c '^Traceback (most recent call last):$' "$p/stderr.txt")" = 5 ] ||
        real_fail "$name: not the 5 tracebacks the program prints"
    [ "$(grep -c ' - app.worker[0-3] - INFO - job ' "$p/stderr.txt")" = $((4 * ROUNDS)) ] ||
        real_fail "$name: not the $((4 * ROUNDS)) job lines the workers log"
    echo "== check $name"
    real_check "$EXPECT" "$s/stderr.txt" "$s/events.jsonl" stderr
    events_ok "$s/events.jsonl" "$ident" || real_fail "$name: idents or threads of the events"
done

real_finish
