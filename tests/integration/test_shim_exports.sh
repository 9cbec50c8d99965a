#!/usr/bin/env bash
# libehshim.so exports exactly the libc names it interposes, nothing else:
# any other symbol could capture a host program's own function of that
# name (PITFALLS: symbols of the host program win, and so do ours).
# The expected list is tests/shim/exports.expected; update it together with
# the interposers.
# run.sh: plain build only. nm reads the library's symbol table; no code
# of the project runs here.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

expected=$(dirname "$0")/../shim/exports.expected
# Defined dynamic symbols, without version suffixes; version nodes (type A)
# are not symbols a program can bind to.
nm -D --defined-only "$SHIM_LIBRARY" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
    LC_ALL=C sort -u >"$shim_tmp/exports"
grep -v '^#' "$expected" | grep . | LC_ALL=C sort -u >"$shim_tmp/expected"
expect_file libehshim.so "exported symbols (nm -D --defined-only)" "$shim_tmp/expected" "$shim_tmp/exports"

# Every export must be a libc name; anything else is a leaked helper.
libc=$(ldd /bin/sh | awk '$1 ~ /^libc\.so/ { print $3 }')
if [ -n "$libc" ]; then
    nm -D --defined-only "$libc" | awk '{ sub(/@.*/, "", $3); print $3 }' | LC_ALL=C sort -u >"$shim_tmp/libc"
    not_libc=$(LC_ALL=C comm -23 "$shim_tmp/exports" "$shim_tmp/libc" | paste -sd' ')
    [ -z "$not_libc" ] || fail "libehshim.so exports names libc does not have: $not_libc"
fi

shim_finish
