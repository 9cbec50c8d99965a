#!/usr/bin/env bash
# capture.stdout: lines on fd 1, on copies of it and on descriptors opened
# by its names become Stdout events (keyword 0x8), assembled apart from
# stderr's lines (tests/shim/stdout_lines.c says what it writes). Checked:
#   - the program's stdout, stderr and exit status are byte-identical with
#     and without the shim, with stdout captured or not;
#   - with { "capture": { "stdout": true } }, exactly the expected events,
#     stderr's unchanged; the same with a parent's 2>&1 (the descriptors
#     are what their numbers were at start, not what file they share);
#   - without it (the default config), the stderr events only;
#   - rules see the source: "source": "stdout" and "stderr" rules match
#     only their own lines;
#   - a stdout line longer than max_message_bytes is one event, truncated;
#   - the EHSHIM_DEBUG=1 exit report counts stdout lines.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

name=stdout_lines
program=$SHIM_PROGRAMS/$name
out=$shim_tmp/$name
config=$shim_tmp/stdout.json
printf '{ "capture": { "stdout": true } }\n' >"$config"

# stdout_event IDENT MESSAGE: the default event of a stdout line.
stdout_event() {
    printf '{ "n": "ehshim:Stdout", "msg": %s, "ident": %s, "meta": { "level": 4, "keyword": "0x8" } }\n' \
        "$(json_string "$2")" "$(json_string "$1")"
}
O() { stdout_event "$name" "$1"; }
E() { stderr_event "$name" "$1"; }

# In the order the program writes them; a fork or vfork child's lines
# are its own, apart from its parent's unfinished one.
{
    O 'write works'
    O 'writev works'
    O 'printf works 42'
    O 'puts works'
    O 'fwrite works'
    O 'fputs works'
    O 'putchar works'
    O 'fprintf works 7'
    O 'dprintf works 8'
    O 'stdout half, stdout rest'
    E 'stderr half, stderr rest'
    E 'stderr while stdout waits'
    O 'buffered stdout, flushed after'
    O 'dup works'
    O 'fcntl works'
    O 'open /dev/stdout works'
    O 'open /proc/self/fd/1 works'
    O 'fopen /dev/fd/1 works'
    E 'stderr on a former stdout copy'
    O 'child line'
    O 'child unfinished'
    O 'fork ends'
    O 'child line'
    O 'child unfinished'
    O 'vfork ends'
    O 'thread line'
    O 'thread unfinished'
    E 'puts onto stderr'
    O 'puts onto stdout again'
    E 'stdout_lines: error() works'
    O 'before error(), after'
    E 'stderr unfinished'
    O 'stdout unfinished'
} >"$out.expected"
grep -F '"keyword": "0x2"' "$out.expected" >"$out.expected-stderr"

run_plain "$out.plain" "$name" "$program"
expect_status "$name (without the shim)" 0 "$out.plain"
# What the program writes, so that a program that wrote nothing cannot pass.
printf '%s\n' 'write works' 'writev works' 'printf works 42' >"$out.head"
head -n 3 "$out.plain.out" | cmp -s - "$out.head" || fail "$name: its stdout does not begin as it should"

RUN_ENV=("EHSHIM_CONFIG=$config")
run_shim "$out.shim" "$name" "$program"
expect_same_output "$name, stdout captured" "$out.plain" "$out.shim"
decode_events "$out.shim"
expect_file "$name, stdout captured" events "$out.expected" "$out.shim.jsonl"

RUN_ENV=()
run_shim "$out.default" "$name" "$program"
expect_same_output "$name, default config" "$out.plain" "$out.default"
decode_events "$out.default"
expect_file "$name, default config" "events (stderr only)" "$out.expected-stderr" "$out.default.jsonl"

RUN_MERGE=1
run_plain "$out.merged-plain" "$name" "$program"
RUN_ENV=("EHSHIM_CONFIG=$config")
run_shim "$out.merged" "$name" "$program"
RUN_MERGE=0
expect_same_output "$name, 2>&1" "$out.merged-plain" "$out.merged"
decode_events "$out.merged"
expect_file "$name, 2>&1" events "$out.expected" "$out.merged.jsonl"

# Rules by source: Half (stdout) and Half (stderr) see the same words.
cat >"$shim_tmp/rules.json" <<'JSON'
{
  "capture": { "stdout": true },
  "rules": [
    { "name": "OutHalf", "source": "stdout", "regex": "^(?<which>\\w+) half, " },
    { "name": "ErrHalf", "source": "stderr", "regex": "^(?<which>\\w+) half, " },
    { "name": "Works", "source": "stdout", "regex": "^printf works (?<n>\\d+)$", "fields": { "n": "u32" } },
    { "name": "Quiet", "source": "stdout", "regex": "^(?!printf works|stdout half)", "drop": true }
  ]
}
JSON
RUN_ENV=("EHSHIM_CONFIG=$shim_tmp/rules.json")
run_shim "$out.rules" "$name" "$program"
expect_same_output "$name, rules" "$out.plain" "$out.rules"
decode_events "$out.rules"
{
    printf '{ "n": "ehshim:Works", "n": 42, "msg": "printf works 42", "ident": "%s", "meta": { "level": 4, "keyword": "0x8" } }\n' "$name"
    printf '{ "n": "ehshim:OutHalf", "which": "stdout", "msg": "stdout half, stdout rest", "ident": "%s", "meta": { "level": 4, "keyword": "0x8" } }\n' "$name"
    printf '{ "n": "ehshim:ErrHalf", "which": "stderr", "msg": "stderr half, stderr rest", "ident": "%s", "meta": { "level": 4, "keyword": "0x2" } }\n' "$name"
    grep -vF 'stderr half' "$out.expected-stderr"
} >"$out.rules-expected"
expect_file "$name, rules" events "$out.rules-expected" "$out.rules.jsonl"

# A stdout line longer than max_message_bytes is one event, cut and
# flagged; its "<N>" prefix (stripped) does not count.
printf '{ "capture": { "stdout": true }, "max_message_bytes": 64 }\n' >"$shim_tmp/small.json"
RUN_ENV=("EHSHIM_CONFIG=$shim_tmp/small.json")
run_shim "$out.long" "$name" "$program" long
expect_status "$name long" 0 "$out.long"
decode_events "$out.long"
a64=$(printf 'a%.0s' $(seq 64))
cat >"$out.long-expected" <<JSON
{ "n": "ehshim:Stdout", "msg": "$a64", "truncated": true, "ident": "$name", "meta": { "level": 2, "keyword": "0x8" } }
{ "n": "ehshim:Stdout", "msg": "$a64", "ident": "$name", "meta": { "level": 4, "keyword": "0x8" } }
JSON
expect_file "$name long" events "$out.long-expected" "$out.long.jsonl"

# fflush(NULL) with both streams buffered and holding text: each stream's
# waiting bytes keep their own copy, so each line is its own source's event
# (they once shared one, and the second overwrote, or freed, the first).
RUN_ENV=("EHSHIM_CONFIG=$config")
run_plain "$out.flushall-plain" "$name" "$program" flushall
run_shim "$out.flushall" "$name" "$program" flushall
expect_status "$name flushall" 0 "$out.flushall"
expect_same_output "$name flushall" "$out.flushall-plain" "$out.flushall"
decode_events "$out.flushall"
{
    E 'err waiting'
    O "$(printf 'o%.0s' $(seq 2000))"
} >"$out.flushall-expected"
expect_file "$name flushall" events "$out.flushall-expected" "$out.flushall.jsonl"

RUN_ENV=("EHSHIM_CONFIG=$config" "EHSHIM_DEBUG=1")
run_shim "$out.debug" "$name" "$program"
expect_status "$name, EHSHIM_DEBUG=1" 0 "$out.debug"
grep -F 'ehshim: stdout: ' "$out.debug.err" >"$out.debug-stdout"
# 27 stdout events, less the fork child's two: that process counts its own
# (and, leaving by _exit, reports nothing). The vfork child's count here.
echo 'ehshim: stdout: 25 lines seen, 25 events written, 0 dropped (0 disabled, 0 by rule, 0 write errors), 0 conversion failures, 0 truncated' >"$out.debug-expected"
expect_file "$name, EHSHIM_DEBUG=1" "stdout counters" "$out.debug-expected" "$out.debug-stdout"

shim_finish
