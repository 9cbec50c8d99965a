#!/usr/bin/env bash
# Rules of the tree that keep it safe to change (issue 18), checked on the
# sources and the Makefile:
#   - one home for each rule: the stderr "<N>" allowance, the JSON depth,
#     the /proc/mounts parser, the growth of heap arrays, UTF-8 coding, hex
#     digits, the tools' config loading, the tests' scratch directories;
#   - no dead helpers (ehd__buffer_room, shim_io_begin_fd);
#   - the installed headers show no builder layout and no _general calls;
#   - the build: the default target links no cmocka, intermediates are kept,
#     every .d is included, a missing libpcre2-8.a is named, and
#     CFLAGS="-O3 -g" builds the library, shim and tool with -Werror;
#   - README's performance and fault tables hold short cells (the methods
#     are in the sections below them).
# run.sh: plain build only. It reads the tree and builds with the plain
# flags; the sanitized build would check the same files again.
set -u
cd "$(dirname "$0")/../.." || exit 1
export LC_ALL=C
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-tree.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
SOURCES=(core config shim tools)

# count_in PATTERN: lines of the product's C sources matching PATTERN (ERE)
count_in() {
    grep -rEn --include='*.c' --include='*.h' -- "$1" "${SOURCES[@]}" | wc -l
}
# only_in PATTERN FILE...: PATTERN appears in the product's sources, and
# nowhere but in FILE...
only_in() {
    local pattern=$1
    shift
    local where
    where=$(grep -rEl --include='*.c' --include='*.h' -- "$pattern" "${SOURCES[@]}" | sort)
    [ -n "$where" ] || { fail "nothing matches /$pattern/"; return; }
    local allowed
    allowed=$(printf '%s\n' "$@" | sort)
    local extra
    extra=$(comm -23 <(echo "$where") <(echo "$allowed"))
    [ -z "$extra" ] || fail "/$pattern/ outside $*: $(echo "$extra" | paste -sd' ')"
}

# ---- one home for each rule ----
[ "$(count_in '#define EHS_STDERR_PREFIX_MAX')" -eq 1 ] ||
    fail "EHS_STDERR_PREFIX_MAX is not defined exactly once"
[ "$(count_in '(PRIORITY|LEVEL)_PREFIX_MAX')" -eq 0 ] ||
    fail "a private copy of the <N> prefix allowance is back"
[ "$(count_in '#define EHS_JSON_MAX_DEPTH')" -eq 1 ] || fail "EHS_JSON_MAX_DEPTH is not defined exactly once"
only_in '"/proc/mounts"' core/src/tracing_dir.c
# Heap growth: the one checked helper; the shim's own allocator and its
# copy space (grown in place of libc's malloc) are its own business.
only_in '\b(realloc|reallocarray)\(' core/src/grow_array.c config/src/config_patterns.c \
    shim/alloc.c shim/thread.c
only_in 'ehd__utf8_encode\(' core/src/utf8.h core/src/decode_json_string.c core/src/decode_value.c \
    config/src/convert_escape.c config/src/json_pos.c
[ "$(grep -rEn --include='*.c' -- "- 'a' \+ 10|'a' \+ 10" "${SOURCES[@]}" | grep -vc 'core/src/decode_event.c')" -eq 0 ] ||
    fail "a hex-digit reader outside config/src/hex_digits.h (and the decoder's own)"
only_in 'ehs_config_load_file\(' config/src/config_load.c config/include/ehs/ehs_config.h \
    tools/config_report.c shim/reload.c
grep -rln 'mkdtemp' tests/unit | grep . >/dev/null && fail "a unit test makes its own scratch directory (tests/lib/scratch_dir.c)"

# ---- dead code ----
[ "$(count_in 'ehd__buffer_room|shim_io_begin_fd')" -eq 0 ] || fail "dead helpers are back"

# ---- the installed ABI ----
[ -e core/include/ehd/ehd_inline.h ] && fail "core/include/ehd/ehd_inline.h is installed again"
grep -qE '^struct ehd_builder \{|ehd_buffer meta' core/include/ehd/*.h && fail "an installed header shows the builder's layout"
grep -q '_general' core/include/ehd/*.h core/libeventheader-dynamic.map && fail "a _general call is public"

# ---- the build ----
b=$tmp/build
make -s -n all BUILD="$b" >"$tmp/make-all.txt" 2>&1 || fail "make -n all failed: $(head -c 300 "$tmp/make-all.txt")"
grep -q -- '-lcmocka' "$tmp/make-all.txt" && fail "the default target links cmocka"
grep -q '^\.SECONDARY:' Makefile || fail "no .SECONDARY: intermediate objects are removed"
make -s -n unit-tests BUILD="$b" 2>/dev/null | grep -q -- '-lcmocka' || fail "make unit-tests does not build the cmocka tests"
make -s -j2 BUILD="$b" "$b/libehshim.so" "$b/ehshim" >"$tmp/build.txt" 2>&1 ||
    fail "building the shim and tool failed: $(tail -n 3 "$tmp/build.txt")"
make -s -q BUILD="$b" "$b/libehshim.so" "$b/ehshim" 2>/dev/null ||
    fail "a second make has work to do: intermediates were not kept"
# Every object group's dependency files are read: a header change reaches
# the objects that include it.
for pair in "core/private/ehd_builder_layout.h:config/src/engine.o" \
    "shim/syslog_wire.h:shim/io_socket.o" "tools/config_report.h:tools/cmd_check.o"; do
    header=${pair%%:*} object=$b/${pair#*:}
    make -s -n -W "$header" BUILD="$b" "$b/libehshim.so" "$b/ehshim" 2>/dev/null |
        grep -q -- "-o $object" || fail "a change to $header does not rebuild $object (.d not included?)"
done
make -s BUILD="$b" PCRE2_STATIC=/nonexistent/libpcre2-8.a -B "$b/libehshim.so" >"$tmp/pcre.txt" 2>&1 &&
    fail "the shim linked without libpcre2-8.a"
grep -q 'libpcre2-8.a' "$tmp/pcre.txt" && grep -q 'libpcre2-dev' "$tmp/pcre.txt" ||
    fail "a missing libpcre2-8.a is not named: $(tail -n 2 "$tmp/pcre.txt")"
make -s -j2 BUILD="$tmp/o3" CFLAGS="-O3 -g" "$tmp/o3/libehshim.so" "$tmp/o3/ehshim" \
    "$tmp/o3/libeventheader-dynamic.so.1.0.0" >"$tmp/o3.txt" 2>&1 ||
    fail "CFLAGS=\"-O3 -g\" does not build: $(grep -m 3 'error' "$tmp/o3.txt")"
grep -q -- '-Werror' <(make -s -n -B BUILD="$tmp/o3" CFLAGS="-O3 -g" "$tmp/o3/core/src/decode_enum.o") ||
    fail "CFLAGS=\"-O3 -g\" drops -Werror"

# ---- README's tables ----
for section in Performance "Faults and hostile input" Fuzzing; do
    longest=$(awk -v s="## $section" '$0 == s { p = 1; next } /^## / { p = 0 } p && /^\|/' README.md |
        awk -F'|' '{ for (i = 2; i < NF; i++) { n = length($i); if (n > m) m = n } } END { print m + 0 }')
    [ "$longest" -gt 0 ] || fail "README has no table under \"## $section\""
    [ "$longest" -le 300 ] || fail "README's \"$section\" table has a cell of $longest characters: a figure and a pointer, the method below"
done

if [ $failures -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "PASS"
