#!/usr/bin/env bash
# Every example under examples/*/ (a folder with config.json): the config
# passes `ehshim check` without a warning, and `ehshim parse -c config.json
# ARGS input.log` prints exactly expected.jsonl, byte for byte, exits 0 and
# says nothing on stderr. ARGS are the words of the folder's `args` file
# (source, ident, priority of the program the example stands for). A folder
# may hold other cases of the same program logging another way:
# NAME.args, NAME.input.log and NAME.expected.jsonl.
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

# run_case DIR PREFIX: DIR/PREFIXargs, PREFIXinput.log, PREFIXexpected.jsonl
# (PREFIX "" for the folder's main case, "NAME." for another one).
run_case() {
    local dir=$1 prefix=$2 file
    for file in input.log expected.jsonl args; do
        [ -f "$dir/$prefix$file" ] || { fail "$dir has no $prefix$file"; return; }
    done
    local args
    read -r -a args <"$dir/${prefix}args"
    "$EHSHIM" parse -c "$dir/config.json" "${args[@]}" "$dir/${prefix}input.log" \
        >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    [ $rc -eq 0 ] || fail "$dir ${prefix:-main}: parse exited $rc"
    if [ -s "$tmp/stderr" ]; then
        fail "$dir ${prefix:-main}: parse wrote on stderr:"
        sed 's/^/    /' "$tmp/stderr"
    fi
    if ! cmp -s "$dir/${prefix}expected.jsonl" "$tmp/stdout"; then
        fail "$dir: output differs from ${prefix}expected.jsonl (- expected, + actual)"
        diff -u "$dir/${prefix}expected.jsonl" "$tmp/stdout" | sed 's/^/    /'
    fi
    # The same through standard input: what people pipe.
    "$EHSHIM" parse -c "$dir/config.json" "${args[@]}" <"$dir/${prefix}input.log" \
        >"$tmp/stdin_out" 2>/dev/null
    cmp -s "$dir/${prefix}expected.jsonl" "$tmp/stdin_out" ||
        fail "$dir ${prefix:-main}: output from stdin differs"
}

for dir in examples/*/; do
    dir=${dir%/}
    [ -f "$dir/config.json" ] || continue
    checked=$((checked + 1))
    if ! "$EHSHIM" check "$dir/config.json" 2>"$tmp/stderr"; then
        fail "$dir/config.json does not pass ehshim check:"
        sed 's/^/    /' "$tmp/stderr"
        continue
    fi
    if [ -s "$tmp/stderr" ]; then
        fail "$dir/config.json: ehshim check warns:"
        sed 's/^/    /' "$tmp/stderr"
    fi
    run_case "$dir" ""
    # Other ways the same program logs: NAME.args, NAME.input.log, NAME.expected.jsonl.
    for extra in "$dir"/*.args; do
        [ -e "$extra" ] || continue
        name=${extra##*/}
        run_case "$dir" "${name%args}"
        checked=$((checked + 1))
    done
done

[ $checked -gt 0 ] || fail "no examples found under examples/*/"
echo "$checked examples, $failures failures"
[ $failures -eq 0 ]
