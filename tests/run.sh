#!/usr/bin/env bash
# Runs every test given on the command line: unit test binaries and
# integration scripts. Exit status 77 means SKIP (the test says why).
# Prints one line per test and closes with "N passed, N failed, N skipped".
set -u
passed=0 failed=0 skipped=0
failed_names=()
logdir="${BUILD:-build}/test-logs"
mkdir -p "$logdir"
for t in "$@"; do
    name=$(basename "$t")
    log="$logdir/$name.log"
    if [[ "$t" == *.sh ]]; then
        bash "$t" >"$log" 2>&1
    else
        "$t" >"$log" 2>&1
    fi
    rc=$?
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1)); echo "PASS $name"
    elif [ $rc -eq 77 ]; then
        skipped=$((skipped + 1)); echo "SKIP $name: $(grep -m1 '^SKIP' "$log" | sed 's/^SKIP:* *//')"
    else
        failed=$((failed + 1)); failed_names+=("$name"); echo "FAIL $name (exit $rc)"
        tail -n 40 "$log" | sed 's/^/    /'
    fi
done
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ $failed -eq 0 ]
