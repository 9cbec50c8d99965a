#!/usr/bin/env bash
# What `ehshim learn` makes of lines written for the purpose
# (learn/pieces.log): templates with variable pieces inside tokens
# (blk_<*>, /<*>:<*>, a host before a port, a file path), typed and named captures
# (ip, port, host, hex, uuid, time, errno, bool, f64, i64), one template
# per first word, lines of other lengths merged where they differ by runs
# of variable tokens (bytes<*>sent), a position differing between two
# words only split into a rule per word before the general rule, and
# "key=" first tokens. The rules (name | template | fields) and the events
# `ehshim parse` gives with them are compared exactly with
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
[ "$(cat "$tmp/err")" = "ehshim learn: 25 lines, 17 rules" ] ||
    fail "summary: $(cat "$tmp/err")"
"$EHSHIM" check "$tmp/config.json" >"$tmp/check" 2>&1 || fail "check refuses: $(head -c 400 "$tmp/check")"
python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["rules"]:
    print(r["name"], "|", r["template"], "|", json.dumps(r.get("fields", {})))
' "$tmp/config.json" >"$tmp/rules"
diff -u pieces.rules "$tmp/rules" || fail "the rules differ from pieces.rules"
"$EHSHIM" parse -c "$tmp/config.json" --source stderr pieces.log |
    sed 's/, "ident": .*//' >"$tmp/events"
diff -u pieces.events "$tmp/events" || fail "the events differ from pieces.events"
"$EHSHIM" learn pieces.log >"$tmp/again.json" 2>/dev/null
cmp -s "$tmp/config.json" "$tmp/again.json" || fail "a second run gives another config"

[ "$failures" = 0 ] && echo "PASS: learned rules and events as expected"
echo "$failures failures"
[ "$failures" = 0 ]
