#!/usr/bin/env bash
# Captures, from the real programs, the exact bytes (and system calls) they
# send to the local syslog socket and to the systemd journal socket: util-linux
# logger, Python's logging.handlers.SysLogHandler, Perl's Sys::Syslog,
# busybox logger, dnsmasq and a program linked against the real libsystemd
# (tests/real/wire_journal.c). What it found is in tests/real/wire/README.md.
#
#   bash tests/real/wire_run.sh OUTDIR [FIXDIR]
#
# OUTDIR must be new, empty or an earlier run's (it is emptied first).
# Runs as root. Everything happens in a private mount namespace (unshare -m,
# through tests/real/ns_exec.sh): /dev is a tmpfs with the usual nodes, /run a
# tmpfs, /run/systemd/journal/ made there and /dev/log a symlink to
# /run/systemd/journal/dev-log, as on a Debian machine running journald.
# Nothing reaches the machine's own logging, nothing of it is seen outside.
#
# Each case runs one program under strace with one of these set-ups of the
# sockets (tests/real/wire_capture.py is the receiver):
#   dgram   dev-log a datagram receiver; socket (the journal's native
#           protocol) a datagram receiver that also takes passed memfds;
#           stdout (sd_journal_stream_fd) a stream listener
#   stream  dev-log a SOCK_STREAM listener instead (journal sockets as above)
#   absent  no socket files at all (/dev/log a dangling symlink): ENOENT
#   stale   socket files that nobody listens on: ECONNREFUSED
#   late    (dnsmasq only) absent while it starts, then dgram
# and leaves OUTDIR/CASE/: capture/ (the numbered raw files and index.json of
# wire_capture.py), strace.txt, stdout.txt, stderr.txt, rc; OUTDIR/summary.txt
# puts each case's received bytes (escaped) and its socket system calls
# together; OUTDIR/versions.txt has the dpkg -l lines.
#
# With FIXDIR, the bytes each program sent in the cases with a receiver are
# copied there as CASE.bin (one message) or CASE.N.bin (N = 1, 2, ... in the
# order received), after the *.bin files already there are removed; a file
# over 64 KiB is not copied (summary.txt tells its length and ends).
set -u

if [ "${1:-}" = --inside ]; then
    INSIDE=1
    shift
else
    INSIDE=0
fi

. "$(dirname "$0")/lib.sh"

OUT=${1:-}
FIXDIR=${2:-}
[ -n "$OUT" ] || { echo "usage: $0 OUTDIR [FIXDIR]" >&2; exit 2; }
case "$OUT" in /*) ;; *) OUT=$PWD/$OUT ;; esac
if [ -n "$FIXDIR" ]; then
    case "$FIXDIR" in /*) ;; *) FIXDIR=$PWD/$FIXDIR ;; esac
fi
CAP=$REAL_DIR/wire_capture.py
J=/run/systemd/journal
PORT=18855
TRACE_SET=network,write,writev,sendmsg,sendto,memfd_create,fcntl,ftruncate,pwrite64

# ---------------------------------------------------------------- outside
if [ "$INSIDE" = 0 ]; then
    real_need_root
    command -v unshare >/dev/null || real_skip "unshare (util-linux) missing"
    real_install bsdutils python3 perl libperl5.36 busybox-static dnsmasq-base \
        libsystemd-dev pkg-config gcc libc6-dev strace
    case "$OUT" in /run/*|/dev/*) echo "OUTDIR must not be under /run or /dev" >&2; exit 2 ;; esac
    real_port_free "$PORT"
    # OUTDIR is emptied first: only one that is new, empty or made by an
    # earlier run (it has the marker .wire-run)
    if [ -d "$OUT" ] && [ -n "$(ls -A "$OUT")" ] && [ ! -e "$OUT/.wire-run" ]; then
        echo "$OUT is not empty and not an earlier wire_run.sh output; refusing" >&2
        exit 2
    fi
    mkdir -p "$OUT"
    chmod 755 "$OUT"
    find "$OUT" -mindepth 1 -maxdepth 1 ! -name .wire-run -exec rm -rf {} +
    : >"$OUT/.wire-run"
    # built from its own directory, so that CODE_FILE= (the __FILE__ that
    # sd-journal.h's macros add) is "wire_journal.c", not a path of this machine
    # shellcheck disable=SC2046  # pkg-config's words are separate flags
    (cd "$REAL_DIR" && cc -std=c11 -Wall -Wextra -O2 -o "$OUT/wire_journal" wire_journal.c \
        $(pkg-config --cflags --libs libsystemd)) || { echo "FAIL: wire_journal.c does not build"; exit 1; }
    {
        for p in bsdutils util-linux python3 python3.11 libpython3.11-stdlib perl libperl5.36 \
            perl-modules-5.36 busybox-static dnsmasq-base libsystemd0 libsystemd-dev libc6 strace; do
            dpkg -l "$p" 2>/dev/null | grep '^ii'
        done
        uname -sr
        echo "net.core.wmem_max $(cat /proc/sys/net/core/wmem_max)"
        echo "net.core.wmem_default $(cat /proc/sys/net/core/wmem_default)"
        echo "net.unix.max_dgram_qlen $(cat /proc/sys/net/unix/max_dgram_qlen)"
    } >"$OUT/versions.txt"
    # the namespace: /dev (ns_exec.sh, without /dev/log: the socket named
    # does not exist) and a tmpfs over /run
    unshare -m --propagation private -- /bin/bash "$REAL_DIR/ns_exec.sh" "$OUT/no-such-socket" \
        --tmpfs /run -- /bin/bash "$0" --inside "$OUT" "$FIXDIR"
    rc=$?
    [ $rc -eq 0 ] || { echo "FAIL: the run in the namespace exited $rc"; exit 1; }
    echo "PASS: $(find "$OUT" -mindepth 1 -maxdepth 1 -type d | wc -l) cases in $OUT"
    exit 0
fi

# ---------------------------------------------------------------- inside
# the paranoia of ns_exec.sh again: these must be our own mounts
grep -q '^ehshim-tmp /run tmpfs ' /proc/self/mounts || { echo "inside: /run is not our tmpfs" >&2; exit 1; }
grep -q '^ehshim-dev /dev tmpfs ' /proc/self/mounts || { echo "inside: /dev is not our tmpfs" >&2; exit 1; }
mkdir -p "$J"
ln -sfn "$J/dev-log" /dev/log

RECV_PID=""

# sockets SETUP DIR: makes the set-up; for dgram and stream starts the
# receiver writing to DIR/capture
sockets() {
    local setup=$1 dir=$2
    rm -f "$J/dev-log" "$J/socket" "$J/stdout"
    case "$setup" in
        dgram|stream)
            local devlog=--dgram
            [ "$setup" = stream ] && devlog=--stream
            rm -f "$dir/ready"
            "$REAL_PY" "$CAP" serve "$dir/capture" "$devlog" "$J/dev-log" --journal "$J/socket" \
                --stream "$J/stdout" --timeout 120 --ready "$dir/ready" 2>"$dir/receiver.err" &
            RECV_PID=$!
            for _ in $(seq 100); do
                [ -e "$dir/ready" ] && break
                sleep 0.05
            done
            [ -e "$dir/ready" ] || { echo "inside: the receiver did not start" >&2; exit 1; }
            ;;
        absent) ;;
        stale)
            "$REAL_PY" "$CAP" stale "$J/dev-log" dgram
            "$REAL_PY" "$CAP" stale "$J/socket" dgram
            "$REAL_PY" "$CAP" stale "$J/stdout" stream
            ;;
        *) echo "inside: unknown set-up $setup" >&2; exit 1 ;;
    esac
}

sockets_end() {
    if [ -n "$RECV_PID" ]; then
        sleep 0.2
        kill -TERM "$RECV_PID" 2>/dev/null
        wait "$RECV_PID"
        RECV_PID=""
    fi
    rm -f "$J/dev-log" "$J/socket" "$J/stdout"
}

# run CASE SETUP [--stdin FILE] CMD...: CMD under strace
run() {
    local name=$1 setup=$2 input=/dev/null
    shift 2
    if [ "${1:-}" = --stdin ]; then
        input=$2
        shift 2
    fi
    local d=$OUT/$name
    mkdir -p "$d"
    echo "$setup" >"$d/setup"
    printf '%q ' "$@" >"$d/command"
    echo >>"$d/command"
    sockets "$setup" "$d"
    timeout 30 strace -f -qq -yy -s 4096 -e signal=none -e "trace=$TRACE_SET" -o "$d/strace.txt" \
        "$@" <"$input" >"$d/stdout.txt" 2>"$d/stderr.txt"
    echo $? >"$d/rc"
    sockets_end
}

# dnsmasq CASE SETUP [OPTION...]: dnsmasq under strace, one question, stopped
# by its pid. SETUP late: no socket while dnsmasq starts, the datagram
# receiver started before the question.
run_dnsmasq() {
    local name=$1 setup=$2
    shift 2
    local d=$OUT/$name
    mkdir -p "$d"
    echo "$setup" >"$d/setup"
    local cmd=(/usr/sbin/dnsmasq -k --conf-file=/dev/null --listen-address=127.0.0.1 "--port=$PORT"
        --bind-interfaces --no-resolv --no-hosts --log-queries "--pid-file=$d/dnsmasq.pid"
        --address=/wire.ehshim.test/192.0.2.7 "$@")
    printf '%q ' "${cmd[@]}" >"$d/command"
    echo >>"$d/command"
    if [ "$setup" = late ]; then
        sockets absent "$d"
    else
        sockets "$setup" "$d"
    fi
    strace -f -qq -yy -s 4096 -e signal=none -e "trace=$TRACE_SET" -o "$d/strace.txt" \
        "${cmd[@]}" </dev/null >"$d/stdout.txt" 2>"$d/stderr.txt" &
    local spid=$! pid=""
    for _ in $(seq 100); do
        pid=$(cat "$d/dnsmasq.pid" 2>/dev/null)
        [ -n "$pid" ] && _real_listening udp "$PORT" && break
        sleep 0.1
    done
    if [ -n "$pid" ]; then
        [ "$setup" = late ] && sockets dgram "$d"
        "$REAL_PY" "$REAL_DIR/dnsq.py" "$PORT" wire.ehshim.test >"$d/clients.txt"
        sleep 0.5
        kill -TERM "$pid"
    else
        echo "inside: dnsmasq did not start ($name)" >&2
        kill -TERM "$spid"
    fi
    wait "$spid"
    echo $? >"$d/rc"
    sockets_end
}

cd "$OUT" || exit 1
cp "$OUT/wire_journal" /run/wire_journal
chmod 755 /run/wire_journal
WJ=/run/wire_journal

printf 'line one\nline two\n' >"$OUT/two-lines.txt"
printf 'MESSAGE=from logger --journald\nPRIORITY=5\nSYSLOG_IDENTIFIER=mytag\nMY_FIELD=value with spaces\n' \
    >"$OUT/journald-fields.txt"
printf 'MESSAGE=no identifier given\nPRIORITY=6\n' >"$OUT/journald-noident.txt"

# --- util-linux logger
run logger-default dgram logger -t mytag "hello world"
run logger-rfc5424 dgram logger --rfc5424 -t mytag "hello 5424"
run logger-rfc3164 dgram logger --rfc3164 -t mytag "hello 3164"
run logger-multiline-arg dgram logger -t mytag "$(printf 'line one\nline two')"
run logger-multiline-stdin dgram --stdin "$OUT/two-lines.txt" logger -t mytag
run logger-priority dgram logger -p local3.warning -t mytag "warned"
run logger-id dgram logger --id=1234 -t mytag "with id"
# an id that is a live process (this shell): logger then passes it as the
# SCM_CREDENTIALS pid (root only)
run logger-id-live dgram logger "--id=$$" -t mytag "with a live id"
run logger-i dgram logger -i -t mytag "with pid"
run logger-notag dgram logger "no tag"
run logger-octet-dgram dgram logger --octet-count -t mytag "octet on dgram"
run logger-journald dgram logger "--journald=$OUT/journald-fields.txt"
run logger-journald-stdin dgram --stdin "$OUT/journald-fields.txt" logger --journald
run logger-journald-noident dgram --stdin "$OUT/journald-noident.txt" logger --journald
run logger-stream stream logger -t mytag "hello stream"
run logger-stream-errors stream logger --socket-errors=on -u /dev/log -t mytag "hello stream"
run logger-stream-octet stream logger --octet-count -u /dev/log -t mytag "hello octet"
run logger-stream-5424 stream logger --rfc5424 -t mytag "hello 5424 stream"
run logger-stream-multiline-stdin stream --stdin "$OUT/two-lines.txt" logger -t mytag
run logger-T-dgram dgram logger -T -u /dev/log -t mytag "tcp only on a dgram socket"
for s in absent stale; do
    run "logger-default-$s" "$s" logger -t mytag "hello world"
    run "logger-errors-$s" "$s" logger --socket-errors=on -u /dev/log -t mytag "hello world"
    run "logger-journald-$s" "$s" logger "--journald=$OUT/journald-fields.txt"
done

# --- Python logging.handlers.SysLogHandler
cat >"$OUT/pylog.py" <<'EOF'
import logging
import logging.handlers
import socket
import sys

mode = sys.argv[1]
kw = {'address': '/dev/log'}
if mode.startswith('stream'):
    kw['socktype'] = socket.SOCK_STREAM
h = logging.handlers.SysLogHandler(**kw)
# fileno() and type are kept by the object: printing them makes no system call
print('after __init__: fileno', h.socket.fileno(), 'type', int(h.socket.type), flush=True)
if mode.endswith('ident'):
    h.ident = 'myapp: '
if mode.endswith('formatter'):
    h.setFormatter(logging.Formatter('%(name)s[%(process)d]: %(levelname)s %(message)s'))
log = logging.getLogger('wire')
log.propagate = False
log.setLevel(logging.DEBUG)
log.addHandler(h)
log.info('hello python')
if mode.endswith('multiline') or mode.startswith('stream'):
    log.warning('line one\nline two')
h.close()
print('done', flush=True)
EOF
run python-dgram dgram "$REAL_PY" "$OUT/pylog.py" plain
run python-dgram-multiline dgram "$REAL_PY" "$OUT/pylog.py" multiline
run python-ident dgram "$REAL_PY" "$OUT/pylog.py" ident
run python-formatter dgram "$REAL_PY" "$OUT/pylog.py" formatter
run python-stream stream "$REAL_PY" "$OUT/pylog.py" stream
run python-auto-stream stream "$REAL_PY" "$OUT/pylog.py" multiline
for s in absent stale; do
    run "python-dgram-$s" "$s" "$REAL_PY" "$OUT/pylog.py" plain
done

# --- Perl Sys::Syslog
cat >"$OUT/perllog.pl" <<'EOF'
use strict;
use warnings;
use Sys::Syslog qw(:standard :macros setlogsock);
my $mode = shift @ARGV;
setlogsock($mode) if $mode ne 'default';
openlog('perltag', 'pid', 'user');
my $r1 = syslog('info', 'hello perl %s', $mode);
my $r2 = syslog('warning', "line one\nline two");
closelog();
print "syslog returned: ", (defined $r1 ? $r1 : 'undef'), " ", (defined $r2 ? $r2 : 'undef'), "\n";
EOF
for m in unix native default; do
    run "perl-$m" dgram perl "$OUT/perllog.pl" "$m"
    run "perl-$m-stream" stream perl "$OUT/perllog.pl" "$m"
done
for s in absent stale; do
    run "perl-unix-$s" "$s" perl "$OUT/perllog.pl" unix
    run "perl-native-$s" "$s" perl "$OUT/perllog.pl" native
done

# --- busybox logger
run busybox-default dgram busybox logger -t bbtag "hello busybox"
run busybox-multiline-arg dgram busybox logger -t bbtag "$(printf 'line one\nline two')"
run busybox-stdin dgram --stdin "$OUT/two-lines.txt" busybox logger -t bbtag
run busybox-priority dgram busybox logger -p local3.warning -t bbtag "warned"
run busybox-stream stream busybox logger -t bbtag "hello busybox stream"
for s in absent stale; do
    run "busybox-default-$s" "$s" busybox logger -t bbtag "hello busybox"
done

# --- dnsmasq (logs to /dev/log itself; facility daemon unless told)
run_dnsmasq dnsmasq-dgram dgram
run_dnsmasq dnsmasq-local0 dgram --log-facility=local0
run_dnsmasq dnsmasq-stream stream
run_dnsmasq dnsmasq-absent absent
run_dnsmasq dnsmasq-stale stale
run_dnsmasq dnsmasq-late late

# --- libsystemd's journal client (wire_journal.c)
for c in print print-nl send sendv big stream; do
    run "journal-$c" dgram "$WJ" "$c"
done
# not root: SO_SNDBUFFORCE is refused, the send buffer stays at wmem_max
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
run journal-big-nobody dgram "${NOBODY[@]}" "$WJ" big
# A datagram longer than the sender's sk_sndbuf - 32 fails with EMSGSIZE and
# libsystemd sends a sealed memfd instead. libsystemd asks for an 8 MiB send
# buffer: root gets it (SO_SNDBUFFORCE), the kernel doubles it (16 MiB);
# others get at most net.core.wmem_max, doubled.
wmem_max=$(cat /proc/sys/net/core/wmem_max)
[ "$wmem_max" -gt 8388608 ] && wmem_max=8388608
MEMFD_NOBODY=$((2 * wmem_max + 4096))
run journal-big16m dgram "$WJ" big=16777216
run journal-big-memfd-nobody dgram "${NOBODY[@]}" "$WJ" "big=$MEMFD_NOBODY"
for s in absent stale; do
    run "journal-all-$s" "$s" "$WJ" print send sendv big stream
    run "journal-big-nobody-$s" "$s" "${NOBODY[@]}" "$WJ" big
    run "journal-big16m-$s" "$s" "$WJ" big=16777216
done
rm -f /run/wire_journal

# ---------------------------------------------------------------- summary
# shorten: a line over 1500 characters keeps its first 1200 and last 200
shorten() {
    "$REAL_PY" -c '
import sys
for line in sys.stdin:
    line = line.rstrip("\n")
    if len(line) > 1500:
        line = "%s ...[%d characters]... %s" % (line[:1200], len(line) - 1400, line[-200:])
    print(line)
'
}
{
    for d in "$OUT"/*/; do
        d=${d%/}
        n=$(basename "$d")
        [ -f "$d/setup" ] || continue
        echo "=================== $n ($(cat "$d/setup")) rc=$(cat "$d/rc")"
        echo "command: $(cat "$d/command")"
        if [ -s "$d/stdout.txt" ]; then
            echo "--- stdout"
            head -c 2000 "$d/stdout.txt"
        fi
        if [ -s "$d/stderr.txt" ]; then
            echo "--- stderr"
            head -c 2000 "$d/stderr.txt"
        fi
        if [ -f "$d/capture/index.json" ]; then
            echo "--- received"
            "$REAL_PY" "$CAP" show "$d/capture"
        fi
        echo "--- system calls on sockets and memfds"
        grep -E 'socket\(|connect\(|sendto\(|sendmsg\(|send\(|memfd|F_ADD_SEALS|F_DUPFD|SO_SNDBUF|SO_PASSCRED|UNIX' \
            "$d/strace.txt" | grep -vE '^[0-9]+ +(read|recvfrom|recvmsg)\(|nscd/socket' | shorten
    done
} >"$OUT/summary.txt"

# ---------------------------------------------------------------- fixtures
if [ -n "$FIXDIR" ]; then
    mkdir -p "$FIXDIR"
    rm -f "$FIXDIR"/*.bin
    for d in "$OUT"/*/; do
        d=${d%/}
        n=$(basename "$d")
        [ -f "$d/capture/index.json" ] || continue
        "$REAL_PY" - "$d/capture" "$FIXDIR" "$n" <<'EOF'
import json, os, shutil, sys
cap, fixdir, name = sys.argv[1:4]
with open(os.path.join(cap, 'index.json')) as f:
    entries = json.load(f)
for i, e in enumerate(entries, 1):
    if e['length'] > 65536:
        continue
    dst = '%s.bin' % name if len(entries) == 1 else '%s.%d.bin' % (name, i)
    shutil.copyfile(os.path.join(cap, e['file']), os.path.join(fixdir, dst))
EOF
    done
fi
exit 0
