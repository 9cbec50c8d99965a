#!/usr/bin/env bash
# What `ehshim learn` makes of lines written for the purpose
# (learn/pieces.log): templates with variable pieces inside tokens
# (blk_<*>, /<*>:<*>, a host before a port, a file path); typed and named
# captures (ip, port, host, hex, uuid, time, errno, bool, f64, i64, path)
# matched with the grok library's patterns; one template per first word
# (or first "key="); "key=" values as fields, not split; lines of other
# lengths merged where they differ by runs of variable tokens
# (bytes<*>sent); a position differing between two words only split into
# a rule per word before the general rule. The rules (name | template |
# fields), two grok expressions and the events `ehshim parse` gives with
# the config are compared exactly with what is written here and in
# learn/pieces.rules and learn/pieces.events; `ehshim check` accepts the
# config; the same input gives the same config again.
set -u
EHSHIM=${EHSHIM:-${BUILD:-build}/ehshim}
[ -x "$EHSHIM" ] || { echo "FAIL: $EHSHIM is not built"; exit 1; }
EHSHIM=$(realpath "$EHSHIM")
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
cd "$(dirname "$0")/learn" || exit 1
export LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$EHSHIM" learn -o "$tmp/config.json" pieces.log 2>"$tmp/err" || fail "learn failed: $(cat "$tmp/err")"
[ "$(cat "$tmp/err")" = "ehshim learn: 28 lines, 18 rules" ] ||
    fail "summary: $(cat "$tmp/err")"
"$EHSHIM" check "$tmp/config.json" >"$tmp/check" 2>&1 || fail "check refuses: $(head -c 400 "$tmp/check")"
python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["rules"]:
    print(r["name"], "|", r["template"], "|", json.dumps(r.get("fields", {})))
' "$tmp/config.json" >"$tmp/rules"
diff -u pieces.rules "$tmp/rules" || fail "the rules differ from pieces.rules"
# Typed pieces match with the grok library's patterns.
python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["rules"]:
    if r["name"] in ("ServedBlockTo", "FetchFromFailedAfterS"):
        print(r["name"], r["grok"], r.get("time_format"))
' "$tmp/config.json" >"$tmp/grok"
cat >"$tmp/grok.want" <<'WANT'
FetchFromFailedAfterS ^[ \t]*fetch[ \t]++from[ \t]++(?>(?<host>[^ \t]*?):%{INT:port}(?=[ \t]|$))[ \t]++failed:[ \t]++%{WORD:errno}[ \t]++after[ \t]++(?<after>[+-]?[0-9]+(?:\.[0-9]+)?)[ \t]++s[ \t]++at[ \t]++%{TIMESTAMP_ISO8601:time}[ \t]*$ %Y-%m-%dT%H:%M:%S%z
ServedBlockTo ^[ \t]*Served[ \t]++block[ \t]++blk_%{INT:blk}[ \t]++to[ \t]++/%{IP:ip}:%{INT:port}[ \t]*$ None
WANT
diff -u "$tmp/grok.want" "$tmp/grok" || fail "the grok expressions differ"
"$EHSHIM" parse -c "$tmp/config.json" --source stderr pieces.log |
    sed 's/, "ident": .*//' >"$tmp/events"
diff -u pieces.events "$tmp/events" || fail "the events differ from pieces.events"
"$EHSHIM" learn pieces.log >"$tmp/again.json" 2>/dev/null
cmp -s "$tmp/config.json" "$tmp/again.json" || fail "a second run gives another config"

[ "$failures" = 0 ] && echo "PASS: learned rules and events as expected"
echo "$failures failures"
[ "$failures" = 0 ]
