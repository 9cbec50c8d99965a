#!/usr/bin/env bash
# The program closes or takes over the shim's own descriptor (the capture
# file here; user_events_data in production):
#  interposed  close() of every number, closefrom(3), close_range(3, ~0):
#              the shim's descriptor survives them, invisible (the program
#              counts the same closed descriptors as without the shim), and
#              then dup2() onto every number up to RLIMIT_NOFILE - 1: the
#              shim moves out of the way while it can; once no number is
#              left it gives its descriptor up and goes quiet
#  dup2        the same without the closing
#  raw         close_range as a raw system call, then the program opens
#              files until it runs out of descriptors, so one of them gets
#              the shim's old number: the shim notices the loss at its next
#              write and goes quiet, and never writes into that file
# In every mode the program's stdout, stderr, exit status and files are
# byte-identical to a run without the shim (no record ever lands in a
# program's file), and the events are exactly the lines written while the
# shim still had its descriptor.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

# A small descriptor table keeps the loops short: the shim's descriptor
# sits at half of it (128).
nofile=256

run_mode() {
    local mode=$1 run=$2
    local out=$shim_tmp/$mode.$run
    mkdir -p "$out.files"
    (
        ulimit -n "$nofile"
        if [ "$run" = plain ]; then
            run_plain "$out" fault_close_fds "$SHIM_PROGRAMS/fault_close_fds" "$mode" "$out.files"
        else
            run_shim "$out" fault_close_fds "$SHIM_PROGRAMS/fault_close_fds" "$mode" "$out.files"
        fi
    )
}

for mode in interposed dup2 raw; do
    run_mode "$mode" plain
    RUN_ENV=()
    run_mode "$mode" shim
    RUN_ENV=(EHSHIM_DEBUG=1)
    run_mode "$mode" debug
    RUN_ENV=()
    plain=$shim_tmp/$mode.plain
    expect_status "$mode (without the shim)" 0 "$plain"
    ls "$plain.files" | LC_ALL=C sort >"$plain.filelist"
    [ -s "$plain.filelist" ] || fail "$mode: the program wrote no files"
    for run in shim debug; do
        out=$shim_tmp/$mode.$run
        if [ "$run" = shim ]; then
            expect_same_output "$mode" "$plain" "$out"
        else
            expect_status "$mode, EHSHIM_DEBUG=1" 0 "$out"
            expect_file "$mode, EHSHIM_DEBUG=1" stdout "$plain.out" "$out.out"
            grep -v '^ehshim: ' "$out.err" >"$out.program-err"
            expect_file "$mode, EHSHIM_DEBUG=1" "stderr besides 'ehshim: ' lines" "$plain.err" \
                "$out.program-err"
        fi
        ls "$out.files" | LC_ALL=C sort >"$out.filelist"
        expect_file "$mode ($run)" "file names" "$plain.filelist" "$out.filelist"
        bad=0
        while read -r file; do
            cmp -s "$plain.files/$file" "$out.files/$file" || bad=$((bad + 1))
        done <"$plain.filelist"
        if [ "$bad" -ne 0 ]; then
            fail "$mode ($run): $bad of the program's files differ from a run without the shim, e.g.:"
            while read -r file; do
                if ! cmp -s "$plain.files/$file" "$out.files/$file"; then
                    LC_ALL=C diff -a "$plain.files/$file" "$out.files/$file" | head -n 5 | cat -v
                    break
                fi
            done <"$plain.filelist"
        fi
        decode_events "$out"
    done
    grep '^ehshim: ' "$shim_tmp/$mode.debug.err"
done

# interposed, dup2: every line up to the last number the shim could move to.
# With 256 descriptors the shim moves above each number dup2 takes until
# none is left: at fd 255 it gives up, so "stderr while taking fd" lines up
# to 224 are events and nothing after.
for mode in interposed dup2; do
    out=$shim_tmp/$mode.shim
    {
        stderr_event fault_close_fds "first line"
        stderr_event fault_close_fds "after closing"
        for fd in 32 64 96 128 160 192 224; do
            stderr_event fault_close_fds "stderr while taking fd $fd"
        done
    } >"$out.expected"
    expect_file "$mode" events "$out.expected" "$out.jsonl"
    expect_file "$mode, EHSHIM_DEBUG=1" events "$out.expected" "$shim_tmp/$mode.debug.jsonl"
    grep -q "^ehshim: .*descriptor" "$shim_tmp/$mode.debug.err" ||
        fail "$mode, EHSHIM_DEBUG=1: the shim did not say it gave its descriptor up"
done
# raw: the line before the raw close_range only; the shim's write of the
# next line fails, it goes quiet.
out=$shim_tmp/raw.shim
stderr_event fault_close_fds "first line" >"$out.expected"
expect_file raw events "$out.expected" "$out.jsonl"
expect_file "raw, EHSHIM_DEBUG=1" events "$out.expected" "$shim_tmp/raw.debug.jsonl"
grep -q "^ehshim: .*descriptor" "$shim_tmp/raw.debug.err" ||
    fail "raw, EHSHIM_DEBUG=1: the shim did not say it lost its descriptor"

shim_finish
