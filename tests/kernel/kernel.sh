#!/usr/bin/env bash
# kernel.sh CACHE_DIR: prints the path of a kernel with user_events for the
# VM tests, building it first when the cache has none.
#
# The kernel is Debian's linux-source-6.12 with tinyconfig plus
# tests/kernel/user_events.config, built once (a few minutes on two cores)
# and kept as CACHE_DIR/kernel-VERSION-CONFIGHASH/bzImage.
#
# Exit status: 0 with the path on stdout; 77 with the reason on stdout when
# the source or the build tools are not installed; 1 when the build failed
# (its log's end on stdout).
set -u
cache=$1
here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/user_events.config

tarball=$(ls /usr/src/linux-source-6.12*.tar.xz 2>/dev/null | sort -V | tail -n 1)
if [ -z "$tarball" ]; then
    echo "linux-source-6.12 is not installed (make test installs it: bash tools/install-deps.sh --test; Debian 12 has it in bookworm-security), and EHSHIM_TEST_KERNEL is not set"
    exit 77
fi
version=$(basename "$tarball" .tar.xz)
# A new package version or fragment makes a new kernel.
package_version=$(dpkg-query -W -f='${Version}' "$version" 2>/dev/null || stat -c %Y "$tarball")
key=$( { cat "$fragment"; echo "$package_version"; } | sha256sum | cut -c1-12)
target=$cache/kernel-$version-$key/bzImage
if [ -f "$target" ]; then
    echo "$target"
    exit 0
fi
# Runs started together (make test in two build directories) build once:
# the others wait here and find the kernel made.
mkdir -p "$cache"
exec 9>"$cache/kernel-build.lock"
flock 9
if [ -f "$target" ]; then
    echo "$target"
    exit 0
fi
for tool in make gcc bc flex bison; do
    if ! command -v "$tool" >/dev/null; then
        echo "$tool is needed to build the test kernel (apt-get install build-essential bc flex bison libelf-dev)"
        exit 77
    fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-kernel.XXXXXX")
trap 'rm -rf "$work"' EXIT
log=$work/build.log
echo "building the test kernel from $tarball (once; cached in $(dirname "$target"))" >&2
if ! {
    tar -xf "$tarball" -C "$work" &&
    cd "$work/$version" &&
    make tinyconfig &&
    scripts/kconfig/merge_config.sh -m .config "$fragment" &&
    make olddefconfig &&
    # Every option of the fragment must have survived olddefconfig.
    while read -r line; do
        case $line in CONFIG_*=*) grep -qx "$line" .config || { echo "lost: $line"; exit 1; } ;; esac
    done <"$fragment" &&
    make -j"$(nproc)" bzImage
} >"$log" 2>&1; then
    tail -n 20 "$log"
    exit 1
fi
mkdir -p "$(dirname "$target")"
cp "$work/$version/arch/x86/boot/bzImage" "$target.tmp" && mv "$target.tmp" "$target"
echo "$target"
