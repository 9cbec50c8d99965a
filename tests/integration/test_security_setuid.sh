#!/usr/bin/env bash
# In a secure-execution process (set-user-ID: AT_SECURE) the shim ignores
# its environment and stays passive: with EHSHIM_CAPTURE pointing into a
# directory anybody may write, no capture file appears; EHSHIM_DEBUG=1
# prints nothing; EHSHIM_CONFIG is not even read; the program's stdout,
# stderr and exit status are those of a run without the shim.
#
# Getting the shim into such a process at all: glibc preloads into a secure
# process only a library named without a slash, found in a system library
# directory, with its set-user-ID bit set. The test installs a copy of
# libehshim.so so (removed again at exit), and runs, as root, a copy of
# sec_setuid owned by `nobody` with the set-user-ID bit: real uid 0,
# effective uid 65534, so AT_SECURE is set. The same installed copy in a
# plain run of the same binary (not set-user-ID) does capture: the control
# that shows the set-up would have worked. SKIP (with the reason) when not
# root, when the ASan build's shim would need its runtime preloaded too
# (glibc will not preload it into a secure process), or when the kernel
# does not mark the process secure (a nosuid mount).
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (to install a set-user-ID binary and library)"; exit 77; }
if [ -n "$SHIM_SANITIZER_RUNTIME" ]; then
    echo "SKIP: the sanitized shim needs its runtime preloaded first, which glibc never preloads into a set-user-ID process"
    exit 77
fi
nobody_uid=$(id -u nobody 2>/dev/null) || { echo "SKIP: no user 'nobody'"; exit 77; }

# A system library directory of glibc's (trusted for secure preloading).
libdir=""
for dir in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib64 /usr/lib; do
    if [ -d "$dir" ] && [ -w "$dir" ]; then libdir=$dir; break; fi
done
[ -n "$libdir" ] || { echo "SKIP: no writable system library directory for the set-user-ID library"; exit 77; }
libname=libehshim-setuid-test-$$.so
installed=$libdir/$libname
# The binaries live where set-user-ID works: not under a nosuid /tmp.
work=$(mktemp -d "$(cd "$BUILD" && pwd)/setuid-test.XXXXXX")
trap 'rm -f "$installed"; rm -rf "$work" "$shim_tmp"' EXIT
cp "$SHIM_LIBRARY" "$installed" && chmod 4755 "$installed" ||
    { echo "SKIP: cannot install $installed"; exit 77; }
chmod 755 "$work"
cp "$SHIM_PROGRAMS/sec_setuid" "$work/sec_setuid"
cp "$SHIM_PROGRAMS/sec_setuid" "$work/sec_plain"
chown "$nobody_uid" "$work/sec_setuid" && chmod 4755 "$work/sec_setuid"
chmod 755 "$work/sec_plain"
# Where a shim that trusted its environment would write: open to anybody.
drop=$work/drop
mkdir -m 1777 "$drop"
config=$work/config.json
printf '{ "provider": "SetuidTest" }\n' >"$config"
# If the shim read this config it would fail on it and say so (debug): a
# second way to see that the environment was read.
broken=$work/broken.json
printf '{ "provider": \n' >"$broken"

env_of_shim=("LD_PRELOAD=$libname" "EHSHIM_CAPTURE=$drop/capture.dat" EHSHIM_DEBUG=1
    "EHSHIM_CONFIG=$config")

# The situation must be the one under test.
check=$(env "${env_of_shim[@]}" "$work/sec_setuid" check 2>/dev/null)
case $check in
    "secure=1 shim=1") ;;
    "secure=0 "*) echo "SKIP: $work/sec_setuid is not secure-execution here (nosuid mount?): $check"; exit 77 ;;
    *) echo "SKIP: the set-user-ID library was not preloaded: $check"; exit 77 ;;
esac
control=$(env "${env_of_shim[@]}" "$work/sec_plain" check 2>/dev/null)
[ "$control" = "secure=0 shim=1" ] || fail "control (not set-user-ID): $control"

# Control: the same preload captures in a plain process.
out=$shim_tmp/control
RUN_ENV=("${env_of_shim[@]}")
_run "$out" sec_plain -- "$work/sec_plain" log
RUN_ENV=()
[ -s "$drop/capture.dat" ] || fail "control: the preloaded copy captured nothing in a plain process"
grep -q '^ehshim: ' "$out.err" || fail "control: EHSHIM_DEBUG=1 printed nothing in a plain process"
rm -f "$drop/capture.dat"

# The set-user-ID run, against the same binary without any shim.
plain=$shim_tmp/setuid.plain
_run "$plain" sec_setuid -- "$work/sec_setuid" log
expect_status "set-user-ID, without the shim" 0 "$plain"
for config_file in "$config" "$broken"; do
    out=$shim_tmp/setuid.$(basename "$config_file" .json)
    RUN_ENV=("LD_PRELOAD=$libname" "EHSHIM_CAPTURE=$drop/capture.dat" EHSHIM_DEBUG=1
        "EHSHIM_CONFIG=$config_file")
    _run "$out" sec_setuid -- "$work/sec_setuid" log
    RUN_ENV=()
    expect_same_output "set-user-ID with the shim preloaded ($(basename "$config_file"))" "$plain" "$out"
    if [ -n "$(ls -A "$drop")" ]; then
        fail "set-user-ID: the shim followed EHSHIM_CAPTURE: $(ls -l "$drop")"
        rm -f "$drop"/*
    fi
done

shim_finish
