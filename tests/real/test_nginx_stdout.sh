#!/usr/bin/env bash
# The real nginx 1.22 (Debian's nginx) logging its access lines to stdout,
# as in a container: `daemon off; master_process off;` (one process), on
# 127.0.0.1:18083, `access_log /dev/stdout` (a descriptor nginx opens by
# that name: the shim must count it as stdout) in a format without times,
# `error_log stderr`. Config: { "capture": { "stdout": true } }.
#
# Traffic (curl): 200 (a file and a `return`), 404, 403 (deny all), 405 (a
# POST), a user agent with quotes. Run once without and once with the shim:
# the same status codes and bodies, byte-identical stdout; then every
# access line is exactly one Stdout event (keyword 0x8) with the expected
# message, in order, and every stderr line exactly one Stderr event: no
# line of one became an event of the other.
. "$(dirname "$0")/lib.sh"

real_need_nginx
PORT=18083
real_port_free "$PORT"
real_tmpdir

T=$REAL_TMP
nginx -v 2>&1
mkdir -p "$T/html"
printf '<h1>hello</h1>\n' >"$T/html/index.html"
printf '{ "provider": "Nginx", "capture": { "syslog": false, "stdout": true } }\n' >"$T/config.json"
AGENT='probe "quoted" (x=1)'

step() { real_step "$@"; }

traffic() {
    local url=http://127.0.0.1:$PORT c=(curl -sS -m 10 -A "$AGENT")
    step index "${c[@]}" "$url/"
    step ok "${c[@]}" "$url/ok"
    step missing "${c[@]}" -o /dev/null -w '%{http_code}' "$url/missing.html"
    step denied "${c[@]}" -o /dev/null -w '%{http_code}' "$url/denied"
    step post "${c[@]}" -o /dev/null -w '%{http_code}' -d 'a=1' "$url/index.html"
    step plain-agent curl -sS -m 10 -A plain -o /dev/null -w '%{http_code}' "$url/ok?x=1"
}

# run NAME plain|shim
run() {
    local name=$1 how=$2 d=$T/$1
    mkdir -p "$d/prefix/logs"
    cat >"$d/nginx.conf" <<EOF
daemon off;
master_process off;
pid $d/nginx.pid;
error_log stderr notice;
events { worker_connections 64; }
http {
    server_tokens off;
    log_format plain '\$remote_addr "\$request" \$status \$body_bytes_sent "\$http_user_agent"';
    access_log /dev/stdout plain;
$(real_nginx_temp_paths "$d")
    server {
        listen 127.0.0.1:$PORT;
        server_name localhost;
        root $T/html;
        location = /ok { return 200 "ok\n"; }
        location = /denied { deny all; }
    }
}
EOF
    local cmd=(nginx -e stderr -p "$d/prefix" -c "$d/nginx.conf")
    [ "$how" = shim ] && cmd=("$EHSHIM" run -c "$T/config.json" -o "$d/events.dat" -- "${cmd[@]}")
    # O_APPEND: the access log opens /dev/stdout anew (its own offset)
    real_start "${cmd[@]}" >>"$d/stdout.txt" 2>>"$d/stderr.txt"
    local pid=$REAL_PID
    if real_wait_port "$PORT"; then
        traffic >"$d/clients.txt"
    fi
    real_stop "$pid" 10
    echo "exit=$?" >>"$d/clients.txt"
    if [ "$how" = shim ]; then
        "$EHSHIM" decode --no-stamp "$d/events.dat" >"$d/events.jsonl" ||
            real_fail "$name: ehshim decode failed"
    fi
}

run plain plain
run shim shim

cat "$T/shim/clients.txt"
for f in clients.txt stdout.txt; do
    cmp -s "$T/plain/$f" "$T/shim/$f" || {
        real_fail "plain and shim runs differ in $f"
        diff -a "$T/plain/$f" "$T/shim/$f" | head -n 20
    }
done
want="index rc=0 out=<h1>hello</h1>
ok rc=0 out=ok
missing rc=0 out=404
denied rc=0 out=403
post rc=0 out=405
plain-agent rc=0 out=200
exit=0"
[ "$(cat "$T/plain/clients.txt")" = "$want" ] || real_fail "client results are not what nginx should answer"

# The access lines, exactly (the bodies of the error pages are nginx's own,
# without its version: server_tokens off).
cat >"$T/access.expected" <<'EOF'
127.0.0.1 "GET / HTTP/1.1" 200 15 "probe \x22quoted\x22 (x=1)"
127.0.0.1 "GET /ok HTTP/1.1" 200 3 "probe \x22quoted\x22 (x=1)"
127.0.0.1 "GET /missing.html HTTP/1.1" 404 146 "probe \x22quoted\x22 (x=1)"
127.0.0.1 "GET /denied HTTP/1.1" 403 146 "probe \x22quoted\x22 (x=1)"
127.0.0.1 "POST /index.html HTTP/1.1" 405 150 "probe \x22quoted\x22 (x=1)"
127.0.0.1 "GET /ok?x=1 HTTP/1.1" 200 3 "plain"
EOF
if ! cmp -s "$T/access.expected" "$T/plain/stdout.txt"; then
    real_fail "nginx's stdout is not the expected access lines (< expected, > plain run):"
    diff -a "$T/access.expected" "$T/plain/stdout.txt" | head -n 20
fi

# events NAME: the msg of every event named NAME, one per line, in order.
events() {
    "$REAL_PY" - "$T/shim/events.jsonl" "$1" <<'EOF'
import json, sys
for line in open(sys.argv[1], encoding='utf-8'):
    event = json.loads(line)
    if event['n'] == sys.argv[2]:
        assert event['meta']['keyword'] == {'Nginx:Stdout': '0x8', 'Nginx:Stderr': '0x2'}[sys.argv[2]], line
        assert event['ident'] == 'nginx', line
        print(event['msg'])
EOF
}
echo "== check"
events Nginx:Stdout >"$T/stdout.events" || real_fail "cannot read the Stdout events"
if ! cmp -s "$T/access.expected" "$T/stdout.events"; then
    real_fail "the Stdout events are not the access lines (< expected, > events):"
    diff -a "$T/access.expected" "$T/stdout.events" | head -n 20
fi
events Nginx:Stderr >"$T/stderr.events" || real_fail "cannot read the Stderr events"
[ -s "$T/shim/stderr.txt" ] || real_fail "nginx wrote nothing to stderr"
if ! cmp -s "$T/shim/stderr.txt" "$T/stderr.events"; then
    real_fail "the Stderr events are not nginx's stderr lines (< stderr, > events):"
    diff -a "$T/shim/stderr.txt" "$T/stderr.events" | head -n 20
fi
others=$(grep -cvE '"n": "Nginx:(Stdout|Stderr)"' "$T/shim/events.jsonl")
[ "$others" = 0 ] || real_fail "$others events other than Stdout and Stderr"
echo "$(wc -l <"$T/stdout.events") Stdout events, $(wc -l <"$T/stderr.events") Stderr events"

real_finish
