#!/usr/bin/env bash
# Programs that write the syslog socket themselves, the real ones, under the
# shim: util-linux logger (its default header, --rfc5424, a facility and
# level, a multi-line message; on a stream socket, where it falls back to
# after EPROTOTYPE, newline framing and --octet-count) and Python's
# logging.handlers.SysLogHandler (datagram, with and without an ident, and
# SOCK_STREAM with NUL framing). In a private mount namespace: /dev/log is a
# symlink to /run/systemd/journal/dev-log (a tmpfs), where a receiver
# (wire_capture.py) keeps every byte. Each case runs without and with the
# shim: the receiver must get the same bytes (time stamps aside), the
# program the same results, and every message exactly its event.
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" = --inside ]; then
    INSIDE=1
    shift
else
    INSIDE=0
fi
T=${1:-}
J=/run/systemd/journal

if [ "$INSIDE" = 0 ]; then
    real_need_root
    real_need_build
    command -v unshare >/dev/null || real_skip "unshare (util-linux) missing"
    real_install bsdutils python3
    real_tmpdir
    unshare -m --propagation private -- /bin/bash "$REAL_DIR/ns_exec.sh" "$REAL_TMP/no-socket" \
        --tmpfs /run -- /bin/bash "$0" --inside "$REAL_TMP"
    exit $?
fi

grep -q '^ehshim-tmp /run tmpfs ' /proc/self/mounts || { echo "FAIL: /run is not our tmpfs"; exit 1; }
mkdir -p "$J"
ln -sfn "$J/dev-log" /dev/log

# receive KIND DIR: a receiver (dgram or stream) at /dev/log's target,
# writing what it gets to DIR. KIND none: no socket.
receive() { real_receiver_start "$1" "$J/dev-log" "$2"; }
receive_end() { real_receiver_stop; }

# The bytes received, one file after the other, less what differs from run
# to run: RFC 3164 and RFC 5424 time stamps.
received() {
    for f in "$1"/[0-9]*.bin; do
        [ -e "$f" ] || continue
        sed -E 's/[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}/TIME/g;
                s/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+\+00:00/TIME/g' "$f"
        echo
    done
}

# case NAME KIND EVENT... -- CMD...: runs CMD plainly and under the shim
# against a KIND receiver; EVENT are the syslog events expected, in order.
case_() {
    local name=$1 kind=$2
    shift 2
    local expected=()
    while [ "$1" != -- ]; do
        expected+=("$1")
        shift
    done
    shift
    local d=$T/$name
    mkdir -p "$d/plain" "$d/shim"
    receive "$kind" "$d/plain"
    timeout 20 "$@" >"$d/plain.out" 2>"$d/plain.err"
    echo $? >>"$d/plain.out"
    receive_end
    receive "$kind" "$d/shim"
    timeout 20 "$EHSHIM" run -o "$d/events.dat" -- "$@" >"$d/shim.out" 2>"$d/shim.err"
    echo $? >>"$d/shim.out"
    receive_end
    cmp -s "$d/plain.out" "$d/shim.out" || real_fail "$name: stdout or exit status differ with the shim"
    cmp -s "$d/plain.err" "$d/shim.err" || real_fail "$name: stderr differs with the shim"
    if ! diff <(received "$d/plain") <(received "$d/shim") >"$d/received.diff"; then
        real_fail "$name: the receiver got different bytes with the shim"
        head -n 5 "$d/received.diff"
    fi
    if [ "$kind" != none ]; then
        [ -n "$(received "$d/plain" | tr -d '\000')" ] || real_fail "$name: nothing was received"
    fi
    : >"$d/expected.jsonl"
    [ ${#expected[@]} -eq 0 ] || printf '%s\n' "${expected[@]}" >"$d/expected.jsonl"
    : >"$d/all-events.jsonl"
    [ -e "$d/events.dat" ] && "$EHSHIM" decode --no-stamp "$d/events.dat" >"$d/all-events.jsonl" 2>&1
    # The syslog events (what the program's errors on stderr become is
    # another test's business).
    grep '"keyword": "0x1" } }$' "$d/all-events.jsonl" >"$d/events.jsonl"
    if ! cmp -s "$d/expected.jsonl" "$d/events.jsonl"; then
        real_fail "$name: events differ (< expected, > actual)"
        diff "$d/expected.jsonl" "$d/events.jsonl" | head -n 10
    fi
    echo "== $name: $(wc -l <"$d/events.jsonl") events"
}

S() { # IDENT FACILITY LEVEL MESSAGE (JSON-escaped)
    printf '{ "n": "ehshim:Syslog", "msg": "%s", "ident": "%s", "facility": %s, "meta": { "level": %s, "keyword": "0x1" } }' \
        "$4" "$1" "$2" "$3"
}

case_ logger-default dgram "$(S mytag 1 4 'hello world')" -- logger -t mytag "hello world"
case_ logger-rfc5424 dgram "$(S mytag 1 4 'hello 5424')" -- logger --rfc5424 -t mytag "hello 5424"
case_ logger-priority dgram "$(S mytag 19 3 'warned')" -- \
    logger -p local3.warning --id=1234 -t mytag "warned"
case_ logger-multiline dgram "$(S mytag 1 4 'line one\nline two')" -- \
    logger -t mytag "$(printf 'line one\nline two')"
case_ logger-octet-dgram dgram "$(S mytag 1 4 'octet on dgram')" -- \
    logger --octet-count -t mytag "octet on dgram"
# No socket at all: the programs' own errors and exit statuses, unchanged;
# nothing was sent, so nothing is reported.
case_ logger-no-socket none -- logger --socket-errors=on -t mytag "to nobody"
case_ logger-stream stream "$(S mytag 1 4 'hello stream')" "$(S mytag 1 4 'and more')" -- \
    bash -c 'logger -t mytag "hello stream"; logger -t mytag "and more"'
case_ logger-octet-stream stream "$(S mytag 1 4 'hello octet')" -- \
    logger --octet-count -u /dev/log -t mytag "hello octet"
case_ logger-socket-errors-stream stream "$(S mytag 1 4 'errors reported')" -- \
    logger --socket-errors=on -u /dev/log -t mytag "errors reported"

PY='import logging, logging.handlers, socket, sys
kind = socket.SOCK_STREAM if sys.argv[1] == "stream" else socket.SOCK_DGRAM
h = logging.handlers.SysLogHandler(address="/dev/log", socktype=kind)
if sys.argv[2]:
    h.ident = sys.argv[2] + ": "
log = logging.getLogger("app")
log.addHandler(h)
log.setLevel(logging.INFO)
log.warning("python says %s", "hi")
log.info("multi\nline")
h.close()'
case_ python-dgram dgram "$(S pyapp 1 3 'python says hi')" "$(S pyapp 1 4 'multi\nline')" -- \
    "$REAL_PY" -c "$PY" dgram pyapp
case_ python-no-ident dgram "$(S python3 1 3 'python says hi')" "$(S python3 1 4 'multi\nline')" -- \
    "$REAL_PY" -c "$PY" dgram ""
case_ python-stream stream "$(S pyapp 1 3 'python says hi')" "$(S pyapp 1 4 'multi\nline')" -- \
    "$REAL_PY" -c "$PY" stream pyapp
case_ python-no-socket none -- "$REAL_PY" -c "$PY" dgram pyapp

real_finish
