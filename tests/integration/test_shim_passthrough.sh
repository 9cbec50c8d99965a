#!/usr/bin/env bash
# The shim must not change a program's output: stdout, stderr and exit
# status byte-identical with and without it, for awkward output (NUL bytes,
# no final newline, a 100 kB line, short and failing writes, a fully
# buffered stderr, stdout and stderr sharing one file), and the return
# values and errno of every interposed call. Where the events are certain,
# they are checked too.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

# passthrough NAME [ARGS]: runs $SHIM_PROGRAMS/NAME both ways, compares.
passthrough() {
    local name=$1
    shift
    run_plain "$shim_tmp/$name.plain" "$name" "$SHIM_PROGRAMS/$name" "$@"
    run_shim "$shim_tmp/$name.shim" "$name" "$SHIM_PROGRAMS/$name" "$@"
    expect_status "$name (without the shim)" 0 "$shim_tmp/$name.plain"
    expect_same_output "$name" "$shim_tmp/$name.plain" "$shim_tmp/$name.shim"
    decode_events "$shim_tmp/$name.shim"
}

# NUL bytes, all 256 byte values, a 100 kB line, no final newline.
passthrough pass_binary
# Its events: NULs kept (\u0000), the 100 kB line cut to 3072 bytes and
# marked truncated, the last line emitted at exit. The third line holds
# bytes 0x0b-0xff, whose JSON form is the decoder's business: checked by
# its start only.
{
    printf '%s\n' '{ "n": "ehshim:Stderr", "msg": "nul\u0000inside\u0000\u0000line", "ident": "pass_binary", "meta": { "level": 4, "keyword": "0x2" } }'
    printf '%s\n' '{ "n": "ehshim:Stderr", "msg": "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t", "ident": "pass_binary", "meta": { "level": 4, "keyword": "0x2" } }'
    printf '%s\n' '{ "n": "ehshim:Stderr", "msg": "\u000b\f\r\u000e\u000f\u0010'
    printf '%s\n' '{ "n": "ehshim:Stderr", "msg": "split \u0000 over 3 calls", "ident": "pass_binary", "meta": { "level": 4, "keyword": "0x2" } }'
    printf '{ "n": "ehshim:Stderr", "msg": "%s", "truncated": true, "ident": "pass_binary", "meta": { "level": 4, "keyword": "0x2" } }\n' \
        "$(head -c 3072 /dev/zero | tr '\0' L)"
    printf '%s\n' '{ "n": "ehshim:Stderr", "msg": "last line without a newline", "ident": "pass_binary", "meta": { "level": 4, "keyword": "0x2" } }'
} >"$shim_tmp/pass_binary.expected"
sed '3s/^\(.\{60\}\).*/\1/' "$shim_tmp/pass_binary.shim.jsonl" >"$shim_tmp/pass_binary.events"
expect_file pass_binary "events" "$shim_tmp/pass_binary.expected" "$shim_tmp/pass_binary.events"

# Return values and errno of each call, success and failure.
passthrough pass_returns

# Short writes and EFBIG from RLIMIT_FSIZE on a regular-file stderr.
passthrough pass_partial
if ! grep -q 'call 1: returned 100,' "$shim_tmp/pass_partial.plain.out"; then
    fail "pass_partial: the RLIMIT_FSIZE short write did not happen without the shim; output:"
    cat "$shim_tmp/pass_partial.plain.out"
fi

# Fully buffered stderr (setvbuf _IOFBF, 4096), interleaved with stdout;
# the tail is flushed only by exit(). Every line is an event, in order.
passthrough pass_setvbuf
for i in $(seq 0 299); do echo "buffered line $i"; done >"$shim_tmp/pass_setvbuf.expected-msgs"
msg_values "$shim_tmp/pass_setvbuf.shim.jsonl" >"$shim_tmp/pass_setvbuf.msgs"
expect_file pass_setvbuf "event messages" "$shim_tmp/pass_setvbuf.expected-msgs" \
    "$shim_tmp/pass_setvbuf.msgs"
if grep -v '"n": "ehshim:Stderr"' "$shim_tmp/pass_setvbuf.shim.jsonl" | grep -q .; then
    fail "pass_setvbuf: events other than Stderr:"
    grep -v '"n": "ehshim:Stderr"' "$shim_tmp/pass_setvbuf.shim.jsonl" | head -n 5
fi

# stdout and stderr into one file (2>&1 made by the parent): the order of
# the combined output is kept, and only the stderr lines are events.
RUN_MERGE=1
passthrough pass_interleave
for i in $(seq 0 99); do printf 'err fprintf %s\nerr write %s\n' "$i" "$i"; done \
    >"$shim_tmp/pass_interleave.expected-msgs"
msg_values "$shim_tmp/pass_interleave.shim.jsonl" >"$shim_tmp/pass_interleave.msgs"
expect_file pass_interleave "event messages" "$shim_tmp/pass_interleave.expected-msgs" \
    "$shim_tmp/pass_interleave.msgs"

# A program writing only to stdout, with 2>&1 from outside: no events.
passthrough call_stdout_only
if [ -s "$shim_tmp/call_stdout_only.shim.jsonl" ]; then
    fail "call_stdout_only: stdout became events because the parent made 2>&1:"
    head -n 5 "$shim_tmp/call_stdout_only.shim.jsonl"
fi
RUN_MERGE=0

# Started with fds 0, 1, 2 closed: the files the program opens become
# 0, 1, 2 (the shim's own descriptors must not take those numbers), they
# are data, not stderr, and get exactly the same bytes; no events.
closed_std() {
    local mode=$1 dir=$shim_tmp/pass_closed_std.$1
    mkdir -p "$dir"
    rm -f "$dir.dat"
    (
        if [ "$mode" = shim ]; then
            export LD_PRELOAD="$SHIM_PRELOAD" EHSHIM_CAPTURE="$dir.dat"
            [ -n "$SHIM_ASAN_OPTIONS" ] && export ASAN_OPTIONS="$SHIM_ASAN_OPTIONS"
        fi
        exec "$SHIM_PROGRAMS/pass_closed_std" "$dir" <&- >&- 2>&-
    )
    echo $? >"$dir.status"
}
closed_std plain
closed_std shim
mkdir -p "$shim_tmp/pass_closed_std.expected"
for fd in 0 1 2; do
    echo "data file opened as fd $fd, expected $fd" >"$shim_tmp/pass_closed_std.expected/fd$fd"
done
echo "stderr FILE line into the fd 2 file" >>"$shim_tmp/pass_closed_std.expected/fd2"
for mode in plain shim; do
    expect_status "pass_closed_std ($mode; 3: a file did not get its fd)" 0 \
        "$shim_tmp/pass_closed_std.$mode"
    for fd in 0 1 2; do
        expect_file "pass_closed_std ($mode)" "data file fd$fd" \
            "$shim_tmp/pass_closed_std.expected/fd$fd" "$shim_tmp/pass_closed_std.$mode/fd$fd"
    done
done
decode_events "$shim_tmp/pass_closed_std.shim"
if [ -s "$shim_tmp/pass_closed_std.shim.jsonl" ]; then
    fail "pass_closed_std: writes to data files that took fds 0-2 became events:"
    head -n 5 "$shim_tmp/pass_closed_std.shim.jsonl"
fi

# Every other program of tests/shim is compared by the script that checks
# its events (test_shim_calls.sh, test_shim_threads.sh, ...); make sure no
# pass_* program was forgotten here.
for program in "$SHIM_PROGRAMS"/pass_*; do
    name=$(basename "$program")
    [ -e "$shim_tmp/$name.shim.status" ] ||
        [ -e "$shim_tmp/$name.shim/fd0" ] || fail "$name: not run by $(basename "$0")"
done

shim_finish
