#!/usr/bin/env bash
# Provider, group and event names from a config are validated before
# anything reaches the kernel (tracepoint names are "name field;..."
# commands and tracefs paths there: spaces, colons, ';' and overlong names
# must never get through). The fixtures are in tests/config/bad (their
# exact `ehshim check` messages are checked by test_check_fixtures.sh):
# provider names with a space, ':', ';', '-', a newline, non-ASCII; groups
# with ':', ' ', capitals; provider+group too long; event names (rule and
# default) with ';', empty, or longer than 255 bytes. For each:
#  - `ehshim check` exits 1 with one message naming the file;
#  - `ehshim run -c` refuses it (exit 2) without running the program;
#  - preloaded with EHSHIM_CONFIG pointing at it, the shim stays passive:
#    the program's output and exit status are unchanged and no capture
#    file is even created (the provider never opened).
# The core refuses the same provider and group names with EINVAL on its
# own (tests/unit/test_provider.c, test_invalid_names_are_einval).
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require
fixtures=$(cd "$(dirname "$0")/../config/bad" && pwd)

bad_names=(
    provider_space provider_colon provider_semicolon provider_newline bad_provider_name
    empty_provider_name provider_too_long group_colon group_space bad_group_name
    rule_name_semicolon rule_empty_name rule_name_too_long default_name_semicolon
    default_name_too_long
)

plain=$shim_tmp/plain
run_plain "$plain" call_fprintf "$SHIM_PROGRAMS/call_fprintf"
for name in "${bad_names[@]}"; do
    config=$fixtures/$name.json
    [ -f "$config" ] || { fail "$name: fixture $config is missing"; continue; }
    out=$shim_tmp/$name

    "$EHSHIM" check "$config" >"$out.check-out" 2>"$out.check-err"
    rc=$?
    [ $rc -eq 1 ] || fail "$name: ehshim check exited $rc, expected 1"
    grep -qF "$config:" "$out.check-err" || fail "$name: ehshim check did not name the file: $(head -n 1 "$out.check-err")"

    "$EHSHIM" run -c "$config" -o "$out.run.dat" -- "$SHIM_PROGRAMS/call_fprintf" >"$out.run-out" 2>"$out.run-err"
    rc=$?
    [ $rc -eq 2 ] || fail "$name: ehshim run exited $rc, expected 2"
    [ -s "$out.run-out" ] && fail "$name: ehshim run ran the program anyway"
    [ -e "$out.run.dat" ] && fail "$name: ehshim run created a capture file"

    RUN_ENV=("EHSHIM_CONFIG=$config")
    run_shim "$out" call_fprintf "$SHIM_PROGRAMS/call_fprintf"
    RUN_ENV=()
    expect_same_output "$name (preloaded)" "$plain" "$out"
    [ -e "$out.dat" ] && fail "$name: the shim opened its capture file with an invalid config"
done

shim_finish
