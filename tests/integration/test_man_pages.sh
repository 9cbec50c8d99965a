#!/usr/bin/env bash
# The man pages man/ehshim.1 and man/ehshim.json.5:
# - format without a single warning: groff -man -ww (default device, and a
#   terminal 80 and 64 columns wide), and man --warnings when man-db is there;
# - ehshim.1 follows the tool: every command of ehshim --help has its
#   section (and a SYNOPSIS line); every flag that ehshim CMD --help names is
#   in that command's section; every exit status CMD --help lists is in its
#   "Exit status" paragraph; the tool's own options and the EHSHIM_
#   variables are there; the version in .TH is ehshim --version's;
# - ehshim.json.5 follows the loader: every key of its key tables
#   (config/src/config_load.c, config_rule.c) is an entry of its section,
#   every field type and alias (config/src/config_types.c) and level word is
#   in FIELD TYPES / RULES, and the GROK PATTERNS list holds exactly the
#   built-in pattern names of config/src/grok_patterns.c;
# - the EXAMPLE config of ehshim.json.5 passes ehshim check, and the event
#   shown for it is what ehshim parse prints.
# run.sh: plain build only. It compares the pages' text with the tool's
# help and the loader's tables; test_examples.sh runs check and parse on
# configs in the sanitized build.
set -u
BUILD=${BUILD:-build}
EHSHIM=${EHSHIM:-$BUILD/ehshim}
cd "$(dirname "$0")/../.." || exit 1
case $EHSHIM in /*) ;; *) EHSHIM=$PWD/$EHSHIM ;; esac
[ -x "$EHSHIM" ] || { echo "FAIL: $EHSHIM is not built"; exit 1; }
command -v groff >/dev/null ||
    { echo "SKIP: groff is not installed (bash tools/install-deps.sh --test installs groff-base)"; exit 77; }
unset EHSHIM_CONFIG EHSHIM_CAPTURE EHSHIM_DEBUG MANWIDTH MANOPT
export LC_ALL=C
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-man.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

page1=man/ehshim.1
page5=man/ehshim.json.5

# ---- formatting without warnings
for page in $page1 $page5; do
    groff -man -ww -z "$page" 2>"$tmp/warn" || fail "groff -man -ww -z $page failed"
    [ -s "$tmp/warn" ] && { fail "groff -man -ww warns about $page:"; head -n 20 "$tmp/warn"; }
    for width in 80 64; do
        groff -man -ww -Tutf8 -rLL=${width}n "$page" 2>"$tmp/warn" >/dev/null
        [ -s "$tmp/warn" ] && { fail "groff -ww -Tutf8 at $width columns warns about $page:"; head -n 20 "$tmp/warn"; }
    done
    if command -v man >/dev/null; then
        MANWIDTH=80 man --warnings -l "$page" 2>"$tmp/warn" >/dev/null || fail "man -l $page failed"
        [ -s "$tmp/warn" ] && { fail "man --warnings warns about $page:"; head -n 20 "$tmp/warn"; }
    fi
done
command -v man >/dev/null || echo "note: man-db is not installed; checked with groff alone"

# render PAGE: plain text, long lines (so phrases do not break), no
# hyphenation, in $tmp/PAGE.txt.
render() {
    groff -man -Tascii -rLL=250n -P-c -P-b -P-u "$1" 2>/dev/null >"$tmp/$(basename "$1").txt"
}
render $page1
render $page5
text1=$tmp/ehshim.1.txt
text5=$tmp/ehshim.json.5.txt

# section TEXTFILE HEADING: the rendered lines from the heading (a .SH line
# at column 0, or a .SS line "   HEADING") to the next heading of the same
# or a higher level.
section() {
    awk -v heading="$2" '
        function level(line) { if (line ~ /^[A-Z]/) return 1; if (line ~ /^   [^ ]/) return 2; return 0 }
        in_section && level($0) != 0 && level($0) <= start_level { exit }
        in_section { print }
        !in_section && (level($0) != 0) && index($0, heading) == (level($0) == 1 ? 1 : 4) {
            in_section = 1; start_level = level($0); print
        }' "$1"
}
# has_word FILE WORD: WORD (a flag, key or name) stands alone in FILE.
has_word() {
    grep -qE -- "(^|[^A-Za-z0-9_-])$(printf '%s' "$2" | sed 's/[.[\*^$]/\\&/g')([^A-Za-z0-9_-]|$)" "$1"
}

# ---- ehshim.1 against the tool
"$EHSHIM" --help >"$tmp/help" 2>&1 || fail "ehshim --help failed"
sed -n '/^commands:/,/^$/p' "$tmp/help" | sed -n 's/^  \([a-z][a-z]*\).*/\1/p' >"$tmp/commands"
[ -s "$tmp/commands" ] || fail "no commands found in ehshim --help"
section "$text1" SYNOPSIS >"$tmp/synopsis"
while read -r cmd; do
    section "$text1" "ehshim $cmd" >"$tmp/sec-$cmd"
    if [ ! -s "$tmp/sec-$cmd" ]; then
        fail "ehshim.1 has no section for 'ehshim $cmd'"
        continue
    fi
    grep -qE "^ *ehshim $cmd( |$)" "$tmp/synopsis" || fail "ehshim.1 SYNOPSIS lacks 'ehshim $cmd'"
    "$EHSHIM" "$cmd" --help >"$tmp/help-$cmd" 2>&1 || fail "ehshim $cmd --help failed"
    # Every flag the help names (in the usage line, the option list or prose)
    # is in the section's text, not only in its heading.
    tail -n +2 "$tmp/sec-$cmd" >"$tmp/body-$cmd"
    flags=$(grep -oE -- '(^|[][ ,|(])--?[a-z][a-z-]*' "$tmp/help-$cmd" | sed 's/^[][ ,|(]//' | sort -u)
    [ -n "$flags" ] || fail "no flags found in ehshim $cmd --help"
    for flag in $flags; do
        has_word "$tmp/body-$cmd" "$flag" || fail "ehshim.1, section 'ehshim $cmd', does not name $flag (from ehshim $cmd --help)"
    done
    # Every exit status the help lists.
    statuses=$(sed -n '/^exit status:/,/^$/p' "$tmp/help-$cmd" | grep -oE '\b[0-9]{1,3}\b' | sort -u)
    exit_paragraph=$(grep -A3 'Exit status:' "$tmp/sec-$cmd")
    for status in $statuses; do
        printf '%s\n' "$exit_paragraph" | grep -qE "(^|[^0-9])$status([^0-9]|$)" ||
            fail "ehshim.1, 'ehshim $cmd' Exit status lacks $status (from ehshim $cmd --help)"
    done
done <"$tmp/commands"
# The tool's own options, its environment, its version.
section "$text1" OPTIONS >"$tmp/options"
for flag in $(sed -n '/^options:/,/^$/p' "$tmp/help" | grep -oE -- '--?[a-z][a-z-]*'); do
    has_word "$tmp/options" "$flag" || fail "ehshim.1 OPTIONS does not name $flag (from ehshim --help)"
done
section "$text1" ENVIRONMENT >"$tmp/environment"
for variable in EHSHIM_CONFIG EHSHIM_CAPTURE EHSHIM_DEBUG LD_PRELOAD AT_SECURE; do
    has_word "$tmp/environment" "$variable" || fail "ehshim.1 ENVIRONMENT does not describe $variable"
done
version=$("$EHSHIM" --version | awk '{ print $2 }')
for page in $page1 $page5; do
    grep -qE "^\.TH .* \"ehshim $version\"" "$page" || fail "$page: .TH does not say ehshim $version (ehshim --version)"
done

# ---- ehshim.json.5 against the loader
# keys_of FILE ARRAY: the strings of `static const char *const ARRAY[] = {...}`.
keys_of() {
    awk -v name="$2" '
        index($0, "*const " name "[] = {") { on = 1 }
        on { print }
        on && /};/ { exit }' "$1" | grep -oE '"[a-z_]+"' | tr -d '"'
}
top_keys=$(keys_of config/src/config_load.c top_keys)
rule_keys=$(keys_of config/src/config_rule.c rule_keys)
[ "$(echo "$top_keys" | wc -w)" -ge 9 ] || fail "found only $(echo "$top_keys" | wc -w) top-level keys in config_load.c"
[ "$(echo "$rule_keys" | wc -w)" -ge 17 ] || fail "found only $(echo "$rule_keys" | wc -w) rule keys in config_rule.c"
# The nested key lists: read_capture's and read_default's `keys`.
capture_keys=$(awk '/^static void read_capture/,/^}/' config/src/config_load.c | grep 'keys\[\] = ' | grep -oE '"[a-z_]+"' | tr -d '"')
default_keys=$(awk '/^static void read_default/,/^}/' config/src/config_load.c | grep 'keys\[\] = ' | grep -oE '"[a-z_]+"' | tr -d '"')
[ -n "$capture_keys" ] && [ -n "$default_keys" ] || fail "cannot find the capture/default key lists in config_load.c"

# entry_keys HEADING: the .TP entries (".TP" then ".B key") of a section of
# the roff source.
entry_keys() {
    awk -v heading="$1" '
        /^\.SH / { on = (index($0, heading) > 0) ; next }
        on && prev == ".TP" && /^\.B / { print $2 }
        { prev = $0 }' "$page5"
}
entry_keys '"TOP-LEVEL KEYS"' >"$tmp/top-entries"
entry_keys 'RULES' >"$tmp/rule-entries"
for key in $top_keys $default_keys; do
    grep -qx -- "$key" "$tmp/top-entries" || fail "ehshim.json.5 TOP-LEVEL KEYS has no entry for '$key'"
done
for key in $rule_keys; do
    grep -qx -- "$key" "$tmp/rule-entries" || fail "ehshim.json.5 RULES has no entry for '$key'"
done
section "$text5" "TOP-LEVEL KEYS" >"$tmp/top-section"
for key in $capture_keys; do
    grep -qF "\"$key\"" "$tmp/top-section" || fail "ehshim.json.5 does not show capture's key \"$key\""
done
# Every entry documents a type and, unless required, a default: checked as
# words of the entry's text.
for key in $top_keys; do
    awk -v key="$key" '
        on && /^       [^ ]/ { exit }
        !on && $0 ~ "^       " key "( |$)" { on = 1; sub("^       " key " *", ""); print; next }
        on { print }' \
        "$tmp/top-section" >"$tmp/entry"
    grep -qiE '(string|integer|boolean|object|array)' "$tmp/entry" || fail "ehshim.json.5: '$key' has no type"
    grep -qi 'default' "$tmp/entry" || fail "ehshim.json.5: '$key' has no default"
done

# Field types and aliases, level words.
section "$text5" "FIELD TYPES" >"$tmp/types"
types=$(sed -n '/type_names\[EHS_TYPE_COUNT\] = {/,/};/p' config/src/config_types.c | grep -oE '= "[a-z0-9]+"' | tr -d '=" ')
aliases=$(sed -n '/type_aliases\[\] = {/,/};/p' config/src/config_types.c | grep -oE '\{ "[a-z0-9]+"' | tr -d '{" ')
[ "$(echo "$types" | wc -w)" -ge 22 ] || fail "found only $(echo "$types" | wc -w) type names in config_types.c"
for type in $types $aliases; do
    has_word "$tmp/types" "$type" || fail "ehshim.json.5 FIELD TYPES does not describe '$type'"
done
section "$text5" RULES >"$tmp/rules"
for word in $(sed -n '/words\[\] = {/,/};/p' config/src/config_types.c | grep -oE '"[a-z]+"' | tr -d '"'); do
    has_word "$tmp/rules" "$word" || fail "ehshim.json.5 RULES does not list the level word '$word'"
done
section "$text5" LEVELS >"$tmp/levels"
for severity in LOG_EMERG LOG_ALERT LOG_CRIT LOG_ERR LOG_WARNING LOG_NOTICE LOG_INFO LOG_DEBUG '<N>'; do
    grep -qF -- "$severity" "$tmp/levels" || fail "ehshim.json.5 LEVELS does not map $severity"
done

# The grok list: exactly the built-in names.
grep -oE '^ *\{ "[A-Z0-9_]+",' config/src/grok_patterns.c | grep -oE '[A-Z0-9_]+' | sort -u >"$tmp/grok-builtin"
awk '/^\.SH "GROK PATTERNS"/ { on = 1; next } /^\.SH / { on = 0 } on' "$page5" |
    grep -E '^[A-Z0-9_]+(, [A-Z0-9_]+)*,?$' | tr ',' '\n' | tr -d ' ' | grep . | sort >"$tmp/grok-listed"
[ "$(wc -l <"$tmp/grok-builtin")" -ge 72 ] || fail "found only $(wc -l <"$tmp/grok-builtin") built-in grok patterns"
if ! cmp -s "$tmp/grok-builtin" "$tmp/grok-listed"; then
    fail "ehshim.json.5 GROK PATTERNS list differs from grok_patterns.c (< built-in, > listed):"
    diff "$tmp/grok-builtin" "$tmp/grok-listed" | grep '^[<>]'
fi

# ---- the EXAMPLE of ehshim.json.5 is real
awk '/^\.SH EXAMPLE/ { on = 1; next } on && /^\.EX/ { n++; next } on && /^\.EE/ { if (n == 1) exit; next }
     on && n == 1 { print }' "$page5" | sed 's/\\e/\\/g; s/\\-/-/g' >"$tmp/example.json"
"$EHSHIM" check "$tmp/example.json" 2>"$tmp/check" ||
    { fail "the EXAMPLE config of ehshim.json.5 does not pass ehshim check:"; cat "$tmp/check"; }
# The event shown after it, its lines joined.
awk '/^\.SH EXAMPLE/ { on = 1; next } on && /^\.EX/ { n++; next } on && /^\.EE/ { if (n == 2) exit; next }
     on && n == 2 { print }' "$page5" | sed 's/\\e/\\/g; s/\\-/-/g; s/^ *//' | paste -sd' ' >"$tmp/example-event"
message=$(sed -n '/^The syslog message$/,/^of sshd/p' "$page5" | sed -n 's/^\.B "\(.*\)"$/\1/p')
printf '%s\n' "$message" | "$EHSHIM" parse -c "$tmp/example.json" --source syslog --ident sshd \
    --priority 38 >"$tmp/parsed" 2>&1
if ! cmp -s "$tmp/example-event" "$tmp/parsed"; then
    fail "ehshim.json.5 EXAMPLE shows an event ehshim parse does not print (< man page, > parse):"
    diff "$tmp/example-event" "$tmp/parsed"
fi

[ $failures -eq 0 ] && echo PASS
[ $failures -eq 0 ]
