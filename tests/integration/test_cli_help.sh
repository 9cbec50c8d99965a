#!/usr/bin/env bash
# The command line's own help and errors:
# - ehshim --help / -h: usage on stdout listing every command (exactly the
#   seven the tool dispatches to), exit 0; ehshim --version: "ehshim X.Y.Z";
# - ehshim alone, an unknown option or an unknown command: the usage on
#   stderr, nothing on stdout, exit 2;
# - for every command: COMMAND --help and -h print "usage: ehshim COMMAND"
#   on stdout (the synopsis ehshim --help shows) and exit 0; the help names
#   every flag the command accepts (the table below, plus every flag its
#   source compares arguments with, so a new flag without help fails here);
#   an unknown flag (long and short) gives the usage on stderr, nothing on
#   stdout, exit 2.
# run.sh: plain build only. It compares help and usage texts; the sanitized
# build's other scripts run the same option parsing with real work to do.
set -u
BUILD=${BUILD:-build}
EHSHIM=${EHSHIM:-$BUILD/ehshim}
cd "$(dirname "$0")/../.." || exit 1
case $EHSHIM in /*) ;; *) EHSHIM=$PWD/$EHSHIM ;; esac
[ -x "$EHSHIM" ] || { echo "FAIL: $EHSHIM is not built"; exit 1; }
unset EHSHIM_CONFIG EHSHIM_CAPTURE EHSHIM_DEBUG
export LC_ALL=C
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-help.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# call ARGS...: runs ehshim ARGS (stdin empty, 10 s at most); sets rc, and
# $tmp/out, $tmp/err.
call() {
    (cd "$tmp" && exec timeout 10 "$EHSHIM" "$@") >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
}

# expect_help WHAT ARGS...: exit 0, usage on stdout, stderr empty.
expect_help() {
    local what=$1
    shift
    call "$@"
    [ $rc -eq 0 ] || fail "ehshim $*: exit $rc, expected 0"
    grep -q "^usage: ehshim $what" "$tmp/out" || fail "ehshim $*: no 'usage: ehshim $what' on stdout"
    [ -s "$tmp/err" ] && fail "ehshim $*: wrote on stderr: $(head -n 3 "$tmp/err")"
}

# expect_usage_error WHAT ARGS...: exit 2, a usage line on stderr, stdout
# empty.
expect_usage_error() {
    local what=$1
    shift
    call "$@"
    [ $rc -eq 2 ] || fail "ehshim $*: exit $rc, expected 2"
    grep -q "^usage: ehshim $what" "$tmp/err" || fail "ehshim $*: no 'usage: ehshim $what' line on stderr: $(head -n 3 "$tmp/err")"
    [ -s "$tmp/out" ] && fail "ehshim $*: wrote on stdout: $(head -n 3 "$tmp/out")"
}

# ---- the tool itself
expect_help COMMAND --help
cp "$tmp/out" "$tmp/main-help"
expect_help COMMAND -h
cmp -s "$tmp/out" "$tmp/main-help" || fail "ehshim -h and ehshim --help differ"
for flag in -h --help --version; do
    grep -qE -- "(^|[ ,|])$flag([ ,|]|$)" "$tmp/main-help" || fail "ehshim --help does not name $flag"
done
call --version
[ $rc -eq 0 ] || fail "ehshim --version: exit $rc"
grep -qE '^ehshim [0-9]+\.[0-9]+\.[0-9]+$' "$tmp/out" || fail "ehshim --version printed: $(cat "$tmp/out")"
[ -s "$tmp/err" ] && fail "ehshim --version wrote on stderr"
expect_usage_error COMMAND
expect_usage_error COMMAND --bogus-option
grep -q "unknown option '--bogus-option'" "$tmp/err" || fail "ehshim --bogus-option: no 'unknown option' message"
expect_usage_error COMMAND -Z
expect_usage_error COMMAND bogus-command
grep -q "unknown command 'bogus-command'" "$tmp/err" || fail "ehshim bogus-command: no 'unknown command' message"

# The commands ehshim --help lists: "  NAME ..." lines of its commands section.
sed -n '/^commands:/,/^$/p' "$tmp/main-help" | sed -n 's/^  \([a-z][a-z]*\).*/\1/p' >"$tmp/listed"
# The commands the tool dispatches to: its table in tools/ehshim.c.
grep -oE '^ *\{ "[a-z]+", cmd_[a-z]+' tools/ehshim.c | sed 's/.*"\([a-z]*\)".*/\1/' >"$tmp/dispatched"
if ! cmp -s <(sort "$tmp/listed") <(sort "$tmp/dispatched"); then
    fail "ehshim --help lists $(paste -sd' ' "$tmp/listed"); the tool has $(paste -sd' ' "$tmp/dispatched")"
fi
[ "$(wc -l <"$tmp/listed")" -eq 7 ] || fail "expected 7 commands, ehshim --help lists $(wc -l <"$tmp/listed")"

# ---- every command
# Flags each command takes (what the man page and README document).
declare -A flags=(
    [check]="-h --help"
    [decode]="-h --help"
    [learn]="-c -o --provider --source --ident -h --help --"
    [listen]="-c -o -h --help"
    [parse]="-c --config --source --ident --priority -h --help"
    [run]="-c -o -h --help --"
    [status]="-h --help"
)
# An argument that makes the rest of the command line valid, so only the
# unknown flag is wrong.
declare -A rest=(
    [check]="x.json" [decode]="" [learn]="/dev/null" [listen]="SomeProvider" [parse]="" [run]="true" [status]=""
)
while read -r cmd; do
    [ -n "${flags[$cmd]+set}" ] || { fail "no flag list for command '$cmd' in this test"; continue; }
    expect_help "$cmd" "$cmd" --help
    cp "$tmp/out" "$tmp/help-$cmd"
    expect_help "$cmd" "$cmd" -h
    cmp -s "$tmp/out" "$tmp/help-$cmd" || fail "ehshim $cmd -h and --help differ"

    # The synopsis of ehshim --help is the command's usage (continuation
    # lines of a long usage joined).
    synopsis=$(sed -n "s/^  \($cmd\( .*\)\{0,1\}\)$/\1/p" "$tmp/main-help")
    usage=$(sed -n '/^usage: /,/^$/p' "$tmp/help-$cmd" | sed 's/^usage: ehshim //; s/^ *//' | paste -sd' ' | sed 's/ *$//')
    [ "$usage" = "$synopsis" ] || fail "ehshim $cmd --help says 'usage: ehshim $usage'; ehshim --help says '$synopsis'"

    # Flags: the table's, and every "-x"/"--name" the source compares
    # arguments with (strcmp, is_option, arg[1] == 'x').
    source_flags=$( {
        grep -oE '(strcmp|is_option)\([a-z_\[\]]+, "--?[a-z][a-z-]*"' "tools/cmd_$cmd.c" | grep -oE '"--?[a-z-]+"' | tr -d '"'
        grep -oE "arg\[1\] == '[a-z]'" "tools/cmd_$cmd.c" | sed "s/.*'\(.\)'/-\1/"
    } | sort -u)
    for flag in ${flags[$cmd]} $source_flags; do
        grep -qE -- "(^|[][ ,|])$flag([][ ,|=]|$)" "$tmp/help-$cmd" || fail "ehshim $cmd --help does not name $flag"
    done
    for flag in $source_flags; do
        case " ${flags[$cmd]} " in *" $flag "*) ;; *) fail "ehshim $cmd accepts $flag, which this test's table (and so the man page check) lacks" ;; esac
    done

    # shellcheck disable=SC2086
    expect_usage_error "$cmd" "$cmd" --bogus-flag ${rest[$cmd]}
    # shellcheck disable=SC2086
    expect_usage_error "$cmd" "$cmd" -Z ${rest[$cmd]}
done <"$tmp/listed"

[ $failures -eq 0 ] && echo PASS
[ $failures -eq 0 ]
