#!/usr/bin/env bash
# The shim must never disturb its host over its own problems: with an
# invalid config (bad JSON, a missing file) or a capture path it cannot
# write (a missing directory, a directory), the program's stdout, stderr and
# exit status are exactly what they are without the shim, and the shim says
# nothing. With EHSHIM_DEBUG=1 it may speak, on stderr, in lines starting
# "ehshim: " only: exactly one of them names the problem's path, and the
# rest of stderr is still the program's own, unchanged.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

bad_json=$shim_tmp/bad.json
printf '{ "provider": "Broken",\n  "rules": [ { "name": "X", "regex": "(" } \n' >"$bad_json"
bad_pattern=$shim_tmp/bad-pattern.json
printf '{ "rules": [ { "name": "X", "regex": "(unclosed" } ] }\n' >"$bad_pattern"
capture_dir=$shim_tmp/a-directory
mkdir "$capture_dir"

# A program with stderr, events and an exit status of its own, and a real
# program that fails.
programs=(
    "call_err|$SHIM_PROGRAMS/call_err"
    "ls|$(command -v ls) /nonexistent/missing-file"
)

# problem_case LABEL PATH_IN_MESSAGE SETTING...
problem_case() {
    local label=$1 problem_path=$2
    shift 2
    local entry name command out
    for entry in "${programs[@]}"; do
        name=${entry%%|*}
        read -r -a command <<<"${entry#*|}"
        out=$shim_tmp/$label.$name
        RUN_ENV=()
        run_plain "$out.plain" "$name" "${command[@]}"

        RUN_ENV=("$@")
        run_shim "$out.quiet" "$name" "${command[@]}"
        expect_same_output "$label, $name" "$out.plain" "$out.quiet"

        RUN_ENV=("$@" EHSHIM_DEBUG=1)
        run_shim "$out.debug" "$name" "${command[@]}"
        for part in out status; do
            if ! cmp -s "$out.plain.$part" "$out.debug.$part"; then
                fail "$label, $name, EHSHIM_DEBUG=1: $part differs (< without the shim, > with):"
                diff -a "$out.plain.$part" "$out.debug.$part" | head -n 10
            fi
        done
        # Whatever is not the program's own stderr must be "ehshim: " lines.
        grep -v '^ehshim: ' "$out.debug.err" >"$out.debug.program-err"
        if ! cmp -s "$out.plain.err" "$out.debug.program-err"; then
            fail "$label, $name, EHSHIM_DEBUG=1: stderr besides 'ehshim: ' lines differs" \
                "(< without the shim, > with):"
            diff -a "$out.plain.err" "$out.debug.program-err" | head -n 10
        fi
        local mentions
        mentions=$(grep '^ehshim: ' "$out.debug.err" | grep -c -F -- "$problem_path")
        if [ "$mentions" -ne 1 ]; then
            fail "$label, $name, EHSHIM_DEBUG=1: $mentions 'ehshim: ' lines name $problem_path" \
                "(expected exactly 1); stderr was:"
            head -n 20 "$out.debug.err"
        fi
    done
    RUN_ENV=()
}

problem_case bad-json "$bad_json" "EHSHIM_CONFIG=$bad_json"
problem_case bad-pattern "$bad_pattern" "EHSHIM_CONFIG=$bad_pattern"
problem_case missing-config "$shim_tmp/missing.json" "EHSHIM_CONFIG=$shim_tmp/missing.json"
problem_case capture-in-missing-dir /nonexistent/dir/x.dat "EHSHIM_CAPTURE=/nonexistent/dir/x.dat"
problem_case capture-is-directory "$capture_dir" "EHSHIM_CAPTURE=$capture_dir"

# Nothing wrong, EHSHIM_DEBUG=1: the counters at exit are "ehshim: " lines
# on stderr and never become events themselves.
out=$shim_tmp/healthy-debug
run_plain "$out.plain" call_err "$SHIM_PROGRAMS/call_err"
RUN_ENV=(EHSHIM_DEBUG=1)
run_shim "$out.debug" call_err "$SHIM_PROGRAMS/call_err"
RUN_ENV=()
grep -v '^ehshim: ' "$out.debug.err" >"$out.debug.program-err"
expect_file "healthy, EHSHIM_DEBUG=1" "stderr besides 'ehshim: ' lines" "$out.plain.err" \
    "$out.debug.program-err"
expect_status "healthy, EHSHIM_DEBUG=1" 3 "$out.debug"
grep -q '^ehshim: ' "$out.debug.err" || fail "healthy, EHSHIM_DEBUG=1: no counters at exit"
decode_events "$out.debug"
stderr_event call_err "call_err: err works 42: No such file or directory" >"$out.expected"
expect_file "healthy, EHSHIM_DEBUG=1" "events" "$out.expected" "$out.debug.jsonl"

[ -e /nonexistent/dir/x.dat ] && fail "the shim created /nonexistent/dir/x.dat"
[ -z "$(ls -A "$capture_dir")" ] || fail "the shim created files in $capture_dir: $(ls -A "$capture_dir")"

shim_finish
