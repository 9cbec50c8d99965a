#!/usr/bin/env bash
# make install / make uninstall, and the core used on its own from there:
# - make install DESTDIR=TMP PREFIX=/usr/local installs BUILD's outputs
#   (building only what is missing, with BUILD's own flags) and writes
#   nothing outside TMP/usr/local: the tool, libehshim.so where
#   ehshim run looks for it, the core library (shared with its links, and
#   static), its headers (identical to core/include/ehd), the pkg-config
#   file, the two man pages and the examples;
# - pkg-config, pointed into TMP (PKG_CONFIG_LIBDIR, PKG_CONFIG_SYSROOT_DIR),
#   gives the flags of the installed library;
# - the installed examples/pkgconfig_sample builds with those flags, linked
#   shared and statically (-static), runs (LD_LIBRARY_PATH into TMP) and
#   writes a capture file whose events the installed ehshim decode prints
#   exactly as expected; both links write identical files;
# - the installed ehshim run finds the installed libehshim.so (through
#   ../lib/ehshim/) and a program run under it emits its stderr line;
# - make uninstall leaves no file behind, and the directories of ehshim's
#   own are gone;
# - another PREFIX (/opt/ehshim) lands everything there, pkg-config file
#   included.
# In the ASan build the sample is built with the sanitizers too (the
# installed library is sanitized), and the -static link, which ASan cannot
# do, is left out.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.." || exit 1
export LC_ALL=C
# Settings a developer or the calling make may have exported.
unset EHSHIM_CONFIG EHSHIM_CAPTURE EHSHIM_DEBUG MAKEFLAGS MFLAGS MAKELEVEL \
    PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR DESTDIR PREFIX LIBDIR \
    INCLUDEDIR MANDIR PKGCONFIGDIR DATADIR
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

command -v pkg-config >/dev/null ||
    { echo "SKIP: pkg-config is not installed (bash tools/install-deps.sh --test installs pkgconf)"; exit 77; }

case $BUILD in
    */asan | asan) asan=1 ;;
    *) asan=0 ;;
esac
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

# make install builds what BUILD lacks. That must happen with BUILD's own
# flags: the ASan build's are passed as make asan-build passes them (and
# must stay the Makefile's ASAN_FLAGS). After make all nothing is built.
build_flags=()
if [ $asan = 1 ]; then
    grep -qxF "ASAN_FLAGS := $sanitize" Makefile ||
        fail "the Makefile's ASAN_FLAGS are not '$sanitize' any more: update this test"
    build_flags=(EXTRA_CFLAGS="$sanitize" LDFLAGS="$sanitize")
fi
outputs=("$BUILD/ehshim" "$BUILD/libehshim.so" "$BUILD/libeventheader-dynamic.so.1.0.0"
    "$BUILD/libeventheader-dynamic.a")
make -q --no-print-directory BUILD="$BUILD" "${outputs[@]}" 2>/dev/null ||
    echo "note: $BUILD is not up to date (sources changed since make); make install builds it"

# install_into DEST PREFIX: make install, output in $tmp/install.log.
install_into() {
    if ! make --no-print-directory BUILD="$BUILD" "${build_flags[@]}" DESTDIR="$1" PREFIX="$2" \
        install >"$tmp/install.log" 2>&1; then
        fail "make install DESTDIR=$1 PREFIX=$2 failed:"
        tail -n 20 "$tmp/install.log"
        return 1
    fi
    return 0
}

# uninstall_from DEST PREFIX: make uninstall; no file may remain under DEST.
uninstall_from() {
    if ! make --no-print-directory BUILD="$BUILD" "${build_flags[@]}" DESTDIR="$1" PREFIX="$2" uninstall \
        >"$tmp/uninstall.log" 2>&1; then
        fail "make uninstall DESTDIR=$1 PREFIX=$2 failed:"
        tail -n 20 "$tmp/uninstall.log"
    fi
    local left
    left=$(cd "$1" && find . ! -type d | sort)
    [ -z "$left" ] || fail "make uninstall left files behind: $(echo "$left" | paste -sd' ')"
    local dir
    for dir in lib/ehshim include/ehd share/ehshim; do
        [ -e "$1$2/$dir" ] && fail "make uninstall left the directory $2/$dir"
    done
}

dest=$tmp/dest
prefix=/usr/local
p=$dest$prefix
install_into "$dest" "$prefix" || { echo "$failures check(s) failed"; exit 1; }

# ---- what is where
outside=$(cd "$dest" && find . ! -type d ! -path "./${prefix#/}/*" | paste -sd' ')
[ -z "$outside" ] || fail "installed outside PREFIX: $outside"
expect_file() { # PATH MODE
    if [ ! -f "$1" ] || [ -L "$1" ]; then
        fail "not installed: ${1#"$dest"}"
    elif [ "$(stat -c %a "$1")" != "$2" ]; then
        fail "${1#"$dest"} has mode $(stat -c %a "$1"), expected $2"
    fi
}
expect_file "$p/bin/ehshim" 755
expect_file "$p/lib/ehshim/libehshim.so" 644
expect_file "$p/lib/libeventheader-dynamic.so.1.0.0" 644
expect_file "$p/lib/libeventheader-dynamic.a" 644
expect_file "$p/lib/pkgconfig/eventheader-dynamic.pc" 644
expect_file "$p/share/man/man1/ehshim.1" 644
expect_file "$p/share/man/man5/ehshim.json.5" 644
[ "$(readlink "$p/lib/libeventheader-dynamic.so.1")" = libeventheader-dynamic.so.1.0.0 ] ||
    fail "lib/libeventheader-dynamic.so.1 is not a link to libeventheader-dynamic.so.1.0.0"
[ "$(readlink "$p/lib/libeventheader-dynamic.so")" = libeventheader-dynamic.so.1 ] ||
    fail "lib/libeventheader-dynamic.so is not a link to libeventheader-dynamic.so.1"
cmp -s "$p/bin/ehshim" "$BUILD/ehshim" || fail "bin/ehshim is not $BUILD/ehshim"
cmp -s "$p/lib/ehshim/libehshim.so" "$BUILD/libehshim.so" || fail "lib/ehshim/libehshim.so is not $BUILD's"
cmp -s "$p/share/man/man1/ehshim.1" man/ehshim.1 || fail "man1/ehshim.1 differs from man/ehshim.1"
cmp -s "$p/share/man/man5/ehshim.json.5" man/ehshim.json.5 || fail "man5/ehshim.json.5 differs"
(cd core/include/ehd && ls) >"$tmp/headers-src"
(cd "$p/include/ehd" 2>/dev/null && ls) >"$tmp/headers-installed"
cmp -s "$tmp/headers-src" "$tmp/headers-installed" ||
    fail "installed headers $(paste -sd' ' "$tmp/headers-installed"), expected $(paste -sd' ' "$tmp/headers-src")"
for h in core/include/ehd/*.h; do
    cmp -s "$h" "$p/include/ehd/$(basename "$h")" || fail "include/ehd/$(basename "$h") differs from $h"
done
for f in examples/systemd/myservice.service.d/ehshim.conf examples/systemd/myservice.json \
    examples/pkgconfig_sample/sample.c examples/pkgconfig_sample/Makefile examples/sshd/config.json; do
    cmp -s "$f" "$p/share/ehshim/$f" || fail "share/ehshim/$f is not installed (or differs)"
done
# Only sources: no object, binary or capture file of a local build.
junk=$(cd "$p/share/ehshim" && find . -type f \( -name '*.o' -o -name '*.dat' -o -name sample \
    -o -name sample-static \) | paste -sd' ')
[ -z "$junk" ] || fail "build output installed with the examples: $junk"
soname=$(readelf -d "$p/lib/libeventheader-dynamic.so.1.0.0" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libeventheader-dynamic.so.1 ] || fail "installed library's soname is '$soname'"

# ---- pkg-config into the staging tree
export PKG_CONFIG_LIBDIR=$p/lib/pkgconfig PKG_CONFIG_PATH=$p/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
expect_pc() { # WHAT EXPECTED ARGS...
    local what=$1 want=$2 got
    shift 2
    got=$(pkg-config "$@" eventheader-dynamic 2>&1 | sed 's/ *$//')
    [ "$got" = "$want" ] || fail "pkg-config $what: '$got', expected '$want'"
}
expect_pc --modversion 1.0.0 --modversion
expect_pc --cflags "-I$p/include" --cflags
expect_pc --libs "-L$p/lib -leventheader-dynamic" --libs
expect_pc "--static --libs" "-L$p/lib -leventheader-dynamic -lpthread" --static --libs
grep -qx 'prefix=/usr/local' "$p/lib/pkgconfig/eventheader-dynamic.pc" ||
    fail "eventheader-dynamic.pc does not say prefix=/usr/local"

# ---- the sample, built from the installed copy against the installed library
cp -r "$p/share/ehshim/examples/pkgconfig_sample" "$tmp/sample"
targets="sample sample-static"
flags=()
if [ $asan = 1 ]; then
    targets=sample
    flags=(CFLAGS="-O1 -g $sanitize" LDFLAGS="$sanitize")
    echo "note: ASan build: the sample is built with the sanitizers; no -static link"
fi
# shellcheck disable=SC2086
if ! make --no-print-directory -C "$tmp/sample" "${flags[@]}" $targets >"$tmp/sample.log" 2>&1; then
    fail "the installed pkgconfig_sample does not build:"
    tail -n 20 "$tmp/sample.log"
fi
grep -q -- "-I$p/include" "$tmp/sample.log" || grep -q 'pkg-config --cflags' "$tmp/sample.log" ||
    fail "the sample's build did not use pkg-config"

cat >"$tmp/expected.jsonl" <<'EOF'
{ "n": "PkgSample:JobStarted", "job": "nightly-backup", "workers": 4, "meta": { "level": 4, "keyword": "0x1" } }
{ "n": "PkgSample:JobDone", "job": "nightly-backup", "files": 1532, "seconds": 12.5, "ok": true, "tags": [ "db", "weekly" ], "meta": { "id": 7, "version": 1, "level": 4, "keyword": "0x1" } }
{ "n": "PkgSample:DiskLow", "disk": { "path": "/var/backups/db.tar", "free_pct": 3 }, "errno": "ENOSPC(28)", "meta": { "level": 3, "keyword": "0x2" } }
EOF
expected_stdout="sample: PkgSample_L4K1 enabled, PkgSample_L3K2 enabled"

# run_sample BINARY: runs it with a capture file and decodes that with the
# installed ehshim.
run_sample() {
    local bin=$1 name
    name=$(basename "$1")
    [ -x "$bin" ] || { fail "$name was not built"; return; }
    LD_LIBRARY_PATH=$p/lib "$bin" "$tmp/$name.dat" >"$tmp/$name.out" 2>"$tmp/$name.err"
    local rc=$?
    [ $rc -eq 0 ] || fail "$name exited $rc: $(cat "$tmp/$name.err")"
    [ "$(cat "$tmp/$name.out")" = "$expected_stdout" ] || fail "$name printed: $(cat "$tmp/$name.out")"
    [ -s "$tmp/$name.err" ] && fail "$name wrote on stderr: $(cat "$tmp/$name.err")"
    "$p/bin/ehshim" decode --no-stamp "$tmp/$name.dat" >"$tmp/$name.jsonl" 2>"$tmp/$name.decode-err" ||
        fail "installed ehshim decode failed on $name's capture: $(cat "$tmp/$name.decode-err")"
    if ! cmp -s "$tmp/expected.jsonl" "$tmp/$name.jsonl"; then
        fail "$name's events differ (< expected, > decoded):"
        diff "$tmp/expected.jsonl" "$tmp/$name.jsonl"
    fi
}

if [ -x "$tmp/sample/sample" ]; then
    # Linked against the installed shared library, and loads that one.
    needed=$(readelf -d "$tmp/sample/sample" | sed -n 's/.*(NEEDED).*\[\(libeventheader[^]]*\)\]/\1/p')
    [ "$needed" = libeventheader-dynamic.so.1 ] || fail "sample needs '$needed', expected libeventheader-dynamic.so.1"
    loaded=$(LD_LIBRARY_PATH=$p/lib ldd "$tmp/sample/sample" | awk '$1 == "libeventheader-dynamic.so.1" { print $3 }')
    [ "$loaded" = "$p/lib/libeventheader-dynamic.so.1" ] || fail "sample loads '$loaded', not the installed library"
fi
run_sample "$tmp/sample/sample"
if [ $asan = 0 ]; then
    readelf -d "$tmp/sample/sample-static" 2>/dev/null | grep -q NEEDED &&
        fail "sample-static is not static: $(readelf -d "$tmp/sample/sample-static" | grep NEEDED | head -n 3)"
    run_sample "$tmp/sample/sample-static"
    # The records' stamps (time, pid, tid) differ by run; the events not.
    "$p/bin/ehshim" decode --no-stamp "$tmp/sample.dat" >"$tmp/sample.events" 2>&1
    "$p/bin/ehshim" decode --no-stamp "$tmp/sample-static.dat" >"$tmp/sample-static.events" 2>&1
    cmp -s "$tmp/sample.events" "$tmp/sample-static.events" ||
        fail "the shared and the static sample wrote different events"
fi
# Without a capture file it goes to user_events; with no kernel support or
# no listener its events stay disabled and it still succeeds.
if [ -x "$tmp/sample/sample" ]; then
    LD_LIBRARY_PATH=$p/lib "$tmp/sample/sample" >"$tmp/ue.out" 2>"$tmp/ue.err"
    rc=$?
    [ $rc -eq 0 ] || fail "sample without a capture file exited $rc: $(cat "$tmp/ue.err")"
    grep -q '^sample: PkgSample_L4K1 \(enabled\|disabled\), PkgSample_L3K2 \(enabled\|disabled\)$' "$tmp/ue.out" ||
        fail "sample on user_events printed: $(cat "$tmp/ue.out")"
fi
unset PKG_CONFIG_LIBDIR PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

# ---- the installed ehshim run finds the installed shim
preload_base="" asan_options=${ASAN_OPTIONS:-}
runtime=$(ldd "$p/lib/ehshim/libehshim.so" 2>/dev/null | awk '$1 ~ /^lib(asan|ubsan)\.so/ { print $3; exit }')
if [ -n "$runtime" ]; then
    # As in test_shim_run_command.sh: the sanitizer runtime goes first.
    preload_base=$runtime
    asan_options="${asan_options:+$asan_options:}detect_leaks=0:verify_asan_link_order=0"
fi
installed_run() {
    (
        [ -n "$preload_base" ] && export LD_PRELOAD=$preload_base ASAN_OPTIONS=$asan_options
        cd "$tmp" && exec "$p/bin/ehshim" run "$@"
    )
}
shim_path=$(cd "$p/lib/ehshim" && pwd -P)/libehshim.so
preload=$(installed_run sh -c 'printf "%s\n" "$LD_PRELOAD"' 2>"$tmp/run.err")
[ "${preload%%:*}" = "$shim_path" ] ||
    fail "installed ehshim run set LD_PRELOAD='$preload', expected $shim_path first; stderr: $(cat "$tmp/run.err")"
installed_run -o run.dat sh -c 'echo "hello from the installed shim" >&2; exit 3' 2>"$tmp/run.err"
rc=$?
[ $rc -eq 3 ] || fail "installed ehshim run: exit $rc, expected the program's 3"
[ "$(cat "$tmp/run.err")" = "hello from the installed shim" ] || fail "program's stderr changed: $(cat "$tmp/run.err")"
want='{ "n": "ehshim:Stderr", "msg": "hello from the installed shim", "ident": "sh", "meta": { "level": 4, "keyword": "0x2" } }'
got=$("$p/bin/ehshim" decode --no-stamp "$tmp/run.dat" 2>&1)
[ "$got" = "$want" ] || fail "installed ehshim run captured: $got"
"$p/bin/ehshim" check "$p/share/ehshim/examples/systemd/myservice.json" ||
    fail "the installed examples/systemd/myservice.json does not pass ehshim check"

uninstall_from "$dest" "$prefix"

# ---- another PREFIX
dest2=$tmp/dest2
if install_into "$dest2" /opt/ehshim; then
    q=$dest2/opt/ehshim
    for f in bin/ehshim lib/ehshim/libehshim.so lib/libeventheader-dynamic.so.1.0.0 \
        include/ehd/ehd.h lib/pkgconfig/eventheader-dynamic.pc share/man/man1/ehshim.1; do
        [ -e "$q/$f" ] || fail "PREFIX=/opt/ehshim: $f not installed there"
    done
    grep -qx 'prefix=/opt/ehshim' "$q/lib/pkgconfig/eventheader-dynamic.pc" ||
        fail "PREFIX=/opt/ehshim: the .pc file says $(grep '^prefix=' "$q/lib/pkgconfig/eventheader-dynamic.pc")"
    got=$(PKG_CONFIG_LIBDIR=$q/lib/pkgconfig pkg-config --cflags --libs eventheader-dynamic | sed 's/ *$//')
    [ "$got" = "-I/opt/ehshim/include -L/opt/ehshim/lib -leventheader-dynamic" ] ||
        fail "PREFIX=/opt/ehshim: pkg-config gives '$got'"
    uninstall_from "$dest2" /opt/ehshim
fi

[ $failures -eq 0 ] && echo PASS
[ $failures -eq 0 ]
