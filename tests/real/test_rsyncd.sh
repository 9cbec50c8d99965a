#!/usr/bin/env bash
# The real rsync daemon (Debian's rsync) under the shim, on 127.0.0.1:18873,
# logging through syslog() into the private /dev/log of a mount namespace.
#
# Modules (private config, data and secrets file under the test's tmp dir):
# pub (anonymous, read only), priv (auth users = alice), upload (alice, writable).
# Traffic: a good anonymous transfer, a good authenticated one, a wrong
# password, an unknown user, an unknown module, a module listing, an upload,
# an upload to a read-only module. Run once without and once with the shim:
# same client results, same messages (modulo byte counts); then every message
# the daemon sent must have become exactly one correct event
# (tests/real/rsyncd.expect.json).
. "$(dirname "$0")/lib.sh"

real_need_root
real_need_build
real_install rsync
real_port_free 18873
real_tmpdir

T=$REAL_TMP
PORT=18873
CONFIG=$REAL_ROOT/examples/rsyncd/config.json
EXPECT=$REAL_DIR/rsyncd.expect.json
rsync --version | head -n 1

mkdir -p "$T/data/pub" "$T/data/priv" "$T/data/upload" "$T/src"
echo "hello" >"$T/data/pub/a.txt"
echo "secret" >"$T/data/priv/s.txt"
echo "uploaded" >"$T/src/up.txt"
chown nobody:nogroup "$T/data/upload"
printf 'alice:alicepw\n' >"$T/secrets"
chmod 600 "$T/secrets"
cat >"$T/rsyncd.conf" <<EOF
pid file = $T/rsyncd.pid
use chroot = no
read only = yes
uid = nobody
gid = nogroup
syslog facility = daemon
transfer logging = yes

[pub]
  path = $T/data/pub
  comment = public files
[priv]
  path = $T/data/priv
  auth users = alice
  secrets file = $T/secrets
[upload]
  path = $T/data/upload
  read only = no
  auth users = alice
  secrets file = $T/secrets
EOF

URL=rsync://127.0.0.1:$PORT
# step NAME CMD...: one client; its exit code, its standard output, and the
# lines of its standard error that carry the daemon's answer
step() {
    local name=$1 out rc
    shift
    out=$("$@" 2>"$T/step.err" </dev/null)
    rc=$?
    printf '%s rc=%s out=%s err=%s\n' "$name" "$rc" "$(printf '%s' "$out" | tr '\n\t' '  ')" \
        "$(grep -E '^@?ERROR' "$T/step.err" | tr '\n' ' ')"
}

traffic() {
    local d=$1
    step anonymous rsync -r "$URL/pub/" "$d/got-pub/"
    step authenticated env RSYNC_PASSWORD=alicepw rsync -r "rsync://alice@127.0.0.1:$PORT/priv/" "$d/got-priv/"
    step wrong-password env RSYNC_PASSWORD=wrong rsync -r "rsync://alice@127.0.0.1:$PORT/priv/" "$d/x1/"
    step unknown-user env RSYNC_PASSWORD=alicepw rsync -r "rsync://mallory@127.0.0.1:$PORT/priv/" "$d/x2/"
    step unknown-module rsync -r "$URL/nosuchmodule/" "$d/x3/"
    step module-list rsync "$URL/"
    step upload env RSYNC_PASSWORD=alicepw rsync -r "$T/src/" "rsync://alice@127.0.0.1:$PORT/upload/"
    step upload-read-only rsync -r "$T/src/" "$URL/pub/"
    step got-files cat "$d/got-pub/a.txt" "$d/got-priv/s.txt" "$T/data/upload/up.txt"
    rm -f "$T/data/upload/up.txt"
    sleep 0.5
}

# run NAME plain|shim
run() {
    local name=$1 how=$2 d=$T/$1
    mkdir "$d"
    local cmd=(rsync --daemon --no-detach --address=127.0.0.1 "--port=$PORT" "--config=$T/rsyncd.conf")
    [ "$how" = shim ] && cmd=("$EHSHIM" run -c "$CONFIG" -o "$d/events.dat" -- "${cmd[@]}")
    REAL_DEVLOG=$d/devlog.txt
    real_devlog_start
    local start=$SECONDS
    real_start real_in_ns -- "${cmd[@]}" >"$d/stdout.raw" 2>"$d/stderr.raw"
    local pid=$REAL_PID
    if real_wait_port "$PORT"; then
        traffic "$d" >"$d/clients.txt"
    fi
    real_collect "$name" "$how" "$d" "$pid" "$start"
}

# the byte counts of a transfer vary a little from run to run (file times);
# the daemon's processes interleave
normalize() {
    sed -E 's/^sent [0-9]+ bytes  received [0-9]+ bytes/sent N bytes  received N bytes/' "$1" | sort
}

run plain plain
run shim shim

cat "$T/shim/clients.txt"
for f in clients.txt syslog.txt stderr.raw stdout.raw; do
    if ! diff <(normalize "$T/plain/$f") <(normalize "$T/shim/$f"); then
        real_fail "plain and shim runs differ in $f"
    fi
done
grep -q '^anonymous rc=0 ' "$T/plain/clients.txt" || real_fail "the anonymous transfer failed"
grep -q '^authenticated rc=0 ' "$T/plain/clients.txt" || real_fail "the authenticated transfer failed"
grep -q '^wrong-password rc=5 .*@ERROR: auth failed on module priv' "$T/plain/clients.txt" ||
    real_fail "the wrong password was not refused"
grep -q '^got-files rc=0 out=hello secret uploaded ' "$T/plain/clients.txt" ||
    real_fail "the transferred files are not what was sent"
grep -q 'auth failed on module priv from .* for mallory: ' "$T/plain/syslog.txt" ||
    real_fail "no auth failure logged for the unknown user"

echo "== check syslog"
real_check "$EXPECT" "$T/shim/syslog.txt" "$T/shim/events.jsonl" syslog "$T/shim/devlog.txt"
echo "== check stderr"
real_check "$EXPECT" "$T/shim/stderr.txt" "$T/shim/events.jsonl" stderr

real_finish
