#!/usr/bin/env bash
# 200 children forked (some vfork + exec, some exec, some exit(), some
# _exit()) from a program whose three other threads keep logging: every
# child finishes (a lock held across fork would hang it; the program kills
# a child after 10 s and reports it), the parent finishes, and every
# child's messages are events.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

children=200
out=$shim_tmp/fork
RUN_TIMEOUT=120

# With a sanitized shim, ASan's allocator (not fork-safe in GCC 12's
# libasan) replaces malloc in the host: a child's first allocation can
# then hang on a lock held at fork time by a logging thread, whatever the
# shim does. "warm" makes the parent log first, so children need not
# allocate; the plain build keeps the harder case (first line in a child).
warm=""
[ -n "$SHIM_SANITIZER_RUNTIME" ] && warm=warm
run_plain "$out.plain" stress_fork "$SHIM_PROGRAMS/stress_fork" "$children" $warm
run_shim "$out.shim" stress_fork "$SHIM_PROGRAMS/stress_fork" "$children" $warm
for run in plain shim; do
    expect_status "stress_fork ($run; 124 is a timeout)" 0 "$out.$run"
    if ! grep -qx "$children children: 0 hung, 0 failed" "$out.$run.out"; then
        fail "stress_fork ($run): children did not all finish cleanly:"
        head -n 20 "$out.$run.out"
    fi
done

# What each child says: see stress_fork.c.
for ((i = 0; i < children; i++)); do
    if ((i % 7 == 3)); then
        echo "exec child $i says hello"
    else
        echo "child $i says hello"
        ((i % 10 == 0)) && echo "exec child $i says hello"
    fi
done | LC_ALL=C sort >"$out.expected"

decode_events "$out.shim"
msg_values "$out.shim.jsonl" >"$out.msgs"
grep -E '^(exec )?child ' "$out.msgs" | LC_ALL=C sort >"$out.child-msgs"
expect_file stress_fork "children's event messages (sorted)" "$out.expected" "$out.child-msgs"
broken=$(grep -v -x -E '(exec )?child [0-9]+ says hello|background [0-9] (line|syslog) [0-9]+|parent warm-up line' "$out.msgs" | head -n 5)
[ -z "$broken" ] || fail "stress_fork: events with damaged messages, e.g.: $broken"
broken=$(grep -v -x -E '(exec )?child [0-9]+ says hello|background [0-9] line [0-9]+|parent warm-up line' "$out.shim.err" | head -n 5)
[ -z "$broken" ] || fail "stress_fork: damaged stderr lines with the shim, e.g.: $broken"

shim_finish
