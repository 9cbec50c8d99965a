#!/usr/bin/env bash
# The rules engine as configs grow: the sshd example's rules alone, and
# with other programs' message templates placed BEFORE them (none of which
# matches an sshd line) to make 100 and 1,000 rules. bench/rules replays the
# bench/authlog mix; reported per size: lines/s, instructions per line
# (callgrind, (I(2 passes) - I(1 pass)) / lines) and rules tried per line
# (matchers run), against the goal: 1,000 rules at most 10% over the
# example alone.
#
# The templates are learned at run time (ehshim learn --source syslog) from
# the message column of the loghub-2k datasets in $LOGHUB (default
# ../shared/loghub), whose licence keeps their text out of this
# repository. They hold fewer distinct templates than 977: the rest of the
# 1,000 repeats them under new event names (up to 4 copies). Copies share
# their key in the index, so a line meets all of a template's copies or
# none, and a copy never runs PCRE2 on a line its first did not match; but
# each copy the index cannot rule out is one more candidate to look at.
# So the script also measures the example with every distinct template
# once and no copy (the size printed between 100 and 1,000): what a real
# config of that many distinct templates costs. There is no honest way to
# more distinct templates from these datasets (varying the templates'
# text would invent them), so 1,000 stays the repeated config; compare it
# with the distinct one to see what the repetition adds. The script says
# how many were distinct.
set -eu
BUILD=${BUILD:-build}
LOGHUB=${LOGHUB:-../shared/loghub}
LINES=${LINES:-200000}
datasets=(Apache HDFS HealthApp Linux Proxifier Zookeeper)

for d in "${datasets[@]}"; do
    if [ ! -r "$LOGHUB/${d}_2k.log_structured.csv" ]; then
        echo "rules_scale: SKIP: $LOGHUB/${d}_2k.log_structured.csv is missing (set LOGHUB to the loghub-2k directory)"
        exit 0
    fi
done
command -v python3 >/dev/null || { echo "rules_scale: SKIP: python3 is not installed"; exit 0; }

work=$BUILD/bench/rules_scale
mkdir -p "$work"
[ -s "$BUILD/bench/auth.log" ] || "$BUILD/bench/authlog" "$LINES" >"$BUILD/bench/auth.log"
auth=$BUILD/bench/auth.log
sshd=examples/sshd/config.json

learned=()
for d in "${datasets[@]}"; do
    python3 - "$LOGHUB/${d}_2k.log_structured.csv" >"$work/$d.messages" <<'EOF'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8", errors="replace") as f:
    for row in csv.DictReader(f):
        print(row["Content"])
EOF
    "$BUILD/ehshim" learn --source syslog -o "$work/$d.json" "$work/$d.messages" 2>/dev/null
    learned+=("$work/$d.json")
done

# make_configs STAGE: STAGE "extras" writes every distinct learned rule to
# extras.json; STAGE "configs" drops the rules named in matched.txt (they
# matched an sshd line) and writes rules-N.json for each size.
make_configs() {
    python3 - "$1" "$work" "$sshd" "${learned[@]}" <<'EOF'
import json, sys
stage, work, sshd_path, learned = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
extras, seen = [], set()
for path in learned:
    for rule in json.load(open(path))["rules"]:
        key = rule.get("grok") or rule.get("regex")
        if key in seen:
            continue
        seen.add(key)
        rule["source"] = "syslog"
        rule.pop("ident", None)
        extras.append(rule)
if stage == "extras":
    json.dump({"capture": {"syslog": True}, "rules": extras}, open(work + "/extras.json", "w"), indent=1)
    sys.exit(0)
matched = set(open(work + "/matched.txt").read().split())
extras = [r for r in extras if r["name"] not in matched]
sshd = json.load(open(sshd_path))
base = len(sshd["rules"])
names = {r["name"] for r in sshd["rules"]}
print(f"{len(extras)} distinct learned templates, none matching an sshd line; sshd example: {base} rules")
for total in sorted({base, 100, min(base + len(extras), 1000), 1000}):
    rules = []
    while len(rules) < total - base:
        copy = len(rules) // len(extras) + 1
        rule = dict(extras[len(rules) % len(extras)])
        name = rule["name"] if copy == 1 else f'{rule["name"]}Copy{copy}'
        while name in names:
            name += "X"
        names.add(name)
        rule["name"] = name
        rules.append(rule)
    config = dict(sshd)
    config["rules"] = rules + sshd["rules"]
    json.dump(config, open(f"{work}/rules-{total}.json", "w"), indent=1)
    print(f"{work}/rules-{total}.json")
EOF
}

make_configs extras
# Rules of other programs that match an sshd line ("Failed password for
# ...": Linux_2k holds sshd's own messages) are left out: the extra rules
# must not change the events.
"$BUILD/ehshim" parse -c "$work/extras.json" --source syslog --ident sshd "$auth" |
    sed -n 's/^{ "n": "[^":]*:\([^"]*\)".*/\1/p' | grep -vx Syslog | sort -u >"$work/matched.txt" || true
mapfile -t made < <(make_configs configs)
echo "rules_scale: ${made[0]}; left out for matching sshd lines: $(wc -l <"$work/matched.txt")"
configs=("${made[@]:1}")

# shellcheck source=bench/callgrind.sh
. "$(dirname "$0")/callgrind.sh"

lines=$(wc -l <"$auth")
rules=("$BUILD/bench/rules" --source syslog --ident sshd --priority 38)
expected=""
first=""
for config in "${configs[@]}"; do
    out=$("${rules[@]}" --min-lines 3000000 "$config" "$auth")
    mix=$(echo "$out" | sed -n 's/.*lines (\(.*\))$/\1/p')
    # The extra rules must change nothing: the same mix of events each time.
    [ -n "$expected" ] || expected=$mix
    [ "$mix" = "$expected" ] || { echo "rules_scale: FAIL: $config: $mix, not $expected"; exit 1; }
    rate=$(echo "$out" | sed -n 's/.*s: \([0-9]*\) lines\/s.*/\1/p')
    count=$(echo "$out" | sed -n 's/^rules: \([0-9]*\) rules, .*/\1/p')
    tried=$(echo "$out" | sed -n 's/.*rules, \([0-9.]*\) rules tried per line/\1/p')
    if command -v valgrind >/dev/null; then
        one=$(instructions "${rules[@]}" --min-lines "$lines" "$config" "$auth")
        two=$(instructions "${rules[@]}" --min-lines $((2 * lines)) "$config" "$auth")
        per=$(( (two - one) / lines ))
        [ -n "$first" ] || { first=$per; base_count=$count; }
        over=$(awk -v a="$first" -v b="$per" 'BEGIN { printf "%+.1f%%", (b - a) * 100 / a }')
        echo "rules_scale: $count rules: $rate lines/s, $per instructions per line ($over), $tried rules tried per line ($mix)"
    else
        echo "rules_scale: $count rules: $rate lines/s, $tried rules tried per line ($mix); SKIP instruction count: valgrind is not installed"
    fi
done
if [ -n "$first" ]; then
    verdict=$(awk -v a="$first" -v b="$per" 'BEGIN { print (b <= a * 1.10) ? "met" : "NOT met" }')
    echo "rules_scale: goal, $count rules at most 10% over the $base_count of the example alone: $verdict"
fi
