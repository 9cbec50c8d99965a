#!/usr/bin/env bash
# The program takes fd 2 away from the stderr it started with: closes it
# (and a data file then lands on fd 2), freopen()s stderr onto a file,
# dup2()s a file or a socket over it. In every case:
#  - stdout, stderr, exit status and every file (the socket's bytes too)
#    are byte-identical to a run without the shim: the shim never writes
#    its records, or anything else, onto the program's descriptors;
#  - the shim recovers where it can: what was written to the real stderr
#    before the swap, and every syslog message before and after it, are
#    events; output to whatever fd 2 became is not (README: fd 2 stops being
#    stderr when it no longer refers to the file it did at start-up);
#  - with EHSHIM_DEBUG=1 the shim's exit report goes to fd 2 only while fd 2
#    is still the stderr the program started with: never into the data
#    file or the socket.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

# The events every mode has: the "before" round on the real stderr, and
# syslog all along (the LOG_PERROR copies are not second events).
before_events() {
    stderr_event fault_stderr_swap "fprintf before"
    stderr_event fault_stderr_swap "write before"
    stderr_event fault_stderr_swap "before: No such file or directory"
    syslog_event fault_stderr_swap 1 3 "syslog before"
}

for mode in close reopen dup2 socket; do
    for run in plain shim debug; do
        dir=$shim_tmp/$mode.$run.files
        mkdir -p "$dir"
        RUN_ENV=()
        [ "$run" = debug ] && RUN_ENV=(EHSHIM_DEBUG=1)
        if [ "$run" = plain ]; then
            run_plain "$shim_tmp/$mode.$run" fault_stderr_swap "$SHIM_PROGRAMS/fault_stderr_swap" "$mode" "$dir"
        else
            run_shim "$shim_tmp/$mode.$run" fault_stderr_swap "$SHIM_PROGRAMS/fault_stderr_swap" "$mode" "$dir"
        fi
    done
    RUN_ENV=()
    plain=$shim_tmp/$mode.plain
    expect_status "$mode (without the shim)" 0 "$plain"
    ls "$plain.files" >"$plain.filelist"
    [ -s "$plain.filelist" ] || [ "$mode" = "close" ] || fail "$mode: the program wrote no file"
    for run in shim debug; do
        out=$shim_tmp/$mode.$run
        if [ "$run" = shim ]; then
            expect_same_output "$mode" "$plain" "$out"
        else
            # The exit report goes nowhere (fd 2 is no longer the stderr
            # of the start): nothing but the program's own bytes anywhere.
            expect_same_output "$mode, EHSHIM_DEBUG=1" "$plain" "$out"
        fi
        ls "$out.files" >"$out.filelist"
        expect_file "$mode ($run)" "file names" "$plain.filelist" "$out.filelist"
        for file in $(cat "$plain.filelist"); do
            expect_file "$mode ($run)" "bytes of the program's file $file" \
                "$plain.files/$file" "$out.files/$file"
        done
        decode_events "$out"
    done

    out=$shim_tmp/$mode.shim
    {
        before_events
        [ "$mode" = close ] && syslog_event fault_stderr_swap 1 3 "syslog closed"
        syslog_event fault_stderr_swap 1 3 "syslog after"
    } >"$out.expected"
    expect_file "$mode" events "$out.expected" "$out.jsonl"
    expect_file "$mode, EHSHIM_DEBUG=1" events "$out.expected" "$shim_tmp/$mode.debug.jsonl"
done

# Control: with fd 2 left alone, EHSHIM_DEBUG=1 does report at exit.
out=$shim_tmp/control
RUN_ENV=(EHSHIM_DEBUG=1)
run_shim "$out" call_fprintf "$SHIM_PROGRAMS/call_fprintf"
RUN_ENV=()
grep -q '^ehshim: stderr: ' "$out.err" || fail "control: no exit report on an untouched fd 2"

shim_finish
