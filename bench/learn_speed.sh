#!/usr/bin/env bash
# `ehshim learn`, fast and bounded (issue 15): lines per second on one core
# (target: at least 500,000) and peak memory, which the template cap must
# bound whatever the input.
#   - realistic input: bench/learn_input N examples/*/input.log AUTH, AUTH
#     the sshd traffic of bench/authlog 200000 (real lines with their
#     numbers varied, and 1,200 synthetic message kinds, skewed): N lines
#     (LEARN_LINES, default 1,000,000), timed LEARN_RUNS times (default 5);
#     lines/s = N / CPU time (user + system, bash's `time`), median and
#     best; peak RSS (maxrss) from GNU time when /usr/bin/time is GNU time;
#   - the worst case for memory: bench/learn_input --random-words, 50,000
#     and 200,000 lines of random words, nearly every line a template of
#     its own: the peak RSS (median of 3 runs) must not grow with the
#     lines once the cap is reached (every run under setarch -R, address
#     space randomisation off, when allowed: less noise in the RSS);
#   - instructions per line (valgrind --tool=callgrind): the first 50,000
#     lines of the realistic input learned once and twice over (the file
#     twice in a row), (I(2 passes) - I(1 pass)) / 50000: a line's cost
#     with the templates in place, without start-up or writing the config
#     (both runs write the same config).
set -eu
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
cd "$root"
ehshim=$BUILD/ehshim
gen=$BUILD/bench/learn_input
lines=${LEARN_LINES:-1000000}
runs=${LEARN_RUNS:-5}
for program in "$ehshim" "$gen" "$BUILD/bench/authlog"; do
    [ -x "$program" ] || { echo "learn_speed: FAIL: $program is not built"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gnu_time=""
if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o "$tmp/probe" true 2>/dev/null; then
    gnu_time=/usr/bin/time
fi
# Address-space randomisation off where allowed: with it, where the heap
# and the stack land moves the peak RSS by a few hundred KiB from run to run.
no_aslr=()
if setarch -R true 2>/dev/null; then
    no_aslr=(setarch -R)
fi

# learn INPUT: runs `ehshim learn` on INPUT once; sets cpu (user + system,
# seconds), wall (seconds), rss (peak KiB, "?" without GNU time) and said
# (the last line it wrote to stderr).
learn() {
    local input=$1 TIMEFORMAT='%3U %3S %3R' user sys
    local wrap=()
    [ -n "$gnu_time" ] && wrap=("$gnu_time" -f %M -o "$tmp/rss")
    wrap=("${no_aslr[@]}" "${wrap[@]}")
    { time "${wrap[@]}" "$ehshim" learn -o "$tmp/learned.json" "$input" 2>"$tmp/learn.err"; } 2>"$tmp/time" ||
        { echo "learn_speed: FAIL: ehshim learn $input: $(head -c 300 "$tmp/learn.err")"; exit 1; }
    read -r user sys wall <"$tmp/time"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')
    rss="?"
    [ -n "$gnu_time" ] && rss=$(tail -n 1 "$tmp/rss")
    said=$(tail -n 1 "$tmp/learn.err")
}
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0) ? n / s : 0 }'; }
commas() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }
kib() { [ "$1" = "?" ] && echo "? (no GNU time)" || echo "$1 KiB"; }

"$BUILD/bench/authlog" 200000 >"$tmp/auth.log"
"$gen" "$lines" examples/*/input.log "$tmp/auth.log" >"$tmp/mixed.log"
mb=$(( $(wc -c <"$tmp/mixed.log") / 1000000 ))

learn /dev/null
empty_rss=$rss
cpus=()
wall_all=()
peak=0
for _ in $(seq "$runs"); do
    learn "$tmp/mixed.log"
    cpus+=("$cpu")
    wall_all+=("$wall")
    [ "$rss" = "?" ] || [ "$rss" -le "$peak" ] || peak=$rss
done
[ -n "$gnu_time" ] || peak="?"
sorted=$(printf '%s\n' "${cpus[@]}" | sort -n)
best_cpu=$(head -n 1 <<<"$sorted")
median_cpu=$(sed -n "$(( (runs + 1) / 2 ))p" <<<"$sorted")
median_wall=$(printf '%s\n' "${wall_all[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
median_rate=$(rate "$lines" "$median_cpu")
target=$(awk -v r="$median_rate" 'BEGIN { print (r >= 500000) ? "met" : "NOT met" }')
echo "learn_speed: $(commas "$lines") lines ($mb MB: examples/*/input.log and bench/authlog, numbers varied, and 1,200 synthetic kinds); ehshim learn says: ${said#ehshim learn: }"
echo "learn_speed: $(commas "$median_rate") lines/s median, $(commas "$(rate "$lines" "$best_cpu")") best, of $runs runs (CPU time, median ${median_cpu} s; wall median ${median_wall} s); target 500,000 lines/s on one core: $target"
echo "learn_speed: peak RSS $(kib "$peak") ($(kib "$empty_rss") learning an empty input)"

# Very many distinct templates: the cap must bound memory. The median of 3
# runs of each (peak RSS varies by up to about 200 KiB from run to run,
# more when setarch -R is not allowed).
median_rss() {
    local all=()
    for _ in 1 2 3; do
        learn "$1"
        all+=("$rss")
    done
    if [ -n "$gnu_time" ]; then
        rss=$(printf '%s\n' "${all[@]}" | sort -n | sed -n 2p)
    fi
}
"$gen" --random-words 200000 >"$tmp/random.log"
head -n 50000 "$tmp/random.log" >"$tmp/random-50k.log"
median_rss "$tmp/random-50k.log"
small_rss=$rss
median_rss "$tmp/random.log"
echo "learn_speed: random words, a template nearly every line: peak RSS $(kib "$small_rss") at 50,000 lines, $(kib "$rss") at 200,000 (median of 3; $(commas "$(rate 200000 "$cpu")") lines/s); ehshim learn says: ${said#ehshim learn: }"
if [ -n "$gnu_time" ]; then
    echo "learn_speed: memory from 50,000 to 200,000 random lines: $(printf %+d $((rss - small_rss))) KiB (the cap bounds memory when this stays within the run-to-run noise: about 200 KiB$([ ${#no_aslr[@]} -gt 0 ] || echo ", more with ASLR on"))"
fi

if command -v valgrind >/dev/null; then
    head -n 50000 "$tmp/mixed.log" >"$tmp/one.log"
    cat "$tmp/one.log" "$tmp/one.log" >"$tmp/two.log"
    instructions() {
        valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
            "$ehshim" learn -o "$tmp/cg-$2.json" "$1" >/dev/null 2>&1
        awk '/^summary:/ { print $2 }' "$tmp/cg.out"
    }
    one=$(instructions "$tmp/one.log" one)
    two=$(instructions "$tmp/two.log" two)
    same="the same config both times"
    cmp -s "$tmp/cg-one.json" "$tmp/cg-two.json" || same="NOTE: the second pass changed the config"
    echo "learn_speed: $(( (two - one) / 50000 )) instructions per line (callgrind, (I(2 passes) - I(1 pass)) / 50000 on the first 50,000 lines; $same); one pass with start-up and writing: $(( one / 50000 )) per line"
else
    echo "learn_speed: SKIP instruction count: valgrind is not installed"
fi
