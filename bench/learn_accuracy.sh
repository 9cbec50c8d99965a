#!/usr/bin/env bash
# `ehshim learn` on labelled logs (issue 15, "Quality"): every loghub-2k
# dataset found in $LOGHUB (default ../shared/loghub beside the repository;
# the data stays outside it, for its research licence), scored the way log
# parsing research scores a parser. For each NAME_2k.log_structured.csv:
#   1. its Content column (python3's csv module), one message a line;
#   2. ehshim learn -o CFG CONTENT: the same command line for every
#      dataset, no per-dataset option;
#   3. ehshim parse -c CFG --source stderr CONTENT > EVENTS.jsonl;
#   4. python3 $LOGHUB/score.py TRUTH EVENTS.jsonl CFG: grouping accuracy
#      (GA, from the event names) and parsing accuracy (PA, from the rules'
#      "template" keys).
# Prints a row per dataset and the averages against the goal: GA >= 0.90,
# PA >= 0.60. "learn lines/s" is the dataset's lines over the wall time of
# `ehshim learn` on them, best of 3, process start-up included (2,000
# lines: the scale only; bench/learn_speed.sh measures speed).
# Without the directory, its datasets or python3: prints SKIP and exits 0.
# Exits 1 when a step fails for a dataset (a low score is no failure).
set -eu
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
LOGHUB=${LOGHUB:-$root/../shared/loghub}
ehshim=$BUILD/ehshim

skip() { echo "learn_accuracy: SKIP: $*"; exit 0; }
command -v python3 >/dev/null || skip "python3 is not installed"
[ -d "$LOGHUB" ] || skip "no loghub directory at $LOGHUB (set LOGHUB to the loghub-2k datasets)"
[ -f "$LOGHUB/score.py" ] || skip "no score.py in $LOGHUB"
shopt -s nullglob
truths=("$LOGHUB"/*_2k.log_structured.csv)
[ ${#truths[@]} -gt 0 ] || skip "no *_2k.log_structured.csv in $LOGHUB"
[ -x "$ehshim" ] || { echo "learn_accuracy: FAIL: $ehshim is not built"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Microseconds since the epoch.
now_us() {
    if [ -n "${EPOCHREALTIME:-}" ]; then
        echo "${EPOCHREALTIME/./}"
    else
        echo $(($(date +%s%N) / 1000))
    fi
}

printf '%-12s %6s %6s %8s %6s %6s %14s\n' dataset lines true learned GA PA "learn lines/s"
failures=0
scored=0
ga_sum=0
pa_sum=0
pa_count=0
for truth in "${truths[@]}"; do
    name=$(basename "$truth" _2k.log_structured.csv)
    content=$tmp/$name.txt cfg=$tmp/$name.json events=$tmp/$name.jsonl
    lines="" true_templates=""
    # The Content column, one message a line (a line break inside one would
    # make two lines: it becomes a space), and the count of true templates.
    read -r lines true_templates < <(python3 - "$truth" "$content" 2>"$tmp/csv.err" <<'EOF'
import csv, sys
ids = set()
n = 0
with open(sys.argv[1], newline='', encoding='utf-8', errors='replace') as f, \
        open(sys.argv[2], 'w', encoding='utf-8') as out:
    for row in csv.DictReader(f):
        out.write(row['Content'].replace('\r', ' ').replace('\n', ' ') + '\n')
        ids.add(row['EventId'])
        n += 1
print(n, len(ids))
EOF
    ) || true
    if [ -z "${true_templates:-}" ]; then
        echo "$name: FAIL: cannot read the Content column of $truth: $(tail -n 1 "$tmp/csv.err")"
        failures=$((failures + 1))
        continue
    fi
    best=""
    ok=1
    for _ in 1 2 3; do
        t0=$(now_us)
        if ! "$ehshim" learn -o "$cfg" "$content" 2>"$tmp/learn.err"; then
            ok=0
            break
        fi
        t1=$(now_us)
        us=$((t1 - t0))
        [ -n "$best" ] && [ "$best" -le "$us" ] || best=$us
    done
    if [ $ok = 0 ]; then
        echo "$name: FAIL: ehshim learn: $(head -c 300 "$tmp/learn.err")"
        failures=$((failures + 1))
        continue
    fi
    if ! "$ehshim" parse -c "$cfg" --source stderr "$content" >"$events" 2>"$tmp/parse.err"; then
        echo "$name: FAIL: ehshim parse: $(head -c 300 "$tmp/parse.err")"
        failures=$((failures + 1))
        continue
    fi
    if ! score=$(python3 "$LOGHUB/score.py" "$truth" "$events" "$cfg" 2>&1); then
        echo "$name: FAIL: score.py: $score"
        failures=$((failures + 1))
        continue
    fi
    learned=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1])).get("rules", [])))' "$cfg")
    ga=$(sed -n 's/^GA \([0-9.]*\).*/\1/p' <<<"$score")
    pa=$(sed -n 's/.*, PA \([0-9.]*\).*/\1/p' <<<"$score")
    [ -n "$ga" ] || { echo "$name: FAIL: no GA in score.py's output: $score"; failures=$((failures + 1)); continue; }
    rate=$(awk -v n="$lines" -v us="$best" 'BEGIN { printf "%.0f", (us > 0) ? n * 1e6 / us : 0 }')
    printf '%-12s %6s %6s %8s %6s %6s %14s\n' "$name" "$lines" "$true_templates" "$learned" \
        "$ga" "${pa:--}" "$rate"
    scored=$((scored + 1))
    ga_sum=$(awk -v a="$ga_sum" -v b="$ga" 'BEGIN { print a + b }')
    if [ -n "$pa" ]; then
        pa_sum=$(awk -v a="$pa_sum" -v b="$pa" 'BEGIN { print a + b }')
        pa_count=$((pa_count + 1))
    fi
done

# goal VALUE TARGET: "met" or "not met".
goal() { awk -v v="$1" -v t="$2" 'BEGIN { print (v + 0 >= t) ? "met" : "not met" }'; }
if [ $scored -gt 0 ]; then
    ga_avg=$(awk -v s="$ga_sum" -v n="$scored" 'BEGIN { printf "%.3f", s / n }')
    line="learn_accuracy: average over $scored of ${#truths[@]} datasets: GA $ga_avg (goal >= 0.90: $(goal "$ga_avg" 0.90))"
    if [ $pa_count -gt 0 ]; then
        pa_avg=$(awk -v s="$pa_sum" -v n="$pa_count" 'BEGIN { printf "%.3f", s / n }')
        line="$line, PA $pa_avg (goal >= 0.60: $(goal "$pa_avg" 0.60))"
    else
        line="$line, PA: none (the configs carry no \"template\" keys; goal >= 0.60: not met)"
    fi
    echo "$line"
fi
if [ $failures -gt 0 ]; then
    echo "learn_accuracy: FAIL: $failures of ${#truths[@]} datasets could not be scored"
    exit 1
fi
