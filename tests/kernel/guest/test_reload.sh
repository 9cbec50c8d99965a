# A config reloaded while the program runs registers the event sets of its
# new rules before their first event: with a listener of the old config
# attached (while nobody listens the shim does nothing, reload checks
# included), lines go through until the new config is in force; then,
# before any line of the new rule, its tracepoint is in tracefs (only the
# shim can have registered it), and a listener of the new config gets the
# rule's first event.
. /opt/ehshim/guest/lib.sh
ktest_begin reload
[ -f "$E/libehshim.so" ] || ktest_skip "libehshim.so is not built"
config=$T/reload.json
cat >"$config" <<'JSON'
{ "provider": "KtestReload", "capture": { "syslog": false, "journal": false },
  "reload": { "check_ms": 50 }, "default": { "level": "info" } }
JSON
cp "$config" "$T/old.json"
start_listener "$T/old-live.json" "$T/old-live.err" -c "$T/old.json" || note_failure "listener did not start"
old_listener=$listener_pid
mkfifo "$T/in"
# EHSHIM_DEBUG=1: the shim says on the program's stderr when it reloaded.
EHSHIM_DEBUG=1 timeout 60 "$EHSHIM" run -c "$config" "$E/tests/kernel/ktest_stdin_lines" \
    <"$T/in" >"$T/out" 2>"$T/err" &
program=$!
exec 3>"$T/in"
# feed N LINE: the program writes LINE to stderr; waits until it has.
feed() {
    echo "$2" >&3
    wait_for_file "$T/out" 100 "^done $1\$" || note_failure "line $1 did not go through"
}
new=$TRACEFS/events/user_events/KtestReload_L3K40
feed 1 "before the change"
[ -e "$new" ] && note_failure "KtestReload_L3K40 exists before the config names it"
sed 's/"default"/"rules": [ { "name": "New", "regex": "^new", "keyword": "0x40", "level": "warning" } ], "default"/' \
    "$config" >"$config.new" && mv "$config.new" "$config"
# Lines of the old rules until one puts the new config in force (a check
# is due every 50 ms). lib.sh's wait_for_file uses $n: this counts in $line.
line=1
while [ $line -lt 40 ] && ! grep -q 'loaded (config generation 1)' "$T/err"; do
    sleep 0.1
    line=$((line + 1))
    feed $line "line $line after the change"
done
expect "the new config was not put in force" grep -q 'loaded (config generation 1)' "$T/err"
expect "KtestReload_L3K40 is not registered after the reload, before its first event" test -e "$new"
# (Listeners must not hold the FIFO open: the program ends at its EOF.)
start_listener "$T/live.json" "$T/live.err" -c "$config" 3>&- || note_failure "listener did not start"
line=$((line + 1))
feed $line "new rule's first line"
exec 3>&-
wait "$program"
expect "listener did not end cleanly" stop_listener "$listener_pid" INT
expect "the old config's listener did not end cleanly" stop_listener "$old_listener" INT
sed 's/^/    /' "$T/err" "$T/old-live.json" "$T/live.json"
expect "the old config's listener did not see the reload" \
    grep -q '"n": "KtestReload:ConfigReloaded", "path": "'"$config"'", "generation": 1' "$T/old-live.json"
expect "the new rule's first event did not reach the listener" \
    grep -q '"n": "KtestReload:New", "msg": "new rule'"'"'s first line"' "$T/live.json"
expect "its event set is not level 3, keyword 0x40" grep -q '"level": 3, "keyword": "0x40"' "$T/live.json"
ktest_end
