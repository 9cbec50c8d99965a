#!/usr/bin/env bash
# Runs every test given on the command line: unit test binaries and
# integration scripts (*.sh, run with bash). `--build DIR` before a group of
# tests says which build they belong to: scripts then get EHSHIM=DIR/ehshim
# and BUILD=DIR, and the test's label gets the prefix DIR/.
# Exit status 77 means SKIP (the test prints "SKIP: reason").
# Prints one line per test and closes with "N passed, N failed, N skipped".
set -u
passed=0 failed=0 skipped=0
build="${BUILD:-build}"
logdir="${BUILD:-build}/test-logs"
mkdir -p "$logdir"
while [ $# -gt 0 ]; do
    t=$1
    shift
    if [ "$t" = "--build" ]; then
        build=$1
        shift
        continue
    fi
    label="$build/$(basename "$t")"
    log="$logdir/$(echo "$label" | tr '/' '_').log"
    if [[ "$t" == *.sh ]]; then
        BUILD="$build" EHSHIM="$build/ehshim" bash "$t" >"$log" 2>&1
    else
        "$t" >"$log" 2>&1
    fi
    rc=$?
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1)); echo "PASS $label"
    elif [ $rc -eq 77 ]; then
        skipped=$((skipped + 1))
        echo "SKIP $label: $(grep -m1 '^SKIP' "$log" | sed 's/^SKIP:* *//')"
    else
        failed=$((failed + 1)); echo "FAIL $label (exit $rc)"
        tail -n 40 "$log" | sed 's/^/    /'
    fi
done
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ $failed -eq 0 ]
