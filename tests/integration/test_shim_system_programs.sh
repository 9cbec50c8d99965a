#!/usr/bin/env bash
# Real programs not written for ehshim, under the shim with the default
# config: output and exit status unchanged, and exactly the expected events.
# A program this machine lacks is skipped with the reason (the script says
# SKIP only when every case was skipped).
#
# Each program is run by its resolved path with argv[0] set to that path's
# base name, so its short name (the stderr ident) is the same whether the
# shim takes it from argv[0] or from the executable.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

ran=0
skipped=()

# system_case LABEL EXPECTED_STATUS STDERR_LINES PROGRAM [ARGS]: PROGRAM
# must write STDERR_LINES lines to stderr (its wording varies between
# versions, so it is taken from the run without the shim), and each of them
# must be exactly one default Stderr event, in order.
system_case() {
    local label=$1 status=$2 lines=$3 program=$4
    shift 4
    local path
    path=$(command -v "$program") || {
        skipped+=("$label ($program not installed)")
        return
    }
    path=$(readlink -f "$path")
    local argv0
    argv0=$(basename "$path")
    local out=$shim_tmp/$label
    run_plain "$out.plain" "$argv0" "$path" "$@"
    run_shim "$out.shim" "$argv0" "$path" "$@"
    expect_status "$label (without the shim)" "$status" "$out.plain"
    expect_same_output "$label" "$out.plain" "$out.shim"
    local seen
    seen=$(wc -l <"$out.plain.err")
    [ "$seen" -eq "$lines" ] || fail "$label: wrote $seen stderr lines, expected $lines: $(cat "$out.plain.err")"
    local line
    # The default event reads a level from a leading severity word: of the
    # lines here only Python's "WARNING:root:..." has one (level 3).
    while IFS= read -r line; do
        case $line in
            WARNING:*) stderr_event "$argv0" "$line" 3 ;;
            *) stderr_event "$argv0" "$line" ;;
        esac
    done <"$out.plain.err" >"$out.expected"
    decode_events "$out.shim"
    expect_file "$label" "events" "$out.expected" "$out.shim.jsonl"
    ran=$((ran + 1))
}

# ls (coreutils reports through error()).
system_case ls 2 1 ls /nonexistent/missing-file

# cat of a missing file.
system_case cat 1 1 cat /nonexistent/missing-file

# sh: a builtin's >&2 is dup2(2, 1) then a write to fd 1 (dash); the
# stdout line must not become an event.
system_case sh 0 1 sh -c 'echo "echo to stderr" >&2; echo "stdout stays stdout"'

# Python: sys.stderr and the logging module (which writes to sys.stderr).
# python3 may be a wrapper script (pyenv): ask the interpreter for itself.
python=""
if command -v python3 >/dev/null; then
    python=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
fi
if [ -n "$python" ] && [ -x "$python" ]; then
    system_case python 0 2 "$python" -c '
import logging, sys
sys.stderr.write("python stderr works %d\n" % 42)
sys.stderr.flush()
print("python stdout")
logging.warning("python logging works %d", 42)
'
else
    skipped+=("python (python3 not installed)")
fi

# Perl: warn and print STDERR.
system_case perl 0 2 perl -e 'warn "perl warn works 42\n"; print STDERR "perl print STDERR works\n"; print "perl stdout\n"'

# A C program using syslog with %m (errno ENOENT).
syslog_event call_syslog_errno 1 2 "open of /etc/missing.conf failed: No such file or directory" \
    >"$shim_tmp/syslog_m.expected"
out=$shim_tmp/syslog_m
run_plain "$out.plain" call_syslog_errno "$SHIM_PROGRAMS/call_syslog_errno"
run_shim "$out.shim" call_syslog_errno "$SHIM_PROGRAMS/call_syslog_errno"
expect_same_output "syslog %m" "$out.plain" "$out.shim"
decode_events "$out.shim"
expect_file "syslog %m" "events" "$shim_tmp/syslog_m.expected" "$out.shim.jsonl"
ran=$((ran + 1))

# A case that could not run is a SKIP of the whole script, never a pass:
# `make test` installs every program these need.
if [ "$shim_failures" -eq 0 ] && [ "${#skipped[@]}" -ne 0 ]; then
    echo "SKIP: $ran case(s) passed; not run: ${skipped[*]}"
    exit 77
fi
shim_finish
