#!/usr/bin/env bash
# Reloading the config while the program runs ("reload" in the config):
# - a real Python program logging to stderr: a changed config is in force
#   within the check interval (the default, 1 s, too), a broken one and one that changes a key
#   only a restart can are refused, once each (ConfigRefused, EHSHIM_DEBUG),
#   while the config in force stays; a good one after them is loaded;
# - a fork child follows changes on its own, as its parent does;
# - under load (tests/shim/stress_reload.c): eight threads logging while the
#   config is rewritten 1,000 times, every fifth version broken: every
#   line is exactly one event, each thread's events come from versions in
#   the order they were written, never from a broken one, the last version
#   ends in force everywhere, no replaced config is left behind and
#   resident memory stays flat.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require
dir=$shim_tmp

python=""
command -v python3 >/dev/null && python=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
[ -n "$python" ] && [ -x "$python" ] || python=""

# ---- a real program, one change at a time ---------------------------------
if [ -n "$python" ]; then
    config=$dir/tick.json
    cat >"$config" <<'JSON'
{ "capture": { "syslog": false, "journal": false }, "reload": { "check_ms": 50 },
  "rules": [ { "name": "GenA", "regex": "^tick (?<n>\\d+)", "fields": { "n": "u32" } } ] }
JSON
    # The program changes its own config between ticks, at moments it
    # knows, 0.3 s (six check intervals) before its next tick.
    cat >"$dir/tick.py" <<PY
import os, sys, time
def tick(i):
    print("tick", i, file=sys.stderr, flush=True)
def change(text):
    with open("$config.new", "w") as f:
        f.write(text)
    os.rename("$config.new", "$config")
    time.sleep(0.3)
good = open("$config").read()
tick(0)
change(good.replace("GenA", "GenB"))
tick(1)
change("{ broken")
tick(2); tick(3)
change(good.replace("GenA", "GenC").replace('"journal": false', '"journal": true'))
tick(4); tick(5)
# More capture groups than any rule before: a state made for the old
# config has no room for them; the new config's gets one of its own.
change(good.replace("GenA", "GenD").replace("^tick", "^(t)(i)(c)k"))
tick(6)
pid = os.fork()
if pid == 0:
    change(good.replace("GenA", "GenE"))
    tick(70)
    sys.exit(0)
os.waitpid(pid, 0)
time.sleep(0.1)
tick(8)
PY
    RUN_ENV=("EHSHIM_CONFIG=$config" "EHSHIM_DEBUG=1")
    run_shim "$dir/tick" python "$python" "$dir/tick.py"
    RUN_ENV=()
    expect_status "tick under the shim" 0 "$dir/tick"
    decode_events "$dir/tick"
    # Each event's name, then its tick or the reason it gives.
    sed -E 's/^\{ "n": "ehshim:([A-Za-z]+)", ("n": ([0-9]+)|"path": "[^"]*"(, "error": "([^"]*)")?).*/\1 \3\5/' \
        "$dir/tick.jsonl" | sed "s|$config|CONFIG|g; s/ *$//" >"$dir/tick.got"
    cat >"$dir/tick.expected" <<'TXT'
GenA 0
ConfigReloaded
GenB 1
ConfigRefused CONFIG:1:3: expected a member name in double quotes, found 'b'
GenB 2
GenB 3
ConfigRefused CONFIG: 'capture.journal' changed, which takes a restart of the program
GenB 4
GenB 5
ConfigReloaded
GenD 6
ConfigReloaded
GenE 70
ConfigReloaded
GenE 8
TXT
    expect_file "tick" "events while its config changes (a fork child's in the middle)" \
        "$dir/tick.expected" "$dir/tick.got"
    grep -F 'ehshim: config reloads: ' "$dir/tick.err" >"$dir/tick.debug"
    cat >"$dir/tick.debug.expected" <<'TXT'
ehshim: config reloads: 1 loaded, 0 refused; 0 replaced configs still in use
ehshim: config reloads: 3 loaded, 2 refused; 0 replaced configs still in use
TXT
    expect_file "tick" "EHSHIM_DEBUG reload counters (the child, then the parent)" \
        "$dir/tick.debug.expected" "$dir/tick.debug"
    lines=$(grep -c '^tick ' "$dir/tick.err")
    [ "$lines" = 9 ] || fail "tick: $lines tick lines on its stderr, want 9"

    # The documented default: with "reload": {} a change is in force for
    # every message from one second after it was written.
    config=$dir/default.json
    cat >"$config" <<'JSON'
{ "capture": { "syslog": false, "journal": false }, "reload": {},
  "rules": [ { "name": "GenA", "regex": "^tick (?<n>\\d+)", "fields": { "n": "u32" } } ] }
JSON
    cat >"$dir/default.py" <<PY
import os, sys, time
def tick(i):
    print("tick", i, file=sys.stderr, flush=True)
tick(0)
text = open("$config").read().replace("GenA", "GenB")
with open("$config.new", "w") as f:
    f.write(text)
os.rename("$config.new", "$config")
time.sleep(1.05)
tick(1)
PY
    RUN_ENV=("EHSHIM_CONFIG=$config")
    run_shim "$dir/default" python "$python" "$dir/default.py"
    RUN_ENV=()
    expect_status "the default check under the shim" 0 "$dir/default"
    decode_events "$dir/default"
    sed -E 's/^\{ "n": "ehshim:([A-Za-z]+)", ("n": ([0-9]+))?.*/\1 \3/; s/ *$//' "$dir/default.jsonl" >"$dir/default.got"
    printf 'GenA 0\nConfigReloaded\nGenB 1\n' >"$dir/default.expected"
    expect_file "the default check" "events (a change 1.05 s before a line is in force for it)" \
        "$dir/default.expected" "$dir/default.got"
else
    shim_skipped="the real-program and load cases: python3 is not installed"
    shim_finish
fi

# ---- one clock reading per message -----------------------------------------------
# clock_gettime calls counted by a library preloaded in front of the shim,
# for 0 and for 1,000 stderr lines of bench/stderr_loop: with "reload" and
# a rate limit each line reads the clock once more than without them (the
# capture backend stamps each record with a reading of its own, as the
# kernel stamps events on user_events).
count_lib=$BUILD/tests/preload/count_clock.so
loop=$BUILD/bench/stderr_loop
if [ -n "$SHIM_SANITIZER_RUNTIME" ]; then
    note_skip="clock readings: not counted under a sanitizer (its runtime must come first in LD_PRELOAD)"
elif [ ! -f "$count_lib" ] || [ ! -x "$loop" ]; then
    fail "not built: $count_lib or $loop"
else
    count_lib=$(cd "$(dirname "$count_lib")" && pwd)/count_clock.so
    cat >"$dir/ops.json" <<'JSON'
{ "reload": { "check_ms": 1000 }, "rate_limit": { "burst": 100000, "interval_ms": 60000 },
  "rules": [ { "name": "Line", "regex": "^(?<rest>.*)$" } ] }
JSON
    cat >"$dir/plain.json" <<'JSON'
{ "rules": [ { "name": "Line", "regex": "^(?<rest>.*)$" } ] }
JSON
    clock_calls() { # CONFIG LINES: clock_gettime calls of the whole run
        rm -f "$dir/clock.count"
        env LD_PRELOAD="$count_lib:$SHIM_LIBRARY" EHSHIM_CONFIG="$1" EHSHIM_CAPTURE=/dev/null \
            COUNT_CLOCK_OUT="$dir/clock.count" "$loop" "$2" >/dev/null 2>&1
        sed -n 's/^clock_gettime calls: //p' "$dir/clock.count" 2>/dev/null
    }
    counts=()
    for name in ops.json plain.json; do
        none=$(clock_calls "$dir/$name" 0)
        some=$(clock_calls "$dir/$name" 1000)
        [ -n "$none" ] && [ -n "$some" ] || fail "clock readings with $name: no count from $count_lib"
        counts+=($((${some:-0} - ${none:-0})))
    done
    [ "${counts[1]}" = 1000 ] ||
        fail "clock readings: ${counts[1]} for 1,000 lines captured without reload or rate limits, want 1000 (the records' stamps)"
    [ $((counts[0] - counts[1])) = 1000 ] ||
        fail "clock readings: ${counts[0]} for 1,000 lines with reload and a rate limit, want one a line more than ${counts[1]} without them"
fi

# ---- under load -------------------------------------------------------------------
config=$dir/stress.json
cat >"$config" <<'JSON'
{ "capture": { "syslog": false, "journal": false }, "reload": { "check_ms": 1 },
  "rules": [ { "name": "Gen0", "regex": "^t(?<thread>\\d+) (?<seq>\\d+)$",
               "fields": { "thread": "u8", "seq": "u32" } } ] }
JSON
RUN_TIMEOUT=300
RUN_ENV=("EHSHIM_CONFIG=$config" "EHSHIM_DEBUG=1")
run_shim "$dir/stress" stress_reload "$SHIM_PROGRAMS/stress_reload" "$config" 1000
RUN_ENV=()
expect_status "stress_reload (124 is a timeout)" 0 "$dir/stress"
decode_events "$dir/stress"
rm -f "$dir/stress.dat"
# A sanitizer's allocator keeps freed memory in quarantine (ASan: up to
# 256 MiB): resident memory says nothing about the shim's there.
check_rss=1
[ -n "$SHIM_SANITIZER_RUNTIME" ] && check_rss=0
if ! "$python" - "$dir/stress.out" "$dir/stress.jsonl" "$dir/stress.err" "$check_rss" \
    >"$dir/stress.check" 2>&1 <<'PY'
import re, sys
out, events, err = sys.argv[1:4]
check_rss = sys.argv[4] == "1"
problems = []
logged = {}
rss = None
for line in open(out):
    m = re.match(r"t(\d+) logged (\d+)$", line)
    if m:
        logged[int(m.group(1))] = int(m.group(2))
    m = re.match(r"rss (\d+) (\d+)$", line)
    if m:
        rss = (int(m.group(1)), int(m.group(2)))
if len(logged) != 8 or rss is None:
    problems.append("stress_reload printed no summary")
gens = {t: [] for t in logged}
reloaded = refused = 0
event = re.compile(r'\{ "n": "ehshim:Gen(\d+)", "thread": (\d+), "seq": (\d+), ')
for line in open(events):
    m = event.match(line)
    if m:
        gens.setdefault(int(m.group(2)), []).append((int(m.group(3)), int(m.group(1))))
    elif line.startswith('{ "n": "ehshim:ConfigReloaded"'):
        reloaded += 1
    elif line.startswith('{ "n": "ehshim:ConfigRefused"'):
        refused += 1
        if "unexpected 't' after the end of the top-level value" not in line:
            problems.append("a refusal for another reason: " + line[:200])
    else:
        problems.append("an unexpected event: " + line[:200])
for t, n in sorted(logged.items()):
    seen = gens.get(t, [])
    seqs = [s for s, _ in seen]
    if seqs != list(range(n)):
        problems.append(f"thread {t}: {len(seqs)} events ({len(set(seqs))} distinct) for "
                        f"{n} lines, or out of order")
    order = [g for _, g in seen]
    if any(b < a for a, b in zip(order, order[1:])):
        problems.append(f"thread {t}: an event from an older config after a newer one")
    broken = sorted({g for g in order if g % 5 == 0 and g not in (0, 1000)})
    if broken:
        problems.append(f"thread {t}: events from broken versions {broken[:5]}")
    if not order or order[-1] != 1000:
        problems.append(f"thread {t}: its last event is not from the last version")
m = re.search(r"ehshim: config reloads: (\d+) loaded, (\d+) refused; (\d+) replaced "
              r"configs still in use", open(err).read())
if not m:
    problems.append("no reload counters under EHSHIM_DEBUG=1")
else:
    loads, refusals, kept = map(int, m.groups())
    if loads != reloaded or refusals != refused:
        problems.append(f"the counters say {loads} loaded, {refusals} refused; the events "
                        f"{reloaded}, {refused}")
    # What was loaded is what the threads' checks saw: however busy the
    # machine, at least a fifth of the 800 good versions.
    if not 160 <= loads <= 800 or refusals > 199:
        problems.append(f"{loads} loads and {refusals} refusals for 800 good and 199 "
                        f"broken versions")
    if kept != 0:
        problems.append(f"{kept} replaced configs were never freed")
if check_rss and rss is not None and rss[1] - rss[0] > 2048:
    problems.append(f"resident memory grew from {rss[0]} KiB to {rss[1]} KiB over 900 changes")
print(f"{sum(logged.values())} lines, {reloaded} configs loaded, {refused} refused, rss {rss}")
for p in problems:
    print("PROBLEM:", p)
sys.exit(1 if problems else 0)
PY
then
    fail "stress_reload under the shim:"
    head -n 20 "$dir/stress.check"
else
    echo "stress_reload: $(head -n 1 "$dir/stress.check")"
fi
[ -n "${note_skip:-}" ] && echo "note: $note_skip"
shim_finish
