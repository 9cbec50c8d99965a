#!/usr/bin/env bash
# A 1 MiB line without a newline, written with write(2), with fwrite in
# 4 KiB pieces and with one fprintf, and never finished (the program exits
# in the middle of it); and the same line followed by "\nnext line\n".
# Each time:
#  - stdout, stderr (the whole MiB) and exit status are byte-identical to a
#    run without the shim;
#  - the line is one event, cut to max_message_bytes (3072) and flagged
#    "truncated": true (then "next line" is a second event);
#  - memory stays bounded: what the shim adds to the program's peak RSS
#    (VmHWM with the shim less VmHWM without it) grows by at most 2 MiB
#    from a 10-byte line to the 1 MiB one. The shim keeps 3 KiB of the
#    line; one fprintf call formats its whole text once, so that mode pays
#    the 1 MiB once more, transiently.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

size=$((1024 * 1024))
x3072=$(head -c 3072 /dev/zero | tr '\0' x)
truncated_event() {
    printf '{ "n": "ehshim:Stderr", "msg": "%s", "truncated": true, "ident": "fault_long_line", "meta": { "level": 4, "keyword": "0x2" } }\n' "$x3072"
}

for mode in write chunks fprintf newline; do
    out=$shim_tmp/$mode
    run_plain "$out.plain" fault_long_line "$SHIM_PROGRAMS/fault_long_line" "$mode" "$size" "$out.plain.hwm"
    run_shim "$out.shim" fault_long_line "$SHIM_PROGRAMS/fault_long_line" "$mode" "$size" "$out.shim.hwm"
    run_shim "$out.small" fault_long_line "$SHIM_PROGRAMS/fault_long_line" "$mode" 10 "$out.small.hwm"
    run_plain "$out.plain-small" fault_long_line "$SHIM_PROGRAMS/fault_long_line" "$mode" 10 \
        "$out.plain-small.hwm"
    expect_status "$mode (without the shim)" 0 "$out.plain"
    expect_same_output "$mode" "$out.plain" "$out.shim"
    stderr_bytes=$(stat -c %s "$out.shim.err")
    [ "$mode" = newline ] && stderr_bytes=$((stderr_bytes - 11))
    [ "$stderr_bytes" -eq "$size" ] || fail "$mode: stderr holds $stderr_bytes bytes of the line, expected $size"

    decode_events "$out.shim"
    {
        truncated_event
        [ "$mode" = newline ] && stderr_event fault_long_line "next line"
    } >"$out.expected"
    expect_file "$mode" events "$out.expected" "$out.shim.jsonl"

    big=$(( $(cat "$out.shim.hwm") - $(cat "$out.plain.hwm") ))
    small=$(( $(cat "$out.small.hwm") - $(cat "$out.plain-small.hwm") ))
    echo "$mode: the shim adds $big KiB to the peak RSS with the 1 MiB line, $small KiB with a 10-byte line"
    [ $((big - small)) -le 2048 ] ||
        fail "$mode: the 1 MiB line costs the shim $((big - small)) KiB more peak RSS than a short one (limit 2048)"
done

shim_finish
