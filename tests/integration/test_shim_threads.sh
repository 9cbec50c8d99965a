#!/usr/bin/env bash
# 8 threads x 20,000 lines to stderr (half fprintf, half write): exactly
# 160,000 events, every line intact and present once, and stderr itself
# holding the same lines with and without the shim. Then 2,000 short-lived
# threads, each logging once to stderr and syslog: 4,000 events. Last,
# threads that leave lines unfinished while others print (their own lines).
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

threads=8
lines=20000
total=$((threads * lines))
out=$shim_tmp/threads
RUN_TIMEOUT=120

run_plain "$out.plain" stress_threads "$SHIM_PROGRAMS/stress_threads" "$threads" "$lines"
run_shim "$out.shim" stress_threads "$SHIM_PROGRAMS/stress_threads" "$threads" "$lines"
expect_status "stress_threads (without the shim)" 0 "$out.plain"
expect_status "stress_threads (with the shim; 124 is a timeout)" 0 "$out.shim"

awk -v threads="$threads" -v lines="$lines" \
    'BEGIN { for (t = 0; t < threads; t++) for (i = 0; i < lines; i++) print "thread " t " line " i }' |
    LC_ALL=C sort >"$out.expected"

# Thread interleaving differs from run to run: compare sorted lines.
LC_ALL=C sort "$out.plain.err" >"$out.plain.sorted"
LC_ALL=C sort "$out.shim.err" >"$out.shim.sorted"
expect_file stress_threads "stderr lines without the shim" "$out.expected" "$out.plain.sorted"
expect_file stress_threads "stderr lines with the shim" "$out.expected" "$out.shim.sorted"

decode_events "$out.shim"
count=$(wc -l <"$out.shim.jsonl")
[ "$count" -eq "$total" ] || fail "stress_threads: $count events, expected $total"
msg_values "$out.shim.jsonl" | LC_ALL=C sort >"$out.msgs"
duplicates=$(uniq -d "$out.msgs" | head -n 5)
[ -z "$duplicates" ] || fail "stress_threads: messages seen twice, e.g.: $duplicates"
expect_file stress_threads "event messages (sorted)" "$out.expected" "$out.msgs"
others=$(grep -c -v '"n": "ehshim:Stderr", "msg": "thread [0-9]* line [0-9]*", "ident": "stress_threads", "meta": { "level": 4, "keyword": "0x2" } }$' "$out.shim.jsonl")
[ "$others" -eq 0 ] || {
    fail "stress_threads: $others events are not exactly the default Stderr event, e.g.:"
    grep -v '"n": "ehshim:Stderr", "msg": "thread [0-9]* line [0-9]*", "ident": "stress_threads"' "$out.shim.jsonl" | head -n 3
}

# Short-lived threads: per-thread state made and released 2,000 times.
churn=2000
out=$shim_tmp/churn
run_plain "$out.plain" stress_thread_churn "$SHIM_PROGRAMS/stress_thread_churn" "$churn"
run_shim "$out.shim" stress_thread_churn "$SHIM_PROGRAMS/stress_thread_churn" "$churn"
expect_status "stress_thread_churn (without the shim)" 0 "$out.plain"
expect_status "stress_thread_churn (with the shim; 124 is a timeout)" 0 "$out.shim"
LC_ALL=C sort "$out.plain.err" >"$out.plain.sorted"
LC_ALL=C sort "$out.shim.err" >"$out.shim.sorted"
expect_file stress_thread_churn "stderr lines (sorted)" "$out.plain.sorted" "$out.shim.sorted"
decode_events "$out.shim"
for ((n = 0; n < churn; n++)); do
    echo "short thread $n"
    echo "short thread $n syslog"
done | LC_ALL=C sort >"$out.expected"
msg_values "$out.shim.jsonl" | LC_ALL=C sort >"$out.msgs"
expect_file stress_thread_churn "event messages (sorted)" "$out.expected" "$out.msgs"

# Threads leaving lines unfinished while others print: each thread's
# printf text in its own lines, also in a thread that took over an ended
# one's state. The program orders every call: one order of events only.
out=$shim_tmp/partial
run_shim "$out.shim" threads_partial_lines "$SHIM_PROGRAMS/threads_partial_lines"
expect_status "threads_partial_lines" 0 "$out.shim"
decode_events "$out.shim"
printf '%s\n' "main line 1" "first: one two" "main: three four" \
    "main line 2" "second: five six" "main: seven eight" >"$out.expected"
msg_values "$out.shim.jsonl" >"$out.msgs"
expect_file threads_partial_lines "event messages" "$out.expected" "$out.msgs"

shim_finish
