#!/usr/bin/env bash
# initramfs.sh BUILD BUSYBOX OUT.cpio.gz [TESTS]: packs the guest of the
# kernel tests. Layout inside:
#   /init                   tests/kernel/guest/init
#   /bin/busybox            static; /init makes the applet links
#   /opt/ehshim/...         the build's binaries in their build-tree places
#                           (ehshim and libehshim.so side by side, as
#                           `ehshim run` expects), examples/demo.json and
#                           the guest tests
#   /lib..., /usr/lib...    every shared library those binaries need, at
#                           the same path as on this machine, and ld.so
# TESTS: names of guest tests (test_NAME.sh) to run; empty for all.
set -eu
build=$1 busybox=$2 out=$3 tests=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
root=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,opt/ehshim/guest}
cp "$busybox" "$root/bin/busybox"
cp "$here/guest/init" "$root/init"
chmod 755 "$root/init"
cp "$here"/guest/*.sh "$root/opt/ehshim/guest/"
printf '%s\n' "$tests" >"$root/opt/ehshim/guest/selected"
echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"

# The binaries, where the build tree has them. Missing optional pieces (the
# shim, the demo) are left out; the guest tests that need them say so.
binaries=()
helpers=$(cd "$build" && for f in tests/kernel/ktest_*; do
    case $f in *.o | *.d) ;; *) [ -x "$f" ] && echo "$f" ;; esac
done)
for rel in ehshim libehshim.so examples/demo_service $helpers; do
    if [ -f "$build/$rel" ]; then
        mkdir -p "$root/opt/ehshim/$(dirname "$rel")"
        cp "$build/$rel" "$root/opt/ehshim/$rel"
        binaries+=("$build/$rel")
    fi
done
mkdir -p "$root/opt/ehshim/examples"
cp "$top/examples/demo.json" "$root/opt/ehshim/examples/"

# Shared libraries as ldd resolves them here: "name => /path (addr)" and the
# loader's own "/path (addr)" line.
for binary in "${binaries[@]}"; do
    ldd "$binary" 2>/dev/null | awk '
        $2 == "=>" && $3 ~ /^\// { print $3 }
        $1 ~ /^\// { print $1 }'
done | sort -u | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
# ld.so is found through /lib64 on x86_64; a merged /usr keeps it in /usr/lib64.
if [ -e /lib64/ld-linux-x86-64.so.2 ] && [ ! -e "$root/lib64/ld-linux-x86-64.so.2" ]; then
    mkdir -p "$root/lib64"
    cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
fi

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out"
