#!/usr/bin/env bash
# `ehshim parse` gathers its JSON lines in a buffer (64 KiB) and gives them
# to stdout together: every line must come out once, whole and in input
# order, across many fills of the buffer, with lines longer than the buffer
# among them, from a file and from a pipe read in small pieces. Each
# expected line is made here from the input line (the default config: an
# event named ehshim:Stderr whose msg is the line). Then events of many
# tracepoint names (levels and keywords) in one run.
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

# 3,000 lines of 0 to about 3,000 bytes (quotes among them, which JSON
# doubles), and every 500th line 40,000 quotes: its JSON line (80 KB) is
# longer than the buffer.
awk 'BEGIN {
    srand(7)
    for (i = 1; i <= 3000; i++) {
        if (i % 500 == 0) {
            line = "\"\"\"\"\"\"\"\"\"\""
            while (length(line) < 40000)
                line = line line
            line = substr(line, 1, 40000)
        } else {
            n = int(rand() * 3000)
            line = sprintf("line %d ", i)
            while (length(line) < n)
                line = line sprintf("w%d\"%d ", i, length(line))
        }
        print line
    }
}' >"$tmp/in.log"
printf '{ "max_message_bytes": 65000 }\n' >"$tmp/config.json"

# The line each input line must become.
awk '{
    gsub(/\\/, "\\\\")
    gsub(/"/, "\\\"")
    printf "{ \"n\": \"ehshim:Stderr\", \"msg\": \"%s\", \"ident\": \"ehshim\", \"meta\": { \"level\": 4, \"keyword\": \"0x2\" } }\n", $0
}' "$tmp/in.log" >"$tmp/want"
[ "$(wc -l <"$tmp/want")" -eq 3000 ] || fail "the expected output has $(wc -l <"$tmp/want") lines, not 3000"
[ "$(wc -c <"$tmp/want")" -gt 2000000 ] || fail "the expected output is too short to fill the buffer often"

check() {
    local name=$1
    if ! cmp -s "$tmp/want" "$tmp/out"; then
        fail "$name: output differs from the input lines' events (first difference below)"
        cmp "$tmp/want" "$tmp/out" | sed 's/^/    /'
    fi
    [ -s "$tmp/err" ] && fail "$name: wrote on stderr: $(head -c 300 "$tmp/err")"
}

"$EHSHIM" parse -c "$tmp/config.json" "$tmp/in.log" >"$tmp/out" 2>"$tmp/err" ||
    fail "from a file: exit status $?"
check "from a file"

# A pipe that gives 4 KiB at a time: the buffer is given out at every read.
dd if="$tmp/in.log" bs=4096 2>/dev/null | "$EHSHIM" parse -c "$tmp/config.json" >"$tmp/out" 2>"$tmp/err" ||
    fail "from a pipe: exit status $?"
check "from a pipe"

# Each event's tracepoint name (its level and keyword) is formatted and
# parsed once and kept, in one of two slots of 32 its level and keyword
# hash to: 48 rules, 20 of one level and 40 keywords, 8 more of one
# keyword and levels that hash to the same two slots (1, 13, 25, 50 and
# 2, 14, 26, 38 with keyword 7), lines in runs of one rule and jumping
# between all of them, so names are found again, pushed out and made
# anew, and names of the same level or keyword meet in a slot. Every line
# must show its own rule's name, level and keyword.
rule_awk='function keyword(i) { return i < 40 ? i + 1 : 7 }
function level(i,  shared) {
    split("1 13 25 50 2 14 26 38", shared, " ")
    return i < 20 ? 4 : i < 40 ? i % 5 + 1 : shared[i - 39] + 0
}'
awk "$rule_awk"'
BEGIN {
    printf "{ \"rules\": ["
    for (i = 0; i < 48; i++)
        printf "%s{ \"name\": \"R%d\", \"regex\": \"^k%d \", \"level\": %d, \"keyword\": \"0x%x\" }",
            (i ? ", " : ""), i, i, level(i), keyword(i)
    print "] }"
}' >"$tmp/rules.json"
awk 'BEGIN {
    srand(11)
    rule = 0
    for (n = 0; n < 6000; n++) {
        if (rand() < 0.5)
            rule = int(rand() * 48)
        print "k" rule " line " n
    }
}' >"$tmp/rules.log"
awk "$rule_awk"'
{
    rule = substr($1, 2) + 0
    printf "{ \"n\": \"ehshim:R%d\", \"msg\": \"%s\", \"ident\": \"ehshim\", \"meta\": { \"level\": %d, \"keyword\": \"0x%X\" } }\n",
        rule, $0, level(rule), keyword(rule)
}' "$tmp/rules.log" >"$tmp/want"
"$EHSHIM" parse -c "$tmp/rules.json" "$tmp/rules.log" >"$tmp/out" 2>"$tmp/err" ||
    fail "48 tracepoint names: exit status $?"
check "48 tracepoint names"

echo "$failures failures"
[ $failures -eq 0 ]
