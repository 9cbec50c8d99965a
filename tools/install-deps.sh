#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages ehshim needs to build and test, when
# they are missing. Needs root (or sudo) only when something is missing.
set -eu

# build: compiler, make, the libraries; test: cmocka, valgrind for bench,
# QEMU + busybox + cpio for the kernel VM tests, clang for fuzzing with
# libclang-rt-dev: clang's libFuzzer and sanitizer runtimes, which clang
# only recommends (and recommends are not installed here).
BUILD_PACKAGES="gcc make libc6-dev libcjson-dev libpcre2-dev"
# pkgconf and groff-base: the install test builds a program through
# pkg-config, the man page test formats the pages with groff -ww. time:
# /usr/bin/time measures peak RSS (test_security_dat.sh). python3 and perl:
# real interpreters under the shim (test_shim_system_programs.sh); python3
# also writes the float table again to compare (test_float_table.sh).
TEST_PACKAGES="libcmocka-dev valgrind qemu-system-x86 busybox-static cpio clang libclang-rt-dev pkgconf groff-base time python3 perl"

# The VM tests' kernel is built once from Debian's source (bookworm-security
# carries linux-source-6.12; tests/kernel/kernel.sh) unless EHSHIM_TEST_KERNEL
# names a prebuilt one.
KERNEL_PACKAGES="linux-source-6.12 bc flex bison libelf-dev xz-utils"

want="$BUILD_PACKAGES"
[ "${1:-}" = "--test" ] && want="$want $TEST_PACKAGES"
[ "${1:-}" = "--test" ] && [ -z "${EHSHIM_TEST_KERNEL:-}" ] && want="$want $KERNEL_PACKAGES"

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "ehshim: installing:$missing"
if ! command -v apt-get >/dev/null; then
    echo "ehshim: apt-get not found; install these packages by hand:$missing" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo=sudo; else
        echo "ehshim: run as root (or install sudo) to install:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
