#!/usr/bin/env bash
# The kernel tests: boots a kernel that has user_events under QEMU with an
# initramfs holding busybox, the project's binaries, the shared libraries
# they need and the guest tests (tests/kernel/guest/), runs the tests
# inside, and prints "N passed, N failed, N skipped" here.
#
# Exit status: 0 all passed; 1 a test failed, the guest did not boot or
# did not finish in time; 77 (SKIP) when QEMU or a kernel cannot be had.
#
# Environment:
#   BUILD                build directory to take the binaries from (build)
#   EHSHIM_TEST_KERNEL   the kernel (bzImage) to boot; unset: a kernel
#                        built by tests/kernel/kernel.sh, cached in
#                        ~/.cache/ehshim
#   EHSHIM_VM_ACCEL      kvm, tcg or auto (default: KVM when a probe boot
#                        shows it works here, else TCG)
#   EHSHIM_VM_TIMEOUT    seconds before the guest counts as hung (300)
#   EHSHIM_VM_TESTS      space-separated guest test names to run (all)
#   EHSHIM_VM_KEEP       1: keep the work directory (initramfs, log)
set -u
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-build}
timeout_s=${EHSHIM_VM_TIMEOUT:-300}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ehshim

skip() { echo "SKIP: $*"; exit 77; }
die() { echo "FAIL: $*"; exit 1; }

qemu=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
[ "$(uname -m)" = x86_64 ] || skip "the test kernel is x86_64 and TCG on $(uname -m) would take too long"
for tool in cpio gzip; do
    command -v "$tool" >/dev/null || skip "$tool is not installed"
done
busybox=""
for candidate in /bin/busybox /usr/bin/busybox; do
    if [ -x "$candidate" ] && ! ldd "$candidate" >/dev/null 2>&1; then
        busybox=$candidate
        break
    fi
done
[ -n "$busybox" ] || skip "a static busybox is needed (apt-get install busybox-static)"
[ -x "$BUILD/ehshim" ] || die "$BUILD/ehshim is not built (make BUILD=$BUILD)"

# ---- the kernel -------------------------------------------------------------
if [ -n "${EHSHIM_TEST_KERNEL:-}" ]; then
    kernel=$EHSHIM_TEST_KERNEL
    [ -f "$kernel" ] || die "EHSHIM_TEST_KERNEL=$kernel does not exist"
else
    kernel=$(bash "$here/kernel.sh" "$cache")
    rc=$?
    [ $rc -eq 77 ] && skip "no kernel: $kernel"
    [ $rc -eq 0 ] || die "building the test kernel failed: $kernel"
fi
echo "kernel: $kernel"

work=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-vm.XXXXXX")
if [ "${EHSHIM_VM_KEEP:-0}" = 1 ]; then
    echo "work directory (kept): $work"
else
    trap 'rm -rf "$work"' EXIT
fi

# ---- the initramfs ----------------------------------------------------------
bash "$here/initramfs.sh" "$BUILD" "$busybox" "$work/initramfs.cpio.gz" "${EHSHIM_VM_TESTS:-}" \
    || die "building the initramfs failed"

# ---- accelerator ------------------------------------------------------------
# KVM is only worth it when it really runs guests here: nested setups may
# offer /dev/kvm and then hang at boot. A 10-second probe boot decides, and
# its answer is kept per host kernel and QEMU version.
kvm_works() {
    [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
    local key answer probe
    key="$(uname -r)-$("$qemu" --version | head -n1 | tr -c 'A-Za-z0-9.\n' _)"
    answer="$cache/kvm-probe-$key"
    if [ -f "$answer" ]; then
        [ "$(cat "$answer")" = works ]
        return
    fi
    probe=$(timeout 10 "$qemu" -accel kvm -m 64M -nic none -nographic -no-reboot -kernel "$kernel" \
        -initrd "$work/initramfs.cpio.gz" -append "console=ttyS0 quiet panic=-1 reboot=t ktest.probe=1" \
        </dev/null 2>/dev/null | tr -d '\r' | grep -c '^KTEST PROBE')
    mkdir -p "$cache"
    if [ "$probe" -ge 1 ]; then echo works >"$answer"; return 0; fi
    echo hangs >"$answer"
    return 1
}
case "${EHSHIM_VM_ACCEL:-auto}" in
    kvm) accel=kvm ;;
    tcg) accel=tcg ;;
    *) if kvm_works; then accel=kvm; else accel=tcg; fi ;;
esac
echo "accelerator: $accel"

# ---- boot -------------------------------------------------------------------
# rcu_expedited: the last close of a tracepoint's perf event waits for an
# RCU grace period; normal ones take tens of milliseconds under TCG, which
# makes a listener of the round trip's 3000 tracepoints need minutes to exit.
log=$work/console.log
start=$(date +%s)
timeout --foreground -k 5 "$timeout_s" "$qemu" -accel "$accel" -m 256M -smp 2 -nic none \
    -nographic -no-reboot -kernel "$kernel" -initrd "$work/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1 reboot=t rcupdate.rcu_expedited=1" </dev/null 2>&1 | tr -d '\r' >"$log"
rc=${PIPESTATUS[0]}
elapsed=$(( $(date +%s) - start ))

# Show the guest's own report, without the firmware's screen noise.
sed -n '/KTEST BOOTED/,$p' "$log" | grep -v '^KTEST \(BOOTED\|DONE\)' | sed 's/^/  | /'
mkdir -p "$BUILD/test-logs" && cp "$log" "$BUILD/test-logs/kernel-vm-console.log"

passed=$(grep -c '^KTEST PASS ' "$log")
failed=$(grep -c '^KTEST FAIL ' "$log")
skipped=$(grep -c '^KTEST SKIP ' "$log")
echo "${passed} passed, ${failed} failed, ${skipped} skipped (VM, $accel, ${elapsed}s)"

if ! grep -q 'KTEST BOOTED' "$log"; then
    echo "FAIL: the guest did not boot; the end of its console:"
    tail -n 30 "$log" | sed 's/^/    /'
    exit 1
fi
if ! grep -q '^KTEST DONE' "$log"; then
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        echo "FAIL: the guest did not finish within ${timeout_s}s"
    else
        echo "FAIL: the guest stopped before the end (qemu exit $rc)"
    fi
    exit 1
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
