# Helpers shared by the tests/real/test_*.sh scripts; sourced, never run alone.
#
# These tests run real Debian daemons on 127.0.0.1 under the shim, drive real
# traffic and check that every message the program really sent became exactly
# one correct event (tests/real/check_events.py).
#
# Environment: BUILD (build directory, default build) and EHSHIM (the tool,
# default $BUILD/ehshim), as tests/run.sh gives them. Both are made absolute.
#
# What a script gets:
#   real_skip REASON          prints "SKIP: REASON", exits 77
#   real_fail MESSAGE         prints "FAIL: MESSAGE", counts it, goes on
#   real_finish               exits 1 if anything failed, else prints PASS, 0
#   real_need_root            SKIP unless root
#   real_need_build           FAIL unless $EHSHIM and $BUILD/libehshim.so exist;
#                             SKIP for a sanitized (ASan) build
#   real_install PKG...       installs missing Debian packages (services kept
#                             from starting by a temporary policy-rc.d); SKIP
#                             when that fails
#   real_tmpdir               makes REAL_TMP, a private work dir (mode 0755, so
#                             daemons that drop privileges can read it),
#                             removed at exit
#   real_start CMD...         starts CMD in the background in a session of its
#                             own (setsid: it leads its process group); sets
#                             REAL_PID; redirections given to real_start apply.
#                             CMD may begin with real_in_ns or real_shim.
#   real_stop PID [SECS]      SIGTERM to PID, waits (default 10 s), then
#                             SIGKILL to its process group; returns its status
#   real_wait_port PORT [SECS]      TCP listener on 127.0.0.1:PORT (or any addr)
#   real_wait_udp PORT [SECS]       UDP socket bound on 127.0.0.1:PORT
#   real_port_free PORT       SKIP when something already uses TCP/UDP PORT
#   real_wait_file FILE PATTERN [SECS]  waits until FILE has a line matching
#                             the extended regex PATTERN
#   real_devlog_start         starts the /dev/log receiver for the namespace:
#                             socket $REAL_DEVLOG_SOCK ($REAL_TMP/devlog.sock
#                             unless set before), datagrams (escaped, one per
#                             line) in $REAL_DEVLOG ($REAL_TMP/devlog.txt
#                             unless set before); sets REAL_DEVLOG_PID. Two
#                             at once: set both variables before each call.
#   real_devlog_stop [PID]    drains and stops the receiver (the last started)
#   real_devlog_messages DEVLOG [IDENT]   prints the message part of every
#                             datagram (of IDENT only, when given)
#   real_collect NAME HOW DIR PID START   ends a syslog test's run: the
#                             daemon, the receiver; DIR/syslog.txt,
#                             DIR/stderr.txt, DIR/events.jsonl (HOW=shim)
#   real_in_ns [--bind SRC DST]... [--tmpfs DIR]... [--mkdir DIR]... [--] CMD...
#                             runs CMD (exec, same pid) in a private mount
#                             namespace: /dev is a tmpfs holding the usual
#                             nodes and /dev/log = $REAL_DEVLOG_SOCK (when
#                             the receiver runs); --bind mounts SRC over DST
#                             (both must exist), --tmpfs mounts a tmpfs on DIR
#                             (must exist), --mkdir makes DIR inside the
#                             namespace (put it under a --tmpfs: it is made
#                             after the mounts). Options apply in that order.
#                             real_start real_in_ns ... works (same pid).
#   real_shim CMD...          runs CMD as "$EHSHIM" run CMD... (use with -c/-o)
#   real_check EXPECT MESSAGES EVENTS [SOURCE [DEVLOG]]   check_events.py
#                             (with --devlog DEVLOG when given), counts a
#                             failure
#   REAL_PY                   Debian's /usr/bin/python3
#   REAL_DIR, REAL_ROOT       tests/real and the repository, absolute
#
# Cleanup at exit ends ONLY the processes real_start recorded (their process
# groups, by pid), then removes REAL_TMP.
set -u

REAL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034  # for the scripts that source this file
REAL_ROOT=$(cd "$REAL_DIR/../.." && pwd)
BUILD=${BUILD:-build}
EHSHIM=${EHSHIM:-$BUILD/ehshim}
case "$BUILD" in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
case "$EHSHIM" in /*) ;; *) EHSHIM=$PWD/$EHSHIM ;; esac
REAL_PY=/usr/bin/python3

unset EHSHIM_CONFIG EHSHIM_CAPTURE EHSHIM_DEBUG
export LC_ALL=C
export TZ=UTC

REAL_PIDS=()
REAL_PID=""
REAL_TMP=""
REAL_DEVLOG=${REAL_DEVLOG:-}
REAL_DEVLOG_SOCK=${REAL_DEVLOG_SOCK:-}
REAL_DEVLOG_PID=""
REAL_FAILURES=0
_real_apt_updated=0

real_skip() {
    echo "SKIP: $*"
    exit 77
}

real_fail() {
    echo "FAIL: $*"
    REAL_FAILURES=$((REAL_FAILURES + 1))
}

real_finish() {
    # REAL_KEEP=DIR: the work directory is copied there, for a look at what
    # was sent and what came out.
    if [ -n "${REAL_KEEP:-}" ] && [ -n "$REAL_TMP" ]; then
        rm -rf "$REAL_KEEP"
        cp -a "$REAL_TMP" "$REAL_KEEP"
    fi
    if [ "$REAL_FAILURES" -ne 0 ]; then
        echo "$REAL_FAILURES check(s) failed"
        exit 1
    fi
    echo "PASS"
    exit 0
}

real_need_root() {
    [ "$(id -u)" = 0 ] || real_skip "needs root (mount namespaces, daemons, apt-get)"
}

real_need_build() {
    local missing=""
    [ -x "$EHSHIM" ] || missing="$missing $EHSHIM"
    [ -f "$BUILD/libehshim.so" ] || missing="$missing $BUILD/libehshim.so"
    if [ -n "$missing" ]; then
        echo "FAIL: not built:$missing (run make BUILD=$BUILD)"
        exit 1
    fi
    if ldd "$BUILD/libehshim.so" 2>/dev/null | grep -Eq '^[[:space:]]*lib(asan|ubsan)\.so'; then
        real_skip "sanitized build: real daemons run under the plain build only"
    fi
    [ -x "$REAL_PY" ] || real_install python3
    command -v unshare >/dev/null || real_skip "unshare (util-linux) missing"
}

# True when every package named is installed.
_real_installed() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
    done
}

real_install() {
    local missing=() p
    for p in "$@"; do
        _real_installed "$p" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || real_skip "packages missing (${missing[*]}) and not root to install them"
    command -v apt-get >/dev/null || real_skip "packages missing (${missing[*]}) and no apt-get"
    local made_policy=0 log rc
    log=$(mktemp "${TMPDIR:-/tmp}/ehshim-apt.XXXXXX")
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\n# ehshim tests/real: keep services of installed packages from starting\nexit 101\n' \
            >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        made_policy=1
    fi
    rc=0
    if [ "$_real_apt_updated" = 0 ]; then
        apt-get -o DPkg::Lock::Timeout=300 update -qq >"$log" 2>&1 || rc=$?
        _real_apt_updated=1
    fi
    if [ $rc -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
            --no-install-recommends "${missing[@]}" >>"$log" 2>&1 || rc=$?
    fi
    [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
    if [ $rc -ne 0 ] || ! _real_installed "${missing[@]}"; then
        local why
        why=$(grep -E '^(E|W):' "$log" | head -n 1)
        rm -f "$log"
        real_skip "could not install ${missing[*]}: ${why:-apt-get exit $rc}"
    fi
    rm -f "$log"
}

_real_cleanup() {
    local pid
    for pid in "${REAL_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM -- "-$pid" 2>/dev/null
            kill -TERM "$pid" 2>/dev/null
        fi
    done
    for pid in "${REAL_PIDS[@]}"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$pid" 2>/dev/null
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    if [ -n "$REAL_TMP" ] && [ -d "$REAL_TMP" ]; then
        # Anything still mounted inside (a namespace that outlived us) is
        # not ours to remove through.
        rm -rf --one-file-system "$REAL_TMP"
    fi
}
trap _real_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

real_tmpdir() {
    [ -n "$REAL_TMP" ] && return 0
    REAL_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-real.XXXXXX")
    chmod 755 "$REAL_TMP"
    [ -n "$REAL_DEVLOG" ] || REAL_DEVLOG=$REAL_TMP/devlog.txt
    [ -n "$REAL_DEVLOG_SOCK" ] || REAL_DEVLOG_SOCK=$REAL_TMP/devlog.sock
}

real_start() {
    local cmd=("$@")
    # the helpers that are shell functions, spelled out for setsid
    case "$1" in
        real_in_ns)
            real_tmpdir
            cmd=(unshare -m --propagation private -- /bin/bash "$REAL_DIR/ns_exec.sh" "$REAL_DEVLOG_SOCK" "${@:2}") ;;
        real_shim)
            cmd=("$EHSHIM" run "${@:2}") ;;
    esac
    setsid "${cmd[@]}" &
    REAL_PID=$!
    REAL_PIDS+=("$REAL_PID")
}

real_stop() {
    local pid=$1 secs=${2:-10} rc
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq $((secs * 10))); do
        kill -0 "$pid" 2>/dev/null || break
        # a zombie child counts as ended
        [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = Z ] && break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != Z ]; then
        echo "real_stop: $pid still running after ${secs}s, killing its group" >&2
        kill -KILL -- "-$pid" 2>/dev/null
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    rc=$?
    # whatever of its group is left (children it forked) goes too
    kill -TERM -- "-$pid" 2>/dev/null
    return $rc
}

# _real_listening tcp|udp PORT: something listens (tcp) / is bound (udp) on
# 127.0.0.1:PORT or the wildcard address.
_real_listening() {
    local proto=$1 port=$2 hex
    hex=$(printf '%04X' "$port")
    if [ "$proto" = tcp ]; then
        awk -v p=":$hex" 'NR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' \
            /proc/net/tcp /proc/net/tcp6 2>/dev/null
    else
        awk -v p=":$hex" 'NR > 1 && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' \
            /proc/net/udp /proc/net/udp6 2>/dev/null
    fi
}

# _real_wait_listening PROTO PORT SECS WHAT
_real_wait_listening() {
    local proto=$1 port=$2 secs=$3
    for _ in $(seq $((secs * 10))); do
        _real_listening "$proto" "$port" && return 0
        sleep 0.1
    done
    real_fail "$4 after ${secs}s"
    return 1
}

real_wait_port() {
    _real_wait_listening tcp "$1" "${2:-15}" "nothing listens on TCP port $1"
}

real_wait_udp() {
    _real_wait_listening udp "$1" "${2:-15}" "nothing bound to UDP port $1"
}

real_port_free() {
    local port
    for port in "$@"; do
        if _real_listening tcp "$port" || _real_listening udp "$port"; then
            real_skip "port $port is already in use on this machine"
        fi
    done
}

real_wait_file() {
    local file=$1 pattern=$2 secs=${3:-15}
    for _ in $(seq $((secs * 10))); do
        grep -Eq -- "$pattern" "$file" 2>/dev/null && return 0
        sleep 0.1
    done
    real_fail "no line matching /$pattern/ in $file after ${secs}s"
    return 1
}

# real_step NAME CMD...: runs one client, printing NAME, its exit code and
# its standard output on one line (newlines, CRs and tabs as spaces).
real_step() {
    local name=$1 out rc
    shift
    out=$("$@" 2>/dev/null </dev/null)
    rc=$?
    printf '%s rc=%s out=%s\n' "$name" "$rc" "$(printf '%s' "$out" | tr '\n\r\t' '   ')"
}

# real_need_nginx: what the nginx tests need first: root, the build, and
# nginx and curl installed.
real_need_nginx() {
    real_need_root
    real_need_build
    real_install nginx curl
    command -v nginx >/dev/null || real_skip "nginx missing"
}

# real_need_postgresql PORT: what the PostgreSQL tests need first: root, the
# build, PostgreSQL 15 and its client installed (PGBIN set), setpriv, the
# postgres user (AS_PG: the command prefix that runs as it), and PORT free
# on 127.0.0.1.
real_need_postgresql() {
    real_need_root
    real_need_build
    real_install postgresql postgresql-client
    PGBIN=/usr/lib/postgresql/15/bin
    [ -x "$PGBIN/postgres" ] || real_skip "$PGBIN/postgres missing (this test is for PostgreSQL 15)"
    command -v psql >/dev/null || real_skip "psql missing"
    command -v setpriv >/dev/null || real_skip "setpriv (util-linux) missing"
    getent passwd postgres >/dev/null || real_skip "no postgres system user"
    real_port_free "$1"
    AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups --)
}

# real_pg_initdb: a cluster in $T/data for user app (password "secret",
# scram-sha-256 from 127.0.0.1, trust on the socket in $T/sock), made as the
# postgres user (the caller's AS_PG command prefix).
real_pg_initdb() {
    mkdir -p "$T/data" "$T/sock"
    chown postgres: "$T/data" "$T/sock"
    chmod 700 "$T/data"
    printf 'secret\n' >"$T/pw"
    chown postgres: "$T/pw"
    chmod 600 "$T/pw"
    if ! "${AS_PG[@]}" "$PGBIN/initdb" -D "$T/data" -U app --pwfile="$T/pw" -A scram-sha-256 \
            >"$T/initdb.log" 2>&1; then
        cat "$T/initdb.log"
        echo "FAIL: initdb failed"
        exit 1
    fi
    printf '%s\n' 'local   all   all                 trust' \
        'host    all   app   127.0.0.1/32  scram-sha-256' >"$T/data/pg_hba.conf"
}

# real_nginx_temp_paths DIR: the http-block lines that keep nginx's
# temporary files under DIR (a test's, not the package's /var/lib/nginx).
real_nginx_temp_paths() {
    local p
    for p in client_body proxy fastcgi uwsgi scgi; do
        printf '    %s_temp_path %s/%s;\n' "$p" "$1" "$p"
    done
}

# real_receiver_start KIND PATH DIR: a private receiver (wire_capture.py) of
# KIND (dgram, stream or journal) bound at PATH, keeping every byte it gets
# in DIR; its pid in REAL_RECEIVER_PID. KIND none (no DIR): no socket at PATH
# at all.
real_receiver_start() {
    local kind=$1 path=$2 dir=${3:-}
    rm -f "$path"
    REAL_RECEIVER_PID=""
    [ "$kind" = none ] && return 0
    mkdir -p "$dir"
    rm -f "$dir/ready"
    "$REAL_PY" "$REAL_DIR/wire_capture.py" serve "$dir" "--$kind" "$path" --timeout 60 \
        --ready "$dir/ready" 2>"$dir.receiver-err" &
    REAL_RECEIVER_PID=$!
    for _ in $(seq 100); do
        [ -e "$dir/ready" ] && return 0
        sleep 0.05
    done
    real_fail "the receiver at $path did not start"
}

# real_receiver_stop: lets the receiver take what is queued, then ends it.
real_receiver_stop() {
    [ -n "$REAL_RECEIVER_PID" ] || return 0
    sleep 0.2
    kill -TERM "$REAL_RECEIVER_PID" 2>/dev/null
    wait "$REAL_RECEIVER_PID"
}

real_devlog_start() {
    real_tmpdir
    rm -f "$REAL_DEVLOG_SOCK"
    : >"$REAL_DEVLOG"
    real_start "$REAL_PY" "$REAL_DIR/devlog.py" serve "$REAL_DEVLOG_SOCK" "$REAL_DEVLOG"
    REAL_DEVLOG_PID=$REAL_PID
    for _ in $(seq 50); do
        [ -S "$REAL_DEVLOG_SOCK" ] && return 0
        sleep 0.1
    done
    echo "FAIL: the /dev/log receiver did not start"
    exit 1
}

# shellcheck disable=SC2120  # the PID argument is optional
real_devlog_stop() {
    local pid=${1:-$REAL_DEVLOG_PID}
    [ -n "$pid" ] || return 0
    real_stop "$pid" 10
    [ "$pid" = "$REAL_DEVLOG_PID" ] && REAL_DEVLOG_PID=""
    return 0
}

real_devlog_messages() {
    "$REAL_PY" "$REAL_DIR/devlog.py" messages "$@"
}

# real_collect NAME HOW DIR PID START: ends a syslog test's run: stops the
# daemon PID and the /dev/log receiver, appends "exit=N" to DIR/clients.txt
# and leaves DIR/syslog.txt (the messages sent to /dev/log), DIR/stderr.txt
# (DIR/stderr.raw without "\r" line ends) and, for HOW=shim,
# DIR/events.jsonl (the decoded capture DIR/events.dat).
real_collect() {
    local name=$1 how=$2 d=$3 pid=$4 start=$5
    real_stop "$pid" 10
    echo "exit=$?" >>"$d/clients.txt"
    real_devlog_stop
    real_devlog_messages "$d/devlog.txt" >"$d/syslog.txt"
    sed 's/\r$//' "$d/stderr.raw" >"$d/stderr.txt"
    if [ "$how" = shim ]; then
        "$EHSHIM" decode "$d/events.dat" >"$d/events.jsonl" || real_fail "$name: ehshim decode failed"
    fi
    echo "== $name: $((SECONDS - start)) s, $(wc -l <"$d/syslog.txt") syslog messages, $(wc -l <"$d/stderr.txt") stderr lines"
}

real_in_ns() {
    real_tmpdir
    unshare -m --propagation private -- /bin/bash "$REAL_DIR/ns_exec.sh" "$REAL_DEVLOG_SOCK" "$@"
}

real_shim() {
    "$EHSHIM" run "$@"
}

# real_check EXPECT MESSAGES EVENTS [SOURCE [DEVLOG]]: check_events.py;
# REAL_CHECK_RECORDS=1 when the config groups lines into records.
real_check() {
    local expect=$1 messages=$2 events=$3 source=${4:-} devlog=${5:-}
    local args=(--expect "$expect" --messages "$messages" --events "$events")
    [ -n "$source" ] && args+=(--source "$source")
    [ -n "$devlog" ] && args+=(--devlog "$devlog")
    [ -n "${REAL_CHECK_RECORDS:-}" ] && args+=(--records)
    if ! "$REAL_PY" "$REAL_DIR/check_events.py" "${args[@]}"; then
        real_fail "check_events.py $(basename "$expect") $(basename "$messages")"
        return 1
    fi
}
