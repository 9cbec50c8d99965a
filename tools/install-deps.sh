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

# bench: the peers bench/peers.sh sets ehshim parse beside (lognormalizer;
# syslog-ng with its db-parser and format-json, all in syslog-ng-core),
# python3, which compares their output with ehshim's, and GNU time, which
# takes their CPU time.
BENCH_PACKAGES="liblognorm-utils syslog-ng-core python3 time"

want="$BUILD_PACKAGES"
[ "${1:-}" = "--bench" ] && want="$want $BENCH_PACKAGES"
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

if case " $missing " in *" syslog-ng-core "*) true ;; *) false ;; esac; then
    # syslog-ng-core is a system log daemon and conflicts with any other
    # (rsyslog): a benchmark must not swap the machine's logger, so it is
    # left out when installing it would remove a package, and
    # bench/peers.sh skips syslog-ng.
    removed=$(apt-get install -s --no-install-recommends syslog-ng-core | sed -n 's/^Remv \([^ ]*\).*/\1/p' | tr '\n' ' ')
    if [ -n "$removed" ]; then
        echo "ehshim: not installing syslog-ng-core: it would remove ${removed% } (another system log daemon); bench/peers.sh skips syslog-ng" >&2
        missing=${missing// syslog-ng-core/}
        [ -n "${missing// /}" ] || exit 0
    fi
fi
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing

# The package's scripts start syslog-ng as the system logger where an init
# system lets them; the benchmark runs its own syslog-ng in the foreground
# and wants no daemon it did not ask for, so one this install started is
# stopped and disabled again (an existing install is left as it was).
if case " $missing " in *" syslog-ng-core "*) true ;; *) false ;; esac; then
    if [ -d /run/systemd/system ]; then
        $sudo systemctl disable --now syslog-ng.service >/dev/null 2>&1 || true
        echo "ehshim: syslog-ng.service stopped and disabled (installed for bench/peers.sh only)"
    elif [ -x /etc/init.d/syslog-ng ] && /etc/init.d/syslog-ng status >/dev/null 2>&1; then
        $sudo /etc/init.d/syslog-ng stop >/dev/null 2>&1 || true
        $sudo update-rc.d syslog-ng disable >/dev/null 2>&1 || true
        echo "ehshim: the syslog-ng service stopped and disabled (installed for bench/peers.sh only)"
    fi
fi
