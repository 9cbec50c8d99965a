#!/usr/bin/env bash
# ehshim parse beside its peers: lognormalizer (liblognorm) and syslog-ng's
# db-parser, each with examples/sshd/config.json's rules written in its own
# language (bench/peers/), on the same generated sshd messages. Prints
# lines/s per tool (CPU time, one core), how many times faster ehshim is,
# instructions per line where callgrind can count them, and whether the
# peers extracted what ehshim did (bench/peers/agree.py); fails when they
# did not. A peer that is not installed is skipped, and says so.
#
# PEERS_LINES (default 1000000) and PEERS_RUNS (default 5) size the run.
set -eu
# The runs happen inside $(...): a tool that fails must fail the script.
shopt -s inherit_errexit
BUILD=${BUILD:-build}
lines=${PEERS_LINES:-1000000}
runs=${PEERS_RUNS:-5}
here=$(cd "$(dirname "$0")" && pwd)
dir=$BUILD/bench/peers
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
input=$dir/auth.log
config=$here/../examples/sshd/config.json

# bench/authlog writes what sshd passes to syslog(), without a header:
# ehshim parse reads it as syslog messages of ident sshd (facility auth),
# the peers as bare messages of program sshd.
"$BUILD/bench/authlog" "$lines" >"$input"

# One core for the tool; its CPU time is what counts, so a busy machine
# costs waiting, not the figure.
pin=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
    pin=(taskset -c 0)
fi
if [ ! -x /usr/bin/time ]; then
    echo "peers: SKIP: GNU time (/usr/bin/time) is not installed (apt-get install time)"
    exit 0
fi

# cpu_seconds TOOL: runs TOOL once on the input (output to $dir/out.TOOL,
# which the last run leaves for the comparison) and prints the run's user +
# system seconds. Every tool writes a file, so writing costs them alike.
# syslog-ng's stdin() source ends syslog-ng at the end of a pipe (a regular
# file it would follow): cat feeds it, outside the figure. Its state files
# go to a directory of this run, so a system syslog-ng is not disturbed.
syslog_state=$dir/syslog-ng
mkdir -p "$syslog_state"
cpu_seconds() {
    local t=$dir/time.$1 out=$dir/out.$1 timed=(/usr/bin/time -f '%U %S' -o "$dir/time.$1" "${pin[@]}")
    rm -f "$out"
    case $1 in
    ehshim)
        "${timed[@]}" "$BUILD/ehshim" parse -c "$config" --source syslog --ident sshd \
            --priority 38 "$input" >"$out" ;;
    lognormalizer)
        # -oaddOriginalMsg: the message goes out with the fields, as
        # ehshim's msg does.
        "${timed[@]}" lognormalizer -r "$here/peers/sshd.rulebase" -T -oaddOriginalMsg \
            <"$input" >"$out" ;;
    syslog-ng)
        rm -f "$syslog_state/persist"
        # shellcheck disable=SC2002 # a pipe on purpose (above)
        if ! cat "$input" | PEERS_PATTERNDB=$here/peers/sshd.patterndb.xml PEERS_OUT=$out \
            "${timed[@]}" syslog-ng -F --no-caps -f "$here/peers/sshd.conf" \
            -R "$syslog_state/persist" -p "$syslog_state/pid" -c "$syslog_state/ctl" \
            2>"$syslog_state/stderr"; then
            echo "peers: FAIL: syslog-ng did not run:" >&2
            cat "$syslog_state/stderr" >&2
            exit 1
        fi ;;
    esac
    awk '{ printf "%.2f\n", $1 + $2 }' "$t"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# instructions_per_line TOOL: callgrind, (I(N2) - I(N1)) / (N2 - N1) on the
# first N1 and N2 lines: one line's cost, start-up and rule loading left out.
n1=10000
n2=60000
head -n "$n1" "$input" >"$dir/head1.log"
head -n "$n2" "$input" >"$dir/head2.log"
instructions() {
    local out=$dir/callgrind.out
    rm -f "$out"
    case $1 in
    ehshim) valgrind --tool=callgrind --callgrind-out-file="$out" "$BUILD/ehshim" parse \
        -c "$config" --source syslog --ident sshd --priority 38 "$2" >/dev/null 2>&1 ;;
    lognormalizer) valgrind --tool=callgrind --callgrind-out-file="$out" lognormalizer \
        -r "$here/peers/sshd.rulebase" -T -oaddOriginalMsg <"$2" >/dev/null 2>&1 ;;
    esac
    awk '/^summary:/ { print $2 }' "$out"
}
instructions_per_line() {
    if ! command -v valgrind >/dev/null || [ "$lines" -lt "$n2" ]; then
        echo "-"
        return
    fi
    local small large
    small=$(instructions "$1" "$dir/head1.log")
    large=$(instructions "$1" "$dir/head2.log")
    echo $(((large - small) / (n2 - n1)))
}

tools=(ehshim)
versions=("ehshim parse $("$BUILD/ehshim" --version | awk '{ print $2 }')")
if command -v lognormalizer >/dev/null; then
    tools+=(lognormalizer)
    versions+=("lognormalizer $(lognormalizer -V 2>&1 | awk '/^lognormalizer version/ { print $3 }')")
else
    echo "peers: SKIP lognormalizer: not installed (apt-get install liblognorm-utils)"
fi
if command -v syslog-ng >/dev/null; then
    tools+=(syslog-ng)
    versions+=("syslog-ng $(syslog-ng --version | awk 'NR == 1 { gsub(/[()]/, "", $3); print $3 }') db-parser")
else
    echo "peers: SKIP syslog-ng: not installed (apt-get install syslog-ng-core)"
fi

# The timed runs take turns, so a change in the machine's load falls on
# every tool alike.
declare -A samples
for _ in $(seq "$runs"); do
    for tool in "${tools[@]}"; do
        samples[$tool]+="$(cpu_seconds "$tool") "
    done
done

declare -A rate per_line
for tool in "${tools[@]}"; do
    s=$(echo "${samples[$tool]}" | tr ' ' '\n' | grep . | median)
    rate[$tool]=$(awk -v n="$lines" -v s="$s" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
    case $tool in
    ehshim | lognormalizer) per_line[$tool]=$(instructions_per_line "$tool") ;;
    *) per_line[$tool]="-" ;;
    esac
done

grouped() { echo "$1" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta'; }
echo "peers: $lines sshd messages (bench/authlog), each tool on one core (${pin[*]:-no taskset}), lines/s from the median CPU time (user+sys) of $runs runs; instructions per line: callgrind, (I($n2) - I($n1)) / $((n2 - n1))"
printf 'peers: %-36s %12s %12s %14s\n' tool lines/s "ehshim is" instr/line
fastest=0
fastest_tool=""
for i in "${!tools[@]}"; do
    tool=${tools[$i]}
    ratio=$(awk -v a="${rate[ehshim]}" -v b="${rate[$tool]}" 'BEGIN { if (a > 0 && b > 0) printf "%.2fx", a / b; else print "-" }')
    [ "$tool" = ehshim ] && ratio="-"
    printf "peers: %-36s %12s %12s %14s\n" "${versions[$i]}" "$(grouped "${rate[$tool]}")" \
        "$ratio" "$(grouped "${per_line[$tool]}")"
    if [ "$tool" != ehshim ] && { [ -z "$fastest_tool" ] || [ "${rate[$tool]}" -gt "$fastest" ]; }; then
        fastest=${rate[$tool]}
        fastest_tool=$tool
    fi
done
if [ "${rate[ehshim]}" = 0 ] || { [ -n "$fastest_tool" ] && [ "$fastest" = 0 ]; }; then
    echo "peers: goal ehshim >= 3x fastest peer: not measured (a run took less than the 10 ms CPU time resolves; PEERS_LINES=$lines is too few)"
elif [ -n "$fastest_tool" ]; then
    times=$(awk -v a="${rate[ehshim]}" -v b="$fastest" 'BEGIN { printf "%.1f", a / b }')
    met=$(awk -v a="${rate[ehshim]}" -v b="$fastest" 'BEGIN { print (a >= 3 * b) ? "met" : "not met" }')
    echo "peers: goal ehshim >= 3x fastest peer ($fastest_tool): $met (${times}×)"
else
    echo "peers: goal ehshim >= 3x fastest peer: not measured (no peer installed)"
fi

# Agreement: every line, every tool, the normalized event and fields
# (bench/peers/agree.py says what is evened out); 100% required: on this
# input every difference left is one of extraction.
if [ "${#tools[@]}" -gt 1 ]; then
    if command -v python3 >/dev/null; then
        peers=()
        for tool in "${tools[@]:1}"; do peers+=("$tool=$dir/out.$tool"); done
        python3 "$here/peers/agree.py" "$input" "$dir/out.ehshim" "${peers[@]}" --min 100
    else
        echo "peers: SKIP agreement: python3 is not installed (apt-get install python3)"
    fi
fi
