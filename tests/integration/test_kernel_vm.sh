#!/usr/bin/env bash
# The kernel (VM) tests as part of `make test`: tests/kernel/run.sh boots a
# user_events kernel under QEMU and runs the guest tests there. SKIP when
# QEMU or a kernel cannot be had (the runner says why).
#
# The suite boots once per `make test`, with the plain build: the sanitized
# build's copy of this script skips (EHSHIM_VM_ASAN=1 runs it there too).
set -u
BUILD=${BUILD:-build}
if ! command -v qemu-system-x86_64 >/dev/null; then
    echo "SKIP: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
    exit 77
fi
if [ -x "$BUILD/ehshim" ] && ldd "$BUILD/ehshim" 2>/dev/null | grep -q 'libasan'; then
    if [ "${EHSHIM_VM_ASAN:-0}" != 1 ]; then
        echo "SKIP: sanitized build; the VM suite runs with the plain build (EHSHIM_VM_ASAN=1 runs it here)"
        exit 77
    fi
fi
exec bash "$(dirname "$0")/../kernel/run.sh"
