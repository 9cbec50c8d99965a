#!/usr/bin/env bash
# Multi-line records in the shim (tests/shim/group_records.c): a record is a
# "BEGIN" line and the lines after it that start with a space, each line
# its own write(). 8 threads x 500 records interleaved line by line give
# exactly 4,000 events, each one record whole with no line of another
# thread; a record ends at the hold time (checked at another thread's
# write), at exit (the other threads' too), at thread exit and at exec; a
# forked child keeps none of its parent's record; with "write": true one
# write(), fputs or fprintf of several lines is one event. The program's
# own output is the same with and without the shim.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

program=$SHIM_PROGRAMS/group_records
config=$shim_tmp/records.json
cat >"$config" <<'JSON'
{ "multiline": { "stderr": { "start": "^BEGIN", "continue": "^ ", "hold_ms": 100 } } }
JSON
RUN_ENV=("EHSHIM_CONFIG=$config")
RUN_TIMEOUT=120

event() { # event LINES MESSAGE: the default event of a record
    local lines=""
    [ "$1" -gt 1 ] && lines="\"lines\": $1, "
    local msg
    msg=$(json_string "$2")
    printf '{ "n": "ehshim:Stderr", %s"msg": %s, "ident": "group_records", "meta": { "level": 4, "keyword": "0x2" } }\n' \
        "$lines" "${msg//$'\n'/\\n}"
}
nl=$'\n'

# mode NAME EXPECTED-FILE [ARGS]: runs the mode with and without the shim,
# compares outputs and the events with EXPECTED.
mode() {
    local name=$1 expected=$2
    shift 2
    local out=$shim_tmp/$name
    run_plain "$out.plain" group_records "$program" "$@"
    run_shim "$out.shim" group_records "$program" "$@"
    expect_same_output "group_records $name" "$out.plain" "$out.shim"
    decode_events "$out.shim"
    expect_file "group_records $name" events "$expected" "$out.shim.jsonl"
}

{
    event 2 "BEGIN hold$nl one"
    event 1 "other thread line"
    event 1 " late"
    event 1 "last"
} >"$shim_tmp/hold.expected"
mode hold "$shim_tmp/hold.expected" hold

{
    event 2 "BEGIN main$nl main line"
    event 2 "BEGIN second thread$nl its line"
} >"$shim_tmp/exit.expected"
mode exit "$shim_tmp/exit.expected" exit

{
    event 2 "BEGIN short thread$nl its last line"
    event 1 "after the thread"
} >"$shim_tmp/thread_exit.expected"
mode thread_exit "$shim_tmp/thread_exit.expected" thread_exit

# The child's events come first: it ends before the parent writes again.
{
    event 1 "child line"
    event 2 "BEGIN child$nl child cont"
    event 3 "BEGIN parent$nl before fork$nl after fork"
    event 1 "parent done"
} >"$shim_tmp/fork.expected"
mode fork "$shim_tmp/fork.expected" fork

event 2 "BEGIN before exec$nl exec next" >"$shim_tmp/exec.expected"
mode exec "$shim_tmp/exec.expected" exec

# 8 threads: every record whole, once.
threads=8 records=500
mode_out=$shim_tmp/threads
run_plain "$mode_out.plain" group_records "$program" threads "$threads" "$records"
run_shim "$mode_out.shim" group_records "$program" threads "$threads" "$records"
expect_status "group_records threads (with the shim; 124 is a timeout)" 0 "$mode_out.shim"
LC_ALL=C sort "$mode_out.plain.err" >"$mode_out.plain.sorted"
LC_ALL=C sort "$mode_out.shim.err" >"$mode_out.shim.sorted"
expect_file "group_records threads" "stderr lines (sorted)" "$mode_out.plain.sorted" "$mode_out.shim.sorted"
decode_events "$mode_out.shim"
for ((t = 0; t < threads; t++)); do
    for ((i = 0; i < records; i++)); do
        event 4 "BEGIN t=$t i=$i$nl  line 0 of t=$t i=$i$nl  line 1 of t=$t i=$i$nl  line 2 of t=$t i=$i"
    done
done | LC_ALL=C sort >"$mode_out.expected"
LC_ALL=C sort "$mode_out.shim.jsonl" >"$mode_out.sorted"
expect_file "group_records threads" "events (sorted)" "$mode_out.expected" "$mode_out.sorted"

# "write": the lines of one call are one message.
cat >"$config" <<'JSON'
{ "multiline": { "stderr": { "write": true } } }
JSON
{
    event 3 "one write$nl second line${nl}third line"
    event 2 "one fputs${nl}of two lines"
    event 2 "one fprintf 1${nl}line 2"
    event 1 "single"
} >"$shim_tmp/write.expected"
mode write "$shim_tmp/write.expected" write

shim_finish
