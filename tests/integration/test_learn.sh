#!/usr/bin/env bash
# `ehshim learn` on real program output kept in examples/ (sshd through
# syslog, PostgreSQL, nginx and Python on stderr, rsyncd, cron, dnsmasq):
# the config it writes passes `ehshim check`, and `ehshim parse` with it
# gives every non-empty line a learned rule's event (none the default
# event; an empty line is not learned, so it is one), with typed fields (sshd's "Connection from" line: ip and port);
# the same input gives the same config; standard input works; an empty
# file, binary junk with NUL bytes and invalid UTF-8, and a 1 MiB line give
# configs `ehshim check` accepts; an unreadable file exits 1.
set -u
EHSHIM=${EHSHIM:-${BUILD:-build}/ehshim}
[ -x "$EHSHIM" ] || { echo "FAIL: $EHSHIM is not built"; exit 1; }
cd "$(dirname "$0")/../.." || exit 1
export LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# learn_example NAME: learns examples/NAME/input.log with its source and
# ident, checks the config and that every non-empty line gets a rule.
learn_example() {
    local name=$1 args source ident
    args=$(cat "examples/$name/args")
    source=$(sed -n 's/.*--source \([a-z]*\).*/\1/p' <<<"$args")
    ident=$(sed -n 's/.*--ident \([^ ]*\).*/\1/p' <<<"$args")
    # shellcheck disable=SC2086
    "$EHSHIM" learn --source "${source:-stderr}" ${ident:+--ident "$ident"} \
        -o "$tmp/$name.json" "examples/$name/input.log" 2>"$tmp/$name.err" ||
        fail "$name: ehshim learn failed: $(cat "$tmp/$name.err")"
    "$EHSHIM" check "$tmp/$name.json" >"$tmp/$name.check" 2>&1 ||
        fail "$name: ehshim check refuses the learned config: $(head -c 300 "$tmp/$name.check")"
    # shellcheck disable=SC2086
    "$EHSHIM" parse -c "$tmp/$name.json" $args "examples/$name/input.log" >"$tmp/$name.jsonl" ||
        fail "$name: ehshim parse failed"
    local lines events defaults
    lines=$(grep -c . "examples/$name/input.log")
    events=$(grep -c -v '"msg": ""' "$tmp/$name.jsonl")
    defaults=$(grep '"n": "Learned:\(Syslog\|Stderr\)"' "$tmp/$name.jsonl" | grep -c -v '"msg": ""')
    [ "$events" = "$lines" ] || fail "$name: $events events for $lines non-empty lines"
    [ "$defaults" = 0 ] ||
        fail "$name: $defaults lines got the default event, e.g. $(grep -m1 '"n": "Learned:\(Syslog\|Stderr\)"' "$tmp/$name.jsonl")"
    echo "$name: $lines lines, $(grep -c '"name"' "$tmp/$name.json") rules"
}

for name in sshd postgresql nginx python rsyncd cron dnsmasq; do
    learn_example "$name"
done

# Typed fields: sshd's "Connection from IP port N on IP port N".
line=$(grep -m1 '"msg": "Connection from 127.0.0.1 port 39728 on 127.0.0.1 port 18722 rdomain' "$tmp/sshd.jsonl")
want='{ "n": "Learned:ConnectionFromPortOnPort", "ip": "127.0.0.1", "port": 39728, "ip_2": "127.0.0.1", "port_2": 18722, "msg": "Connection from 127.0.0.1 port 39728 on 127.0.0.1 port 18722 rdomain \"\"", "ident": "sshd", "facility": 4, "meta": { "level": 4, "keyword": "0x1" } }'
[ "$line" = "$want" ] || fail "sshd Connection from: got $line"
grep -q '"template":[[:space:]]*"Connection from <\*> port <\*> on <\*> port <\*> rdomain \\"\\""' "$tmp/sshd.json" ||
    fail "sshd: no template key for the Connection from rule"

# The event name from the template's words, as an operator would name it.
line=$(grep -m1 '"msg": "Failed password for invalid user nosuchuser1 from 127.0.0.1 port 39366 ssh2"' "$tmp/sshd.jsonl")
want='{ "n": "Learned:FailedPasswordForInvalidUser", "ip": "127.0.0.1", "port": 39366, "msg": "Failed password for invalid user nosuchuser1 from 127.0.0.1 port 39366 ssh2", "ident": "sshd", "facility": 4, "meta": { "level": 4, "keyword": "0x1" } }'
[ "$line" = "$want" ] || fail "sshd Failed password: got $line"

# The same input, the same config; standard input as a file.
"$EHSHIM" learn --source syslog --ident sshd <examples/sshd/input.log >"$tmp/again.json" 2>/dev/null
cmp -s "$tmp/sshd.json" "$tmp/again.json" || fail "learning sshd twice (file, then stdin) gave different configs"

# Hostile input: an empty file, binary junk, a 1 MiB line.
: >"$tmp/empty.log"
printf 'ok line 1\n\0\0\0\n\xff\xfe\x80 bad utf8 \xc3\n\x01\x02 ctrl 7\n' >"$tmp/junk.log"
head -c 4096 /dev/urandom >>"$tmp/junk.log"
{ printf 'start '; head -c 1048576 /dev/zero | tr '\0' 'x'; printf '\n'; } >"$tmp/long.log"
for f in empty junk long; do
    "$EHSHIM" learn -o "$tmp/$f.json" "$tmp/$f.log" 2>"$tmp/$f.err" || fail "$f: ehshim learn failed: $(cat "$tmp/$f.err")"
    "$EHSHIM" check "$tmp/$f.json" >"$tmp/$f.check" 2>&1 ||
        fail "$f: ehshim check refuses the learned config: $(head -c 300 "$tmp/$f.check")"
done
grep -q '"rules":[[:space:]]*\[\]' "$tmp/empty.json" || fail "empty: expected no rules"
"$EHSHIM" parse -c "$tmp/long.json" "$tmp/long.log" | grep -q '"n": "Learned:Start"' ||
    fail "long: the 1 MiB line does not match its rule"

# An unreadable file: exit 1, named on stderr.
"$EHSHIM" learn "$tmp/missing.log" >/dev/null 2>"$tmp/missing.err"
rc=$?
[ $rc -eq 1 ] || fail "missing file: exit $rc, want 1"
grep -q 'missing.log' "$tmp/missing.err" || fail "missing file: not named on stderr"

echo "$failures failures"
[ $failures -eq 0 ]
