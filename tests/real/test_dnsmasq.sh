#!/usr/bin/env bash
# The real dnsmasq (Debian's dnsmasq-base) under the shim, on 127.0.0.1:18853,
# logging every query to stderr (--log-facility=- --log-queries), in a private
# mount namespace whose /dev/log is the test's receiver (dnsmasq writes
# /dev/log itself, not through syslog(); with --log-facility=- it must write
# nothing there).
#
# Local records come from a private --addn-hosts file; the only upstream
# (127.0.0.1#18854) has nothing listening, so forwarded questions fail.
# Traffic: A, AAAA, PTR answered locally, NXDOMAIN and NODATA for the local
# domain, forwarded questions that time out, a SIGHUP (hosts file read again)
# and more questions after it. Run once without and once with the shim: the
# answers and dnsmasq's stderr must be the same (modulo its pid); then every
# stderr line must have become exactly one correct event
# (tests/real/dnsmasq.expect.json). Then the same traffic with dnsmasq
# logging to /dev/log as systemd runs it (dnsmasq -k writes the socket
# itself): every datagram must have become exactly one syslog event.
. "$(dirname "$0")/lib.sh"

real_need_root
real_need_build
real_install dnsmasq-base
real_port_free 18853 18854
real_tmpdir

T=$REAL_TMP
PORT=18853
CONFIG=$REAL_ROOT/examples/dnsmasq/config.json
EXPECT=$REAL_DIR/dnsmasq.expect.json
DNSMASQ=/usr/sbin/dnsmasq
[ -x "$DNSMASQ" ] || real_skip "$DNSMASQ missing"
"$DNSMASQ" --version | head -n 1

cat >"$T/hosts" <<'EOF2'
192.0.2.10 web.ehshim.test web
192.0.2.11 db.ehshim.test
2001:db8::10 web.ehshim.test
EOF2
chmod 644 "$T/hosts"

# run NAME plain|shim [LOG_FACILITY]: --log-facility=- (stderr) unless given
run() {
    local name=$1 how=$2 d=$T/$1 facility=${3:--}
    mkdir "$d"
    local cmd=("$DNSMASQ" -k "--log-facility=$facility" --log-queries "--port=$PORT" --listen-address=127.0.0.1
        --bind-interfaces --no-resolv --no-hosts --conf-file=/dev/null "--addn-hosts=$T/hosts"
        "--pid-file=$d/dnsmasq.pid" --server=127.0.0.1#18854 --domain=ehshim.test --local=/ehshim.test/)
    [ "$how" = shim ] && cmd=("$EHSHIM" run -c "$CONFIG" -o "$d/events.dat" -- "${cmd[@]}")
    REAL_DEVLOG=$d/devlog.txt
    REAL_DEVLOG_SOCK=$d/devlog.sock
    real_devlog_start
    local start=$SECONDS
    real_start real_in_ns -- "${cmd[@]}" >"$d/stdout.raw" 2>"$d/stderr.raw"
    local pid=$REAL_PID
    if real_wait_udp "$PORT"; then
        {
            "$REAL_PY" "$REAL_DIR/dnsq.py" "$PORT" web.ehshim.test web.ehshim.test:28 db.ehshim.test \
                nosuch.ehshim.test web.ehshim.test:16 web.ehshim.test:15 example.com \
                10.2.0.192.in-addr.arpa:12 99.2.0.192.in-addr.arpa:12
            kill -HUP "$pid"
            # dnsmasq says it has read the hosts file again (where it logs)
            local log=$d/stderr.raw
            [ "$facility" = - ] || log=$d/devlog.txt
            real_wait_file "$log" 'read .*/hosts - [0-9]+ names' 5 >/dev/null
            sleep 0.2
            "$REAL_PY" "$REAL_DIR/dnsq.py" "$PORT" web.ehshim.test web db.ehshim.test:28
        } >"$d/clients.txt"
    fi
    real_collect "$name" "$how" "$d" "$pid" "$start"
}

run plain plain
run shim shim

cat "$T/shim/clients.txt"
normalize() {
    sed -E 's/^dnsmasq\[[0-9]+\]/dnsmasq[PID]/' "$1"
}
for f in clients.txt stderr.raw stdout.raw syslog.txt; do
    if ! diff <(normalize "$T/plain/$f") <(normalize "$T/shim/$f"); then
        real_fail "plain and shim runs differ in $f"
    fi
done
grep -qx 'web.ehshim.test rcode=0 192.0.2.10' "$T/plain/clients.txt" || real_fail "no local answer for web.ehshim.test"
grep -qx 'nosuch.ehshim.test rcode=3 ' "$T/plain/clients.txt" || real_fail "no NXDOMAIN for nosuch.ehshim.test"
grep -qx 'example.com timeout' "$T/plain/clients.txt" || real_fail "example.com was answered without an upstream"
[ -s "$T/plain/syslog.txt" ] && real_fail "dnsmasq wrote to /dev/log despite --log-facility=-"

echo "== check stderr"
real_check "$EXPECT" "$T/shim/stderr.txt" "$T/shim/events.jsonl" stderr
echo "== check syslog"
real_check "$EXPECT" "$T/shim/syslog.txt" "$T/shim/events.jsonl" syslog "$T/shim/devlog.txt"

# As systemd runs it: dnsmasq -k logging to /dev/log, which it writes itself
# (its own socket, not syslog()). Every datagram must become exactly one
# syslog event, its level from the datagram's priority.
run plain-devlog plain DAEMON
run shim-devlog shim DAEMON
for f in clients.txt stderr.raw stdout.raw; do
    if ! diff <(normalize "$T/plain-devlog/$f") <(normalize "$T/shim-devlog/$f"); then
        real_fail "plain and shim runs (/dev/log) differ in $f"
    fi
done
# The datagrams themselves, less their time stamps and pids.
normalize_devlog() {
    sed -E 's/^<([0-9]+)>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} dnsmasq\[[0-9]+\]/<\1>TIME dnsmasq[PID]/' "$1"
}
if ! diff <(normalize_devlog "$T/plain-devlog/devlog.txt") <(normalize_devlog "$T/shim-devlog/devlog.txt"); then
    real_fail "plain and shim runs sent different datagrams to /dev/log"
fi
[ "$(wc -l <"$T/shim-devlog/syslog.txt")" -ge 20 ] ||
    real_fail "dnsmasq sent only $(wc -l <"$T/shim-devlog/syslog.txt") messages to /dev/log"
# The same expectations, for messages without stderr's "dnsmasq[PID]: "
# prefix (the pid is in the datagram's header, so the rules' pid is null).
"$REAL_PY" - "$EXPECT" >"$T/devlog.expect.json" <<'EOF2'
import json, sys
entries = json.load(open(sys.argv[1]))
for entry in entries:
    entry["match"] = entry["match"].replace("^dnsmasq\\[\\d+\\]: ", "^", 1)
    if "pid" in entry.get("fields", {}):
        entry["fields"]["pid"] = "null"
json.dump(entries, sys.stdout, indent=1)
EOF2
echo "== check /dev/log"
real_check "$T/devlog.expect.json" "$T/shim-devlog/syslog.txt" "$T/shim-devlog/events.jsonl" syslog \
    "$T/shim-devlog/devlog.txt"

real_finish
