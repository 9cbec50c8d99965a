#!/usr/bin/env bash
# Runs every test given on the command line: unit test binaries and
# integration scripts (*.sh, run with bash). `--build DIR` before a group of
# tests says which build they belong to: scripts then get EHSHIM=DIR/ehshim
# and BUILD=DIR, and the test's label gets the prefix DIR/.
# Exit status 77 means SKIP (the test prints "SKIP: reason"), and so does a
# cmocka binary that skipped any of its tests.
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
    # A cmocka binary that skipped some of its tests exits 0 all the same:
    # it is not a pass then. Its reason is the "SKIP: ..." line it printed.
    if [ $rc -eq 0 ] && grep -q '^\[  SKIPPED \]' "$log"; then
        rc=77
        grep -q '^SKIP' "$log" ||
            echo "SKIP: cmocka skipped $(grep -c '^\[  SKIPPED \] [a-z]' "$log") test(s)" >>"$log"
    fi
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
