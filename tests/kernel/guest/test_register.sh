# Registration through the kernel: enable bit 0 -> 1 -> 0 through tracefs,
# writes succeed only while enabled, closing unregisters.
. /opt/ehshim/guest/lib.sh
ktest_begin registration

"$E/tests/kernel/ktest_register" "$TRACEFS" >"$T/out" 2>&1
rc=$?
sed 's/^/    /' "$T/out"
if [ $rc -ne 0 ]; then
    note_failure "$(grep -m1 '^FAIL' "$T/out" || echo "ktest_register exited with $rc")"
fi
ktest_end
