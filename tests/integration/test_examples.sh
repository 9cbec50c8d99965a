#!/usr/bin/env bash
# Every example under examples/*/ (a folder with config.json): the config
# passes `ehshim check`, and `ehshim parse -c config.json ARGS input.log`
# prints exactly expected.jsonl, byte for byte, exits 0 and says nothing on
# stderr. ARGS are the words of the folder's `args` file (source, ident,
# priority of the program the example stands for).
set -u
EHSHIM=${EHSHIM:-${BUILD:-build}/ehshim}
# Absolute before the cd below, so a relative EHSHIM still works.
case $EHSHIM in /*) ;; *) EHSHIM=$PWD/$EHSHIM ;; esac
cd "$(dirname "$0")/../.."
if [ ! -x "$EHSHIM" ]; then
    echo "FAIL: $EHSHIM is not built"
    exit 1
fi
export LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checked=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

for dir in examples/*/; do
    dir=${dir%/}
    [ -f "$dir/config.json" ] || continue
    checked=$((checked + 1))
    for file in input.log expected.jsonl args; do
        [ -f "$dir/$file" ] || fail "$dir has no $file"
    done
    [ -f "$dir/input.log" ] && [ -f "$dir/expected.jsonl" ] && [ -f "$dir/args" ] || continue

    if ! "$EHSHIM" check "$dir/config.json" 2>"$tmp/stderr"; then
        fail "$dir/config.json does not pass ehshim check:"
        sed 's/^/    /' "$tmp/stderr"
        continue
    fi

    read -r -a args <"$dir/args"
    "$EHSHIM" parse -c "$dir/config.json" "${args[@]}" "$dir/input.log" \
        >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    [ $rc -eq 0 ] || fail "$dir: parse exited $rc"
    if [ -s "$tmp/stderr" ]; then
        fail "$dir: parse wrote on stderr:"
        sed 's/^/    /' "$tmp/stderr"
    fi
    if ! cmp -s "$dir/expected.jsonl" "$tmp/stdout"; then
        fail "$dir: output differs from expected.jsonl (- expected, + actual)"
        diff -u "$dir/expected.jsonl" "$tmp/stdout" | sed 's/^/    /'
    fi
    # The same through standard input: what people pipe.
    "$EHSHIM" parse -c "$dir/config.json" "${args[@]}" <"$dir/input.log" >"$tmp/stdin_out" 2>/dev/null
    cmp -s "$dir/expected.jsonl" "$tmp/stdin_out" || fail "$dir: output from stdin differs"
done

[ $checked -gt 0 ] || fail "no examples found under examples/*/"
echo "$checked examples, $failures failures"
[ $failures -eq 0 ]
