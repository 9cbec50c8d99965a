#!/usr/bin/env bash
# `ehshim parse` options and line handling: defaults, --source (stdout and
# journal entries too), multi-line records, --ident,
# --priority (facility and level), --backend, dropped lines, long lines, '\r', the last
# line without '\n', standard input, bad configs and bad usage.
set -u
EHSHIM=${EHSHIM:-${BUILD:-build}/ehshim}
if [ ! -x "$EHSHIM" ]; then
    echo "FAIL: $EHSHIM is not built"
    exit 1
fi
export LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# expect NAME EXPECTED_STDOUT COMMAND...: runs COMMAND, wants exit 0, an
# empty stderr and exactly EXPECTED_STDOUT (compared as bytes).
expect() {
    local name=$1 expected=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    [ $rc -eq 0 ] || fail "$name: exit status $rc, want 0 ($(head -c 300 "$tmp/err"))"
    [ -s "$tmp/err" ] && fail "$name: wrote on stderr: $(head -c 300 "$tmp/err")"
    printf '%s' "$expected" >"$tmp/want"
    if ! cmp -s "$tmp/want" "$tmp/out"; then
        fail "$name: output differs (- want, + got)"
        diff -u "$tmp/want" "$tmp/out" | sed 's/^/    /'
    fi
}

# expect_status NAME STATUS STDERR_REGEX COMMAND...: wants that exit
# status, nothing on stdout, and a stderr line matching STDERR_REGEX.
expect_status() {
    local name=$1 status=$2 pattern=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    [ $rc -eq "$status" ] || fail "$name: exit status $rc, want $status"
    [ -s "$tmp/out" ] && fail "$name: printed on stdout: $(head -c 300 "$tmp/out")"
    grep -Eq -- "$pattern" "$tmp/err" || fail "$name: stderr lacks /$pattern/: $(head -c 300 "$tmp/err")"
}

parse() { "$EHSHIM" parse "$@"; }

# ---- defaults: stderr source, ident "ehshim", built-in config ----
printf 'hello\n' >"$tmp/hello.log"
expect "defaults" \
    '{ "n": "ehshim:Stderr", "msg": "hello", "ident": "ehshim", "meta": { "level": 4, "keyword": "0x2" } }
' parse "$tmp/hello.log"
expect "stdin when no FILE" \
    '{ "n": "ehshim:Stderr", "msg": "hello", "ident": "ehshim", "meta": { "level": 4, "keyword": "0x2" } }
' parse <"$tmp/hello.log"
expect "stdin as '-'" \
    '{ "n": "ehshim:Stderr", "msg": "hello", "ident": "ehshim", "meta": { "level": 4, "keyword": "0x2" } }
' parse - <"$tmp/hello.log"
expect "--ident and --opt=value" \
    '{ "n": "ehshim:Stderr", "msg": "hello", "ident": "myprog", "meta": { "level": 4, "keyword": "0x2" } }
' parse --ident=myprog "$tmp/hello.log"

# A stderr "<N>" prefix sets the level (journald's convention) and goes.
expect "stderr <N> prefix" \
    '{ "n": "ehshim:Stderr", "msg": "disk full", "ident": "ehshim", "meta": { "level": 2, "keyword": "0x2" } }
' parse <<<'<3>disk full'

# ---- syslog: priority = facility | severity ----
expect "syslog default priority LOG_USER|LOG_INFO" \
    '{ "n": "ehshim:Syslog", "msg": "hello", "ident": "ehshim", "facility": 1, "meta": { "level": 4, "keyword": "0x1" } }
' parse --source syslog "$tmp/hello.log"
# 38 = LOG_AUTH (4 << 3) | LOG_INFO (6)
expect "--priority 38" \
    '{ "n": "ehshim:Syslog", "msg": "hello", "ident": "sshd", "facility": 4, "meta": { "level": 4, "keyword": "0x1" } }
' parse --source syslog --ident sshd --priority 38 "$tmp/hello.log"
# 35 = LOG_AUTH | LOG_ERR: level 2
expect "--priority 35" \
    '{ "n": "ehshim:Syslog", "msg": "hello", "ident": "ehshim", "facility": 4, "meta": { "level": 2, "keyword": "0x1" } }
' parse --source syslog --priority 35 "$tmp/hello.log"
# 4 = LOG_WARNING without facility: LOG_USER is added, as syslog() does
expect "--priority without facility" \
    '{ "n": "ehshim:Syslog", "msg": "hello", "ident": "ehshim", "facility": 1, "meta": { "level": 3, "keyword": "0x1" } }
' parse --source syslog --priority 4 "$tmp/hello.log"
# 167 = LOG_LOCAL4 (20 << 3) | LOG_DEBUG (7): level 5
expect "--priority 167" \
    '{ "n": "ehshim:Syslog", "msg": "hello", "ident": "ehshim", "facility": 20, "meta": { "level": 5, "keyword": "0x1" } }
' parse --source syslog --priority 167 "$tmp/hello.log"
# 10 = LOG_USER | LOG_CRIT: level 1
expect "--priority 10" \
    '{ "n": "ehshim:Syslog", "msg": "hello", "ident": "ehshim", "facility": 1, "meta": { "level": 1, "keyword": "0x1" } }
' parse --source syslog --priority 10 "$tmp/hello.log"
# A "<N>" is no prefix in a syslog message.
expect "syslog keeps <N>" \
    '{ "n": "ehshim:Syslog", "msg": "<3>x", "ident": "ehshim", "facility": 1, "meta": { "level": 4, "keyword": "0x1" } }
' parse --source syslog <<<'<3>x'

# --priority alone does not make the lines syslog messages; a note says so.
parse --priority 38 "$tmp/hello.log" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] || fail "--priority with stderr source must still work"
grep -q '"keyword": "0x2"' "$tmp/out" || fail "--priority alone changed the source: $(cat "$tmp/out")"
grep -q 'applies to --source syslog only' "$tmp/err" || fail "--priority alone: no note on stderr"

# ---- lines: "\r\n" endings, empty lines, last line without '\n', split reads ----
expect "CR of CRLF dropped, empty line, unterminated last line" \
    '{ "n": "ehshim:Stderr", "msg": "dos", "ident": "ehshim", "meta": { "level": 4, "keyword": "0x2" } }
{ "n": "ehshim:Stderr", "msg": "", "ident": "ehshim", "meta": { "level": 4, "keyword": "0x2" } }
{ "n": "ehshim:Stderr", "msg": "last", "ident": "ehshim", "meta": { "level": 4, "keyword": "0x2" } }
' bash -c 'printf "dos\r\n\nlast" | "$1" parse' _ "$EHSHIM"
printf '{ "strip_cr": false }\n' >"$tmp/raw_cr.json"
expect "strip_cr: false keeps the CR; a CR inside a line always stays" \
    '{ "n": "ehshim:Stderr", "msg": "dos\r", "ident": "ehshim", "meta": { "level": 4, "keyword": "0x2" } }
{ "n": "ehshim:Stderr", "msg": "a\rb", "ident": "ehshim", "meta": { "level": 4, "keyword": "0x2" } }
' bash -c 'printf "dos\r\na\rb\n" | "$1" parse -c "$2"' _ "$EHSHIM" "$tmp/raw_cr.json"
expect "syslog messages keep a final CR (syslog() sends what it is given)" \
    '{ "n": "ehshim:Syslog", "msg": "dos\r", "ident": "ehshim", "facility": 1, "meta": { "level": 4, "keyword": "0x1" } }
' bash -c 'printf "dos\r\n" | "$1" parse --source syslog' _ "$EHSHIM"
expect "a line arriving in pieces" \
    '{ "n": "ehshim:Stderr", "msg": "hello world", "ident": "ehshim", "meta": { "level": 4, "keyword": "0x2" } }
' bash -c '{ printf "hello "; sleep 0.2; printf "world\n"; } | "$1" parse' _ "$EHSHIM"
expect "empty input" '' parse </dev/null

# ---- long lines: cut to max_message_bytes, flagged, memory bounded ----
printf '{ "max_message_bytes": 64 }\n' >"$tmp/short.json"
a64=$(printf 'a%.0s' {1..64})
expect "exactly max_message_bytes" \
    "{ \"n\": \"ehshim:Stderr\", \"msg\": \"$a64\", \"ident\": \"ehshim\", \"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }
" parse -c "$tmp/short.json" <<<"$a64"
expect "one byte over" \
    "{ \"n\": \"ehshim:Stderr\", \"msg\": \"$a64\", \"truncated\": true, \"ident\": \"ehshim\", \"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }
" parse -c "$tmp/short.json" <<<"${a64}b"
# A "<N>" prefix is stripped before the engine measures: a longer line
# must still say truncated.
a100=$(printf 'a%.0s' {1..100})
expect "prefixed line over the maximum" \
    "{ \"n\": \"ehshim:Stderr\", \"msg\": \"$a64\", \"truncated\": true, \"ident\": \"ehshim\", \"meta\": { \"level\": 2, \"keyword\": \"0x2\" } }
" parse -c "$tmp/short.json" <<<"<3>$a100"
expect "prefixed line at the maximum" \
    "{ \"n\": \"ehshim:Stderr\", \"msg\": \"$a64\", \"ident\": \"ehshim\", \"meta\": { \"level\": 2, \"keyword\": \"0x2\" } }
" parse -c "$tmp/short.json" <<<"<003>$a64"
expect "syslog message one byte over" \
    "{ \"n\": \"ehshim:Syslog\", \"msg\": \"$a64\", \"truncated\": true, \"ident\": \"ehshim\", \"facility\": 1, \"meta\": { \"level\": 4, \"keyword\": \"0x1\" } }
" parse -c "$tmp/short.json" --source syslog <<<"${a64}b"
# ---- --backend user_events: events cut to the 8184 bytes a perf reader
# gets. With a 255-byte ident, a syslog message of 7807 bytes (what
# `ehshim check` says fits: tests/config/warn) is whole, one more is cut
# back to 7807 and flagged. The capture backend keeps both whole. ----
printf '{ "max_message_bytes": 65000 }\n' >"$tmp/big.json"
ident255=$(printf 'i%.0s' {1..255})
a7807=$(printf 'a%.0s' {1..7807})
syslog_event() { # MSG [TRUNCATED]
    printf '{ "n": "ehshim:Syslog", "msg": "%s", %s"ident": "%s", "facility": 1, "meta": { "level": 4, "keyword": "0x1" } }\n' \
        "$1" "${2:+\"truncated\": true, }" "$ident255"
}
printf '%s\n%sb\n' "$a7807" "$a7807" >"$tmp/edge.log"
expect "--backend user_events: 7807 bytes whole, 7808 cut" \
    "$(syslog_event "$a7807")
$(syslog_event "$a7807" yes)
" parse -c "$tmp/big.json" --backend user_events --source syslog --ident "$ident255" "$tmp/edge.log"
expect "--backend=capture keeps both" \
    "$(syslog_event "$a7807")
$(syslog_event "${a7807}b")
" parse -c "$tmp/big.json" --backend=capture --source syslog --ident "$ident255" "$tmp/edge.log"
expect "the default backend is capture" \
    "$(syslog_event "$a7807")
$(syslog_event "${a7807}b")
" parse -c "$tmp/big.json" --source syslog --ident "$ident255" "$tmp/edge.log"

# 300000 bytes: several reads, both after a kept line and as the first line.
head -c 300000 /dev/zero | tr '\0' 'x' >"$tmp/long.log"
{ printf 'short\n'; cat "$tmp/long.log"; printf '\nafter\n'; cat "$tmp/long.log"; } >"$tmp/mixed.log"
x64=$(printf 'x%.0s' {1..64})
expect "very long lines" \
    "{ \"n\": \"ehshim:Stderr\", \"msg\": \"short\", \"ident\": \"ehshim\", \"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }
{ \"n\": \"ehshim:Stderr\", \"msg\": \"$x64\", \"truncated\": true, \"ident\": \"ehshim\", \"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }
{ \"n\": \"ehshim:Stderr\", \"msg\": \"after\", \"ident\": \"ehshim\", \"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }
{ \"n\": \"ehshim:Stderr\", \"msg\": \"$x64\", \"truncated\": true, \"ident\": \"ehshim\", \"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }
" parse -c "$tmp/short.json" "$tmp/mixed.log"

# ---- rules: ident filter, drop, group in the tracepoint name ----
cat >"$tmp/rules.json" <<'EOF'
{
  "provider": "Test",
  "group": "grp",
  "rules": [
    { "name": "Noise", "regex": "^DEBUG ", "drop": true },
    { "name": "Only", "ident": "sshd", "grok": "^user %{WORD:user}$", "level": "warning", "keyword": "0x10" }
  ],
  "default": { "name": "Other" }
}
EOF
printf 'DEBUG tick\nuser bob\nDEBUG tock\n' >"$tmp/rules.log"
expect "drop rule and ident filter (ident does not match)" \
    '{ "n": "Test:Other", "msg": "user bob", "ident": "ehshim", "meta": { "level": 4, "keyword": "0x2" } }
' parse -c "$tmp/rules.json" "$tmp/rules.log"
expect "ident filter (ident matches)" \
    '{ "n": "Test:Only", "user": "bob", "msg": "user bob", "ident": "sshd", "meta": { "level": 3, "keyword": "0x10" } }
' parse -c "$tmp/rules.json" --ident sshd "$tmp/rules.log"
expect "all lines dropped" '' parse -c "$tmp/rules.json" <<<'DEBUG only'

# A source the config does not capture: the shim emits nothing.
printf '{ "capture": { "syslog": true, "stderr": false } }\n' >"$tmp/nostderr.json"
parse -c "$tmp/nostderr.json" "$tmp/hello.log" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] || fail "uncaptured source: exit status"
[ -s "$tmp/out" ] && fail "uncaptured source printed events: $(cat "$tmp/out")"
grep -q 'does not capture stderr' "$tmp/err" || fail "uncaptured source: no note: $(cat "$tmp/err")"

# ---- errors ----
printf '{\n  "rules": [\n    { "name": "X", "regx": "a" }\n  ]\n}\n' >"$tmp/bad.json"
expect_status "bad config" 1 "^$tmp/bad.json:3:20: unknown key 'regx'" \
    parse -c "$tmp/bad.json" "$tmp/hello.log"
expect_status "missing config" 1 "nonexistent.json: cannot read" \
    parse -c "$tmp/nonexistent.json" "$tmp/hello.log"
expect_status "missing input" 1 "nonexistent.log: No such file or directory" \
    parse "$tmp/nonexistent.log"
expect_status "unknown option" 2 "unknown option '--bogus'" parse --bogus "$tmp/hello.log"
expect_status "bad backend" 2 "--backend is capture or user_events, not 'perf'" parse --backend perf "$tmp/hello.log"
expect_status "bad source" 2 "--source is stderr, stdout, syslog or journal, not 'kernel'" \
    parse --source kernel "$tmp/hello.log"
expect_status "priority too large" 2 "--priority is a number" parse --priority 1024 "$tmp/hello.log"
expect_status "priority not a number" 2 "--priority is a number" parse --priority LOG_AUTH "$tmp/hello.log"
expect_status "negative priority" 2 "--priority is a number" parse --priority -1 "$tmp/hello.log"
expect_status "missing value" 2 "missing value after '-c'" parse -c
expect_status "two inputs" 2 "only one input file" parse "$tmp/hello.log" "$tmp/hello.log"

# ---- --source stdout: stderr's handling, its own name and keyword ----
printf '{ "capture": { "stdout": true } }\n' >"$tmp/stdout.json"
expect "stdout lines" \
    '{ "n": "ehshim:Stdout", "msg": "GET /x", "ident": "web", "meta": { "level": 4, "keyword": "0x8" } }
{ "n": "ehshim:Stdout", "msg": "warned", "ident": "web", "meta": { "level": 3, "keyword": "0x8" } }
' parse -c "$tmp/stdout.json" --source stdout --ident web <(printf 'GET /x\r\n<4>warned\n')
"$EHSHIM" parse --source stdout "$tmp/hello.log" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && [ ! -s "$tmp/out" ] &&
    grep -qx "ehshim parse: note: <built-in> does not capture stdout: the shim emits no events for these lines" "$tmp/err" ||
    fail "stdout is not captured by default: parse must say so and print nothing"

# ---- --source journal: export-format entries, as journalctl -o export
# writes them (journald's own "_" fields left out) or as libsystemd sends
# them (tests/real/wire), binary fields included ----
{
    printf '__CURSOR=s=1;i=2\n__REALTIME_TIMESTAMP=1700000000000000\n_PID=77\n_COMM=app\n'
    printf 'MESSAGE=disk full\nPRIORITY=3\nSYSLOG_FACILITY=3\nSYSLOG_IDENTIFIER=app\nUNIT_ID=9\n\n'
    cat tests/real/wire/journal-sendv.bin
    printf '\n\nMESSAGE=no newline at the end'
} >"$tmp/journal.export"
SRC_FIELDS='"CODE_FILE": "wire_journal.c", "CODE_LINE": 63, "CODE_FUNC": "case_sendv"'
expect "journal entries" \
    '{ "n": "ehshim:Journal", "UNIT_ID": "9", "msg": "disk full", "ident": "app", "facility": 3, "meta": { "level": 2, "keyword": "0x4" } }
{ "n": "ehshim:Journal", "BLOB": "line1\nline2\u0000after-nul\u0000\nend", "NULONLY": "a\u0000b", '"$SRC_FIELDS"', "msg": "binary fields", "ident": "wire_journal", "meta": { "level": 4, "keyword": "0x4" } }
{ "n": "ehshim:Journal", "msg": "no newline at the end", "ident": "ehshim", "meta": { "level": 4, "keyword": "0x4" } }
' parse --source journal "$tmp/journal.export"
printf '{ "rules": [ { "name": "Full", "source": "journal", "ident": "app", "fields": { "UNIT_ID": "u16" } } ] }\n' >"$tmp/journal.json"
expect "journal rule types an entry field" \
    '{ "n": "ehshim:Full", "UNIT_ID": 9, "msg": "disk full", "ident": "app", "facility": 3, "meta": { "level": 2, "keyword": "0x4" } }
' parse -c "$tmp/journal.json" --source journal <(head -n 10 "$tmp/journal.export")
printf 'MESSAGE=one\n\nnot a field\nMESSAGE=lost\n\nMESSAGE=three\n' >"$tmp/bad.export"
"$EHSHIM" parse --source journal "$tmp/bad.export" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "a malformed journal entry must make parse exit 1"
[ "$(grep -c '"msg": "one"\|"msg": "three"' "$tmp/out")" = 2 ] && [ "$(wc -l <"$tmp/out")" = 2 ] ||
    fail "the entries around a malformed one must still be shown: $(cat "$tmp/out")"
grep -qx "ehshim parse: $tmp/bad.export: entry 2: not journal export format at its byte 0; skipped" "$tmp/err" ||
    fail "a malformed journal entry must be named: $(cat "$tmp/err")"
# A malformed entry longer than one read (200 KiB of it after the bad
# line, through a pipe): skipped to its end, named once, its tail no entry.
{
    printf 'MESSAGE=one\n\nbad line\nX='
    head -c 204800 /dev/zero | tr '\0' a
    printf '\nMESSAGE=tail of the bad entry\n\nMESSAGE=three\n'
} >"$tmp/long-bad.export"
cat "$tmp/long-bad.export" | "$EHSHIM" parse --source journal >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "a long malformed journal entry must make parse exit 1"
[ "$(sed 's/.*"msg": "\([^"]*\)".*/\1/' "$tmp/out" | paste -sd,)" = "one,three" ] ||
    fail "a long malformed entry: want the events one and three, got: $(cut -c1-80 "$tmp/out")"
[ "$(cat "$tmp/err")" = "ehshim parse: <stdin>: entry 2: not journal export format at its byte 0; skipped" ] ||
    fail "a long malformed entry must be named once: $(cat "$tmp/err")"

"$EHSHIM" parse --help >"$tmp/out" 2>&1 && grep -q '^usage: ehshim parse' "$tmp/out" ||
    fail "parse --help must exit 0 with the usage on stdout"
"$EHSHIM" --help | grep -q 'parse \[-c CONFIG\]' || fail "ehshim --help does not list parse"

# Multi-line records (tests/integration/multiline/): consecutive lines
# grouped by the python detector and a custom "continue" pattern; a rule on
# the first line (a rule matching a later line of the record does not
# match), a rule on the whole record ("match_text": "record"); a record past
# max_bytes cut and flagged truncated. Then a 301-line Java trace that the
# user_events backend cannot carry: one event, frames and message cut to
# what fits, truncated.
ml=tests/integration/multiline
expect "multiline records" "$(cat "$ml/parse.expected.jsonl")
" parse -c "$ml/parse.json" "$ml/parse.input.txt"
expect "multiline record past the event size" "$(cat "$ml/deep.expected.jsonl")
" parse -c "$ml/deep.json" --backend user_events "$ml/deep.input.txt"
if [ "$(wc -l <"$ml/deep.expected.jsonl")" != 1 ] ||
    ! grep -q '"lines": 301, "msg": "java.lang.IllegalStateException: deep\\n\\tat com.example.deep.Layer1.call(Layer1.java:1)' "$ml/deep.expected.jsonl" ||
    ! grep -q '", "truncated": true, "ident"' "$ml/deep.expected.jsonl"; then
    fail "multiline record past the event size: $ml/deep.expected.jsonl is not one truncated event of 301 lines"
fi

echo "$failures failures"
[ $failures -eq 0 ]
