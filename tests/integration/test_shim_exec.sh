#!/usr/bin/env bash
# Programs a shimmed program starts: with the default config ("inherit":
# true) they carry the shim too; with "inherit": false none of them may,
# whichever way it was started (fork + execvp, posix_spawnp, system(),
# popen()), and the LD_PRELOAD they see is the original minus the shim.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

no_inherit=$shim_tmp/no-inherit.json
printf '{ "inherit": false }\n' >"$no_inherit"
spawn=$SHIM_PROGRAMS/spawn_children

# Each way of starting a child: one event from the child's shell.
out=$shim_tmp/inherit
run_plain "$out.plain" spawn_children "$spawn"
run_shim "$out.shim" spawn_children "$spawn"
expect_status "spawn_children (without the shim)" 0 "$out.plain"
expect_same_output "spawn_children" "$out.plain" "$out.shim"
decode_events "$out.shim"
for way in execvp posix_spawnp system popen; do
    stderr_event sh "via $way"
done >"$out.expected"
expect_file "spawn_children, inherit: true" "events" "$out.expected" "$out.shim.jsonl"

# "inherit": false: no child carries the shim, so no child's line is an event.
out=$shim_tmp/no-inherit
RUN_ENV=("EHSHIM_CONFIG=$no_inherit")
run_plain "$out.plain" spawn_children "$spawn"
run_shim "$out.shim" spawn_children "$spawn"
RUN_ENV=()
expect_same_output "spawn_children, inherit: false" "$out.plain" "$out.shim"
decode_events "$out.shim"
if [ -s "$out.shim.jsonl" ]; then
    fail "spawn_children, inherit: false: children still carry the shim; their events:"
    cat "$out.shim.jsonl"
fi

# What an exec'd program sees: the original LD_PRELOAD without the shim.
# (printenv is exec'd by the shell, whose own copy of the variable is
# untouched.)
out=$shim_tmp/preload
RUN_ENV=("EHSHIM_CONFIG=$no_inherit")
LD_PRELOAD=libm.so.6 run_shim "$out.shim" sh sh -c 'exec printenv LD_PRELOAD'
RUN_ENV=()
printf '%s\n' "${SHIM_SANITIZER_RUNTIME:+$SHIM_SANITIZER_RUNTIME:}libm.so.6" >"$out.expected"
expect_file "exec with inherit: false" "LD_PRELOAD of the exec'd program" "$out.expected" "$out.shim.out"

shim_finish
