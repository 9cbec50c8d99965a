#!/usr/bin/env bash
# core/src/float_pow10.h, the powers of ten the shortest-float formatter
# scales by, is generated (tools/gen/float_pow10.py, exact integer
# arithmetic) and committed, so the build needs no Python. This writes it
# again and compares byte for byte: an edited table, or a generator changed
# without the table, fails here.
set -u
cd "$(dirname "$0")/../.." || exit 1
command -v python3 >/dev/null ||
    { echo "SKIP: python3 is not installed (bash tools/install-deps.sh --test installs it)"; exit 77; }
tmp=$(mktemp "${TMPDIR:-/tmp}/ehshim-pow10.XXXXXX")
trap 'rm -f "$tmp"' EXIT
python3 tools/gen/float_pow10.py >"$tmp" || { echo "FAIL: tools/gen/float_pow10.py failed"; exit 1; }
if ! cmp -s "$tmp" core/src/float_pow10.h; then
    echo "FAIL: core/src/float_pow10.h differs from what tools/gen/float_pow10.py writes:"
    diff "$tmp" core/src/float_pow10.h | head -5
    exit 1
fi
entries=$(grep -c '^    { 0x' core/src/float_pow10.h)
[ "$entries" = 617 ] || { echo "FAIL: $entries table entries, expected 617 (1e-292 .. 1e324)"; exit 1; }
echo "PASS: core/src/float_pow10.h is what the generator writes (617 powers of ten)"
