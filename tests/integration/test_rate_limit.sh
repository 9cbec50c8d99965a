#!/usr/bin/env bash
# Rate limits end to end: `ehshim check` names a bad limit's file, line and
# column; `ehshim parse` holds back a flood, reports it when its window
# ends (on a live pipe, the real clock) and at the end of input; and a
# real Python program flooding stderr and syslog under the shim gets its
# burst, its errors unlimited, one "Suppressed" event per limit at exit (a
# fork child, which inherited the counts, reports none of them), the
# EHSHIM_DEBUG counters, and output unchanged.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

dir=$shim_tmp

# ---- ehshim check ----------------------------------------------------------
cat >"$dir/bad.json" <<'EOF'
{
  "rate_limit": { "burst": 0 },
  "rules": [
    { "name": "A", "regex": "^a", "rate_limit": { "interval_ms": 10 } }
  ]
}
EOF
"$EHSHIM" check "$dir/bad.json" >"$dir/check.out" 2>&1
status=$?
cat >"$dir/check.expected" <<EOF
$dir/bad.json:2:28: 'burst' must be an integer 1..10000000
$dir/bad.json:4:49: 'rate_limit' needs a 'burst' (events let through per interval)
EOF
[ "$status" = 1 ] || fail "ehshim check of a bad rate_limit: exit status $status, want 1"
expect_file "ehshim check" "its messages" "$dir/check.expected" "$dir/check.out"

# ---- ehshim parse: windows on the real clock --------------------------------
cat >"$dir/limits.json" <<'EOF'
{
  "rate_limit": { "burst": 2, "interval_ms": 1500 },
  "rules": [
    { "name": "Flood", "source": "stderr", "regex": "^flood (?<n>\\d+)", "fields": { "n": "u32" } },
    { "name": "Quiet", "source": "stderr", "regex": "^quiet", "rate_limit": null },
    { "name": "Oops", "source": "stderr", "regex": "^oops", "level": "error" }
  ]
}
EOF
# Five floods at once (two pass), then, after the 1.5 s window has ended,
# one more: the report of the three held back comes before it.
{
    for i in 1 2 3 4 5; do echo "flood $i"; done
    echo quiet; echo quiet; echo quiet
    echo oops; echo oops; echo oops
    sleep 2.5
    echo "flood 6"
    echo "flood 7"
    echo "flood 8"
    echo other
} | "$EHSHIM" parse -c "$dir/limits.json" >"$dir/parse.out" 2>"$dir/parse.err"
status=$?
flood() { echo "{ \"n\": \"ehshim:Flood\", \"n\": $1, \"msg\": \"flood $1\", \"ident\": \"ehshim\", \"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }"; }
plain() { echo "{ \"n\": \"ehshim:$1\", \"msg\": \"$2\", \"ident\": \"ehshim\", \"meta\": { \"level\": $3, \"keyword\": \"0x2\" } }"; }
report() { echo "{ \"n\": \"ehshim:Suppressed\", \"rule\": \"$1\", \"count\": $2, \"burst\": 2, \"interval_ms\": 1500, \"msg\": \"Suppressed $2 events of $1 (rate_limit: 2 per 1500 ms)\", \"meta\": { \"level\": 3, \"keyword\": \"0x2\" } }"; }
{
    flood 1; flood 2
    plain Quiet quiet 4; plain Quiet quiet 4; plain Quiet quiet 4
    plain Oops oops 2; plain Oops oops 2; plain Oops oops 2
    report Flood 3
    flood 6; flood 7
    plain Stderr other 4
    report Flood 1
} >"$dir/parse.expected"
[ "$status" = 0 ] || fail "ehshim parse with rate limits: exit status $status: $(head -n 3 "$dir/parse.err")"
expect_file "ehshim parse" "events under rate limits" "$dir/parse.expected" "$dir/parse.out"

# ---- the shim in a real program --------------------------------------------
python=""
command -v python3 >/dev/null && python=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
if [ -z "$python" ] || [ ! -x "$python" ]; then
    shim_skipped="the shim in a real program: python3 is not installed"
    shim_finish
fi
cat >"$dir/shim.json" <<'EOF'
{
  "capture": { "journal": false },
  "rate_limit": { "burst": 5, "interval_ms": 600000 },
  "rules": [
    { "name": "Tick", "source": "syslog", "regex": "^tick (?<n>\\d+)", "fields": { "n": "u32" },
      "rate_limit": { "burst": 3, "interval_ms": 600000 } }
  ]
}
EOF
# 1,000 lines to stderr, two errors (never limited), 100 syslog messages;
# then a fork child that logs nothing and exits through exit(): it must not
# report what its parent held back.
cat >"$dir/flood.py" <<'EOF'
import os, sys, syslog
for i in range(1000):
    print("flood", i, file=sys.stderr)
print("ERROR: disk on fire", file=sys.stderr)
print("ERROR: disk still on fire", file=sys.stderr)
syslog.openlog("ticker")
for i in range(100):
    syslog.syslog(syslog.LOG_INFO, "tick %d" % i)
sys.stderr.flush()
pid = os.fork()
if pid == 0:
    sys.exit(0)
os.waitpid(pid, 0)
print("done")
EOF
RUN_ENV=("EHSHIM_CONFIG=$dir/shim.json" "EHSHIM_DEBUG=1")
run_shim "$dir/py" python "$python" "$dir/flood.py"
RUN_ENV=()
expect_status "python flood under the shim" 0 "$dir/py"
[ "$(cat "$dir/py.out")" = done ] || fail "python flood: stdout changed: $(head -c 200 "$dir/py.out")"
lines=$(grep -c -x 'flood [0-9]*' "$dir/py.err")
[ "$lines" = 1000 ] || fail "python flood: $lines of its 1000 stderr lines reached stderr"
decode_events "$dir/py"
flood_events=$(grep -c '"msg": "flood [0-4]", "ident"' "$dir/py.jsonl")
error_events=$(grep -c '"msg": "ERROR: disk' "$dir/py.jsonl")
tick_events=$(grep -c '"n": "ehshim:Tick", "n": [0-2],' "$dir/py.jsonl")
[ "$flood_events" = 5 ] || fail "python flood: $flood_events events of the first 5 floods, want 5"
[ "$error_events" = 2 ] || fail "python flood: $error_events error events, want 2 (errors are never limited)"
[ "$tick_events" = 3 ] || fail "python flood: $tick_events Tick events for ticks 0..2, want 3"
total=$(grep -c . "$dir/py.jsonl")
[ "$total" = 12 ] || fail "python flood: $total events, want 12 (5 floods, 2 errors, 3 ticks, 2 reports)"
grep -q -F '"n": "ehshim:Suppressed", "rule": "Stderr", "count": 995, "burst": 5, "interval_ms": 600000, "msg": "Suppressed 995 events of Stderr (rate_limit: 5 per 600000 ms)"' "$dir/py.jsonl" ||
    fail "python flood: no Suppressed event for the 995 held-back stderr lines: $(grep Suppressed "$dir/py.jsonl")"
grep -q -F '"n": "ehshim:Suppressed", "rule": "Tick", "count": 97, "burst": 3, "interval_ms": 600000, "msg": "Suppressed 97 events of Tick (rate_limit: 3 per 600000 ms)"' "$dir/py.jsonl" ||
    fail "python flood: no Suppressed event for the 97 held-back ticks: $(grep Suppressed "$dir/py.jsonl")"
# The parent's counters (the last report: the child's comes first and has
# nothing suppressed, as its counts were forgotten at fork).
grep -F 'ehshim: rate limits: ' "$dir/py.err" >"$dir/debug"
cat >"$dir/debug.expected" <<'EOF'
ehshim: rate limits: 0 events suppressed, 0 Suppressed events reporting them
ehshim: rate limits: 1092 events suppressed, 2 Suppressed events reporting them
EOF
expect_file "python flood" "EHSHIM_DEBUG rate-limit counters (child, then parent)" "$dir/debug.expected" "$dir/debug"

shim_finish
