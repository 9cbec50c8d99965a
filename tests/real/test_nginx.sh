#!/usr/bin/env bash
# The real nginx 1.22 (Debian's nginx) under the shim, on 127.0.0.1:18080:
# master and 2 workers, `error_log stderr info` and `access_log /dev/stderr`
# (a descriptor of its own that the shim must count as stderr) in the
# combined format plus $request_time and the upstream fields.
#
# Traffic (curl, and raw bytes over a socket): 200, a health check (a drop
# rule), 403 (deny all), 404, 502 (proxy to a closed port), 504 (proxy to
# tests/real/nginx_upstream.py, which never answers; proxy_read_timeout 1s),
# a user agent with quotes, a POST, two malformed requests (400); and before
# that `nginx -t` of this config and of a broken one ("nginx: ..." lines). Run once
# without and once with the shim: the same status codes and bodies, the same
# lines (modulo times, pids, ports, durations); then every line nginx wrote
# became exactly one correct event (tests/real/nginx.expect.json).
. "$(dirname "$0")/lib.sh"

real_need_nginx
PORT=18080
CLOSED=18081
HANG=18082
real_port_free "$PORT" "$CLOSED" "$HANG"
real_tmpdir

T=$REAL_TMP
CONFIG=$REAL_ROOT/examples/nginx/config.json
EXPECT=$REAL_DIR/nginx.expect.json
nginx -v 2>&1

mkdir -p "$T/html"
printf 'events {}\nhttp { servr { } }\n' >"$T/broken.conf"
printf '<h1>hello</h1>\n' >"$T/html/index.html"

# raw BYTES: sends BYTES (a Python bytes literal) and prints the status line
# shellcheck disable=SC2317  # called through step
raw() {
    "$REAL_PY" - "$PORT" "$1" <<'EOF'
import ast, socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=10)
s.sendall(ast.literal_eval(sys.argv[2]))
data = b''
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.split(b'\r\n', 1)[0].decode('latin-1'))
EOF
}

step() { real_step "$@"; }

traffic() {
    local url=http://127.0.0.1:$PORT c=(curl -sS -m 10 -o /dev/null -w '%{http_code}')
    step index curl -sS -m 10 "$url/"
    step healthz "${c[@]}" "$url/healthz"
    step denied "${c[@]}" "$url/denied"
    step missing "${c[@]}" "$url/missing.html"
    step closed-upstream "${c[@]}" "$url/closed/api?id=7"
    step slow-upstream "${c[@]}" "$url/slow/report"
    step quoted-agent "${c[@]}" -A 'probe "quoted" (x=1; y=2)' -e 'http://example.test/from?a=b' "$url/index.html"
    step post "${c[@]}" -d 'a=1&b=2' "$url/index.html"
    step tls-bytes raw "b'\\x16\\x03\\x01\\x00\\xa5\\x01\\x00\\x00\\xa1\\x03\\x03'"
    step lowercase raw "b'get / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'"
    # the workers log a closed keepalive connection after the client left
    sleep 0.5
}

# run NAME plain|shim
run() {
    local name=$1 how=$2 d=$T/$1
    mkdir -p "$d/prefix/logs"
    cat >"$d/nginx.conf" <<EOF
user nobody nogroup;
worker_processes 2;
pid $d/nginx.pid;
error_log stderr info;
events { worker_connections 64; }
http {
    log_format ehshim '\$remote_addr - \$remote_user [\$time_local] "\$request" '
                      '\$status \$body_bytes_sent "\$http_referer" "\$http_user_agent" '
                      '\$request_time \$upstream_addr \$upstream_status \$upstream_response_time';
    access_log /dev/stderr ehshim;
$(real_nginx_temp_paths "$d")
    server {
        listen 127.0.0.1:$PORT;
        server_name localhost;
        root $T/html;
        location = /healthz { return 200 "ok\n"; }
        location = /denied { deny all; }
        location /closed/ { proxy_pass http://127.0.0.1:$CLOSED; }
        location /slow/ { proxy_pass http://127.0.0.1:$HANG; proxy_read_timeout 1s; }
    }
}
EOF
    # nginx -t, of this config and of a broken one: "nginx: ..." lines
    local conf tcmd rc
    for conf in "$d/nginx.conf" "$T/broken.conf"; do
        tcmd=(nginx -e "$d/prefix/logs/error.log" -p "$d/prefix" -c "$conf" -t)
        [ "$how" = shim ] && tcmd=("$EHSHIM" run -c "$CONFIG" -o "$d/events.dat" -- "${tcmd[@]}")
        "${tcmd[@]}" >>"$d/stdout.raw" 2>>"$d/configtest.raw" </dev/null
        rc=$?
        echo "configtest ${conf##*/} rc=$rc" >>"$d/configtest-rc.txt"
    done
    local cmd=(nginx -e stderr -p "$d/prefix" -c "$d/nginx.conf" -g 'daemon off;')
    [ "$how" = shim ] && cmd=("$EHSHIM" run -c "$CONFIG" -o "$d/events.dat" -- "${cmd[@]}")
    local start=$SECONDS
    real_start "$REAL_PY" "$REAL_DIR/nginx_upstream.py" "$HANG" 60
    local upstream=$REAL_PID
    real_wait_port "$HANG"
    # O_APPEND: the access log opens /dev/stderr anew (its own offset), so
    # both descriptors must append or one would overwrite the other's lines
    real_start "${cmd[@]}" >>"$d/stdout.raw" 2>>"$d/stderr.raw"
    local pid=$REAL_PID
    if real_wait_port "$PORT"; then
        traffic >"$d/clients.txt"
    fi
    real_stop "$pid" 10
    echo "exit=$?" >>"$d/clients.txt"
    real_stop "$upstream" 5
    sed 's/\r$//' "$d/configtest.raw" "$d/stderr.raw" >"$d/stderr.txt"
    latin1_view "$d/stderr.txt" "$d/messages.txt"
    if [ "$how" = shim ]; then
        "$EHSHIM" decode "$d/events.dat" >"$d/events.jsonl" || real_fail "$name: ehshim decode failed"
    fi
    echo "== $name: $((SECONDS - start)) s, $(wc -l <"$d/stderr.txt") stderr lines"
}

# latin1_view IN OUT: nginx writes the raw bytes of a bad request line into
# its error log (here a TLS ClientHello: NUL and bytes that are not UTF-8).
# The event's msg holds those bytes, and the decoder shows a byte that is not
# UTF-8 as the Latin-1 character of its value (as the reference decoder does),
# while check_events.py reads messages as UTF-8 with replacement characters:
# write the lines as the decoder shows them, UTF-8 sequences unchanged.
latin1_view() {
    "$REAL_PY" - "$1" "$2" <<'EOF'
import sys
text = open(sys.argv[1], 'rb').read().decode('utf-8', 'surrogateescape')
text = ''.join(chr(ord(c) - 0xdc00) if 0xdc80 <= ord(c) <= 0xdcff else c for c in text)
open(sys.argv[2], 'w', encoding='utf-8').write(text)
EOF
}

# What may differ between two runs: times, pids, connection numbers, client
# ports, durations, the tmp dir; the master may get one SIGCHLD for both
# workers, and a SIGIO or not. The two workers interleave: compare sorted.
normalize() {
    sed -E -e 's#^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9:]{8} \[([a-z]+)\] [0-9]+\#[0-9]+: (\*[0-9]+ )?#TIME [\1] PID: #' \
        -e 's#\[[0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9:]{8} [+-][0-9]{4}\]#[TIME]#' \
        -e 's/ [0-9]+\.[0-9]{3}( |$)/ D\1/g' -e 's/ [0-9]+\.[0-9]{3}$/ D/' \
        -e 's/(process|from|pid) [0-9]+/\1 N/g' -e 's/(received from) [0-9]+/\1 N/' \
        -e "s#$T/(plain|shim)/#DIR/#g" "$1" |
        grep -aEv '\[notice\] PID: signal (17 \(SIGCHLD\)|29 \(SIGIO\)) received' | sort
}

run plain plain
run shim shim

cat "$T/shim/clients.txt"
for f in clients.txt configtest-rc.txt stderr.txt stdout.raw; do
    if ! diff -a <(normalize "$T/plain/$f") <(normalize "$T/shim/$f"); then
        real_fail "plain and shim runs differ in $f"
    fi
done
want="index rc=0 out=<h1>hello</h1>
healthz rc=0 out=200
denied rc=0 out=403
missing rc=0 out=404
closed-upstream rc=0 out=502
slow-upstream rc=0 out=504
quoted-agent rc=0 out=200
post rc=0 out=405
tls-bytes rc=0 out=HTTP/1.1 400 Bad Request
lowercase rc=0 out=HTTP/1.1 400 Bad Request
exit=0"
[ "$(cat "$T/plain/clients.txt")" = "$want" ] || real_fail "client results are not what nginx should answer"
[ "$(cat "$T/plain/configtest-rc.txt")" = "configtest nginx.conf rc=0
configtest broken.conf rc=1" ] || real_fail "nginx -t did not pass the good config and fail the broken one"
grep -aq '"GET /index.html HTTP/1.1" 200 .*probe \\x22quoted\\x22' "$T/shim/stderr.txt" ||
    real_fail "no access log line through /dev/stderr"

echo "== check"
real_check "$EXPECT" "$T/shim/messages.txt" "$T/shim/events.jsonl" stderr

real_finish
