#!/usr/bin/env bash
# Real OpenSSH sshd (Debian's openssh-server) under the shim, on 127.0.0.1:18722,
# in a private mount namespace whose /dev/log is the test's receiver.
#
# Runs, each with the same client traffic (failed password for root, invalid
# users, too many authentication failures by keys for an invalid user and for
# root, a failed then accepted public key login for root, a password login as
# a user name with a space, garbage instead of a banner, a connection closed
# before identification):
#   plain-syslog    LogLevel INFO through syslog, without the shim
#   shim-syslog     the same under the shim
#   shim-verbose    LogLevel VERBOSE through syslog, under the shim
#   plain-stderr    sshd -e (messages on stderr, "\r\n" ends), without the shim
#   shim-stderr     the same under the shim
# The plain and shim runs must behave alike (client exit codes and output,
# sshd's messages, and for -e the bytes of its stderr, modulo client ports).
# Every message sshd (and PAM inside it) really sent must have become exactly
# one correct event (tests/real/sshd.expect.json).
#
# No account on the machine is created or changed: root logs in with a key
# from a private AuthorizedKeysFile; host key, config and pid file live in a
# private directory; /run is a tmpfs of the namespace (for /run/sshd).
. "$(dirname "$0")/lib.sh"

real_need_root
real_need_build
real_install openssh-server openssh-client sshpass
real_port_free 18722
real_tmpdir

T=$REAL_TMP
PORT=18722
CONFIG=$REAL_ROOT/examples/sshd/config.json
EXPECT=$REAL_DIR/sshd.expect.json
SSHD=/usr/sbin/sshd
[ -x "$SSHD" ] || real_skip "$SSHD missing"
"$SSHD" -V 2>&1 | head -n 1

ssh-keygen -q -t ed25519 -N '' -C ehshim-host -f "$T/hostkey"
for k in good bad1 bad2 bad3 bad4; do
    ssh-keygen -q -t ed25519 -N '' -C "ehshim-$k" -f "$T/$k"
done
cp "$T/good.pub" "$T/authorized_keys"

# write_config DIR LOGLEVEL
write_config() {
    cat >"$1/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $T/hostkey
PidFile $1/sshd.pid
AuthorizedKeysFile $T/authorized_keys
PermitRootLogin yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM yes
StrictModes no
MaxAuthTries 3
LogLevel $2
SyslogFacility AUTH
EOF
}

SSH=(ssh -F /dev/null -p "$PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
     -o LogLevel=ERROR -o ConnectTimeout=10 -o IdentitiesOnly=yes)
PW=(-o PreferredAuthentications=password -o NumberOfPasswordPrompts=1)
KEY=(-o BatchMode=yes -o PreferredAuthentications=publickey)

# step NAME CMD...: runs one client, records its exit code and output
step() {
    local name=$1 out rc
    shift
    out=$("$@" 2>&1 </dev/null)
    rc=$?
    printf '%s rc=%s %s\n' "$name" "$rc" "$(printf '%s' "$out" | tr '\r\n' '  ')"
}

traffic() {
    step wrong-password-root sshpass -p wrong-pw "${SSH[@]}" "${PW[@]}" -l root 127.0.0.1 true
    step invalid-user-password sshpass -p wrong-pw "${SSH[@]}" "${PW[@]}" -l nosuchuser1 127.0.0.1 true
    step invalid-user-too-many "${SSH[@]}" "${KEY[@]}" -i "$T/bad1" -i "$T/bad2" -i "$T/bad3" -i "$T/bad4" \
        -l nosuchuser2 127.0.0.1 true
    step root-key-too-many "${SSH[@]}" "${KEY[@]}" -i "$T/bad1" -i "$T/bad2" -i "$T/bad3" -i "$T/bad4" \
        -l root 127.0.0.1 true
    step root-key-accepted "${SSH[@]}" "${KEY[@]}" -i "$T/bad1" -i "$T/good" -l root 127.0.0.1 echo logged-in
    step invalid-user-space sshpass -p wrong-pw "${SSH[@]}" "${PW[@]}" -l 'guest admin' 127.0.0.1 true
    step garbage "$REAL_PY" -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
banner = s.recv(200)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
data = b""
try:
    while True:
        d = s.recv(200)
        if not d:
            break
        data += d
except ConnectionResetError:
    pass
# sshd answers "Invalid SSH identification string." and closes; a reset may
# eat the answer, so only the banner is compared
print("banner", banner.startswith(b"SSH-2.0-OpenSSH_"), "closed")' "$PORT"
    # The banner is read before closing, and the close is a shutdown: a close
    # with the banner unread makes the kernel send a reset instead, and sshd
    # then logs "Connection reset" or "Connection closed" by which came first,
    # a race that made the plain and shim runs differ.
    step no-identification "$REAL_PY" -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
s.recv(200)
s.shutdown(socket.SHUT_WR)
try:
    while s.recv(200):
        pass
except ConnectionResetError:
    pass
s.close()' "$PORT"
    # the last connection's messages come from its own process
    sleep 1
}

# run NAME LOGLEVEL syslog|stderr plain|shim
run() {
    local name=$1 level=$2 mode=$3 how=$4 d=$T/$1
    mkdir "$d"
    write_config "$d" "$level"
    local cmd=("$SSHD" -D -f "$d/sshd_config")
    [ "$mode" = stderr ] && cmd+=(-e)
    [ "$how" = shim ] && cmd=("$EHSHIM" run -c "$CONFIG" -o "$d/events.dat" -- "${cmd[@]}")
    REAL_DEVLOG=$d/devlog.txt
    real_devlog_start
    local start=$SECONDS
    real_start real_in_ns --tmpfs /run --mkdir /run/sshd -- "${cmd[@]}" >"$d/stdout.raw" 2>"$d/stderr.raw"
    local pid=$REAL_PID
    if real_wait_port "$PORT"; then
        traffic >"$d/clients.txt"
    fi
    real_collect "$name" "$how" "$d" "$pid" "$start"
    # every datagram must carry sshd's ident
    local other
    other=$("$REAL_PY" "$REAL_DIR/devlog.py" records "$d/devlog.txt" | grep -vc '"ident": "sshd"')
    [ "$other" = 0 ] || real_fail "$name: $other datagram(s) with another ident than sshd"
}

# normalize FILE: client ports vary from run to run; order between sshd's
# processes may too
normalize() {
    sed -E 's/port [0-9]+/port N/g' "$1" | sort
}

# same_behaviour PLAIN SHIM FILE...
same_behaviour() {
    local f
    for f in clients.txt "${@:3}"; do
        if ! diff <(normalize "$T/$1/$f") <(normalize "$T/$2/$f") >"$T/diff.txt"; then
            real_fail "$1 and $2 differ in $f:"
            cat "$T/diff.txt"
        fi
    done
}

run plain-syslog INFO syslog plain
run shim-syslog INFO syslog shim
run shim-verbose VERBOSE syslog shim
run plain-stderr INFO stderr plain
run shim-stderr INFO stderr shim

cat "$T/shim-syslog/clients.txt"
# what the clients saw must be what the test intends
grep -q '^wrong-password-root rc=255 .*Permission denied' "$T/plain-syslog/clients.txt" ||
    real_fail "plain run: the wrong password for root was not refused"
grep -q '^root-key-accepted rc=0 logged-in' "$T/plain-syslog/clients.txt" ||
    real_fail "plain run: the key login for root did not succeed"
grep -q '^invalid-user-too-many rc=255 .*Too many authentication failures' "$T/plain-syslog/clients.txt" ||
    real_fail "plain run: no 'Too many authentication failures' for the invalid user"

same_behaviour plain-syslog shim-syslog syslog.txt stderr.raw
same_behaviour plain-stderr shim-stderr syslog.txt stderr.raw
# sshd -e ends its lines with "\r\n", with and without the shim
for r in plain-stderr shim-stderr; do
    n=$(grep -c $'\r$' "$T/$r/stderr.raw")
    if [ "$n" -le 10 ] || [ "$n" != "$(wc -l <"$T/$r/stderr.raw")" ]; then
        real_fail "$r: $n of $(wc -l <"$T/$r/stderr.raw") stderr lines end in CR LF"
    fi
done
grep -q '^Accepted key ' "$T/shim-verbose/syslog.txt" || real_fail "shim-verbose: no VERBOSE line seen"

for r in shim-syslog shim-verbose; do
    echo "== check $r"
    real_check "$EXPECT" "$T/$r/syslog.txt" "$T/$r/events.jsonl" syslog "$T/$r/devlog.txt"
    real_check "$EXPECT" "$T/$r/stderr.txt" "$T/$r/events.jsonl" stderr
done
echo "== check shim-stderr (stderr)"
real_check "$EXPECT" "$T/shim-stderr/stderr.txt" "$T/shim-stderr/events.jsonl" stderr
echo "== check shim-stderr (syslog of PAM)"
real_check "$EXPECT" "$T/shim-stderr/syslog.txt" "$T/shim-stderr/events.jsonl" syslog "$T/shim-stderr/devlog.txt"

real_finish
