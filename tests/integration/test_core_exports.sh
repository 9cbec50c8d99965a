#!/usr/bin/env bash
# The core as a library of its own (make install puts these under PREFIX/lib):
# - libeventheader-dynamic.so.1.0.0 has the soname libeventheader-dynamic.so.1,
#   the links .so.1 and .so beside it, and exports, in version node EHD_1.0,
#   exactly the functions declared in core/include/ehd/*.h: nothing more
#   (no ehd__ helper, no libc or libpthread name), nothing less; the version
#   script core/libeventheader-dynamic.map lists the same names;
# - libeventheader-dynamic.a (which the tool, the shim and the tests link too)
#   holds one object per source of core/src, and defines the API;
# - every public header compiles on its own as strict C11 (and as C++11 when
#   a C++ compiler is there), with no -D or -I of the build but the include
#   directory.
# run.sh: plain build only. nm, readelf and the compiler look at the
# libraries and headers; no code of the project runs here.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.." || exit 1
export LC_ALL=C
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-exports.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

lib=$BUILD/libeventheader-dynamic
for f in "$lib.so.1.0.0" "$lib.a"; do
    [ -f "$f" ] || { echo "FAIL: $f is not built (run make BUILD=$BUILD)"; exit 1; }
done
for tool in nm readelf ar; do
    command -v $tool >/dev/null || { echo "SKIP: $tool is not installed (binutils)"; exit 77; }
done

# The API: every function prototype of the public headers (a declaration
# starting a line, not a static inline wrapper).
grep -hE '^[a-z]' core/include/ehd/*.h | grep -vE '^(static|typedef|struct|enum|extern|union) ' |
    grep -oE '\behd_[a-z0-9_]+\(' | tr -d '(' | sort -u >"$tmp/headers"
[ "$(wc -l <"$tmp/headers")" -ge 40 ] || fail "found only $(wc -l <"$tmp/headers") prototypes in core/include/ehd/*.h"

# The version script's global names.
sed -n '/global:/,/local:/p' core/libeventheader-dynamic.map | grep -oE '\behd_[a-z0-9_]+;' |
    tr -d ';' | sort -u >"$tmp/map"
if ! cmp -s "$tmp/headers" "$tmp/map"; then
    fail "core/libeventheader-dynamic.map does not list the headers' functions (< headers, > map):"
    diff "$tmp/headers" "$tmp/map" | grep '^[<>]'
fi

# What the shared library exports: defined dynamic symbols, version nodes
# (type A) aside.
nm -D --defined-only "$lib.so.1.0.0" >"$tmp/nm" || fail "nm -D failed on $lib.so.1.0.0"
awk '$2 != "A" { n = $3; sub(/@.*/, "", n); print n }' "$tmp/nm" | sort -u >"$tmp/exports"
if ! cmp -s "$tmp/headers" "$tmp/exports"; then
    fail "exported symbols differ from the headers' functions (< headers, > nm -D --defined-only):"
    diff "$tmp/headers" "$tmp/exports" | grep '^[<>]'
fi
grep -q 'ehd__' "$tmp/exports" && fail "internal ehd__ helpers exported: $(grep ehd__ "$tmp/exports" | paste -sd' ')"
unversioned=$(awk '$2 != "A" && $3 !~ /@@EHD_1\.0$/ { print $3 }' "$tmp/nm" | paste -sd' ')
[ -z "$unversioned" ] || fail "exports outside version node EHD_1.0: $unversioned"
grep -qE ' A EHD_1\.0$' "$tmp/nm" || fail "no version node EHD_1.0"

soname=$(readelf -d "$lib.so.1.0.0" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libeventheader-dynamic.so.1 ] || fail "soname is '$soname', expected libeventheader-dynamic.so.1"
[ "$(readlink "$lib.so.1")" = libeventheader-dynamic.so.1.0.0 ] || fail "$lib.so.1 is not a link to libeventheader-dynamic.so.1.0.0"
[ "$(readlink "$lib.so")" = libeventheader-dynamic.so.1 ] || fail "$lib.so is not a link to libeventheader-dynamic.so.1"
# Everything it needs is in libc (the ASan build adds the sanitizer runtimes).
needed=$(readelf -d "$lib.so.1.0.0" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
    grep -vE '^(libc\.so\.6|libpthread\.so\.0|libasan\.so\.[0-9]+|libubsan\.so\.[0-9]+|libm\.so\.6|libdl\.so\.2|libgcc_s\.so\.1|libstdc\+\+\.so\.6)$' | paste -sd' ')
[ -z "$needed" ] || fail "$lib.so.1.0.0 needs unexpected libraries: $needed"

# The static library: the objects of core/src, the API defined.
ar t "$lib.a" | sort >"$tmp/members"
(cd core/src && for c in *.c; do echo "${c%.c}.o"; done) | sort >"$tmp/members-src"
cmp -s "$tmp/members" "$tmp/members-src" ||
    fail "$lib.a does not hold exactly the objects of core/src (< archive, > sources): $(
        diff "$tmp/members" "$tmp/members-src" | grep '^[<>]' | paste -sd' ')"
nm -g --defined-only "$lib.a" 2>/dev/null | awk 'NF == 3 && $2 == "T" { print $3 }' | grep -v '^ehd__' |
    sort -u >"$tmp/static"
missing=$(comm -23 "$tmp/headers" "$tmp/static" | paste -sd' ')
[ -z "$missing" ] || fail "$lib.a does not define: $missing"

# Each header alone, as a program of someone else's would include it.
cc=${CC:-cc}
for h in core/include/ehd/*.h; do
    name=$(basename "$h")
    printf '#include <ehd/%s>\nint main(void) { return 0; }\n' "$name" >"$tmp/use.c"
    "$cc" -std=c11 -pedantic -Wall -Wextra -Werror -Icore/include -c "$tmp/use.c" -o "$tmp/use.o" \
        2>"$tmp/cc.err" || { fail "<ehd/$name> does not compile alone as C11:"; head -n 5 "$tmp/cc.err"; }
    if command -v c++ >/dev/null; then
        cp "$tmp/use.c" "$tmp/use.cc"
        c++ -std=c++11 -pedantic -Wall -Wextra -Werror -Icore/include -c "$tmp/use.cc" -o "$tmp/use.o" \
            2>"$tmp/cc.err" || { fail "<ehd/$name> does not compile alone as C++11:"; head -n 5 "$tmp/cc.err"; }
    fi
done
command -v c++ >/dev/null || echo "note: no c++ compiler; the headers were compiled as C only"

echo "$(wc -l <"$tmp/headers") exported functions checked"
[ $failures -eq 0 ] && echo PASS
[ $failures -eq 0 ]
