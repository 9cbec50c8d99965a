#!/usr/bin/env bash
# tests/run.sh itself: with two jobs, two tests that each wait for the
# other run at the same time (one at a time, the first would give up); the
# summary counts a pass, a skip and a failure; a script marked
# "# run.sh: plain build only" is left out of a sanitized build, uncounted.
# run.sh: plain build only. It runs its own small tests, not the project's.
set -u
cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-runner.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# meet ME OTHER: creates ME, then waits up to 20 s for OTHER
cat >"$tmp/meet.sh" <<'EOF'
: >"$1"
for _ in $(seq 200); do
    [ -e "$2" ] && exit 0
    sleep 0.1
done
echo "the other test never ran beside this one"
exit 1
EOF
printf 'exec bash %s/meet.sh %s/a %s/b\n' "$tmp" "$tmp" "$tmp" >"$tmp/test_a.sh"
printf 'exec bash %s/meet.sh %s/b %s/a\n' "$tmp" "$tmp" "$tmp" >"$tmp/test_b.sh"
printf 'echo "SKIP: on purpose"\nexit 77\n' >"$tmp/test_skip.sh"
printf 'echo "broken on purpose"\nexit 1\n' >"$tmp/test_fail.sh"
printf '# run.sh: plain build only\nexit 0\n' >"$tmp/test_plain_only.sh"

EHSHIM_TEST_JOBS=2 BUILD="$tmp/logs" bash tests/run.sh --build "$tmp/plain" "$tmp/test_a.sh" \
    "$tmp/test_b.sh" "$tmp/test_skip.sh" "$tmp/test_fail.sh" >"$tmp/out" 2>&1
rc=$?
[ $rc -ne 0 ] || fail "a failing test left the exit status 0"
grep -qx "PASS $tmp/plain/test_a.sh" "$tmp/out" && grep -qx "PASS $tmp/plain/test_b.sh" "$tmp/out" ||
    fail "two tests were not run at the same time: $(grep -a 'test_[ab]' "$tmp/out" | head -n 4)"
grep -qx '2 passed, 1 failed, 1 skipped' "$tmp/out" || fail "summary: $(tail -n 1 "$tmp/out")"
grep -q 'SKIP .*test_skip.sh: on purpose' "$tmp/out" || fail "the skip's reason is not shown"
grep -q 'broken on purpose' "$tmp/out" || fail "the failure's output is not shown"

# A sanitized build: one whose ehshim links the sanitizer runtime.
asan=${BUILD:-build}/asan
if [ -x "$asan/ehshim" ] && ldd "$asan/ehshim" 2>/dev/null | grep -q 'libasan'; then
    BUILD="$tmp/logs2" bash tests/run.sh --build "$asan" "$tmp/test_plain_only.sh" \
        "$tmp/test_skip.sh" >"$tmp/out2" 2>&1
    grep -q 'not run for the sanitized build.*test_plain_only.sh' "$tmp/out2" ||
        fail "a plain-only script was not left out of the sanitized build: $(head -n 3 "$tmp/out2")"
    grep -qx '0 passed, 0 failed, 1 skipped' "$tmp/out2" || fail "sanitized summary: $(tail -n 1 "$tmp/out2")"
else
    echo "SKIP: $asan/ehshim is not a sanitized build (make asan-build); its part is not run"
    [ $failures -eq 0 ] && exit 77
fi

if [ $failures -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "PASS"
