#!/usr/bin/env bash
# fd 2 taken away from stderr where the shim's dup2 and close cannot see it
# (tests/shim/fault_fd_unseen.c): libc's fclose, close_range, closefrom,
# daemon(), login_tty and forkpty change descriptors through libc's own
# internal calls, and a raw syscall(SYS_dup3) goes past libc altogether.
# The shim keeps its table of stderr descriptors true without asking the
# kernel at every write (shim/fdtrack.c), so:
#  - each libc path is caught at once: only the "before" line is an event,
#    nothing written to fd 2's new file is;
#  - the raw dup3 is caught by the recheck every SHIM_FD_RECHECK_EVERY
#    captured writes: of the "unseen" lines written right after it some
#    may be events (fewer than the bound), none of the "past the bound"
#    lines and nothing after them is;
#  - the program's stdout, stderr and exit status are the same as without
#    the shim in every case.
# Then the cost it buys: N captured lines of bench/stderr_loop make one
# fstat per SHIM_FD_RECHECK_EVERY lines, none in between (counted by a
# library preloaded in front of the shim).
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

every=$(sed -n 's/^#define SHIM_FD_RECHECK_EVERY \([0-9]*\)$/\1/p' "$(dirname "$0")/../../shim/shim.h")
[ -n "$every" ] || fail "SHIM_FD_RECHECK_EVERY not found in shim/shim.h"
program=$SHIM_PROGRAMS/fault_fd_unseen

# run_both MODE ARGS...: the program without and with the shim, the same
# output, and the events decoded into $shim_tmp/MODE.shim.jsonl.
run_both() {
    local mode=$1
    shift
    local plain=$shim_tmp/$mode.plain out=$shim_tmp/$mode.shim
    run_plain "$plain" fault_fd_unseen "$program" "$mode" "$@"
    run_shim "$out" fault_fd_unseen "$program" "$mode" "$@"
    expect_status "$mode (without the shim)" 0 "$plain"
    expect_same_output "$mode" "$plain" "$out"
    decode_events "$out"
}

for mode in fclose close_range closefrom login_tty forkpty; do
    run_both "$mode"
    out=$shim_tmp/$mode.shim
    stderr_event fault_fd_unseen "before $mode" >"$out.expected"
    expect_file "$mode" events "$out.expected" "$out.jsonl"
done

# daemon: the daemon goes on after its parent exits; it says when it is
# done with a file. Its stdout and stderr are /dev/null.
for run in plain shim; do
    done_file=$shim_tmp/daemon.$run.done
    if [ "$run" = plain ]; then
        run_plain "$shim_tmp/daemon.$run" fault_fd_unseen "$program" daemon "$done_file"
    else
        run_shim "$shim_tmp/daemon.$run" fault_fd_unseen "$program" daemon "$done_file"
    fi
    for _ in $(seq 100); do
        [ -e "$done_file" ] && break
        sleep 0.1
    done
    [ -e "$done_file" ] || fail "daemon ($run): the daemon never finished"
done
expect_same_output daemon "$shim_tmp/daemon.plain" "$shim_tmp/daemon.shim"
out=$shim_tmp/daemon.shim
decode_events "$out"
stderr_event fault_fd_unseen "before daemon" >"$out.expected"
expect_file daemon events "$out.expected" "$out.jsonl"

# raw: "unseen N" lines may be events, all of them from the first
# SHIM_FD_RECHECK_EVERY - 1; the rest is exact.
run_both raw "$every"
out=$shim_tmp/raw.shim
grep -v '"msg": "unseen [0-9]*"' "$out.jsonl" >"$out.seen"
stderr_event fault_fd_unseen "before raw" >"$out.expected"
expect_file raw "events besides \"unseen N\"" "$out.expected" "$out.seen"
unseen=$(grep -c '"msg": "unseen [0-9]*"' "$out.jsonl")
for i in $(seq "$unseen"); do stderr_event fault_fd_unseen "unseen $i"; done >"$out.unseen-expected"
grep '"msg": "unseen [0-9]*"' "$out.jsonl" >"$out.unseen"
expect_file raw "the \"unseen N\" events (the first $unseen in order)" "$out.unseen-expected" "$out.unseen"
[ "$unseen" -lt "$every" ] || fail "raw: $unseen \"unseen\" lines captured, want fewer than $every"

# ---- fstat calls per captured line ---------------------------------------------
count_lib=$BUILD/tests/preload/count_fstat.so
loop=$BUILD/bench/stderr_loop
if [ -n "$SHIM_SANITIZER_RUNTIME" ]; then
    shim_skipped="fstat calls: not counted under a sanitizer (its runtime must come first in LD_PRELOAD)"
elif [ ! -f "$count_lib" ] || [ ! -x "$loop" ]; then
    fail "not built: $count_lib or $loop"
else
    count_lib=$(cd "$(dirname "$count_lib")" && pwd)/count_fstat.so
    printf '{ "rules": [ { "name": "Line", "regex": "^(?<rest>.*)$" } ] }\n' >"$shim_tmp/line.json"
    fstat_calls() { # LINES: fstat calls of the whole run
        rm -f "$shim_tmp/fstat.count"
        env LD_PRELOAD="$count_lib:$SHIM_LIBRARY" EHSHIM_CONFIG="$shim_tmp/line.json" \
            EHSHIM_CAPTURE=/dev/null COUNT_FSTAT_OUT="$shim_tmp/fstat.count" "$loop" "$1" \
            >/dev/null 2>"$shim_tmp/fstat.err"
        sed -n 's/^fstat calls: //p' "$shim_tmp/fstat.count" 2>/dev/null
    }
    lines=1000
    none=$(fstat_calls 0)
    some=$(fstat_calls "$lines")
    if [ -z "$none" ] || [ -z "$some" ]; then
        fail "fstat calls: no count from $count_lib"
    elif [ $((some - none)) != $((lines / every)) ]; then
        fail "fstat calls: $((some - none)) for $lines captured lines, want $((lines / every)) (one per $every)"
    fi
fi

shim_finish
