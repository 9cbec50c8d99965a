#!/usr/bin/env bash
# `ehshim learn -c EXISTING` and capture files as input:
# - -c keeps every existing rule and key (JSON equal, and the existing text
#   kept byte for byte around the added rules); `ehshim parse` with the
#   output gives every line an existing rule matched exactly that rule's
#   event, and every other non-empty line a learned rule's event, none the
#   default; the summary counts the lines the existing rules matched; a
#   learned name an existing rule or a default event has gets a number;
#   --provider replaces the provider; an invalid EXISTING exits 1 with the
#   loader's FILE:LINE:COL lines (what `ehshim check` prints), writing
#   nothing;
# - a real capture (examples/demo_service run under the library, with the
#   built-in config and with examples/demo.json): rules for the messages of
#   its default events, each with its event's source (syslog and stderr),
#   events of rules skipped and counted; the learned config types every
#   default message of the capture; -c with a capture learns the same rules
#   whichever config the capture was made with; a capture is recognised
#   without its .dat name and through a pipe;
# - a truncated capture, a text file named .dat and an event with a broken
#   header: exit 1 with "ehshim learn: FILE: record N at offset X: ...",
#   no config written.
set -u
BUILD=${BUILD:-build}
EHSHIM=${EHSHIM:-$BUILD/ehshim}
cd "$(dirname "$0")/../.." || exit 1
case $EHSHIM in /*) ;; *) EHSHIM=$PWD/$EHSHIM ;; esac
[ -x "$EHSHIM" ] || { echo "FAIL: $EHSHIM is not built"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed (it compares the configs as JSON)"; exit 77; }
DEMO=$BUILD/examples/demo_service
[ -x "$DEMO" ] || { echo "SKIP: $DEMO is not built (make all builds it)"; exit 77; }
[ -f "$BUILD/libehshim.so" ] || { echo "SKIP: $BUILD/libehshim.so is not built (make all builds it)"; exit 77; }
unset EHSHIM_CONFIG EHSHIM_CAPTURE EHSHIM_DEBUG
export LC_ALL=C
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-learn-input.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_same WHAT WANT GOT
expect_same() {
    [ "$2" = "$3" ] || fail "$1: expected
$2
got
$3"
}

# ---- -c on text: half of sshd's rules, sshd's real log
python3 - examples/sshd/config.json "$tmp/half.json" <<'EOF'
import json, sys
config = json.load(open(sys.argv[1]))
config["rules"] = config["rules"][::2]
open(sys.argv[2], "w").write(json.dumps(config, indent=2) + "\n")
EOF
args=$(cat examples/sshd/args)
# shellcheck disable=SC2086
"$EHSHIM" parse -c "$tmp/half.json" $args examples/sshd/input.log >"$tmp/before.jsonl" ||
    fail "ehshim parse with the half config failed"
lines=$(wc -l <examples/sshd/input.log)
# sshd's config names its default event.
default=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["default"]["name"])' "$tmp/half.json")
defaults=$(grep -c "\"n\": \"OpenSSH:$default\"" "$tmp/before.jsonl")
[ "$defaults" -gt 0 ] && [ "$defaults" -lt "$lines" ] ||
    fail "the half config should leave some lines, not $defaults of $lines, to the default event"
"$EHSHIM" learn -c "$tmp/half.json" --source syslog --ident sshd -o "$tmp/more.json" \
    examples/sshd/input.log 2>"$tmp/more.err" || fail "ehshim learn -c failed: $(cat "$tmp/more.err")"
"$EHSHIM" check "$tmp/more.json" >"$tmp/check.out" 2>&1 || fail "ehshim check refuses the -c output: $(head -c 300 "$tmp/check.out")"
summary=$(cat "$tmp/more.err")
templates=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rules"]) - len(json.load(open(sys.argv[2]))["rules"]))' "$tmp/more.json" "$tmp/half.json")
expect_same "learn -c summary" \
    "ehshim learn: $lines lines, $templates rules, $((lines - defaults)) lines matched by a rule of $tmp/half.json" "$summary"

# The existing rules and keys, untouched and first; the text kept around the additions.
python3 - "$tmp/half.json" "$tmp/more.json" >"$tmp/keep.out" <<'EOF'
import json, sys
old_text = open(sys.argv[1]).read()
new_text = open(sys.argv[2]).read()
old, new = json.loads(old_text), json.loads(new_text)
n = len(old["rules"])
problems = []
if new["rules"][:n] != old["rules"]:
    problems.append("the existing rules changed")
if {k: v for k, v in new.items() if k != "rules"} != {k: v for k, v in old.items() if k != "rules"}:
    problems.append("keys besides the rules changed")
if list(new) != list(old):
    problems.append("the keys are in another order: %s" % list(new))
# half.json ends with its rules array: its last rule's '}' then "\n  ]\n}\n".
cut = old_text.rstrip().rfind("}", 0, old_text.rstrip().rfind("]")) + 1
if not new_text.startswith(old_text[:cut]) or not new_text.endswith(old_text[cut:]):
    problems.append("the existing text is not kept byte for byte around the added rules")
learned = new["rules"][n:]
names = [r["name"] for r in new["rules"]]
if not learned:
    problems.append("no rule learned")
if len(set(names)) != len(names):
    problems.append("duplicate names")
if any(r.get("source") != "syslog" or r.get("ident") != "sshd" or "template" not in r for r in learned):
    problems.append("a learned rule without source syslog, ident sshd and a template")
print("\n".join(problems))
EOF
grep -q . "$tmp/keep.out" && fail "-c: $(cat "$tmp/keep.out")"

# Lines the existing rules matched: the same event; the others: a learned rule's.
# shellcheck disable=SC2086
"$EHSHIM" parse -c "$tmp/more.json" $args examples/sshd/input.log >"$tmp/after.jsonl" ||
    fail "ehshim parse with the -c output failed"
python3 - "$tmp/before.jsonl" "$tmp/after.jsonl" "$tmp/half.json" "$tmp/more.json" "$default" >"$tmp/events.out" <<'EOF'
import json, sys
default = "OpenSSH:" + sys.argv[5]
before = open(sys.argv[1]).read().splitlines()
after = open(sys.argv[2]).read().splitlines()
n = len(json.load(open(sys.argv[3]))["rules"])
learned = {"OpenSSH:" + r["name"] for r in json.load(open(sys.argv[4]))["rules"][n:]}
if len(before) != len(after):
    print("%d events before, %d after" % (len(before), len(after)))
for b, a in zip(before, after):
    name_b, name_a = json.loads(b)["n"], json.loads(a)["n"]
    if name_b != default:
        if a != b:
            print("matched by an existing rule before, now:\n%s\nwas\n%s" % (a, b))
    elif json.loads(a)["msg"] != "" and name_a not in learned:
        print("not a learned rule's event: %s" % a)
EOF
grep -q . "$tmp/events.out" && fail "-c events: $(head -n 6 "$tmp/events.out")"

# A learned name an existing rule has gets a number: take one of the names
# learned above for an existing rule that matches nothing.
clash=$(python3 -c '
import json, sys
n = len(json.load(open(sys.argv[1]))["rules"])
names = [r["name"] for r in json.load(open(sys.argv[2]))["rules"][n:]]
print(next(x for x in names if not x[-1].isdigit() and x + "2" not in names))' "$tmp/half.json" "$tmp/more.json")
python3 - "$tmp/half.json" "$tmp/clash.json" "$clash" <<'EOF'
import json, sys
config = json.load(open(sys.argv[1]))
config["rules"].append({"name": sys.argv[3], "source": "syslog", "regex": "^matches nothing in the log$"})
open(sys.argv[2], "w").write(json.dumps(config, indent=2) + "\n")
EOF
"$EHSHIM" learn -c "$tmp/clash.json" --source syslog --ident sshd -o "$tmp/clashed.json" \
    examples/sshd/input.log 2>/dev/null || fail "ehshim learn -c with a clashing name failed"
got=$(python3 -c '
import json, sys
n = len(json.load(open(sys.argv[1]))["rules"])
print(" ".join(r["name"] for r in json.load(open(sys.argv[2]))["rules"][n:]))' "$tmp/clash.json" "$tmp/clashed.json")
want=$(python3 -c '
import json, sys
n = len(json.load(open(sys.argv[1]))["rules"])
print(" ".join(r["name"] + ("2" if r["name"] == sys.argv[3] else "") for r in json.load(open(sys.argv[2]))["rules"][n:]))' \
    "$tmp/half.json" "$tmp/more.json" "$clash")
expect_same "a learned name an existing rule has ($clash)" "$want" "$got"
echo "-c: $lines lines, $((lines - defaults)) matched by the existing rules, $templates rules learned; $clash renamed ${clash}2"
"$EHSHIM" check "$tmp/clashed.json" >/dev/null 2>&1 || fail "ehshim check refuses the config with a renamed rule"

# Default event names are taken too; --provider replaces the provider.
printf 'stderr\nsyslog\n' >"$tmp/defaults.log"
"$EHSHIM" learn -c "$tmp/half.json" --provider Renamed -o "$tmp/renamed.json" "$tmp/defaults.log" 2>/dev/null ||
    fail "ehshim learn --provider with -c failed"
got=$(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
print(c["provider"], " ".join(r["name"] for r in c["rules"][len(json.load(open(sys.argv[2]))["rules"]):]))' \
    "$tmp/renamed.json" "$tmp/half.json")
expect_same "--provider and default event names" "Renamed Stderr2 Syslog2" "$got"

# An invalid existing config: the loader's lines, exit 1, nothing written.
printf '{\n  "provider": "X",\n  "rules": [\n    { "name": "A", "regex": "(" }\n  ]\n}\n' >"$tmp/bad.json"
"$EHSHIM" learn -c "$tmp/bad.json" -o "$tmp/bad-out.json" examples/sshd/input.log >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
[ $rc -eq 1 ] || fail "invalid existing config: exit $rc, want 1"
"$EHSHIM" check "$tmp/bad.json" >"$tmp/bad.check" 2>&1
expect_same "invalid existing config: stderr" "$(cat "$tmp/bad.check")" "$(cat "$tmp/bad.err")"
grep -qE "^$tmp/bad.json:4:[0-9]+: " "$tmp/bad.err" || fail "invalid existing config: no FILE:LINE:COL line: $(cat "$tmp/bad.err")"
[ -e "$tmp/bad-out.json" ] && fail "invalid existing config: a config was written"
[ -s "$tmp/bad.out" ] && fail "invalid existing config: something on stdout"

# ---- capture files: demo_service under the library
# A sanitized library (the ASan build) needs its runtime first in
# LD_PRELOAD; ehshim run puts the library first, so the runtime goes in
# beforehand (as test_shim_demo.sh does).
run_env=()
runtime=$(ldd "$BUILD/libehshim.so" 2>/dev/null | awk '$1 ~ /^lib(asan|ubsan)\.so/ { print $3; exit }')
[ -n "$runtime" ] &&
    run_env=("LD_PRELOAD=$runtime" "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:check_printf=0:verify_asan_link_order=0")
env "${run_env[@]}" "$EHSHIM" run -o "$tmp/plain.dat" "$DEMO" >/dev/null 2>&1 ||
    fail "demo_service under the built-in config failed"
env "${run_env[@]}" "$EHSHIM" run -c examples/demo.json -o "$tmp/demo.dat" "$DEMO" >/dev/null 2>&1 ||
    fail "demo_service under examples/demo.json failed"

# Built-in config: every message is a default event, of two sources.
"$EHSHIM" learn -o "$tmp/plain.json" "$tmp/plain.dat" 2>"$tmp/plain.err" || fail "learn plain.dat failed: $(cat "$tmp/plain.err")"
"$EHSHIM" check "$tmp/plain.json" >/dev/null 2>&1 || fail "ehshim check refuses the config learned from a capture"
templates=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rules"]))' "$tmp/plain.json")
expect_same "plain.dat summary" \
    "ehshim learn: 12 lines, $templates rules; 12 capture events, 0 skipped (a rule had matched them)" \
    "$(cat "$tmp/plain.err")"
got=$(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
print(json.dumps(c["capture"], sort_keys=True), sorted({r["source"] for r in c["rules"]}))' "$tmp/plain.json")
expect_same "plain.dat: capture and rule sources" '{"stderr": true, "syslog": true} ['"'"'stderr'"'"', '"'"'syslog'"'"']' "$got"
# Each default message of the capture, as the shim gave it (source, ident),
# gets a learned rule's event.
"$EHSHIM" decode --no-stamp "$tmp/plain.dat" >"$tmp/plain.jsonl" || fail "decode plain.dat failed"
python3 - "$tmp/plain.jsonl" "$tmp" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    event = json.loads(line)
    source = event["n"].split(":")[1].lower()
    with open("%s/msg-%s-%s.log" % (sys.argv[2], source, event["ident"]), "a") as f:
        f.write(event["msg"] + "\n")
EOF
for f in "$tmp"/msg-*.log; do
    name=${f##*/msg-}
    source=${name%%-*} ident=${name#*-}
    ident=${ident%.log}
    "$EHSHIM" parse -c "$tmp/plain.json" --source "$source" --ident "$ident" "$f" >"$f.jsonl" 2>/dev/null
    [ "$(grep -c . "$f.jsonl")" = "$(wc -l <"$f")" ] || fail "plain.dat, $source $ident: $(grep -c . "$f.jsonl") events for $(wc -l <"$f") messages"
    grep -q '"n": "Learned:\(Syslog\|Stderr\)"' "$f.jsonl" &&
        fail "plain.dat, $source $ident: a message gets the default event: $(grep -m1 '"n": "Learned:\(Syslog\|Stderr\)"' "$f.jsonl")"
done

# Under demo.json: its rules' events are skipped; four messages are left.
"$EHSHIM" learn -c examples/demo.json -o "$tmp/demo.json" "$tmp/demo.dat" 2>"$tmp/demo.err" ||
    fail "learn -c demo.json demo.dat failed: $(cat "$tmp/demo.err")"
expect_same "demo.dat summary" \
    "ehshim learn: 4 lines, 4 rules, 0 lines matched by a rule of examples/demo.json; 10 capture events, 6 skipped (a rule had matched them)" \
    "$(cat "$tmp/demo.err")"
got=$(python3 -c '
import json, sys
old = json.load(open(sys.argv[1]))
new = json.load(open(sys.argv[2]))
n = len(old["rules"])
assert new["rules"][:n] == old["rules"], "existing rules changed"
print(" ".join(r["source"] + ":" + r["name"] for r in new["rules"][n:]))' examples/demo.json "$tmp/demo.json" 2>&1)
expect_same "demo.dat: learned rules" \
    "syslog:ReceivedDisconnectFromPortDisconnected syslog:ServerListeningOnPort stderr:OpenNoSuchFileOr stderr:DemoServiceReloadedRules" "$got"
"$EHSHIM" check "$tmp/demo.json" >/dev/null 2>&1 || fail "ehshim check refuses demo.json plus the learned rules"
# The built-in capture under -c demo.json: demo.json's rules match 8 of its
# 12 messages (drop rule included), and the same four rules are learned.
"$EHSHIM" learn -c examples/demo.json -o "$tmp/demo2.json" "$tmp/plain.dat" 2>"$tmp/demo2.err" ||
    fail "learn -c demo.json plain.dat failed"
expect_same "plain.dat with -c summary" \
    "ehshim learn: 12 lines, 4 rules, 8 lines matched by a rule of examples/demo.json; 12 capture events, 0 skipped (a rule had matched them)" \
    "$(cat "$tmp/demo2.err")"
cmp -s "$tmp/demo.json" "$tmp/demo2.json" || fail "-c demo.json learns other rules from the built-in capture than from demo.json's"

# Recognised by its first record: another name, a pipe, standard input.
cp "$tmp/plain.dat" "$tmp/plain.bin"
"$EHSHIM" learn -o "$tmp/bin.json" "$tmp/plain.bin" 2>/dev/null || fail "learn plain.bin failed"
cmp -s "$tmp/plain.json" "$tmp/bin.json" || fail "a capture without its .dat name is not read as one"
cat "$tmp/plain.dat" | "$EHSHIM" learn >"$tmp/pipe.json" 2>/dev/null || fail "learn from a pipe failed"
cmp -s "$tmp/plain.json" "$tmp/pipe.json" || fail "a capture through a pipe is not read as one"
"$EHSHIM" learn - <"$tmp/plain.dat" >"$tmp/stdin.json" 2>/dev/null || fail "learn - failed"
cmp -s "$tmp/plain.json" "$tmp/stdin.json" || fail "a capture on standard input is not read as one"
# Text through a pipe is still text, the first bytes included.
cat examples/sshd/input.log | "$EHSHIM" learn --source syslog --ident sshd >"$tmp/text-pipe.json" 2>/dev/null
"$EHSHIM" learn --source syslog --ident sshd examples/sshd/input.log >"$tmp/text-file.json" 2>/dev/null
cmp -s "$tmp/text-pipe.json" "$tmp/text-file.json" || fail "text through a pipe learns another config than from its file"

# Malformed captures: exit 1, the file and record named, nothing written.
first=$(od -An -tu4 -N4 "$tmp/plain.dat" | tr -d ' ')
head -c $((first + 40)) "$tmp/plain.dat" >"$tmp/trunc.dat"
printf 'hello world\n' >"$tmp/text.dat"
python3 -c '
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[d.index(0, 4) + 1] = 0xff  # the header flags of the first event
open(sys.argv[2], "wb").write(bytes(d))' "$tmp/plain.dat" "$tmp/flags.dat"
declare -A want_error=(
    [trunc]="record 2 at offset $first: record size runs past the end of the file"
    [text]="record 1 at offset 0: record size runs past the end of the file"
    [flags]="record 1 at offset 0: unknown header flags 0xff"
)
for f in trunc text flags; do
    "$EHSHIM" learn -o "$tmp/$f.json" "$tmp/$f.dat" >"$tmp/$f.out" 2>"$tmp/$f.err"
    rc=$?
    [ $rc -eq 1 ] || fail "$f.dat: exit $rc, want 1"
    expect_same "$f.dat: stderr" "ehshim learn: $tmp/$f.dat: ${want_error[$f]}" "$(cat "$tmp/$f.err")"
    [ -e "$tmp/$f.json" ] && fail "$f.dat: a config was written"
done

echo "$failures failures"
[ $failures -eq 0 ]
